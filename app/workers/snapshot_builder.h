#pragma once
// Turns the workspace (core results) into the value snapshots the views draw. No math in views.

#include <QVector>

#include "analysis_worker.h"
#include "snapshots.h"
#include "workspace.h"
#include "workspace_view.h"

namespace qkvapp {

QVector<qkvviews::CurveSeries> curveSeries(const Workspace& w);  // visible runs only
QVector<qkvviews::ComparisonRow> comparisonRows(const Workspace& w);
QVector<qkvviews::WorkspaceExperimentItem> workspaceItems(const Workspace& w);
qkvviews::RunSummary runSummary(const RunEntry& run);
// Visible runs that have a folder on disk (every checkpoint is loadable, even mid-training).
QVector<AnalysisRequest::Run> analyzableRuns(const Workspace& w);
// What names a run wherever runs are listed side by side: the variant (or the loaded model's
// name), " · seed N" among seeds of one variant, and "experiment / " first when runs of several
// experiments are on show. Every analysis view, figure and CSV takes it from here.
QString uniqueRunName(const Workspace& w, const ExperimentEntry& e, const RunEntry& r);
// Its name inside its experiment (the workspace tree): "QKV", or "QKV · seed 2" among seeds.
QString runNameInExperiment(const ExperimentEntry& e, const RunEntry& r);
// That name without its seed when the experiment has other seeds of the run's variant (the
// runs analysed as one variant over seeds); empty otherwise.
QString seedGroupName(const Workspace& w, const ExperimentEntry& e, const RunEntry& r);
// The variant's colour, in another shade for each further experiment that holds the variant.
QColor runColor(const Workspace& w, const ExperimentEntry& e, const RunEntry& r);

}  // namespace qkvapp
