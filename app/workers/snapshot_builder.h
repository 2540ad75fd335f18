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

}  // namespace qkvapp
