#pragma once
// The main window lays out docks and tabs and connects signals; behaviour lives in the
// controller and the views.

#include <QMainWindow>

#include "theme.h"
#include "train/experiment.h"

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace qkvviews {
class ComparisonTableView;
class ExportableFigure;
class RunSummaryView;
class TrainingCurvesView;
class WorkspaceView;
}  // namespace qkvviews

class QDockWidget;

namespace qkvapp {

class AnalysisPanel;
class KvCachePanel;
class ExperimentController;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(ExperimentController* controller, QWidget* parent = nullptr);

    qkvviews::TrainingCurvesView* curvesView() const { return m_curves; }
    qkvviews::ComparisonTableView* comparisonView() const { return m_comparison; }
    qkvviews::WorkspaceView* workspaceView() const { return m_workspace; }
    qkvviews::RunSummaryView* summaryView() const { return m_summary; }
    QTabWidget* tabs() const { return m_tabs; }
    AnalysisPanel* analysisPanel() const { return m_analysis; }
    KvCachePanel* kvCachePanel() const { return m_kvCache; }
    QAction* trainAction() const { return m_train; }
    QAction* cancelAction() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }
    QString lastError() const { return m_lastError; }
    QAction* resetLayoutAction() const { return m_resetLayout; }
    // The size the window opens at, and returns to with View > Reset Layout.
    static constexpr int kDefaultWidth = 1400, kDefaultHeight = 860;

    void setAppearance(const Appearance& a);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createDocks();
    void restoreLayout();
    void showEvent(QShowEvent* event) override;
    void resetLayout();
    void connectController();
    void newExperiment();
    void updateTrainAction();
    void trainWithPyTorch(const qkv::Experiment& e);
    void openFolderDialog();
    void openModelDialog();
    void openReproduce();
    void openFolder(const QString& path);
    void fillRecentMenu();
    void loadPreset(const QString& name);
    void showError(const QString& message);
    void exportFigures(bool all);
    // The figures of the window: the training curves, then the analysis views.
    QList<const qkvviews::ExportableFigure*> figures() const;
    const qkvviews::ExportableFigure* currentFigure() const;

    ExperimentController* m_controller;
    qkvviews::TrainingCurvesView* m_curves;
    qkvviews::ComparisonTableView* m_comparison;
    qkvviews::WorkspaceView* m_workspace;
    QList<QDockWidget*> m_docks;
    QByteArray m_defaultState;  // the docks as created, for Reset Layout
    QAction* m_resetLayout = nullptr;
    bool m_sizedDocks = false;  // the default dock widths applied at the first show
    qkvviews::RunSummaryView* m_summary;
    AnalysisPanel* m_analysis;
    KvCachePanel* m_kvCache;
    QTabWidget* m_tabs;
    QAction *m_train, *m_cancel, *m_dark, *m_presentation;
    QMenu* m_recentMenu;
    QProgressBar* m_progress;
    QLabel* m_status;
    QString m_lastError;
    Appearance m_appearance;
    class ReproduceDialog* m_reproduce = nullptr;
};

}  // namespace qkvapp
