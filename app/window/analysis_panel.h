#pragma once
// The analysis tab: input, Analyze / Cancel with progress, the synced pickers, and the views
// (attention, symmetry, symmetry over training, subspaces, spectra, seeds, explainer). The analysis
// runs off the GUI thread.

#include <QVector>
#include <QWidget>

#include "analysis_worker.h"
#include "exact_map_worker.h"
#include "worker_thread.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace qkvviews {
class AnalysisPickers;
class AttentionGridView;
class HeadAtlasView;
class SeedSummaryView;
class ExportableFigure;
class SpectraView;
class SubspaceView;
class SymmetryTrainingView;
class SymmetryView;
class VariantExplainerView;
}  // namespace qkvviews

namespace qkvapp {

class AnalysisPanel : public QWidget {
    Q_OBJECT

public:
    explicit AnalysisPanel(QWidget* parent = nullptr);
    ~AnalysisPanel() override;

    // The runs an analysis compares (the visible, trained runs of the workspace).
    void setRuns(const QVector<AnalysisRequest::Run>& runs);
    // Starts an analysis of those runs; false when there is none or one is running.
    bool analyze();
    void cancel();
    bool isRunning() const { return m_analysis.running(); }

    const qkvviews::AnalysisSet& analysis() const { return m_set; }
    QList<const qkvviews::ExportableFigure*> figures() const;
    // The figure of the sub-tab on show; nullptr for the explainer.
    const qkvviews::ExportableFigure* currentFigure() const;
    qkvviews::AttentionGridView* attentionView() const { return m_attention; }
    qkvviews::HeadAtlasView* headAtlas() const { return m_atlas; }
    QTabWidget* viewTabs() const { return m_tabs; }
    QLabel* statusLabel() const { return m_status; }
    qkvviews::AnalysisPickers* pickers() const { return m_pickers; }
    QLineEdit* inputEdit() const { return m_input; }
    QString statusText() const;
    // How much of the maps analyses keep to draw before pooling them (tests pool short inputs).
    void setAnalysisOptions(const qkv::AnalysisOptions& options) { m_options = options; }

Q_SIGNALS:
    void analysisFinished(const QStringList& problems);

protected:
    // The first time the tab is shown with runs to compare, analyse them: no empty views.
    void showEvent(QShowEvent* event) override;

private:
    void analyzeFirstRuns();
    static QString summarizeProblems(const QStringList& problems);
    void onFinished(const qkvviews::AnalysisSet& set, const QStringList& problems, bool cancelled);

    QVector<AnalysisRequest::Run> m_runs;
    qkv::AnalysisOptions m_options;
    QStringList m_autoAnalysed;  // the runs analysed without a click, once per set of runs
    qkvviews::AnalysisSet m_set;
    QLineEdit* m_input;
    QSpinBox* m_sample;
    QPushButton* m_analyze;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_status;
    qkvviews::AnalysisPickers* m_pickers;
    QTabWidget* m_tabs;
    qkvviews::HeadAtlasView* m_atlas;
    qkvviews::AttentionGridView* m_attention;
    qkvviews::SymmetryView* m_symmetry;
    qkvviews::SymmetryTrainingView* m_symmetryTraining;
    qkvviews::SubspaceView* m_subspaces;
    qkvviews::SpectraView* m_spectra;
    qkvviews::SeedSummaryView* m_seeds;
    qkvviews::VariantExplainerView* m_explainer;
    WorkerThread<AnalysisWorker> m_analysis;
    WorkerThread<ExactMapWorker> m_exactMaps;  // zoomed-in regions of long inputs' maps
    ExactMapWorker* m_exactWorker;
};

}  // namespace qkvapp
