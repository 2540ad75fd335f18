#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

#include "analysis_panel.h"
#include "comparison_table_view.h"
#include "experiment_controller.h"
#include "export_dialog.h"
#include "export_theme.h"
#include "figure_export.h"
#include "figure_manifest.h"
#include "kv_cache_panel.h"
#include "kv_cache_view.h"
#include "new_experiment_dialog.h"
#include "recent_folders.h"
#include "reproduce_dialog.h"
#include "torch_export_dialog.h"
#include "run_summary_view.h"
#include "runtime/blas_runtime.h"
#include "snapshot_builder.h"
#include "training_curves_view.h"
#include "workspace_view.h"

namespace qkvapp {

MainWindow::MainWindow(ExperimentController* controller, QWidget* parent)
    : QMainWindow(parent), m_controller(controller) {
    setWindowTitle(tr("QKV Lab"));
    setAcceptDrops(true);
    m_curves = new qkvviews::TrainingCurvesView(this);
    m_comparison = new qkvviews::ComparisonTableView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_curves, tr("Training"));
    m_tabs->addTab(m_comparison, tr("Comparison"));
    m_analysis = new AnalysisPanel(this);
    m_tabs->addTab(m_analysis, tr("Analysis"));
    m_kvCache = new KvCachePanel(this);
    m_tabs->addTab(m_kvCache, tr("KV cache"));
    setCentralWidget(m_tabs);
    createDocks();
    createActions();
    connectController();

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(260);
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    // A long message must not widen the window (it did, to 3,151 px): the label takes the room
    // there is and the whole text is in its tooltip.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setMinimumWidth(1);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    const qkv::BlasInfo blas = qkv::detectBlas();
    auto* blasLabel = new QLabel(QString::fromStdString(qkv::describeBlas(blas)), this);
    if (const std::string warning = qkv::blasWarning(blas); !warning.empty()) {
        blasLabel->setText(blasLabel->text() + "  ⚠ slow BLAS");
        blasLabel->setStyleSheet("color: #c0392b; font-weight: bold;");
        blasLabel->setToolTip(QString::fromStdString(warning));
    }
    statusBar()->addPermanentWidget(blasLabel);

    resize(kDefaultWidth, kDefaultHeight);
    m_defaultState = saveState();
    restoreLayout();
}

// A saved layout comes back only when it fits the screen: a window once stretched by a long
// line (3,151 px) must not reopen that wide with the workspace squeezed.
void MainWindow::restoreLayout() {
    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray())) return;
    restoreState(settings.value("window/state").toByteArray());
    const QSize available = screen() ? screen()->availableGeometry().size() : QSize();
    const QSize limit = available.expandedTo(QSize(kDefaultWidth, kDefaultHeight));
    if (width() > limit.width() || height() > limit.height()) resetLayout();
}

void MainWindow::resetLayout() {
    restoreState(m_defaultState);
    for (QDockWidget* dock : m_docks) dock->show();
    showNormal();
    resize(kDefaultWidth, kDefaultHeight);
    resizeDocks(m_docks, {300, 360}, Qt::Horizontal);
    if (screen()) move(screen()->availableGeometry().center() - rect().center());
}

void MainWindow::createDocks() {
    m_workspace = new qkvviews::WorkspaceView(this);
    auto* left = new QDockWidget(tr("Workspace"), this);
    left->setObjectName("workspaceDock");
    left->setWidget(m_workspace);
    addDockWidget(Qt::LeftDockWidgetArea, left);
    m_docks << left;
    m_summary = new qkvviews::RunSummaryView(this);
    auto* right = new QDockWidget(tr("Run summary"), this);
    right->setObjectName("summaryDock");
    right->setWidget(m_summary);
    addDockWidget(Qt::RightDockWidgetArea, right);
    m_docks << right;
    // Room for "experiment / run" names and the summary's settings: without a floor, the docks
    // opened 80 px wide on a first start (resizeDocks does not apply before the first show).
    m_workspace->setMinimumWidth(200);
    m_summary->setMinimumWidth(240);
    resizeDocks({left, right}, {300, 360}, Qt::Horizontal);
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (m_sizedDocks) return;
    m_sizedDocks = true;
    if (!QSettings().contains("window/state")) resizeDocks(m_docks, {300, 360}, Qt::Horizontal);
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newExp = file->addAction(tr("&New Experiment…"), this, &MainWindow::newExperiment);
    newExp->setShortcut(QKeySequence::New);
    QAction* open = file->addAction(tr("&Open Run Folder…"), this, &MainWindow::openFolderDialog);
    open->setShortcut(QKeySequence::Open);
    QAction* openModel = file->addAction(tr("Open &Model…"), this, &MainWindow::openModelDialog);
    openModel->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_O);
    openModel->setToolTip(tr("A Hugging Face folder (GPT-2, Llama), a llama2.c .bin checkpoint "
                             "or a QKV Lab run folder"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    file->addAction(tr("&Export Figure…"), this, [this] { exportFigures(false); })
        ->setShortcut(Qt::CTRL | Qt::Key_E);
    file->addAction(tr("Export &All Figures…"), this, [this] { exportFigures(true); })
        ->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_E);
    file->addSeparator();
    file->addAction(tr("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);

    QMenu* presets = menuBar()->addMenu(tr("&Presets"));
    for (const QString& name : {QString("demo"), QString("char-lm"), QString("fashion-vit"),
                                QString("paper-300m"), QString("paper-1.2b")})
        presets->addAction(name, this, [this, name] { loadPreset(name); });

    QMenu* experiments = menuBar()->addMenu(tr("E&xperiments"));
    experiments->addAction(tr("&Reproduce a Published Table…"), this, &MainWindow::openReproduce);

    QMenu* run = menuBar()->addMenu(tr("&Train"));
    m_train = run->addAction(tr("&Train"), m_controller, [this] { m_controller->train(); });
    m_train->setShortcut(Qt::CTRL | Qt::Key_R);
    m_cancel = run->addAction(tr("&Cancel"), m_controller, &ExperimentController::cancel);
    m_cancel->setShortcut(Qt::Key_Escape);
    m_cancel->setEnabled(false);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_dark = view->addAction(tr("&Dark Theme"));
    m_dark->setCheckable(true);
    m_presentation = view->addAction(tr("&Presentation Mode"));
    m_presentation->setCheckable(true);
    m_presentation->setShortcut(Qt::Key_F5);
    auto appearanceChanged = [this] {
        setAppearance({m_dark->isChecked(), m_presentation->isChecked()});
    };
    connect(m_dark, &QAction::toggled, this, appearanceChanged);
    connect(m_presentation, &QAction::toggled, this, appearanceChanged);
    view->addSeparator();
    for (QDockWidget* dock : m_docks) view->addAction(dock->toggleViewAction());  // closed docks return
    m_resetLayout = view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("mainToolbar");
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(newExp);
    bar->addAction(open);
    bar->addSeparator();
    bar->addAction(m_train);
    bar->addAction(m_cancel);
    bar->addSeparator();
    bar->addAction(m_presentation);
    bar->addAction(m_dark);
}

void MainWindow::connectController() {
    ExperimentController* c = m_controller;
    connect(c, &ExperimentController::curvesChanged, m_curves,
            &qkvviews::TrainingCurvesView::setSeries);
    connect(c, &ExperimentController::comparisonChanged, m_comparison,
            &qkvviews::ComparisonTableView::setRows);
    connect(c, &ExperimentController::workspaceChanged, this, [this](const auto& items) {
        m_workspace->setWorkspace(items);
        m_workspace->selectRun(m_controller->currentRunId());
        const auto runs = analyzableRuns(m_controller->workspace());
        m_analysis->setRuns(runs);
        QVector<QPair<QString, QColor>> folders;
        for (const auto& r : runs) folders.push_back({r.folder, r.color});
        m_kvCache->setRuns(folders);
    });
    connect(c, &ExperimentController::summaryChanged, m_summary,
            &qkvviews::RunSummaryView::setSummary);
    connect(c, &ExperimentController::summaryCleared, m_summary, &qkvviews::RunSummaryView::clear);
    connect(c, &ExperimentController::errorOccurred, this, &MainWindow::showError);
    connect(c, &ExperimentController::folderOpened, this,
            [](const QString& p) { RecentFolders::add(p); });
    connect(c, &ExperimentController::workspaceChanged, this, &MainWindow::updateTrainAction);
    updateTrainAction();
    connect(c, &ExperimentController::trainingStateChanged, this, [this](bool running) {
        m_train->setEnabled(!running && !m_controller->trainDescription().isEmpty());
        m_cancel->setEnabled(running);
        m_progress->setVisible(running);
    });
    connect(c, &ExperimentController::overallProgress, this,
            [this](int percent, const QString& text) {
                m_progress->setValue(percent);
                m_status->setText(text);
            });
    connect(c, &ExperimentController::trainingFinished, this, [this](bool cancelled) {
        m_status->setText(
            cancelled ? tr("Training cancelled; every run folder keeps its last checkpoint.")
                      : tr("Training finished."));
    });
    connect(m_workspace, &qkvviews::WorkspaceView::runVisibilityChanged, c,
            &ExperimentController::setRunVisible);
    connect(m_workspace, &qkvviews::WorkspaceView::removeExperimentRequested, c,
            &ExperimentController::removeExperiment);
    connect(m_workspace, &qkvviews::WorkspaceView::currentRunChanged, c, [c](const QString& id) {
        if (!id.isEmpty()) c->selectRun(id);
    });
}

void MainWindow::setAppearance(const Appearance& a) {
    m_appearance = a;
    if (m_dark->isChecked() != a.dark) m_dark->setChecked(a.dark);
    if (m_presentation->isChecked() != a.presentation) m_presentation->setChecked(a.presentation);
    applyAppearance(*qApp, a);
    m_curves->setLineWidth(a.lineWidth());
    QSettings().setValue("view/dark", a.dark);
    QSettings().setValue("view/presentation", a.presentation);
}

// The Train button says what it will train: never a silent duplicate of the last plan.
void MainWindow::updateTrainAction() {
    const QString what = m_controller->trainDescription();
    m_train->setText(what.isEmpty() ? tr("&Train") : tr("&Train %1").arg(what));
    m_train->setToolTip(what.isEmpty() ? tr("Nothing to train: plan an experiment (New Experiment or a preset)")
                                       : tr("Train %1").arg(what));
    m_train->setEnabled(!m_controller->isTraining() && !what.isEmpty());
}

void MainWindow::newExperiment() {
    qkv::Experiment initial;
    try {  // the plan on show, else the demo
        initial = m_controller->lastPlan() ? *m_controller->lastPlan() : qkv::loadExperiment(":/presets/demo.json");
    } catch (const std::exception&) {
    }
    NewExperimentDialog dialog(initial, this);
    const int result = dialog.exec();
    if (result == QDialog::Accepted) m_controller->planExperiment(dialog.experiment());
    if (result == NewExperimentDialog::kTrainWithPyTorch) trainWithPyTorch(dialog.experiment());
}

void MainWindow::trainWithPyTorch(const qkv::Experiment& e) {
    const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss");
    const QString name = QString::fromStdString(e.name.empty() ? "experiment" : e.name) + "-torch-" + stamp;
    TorchExportDialog dialog(e, QDir(m_controller->workspaceRoot()).filePath(name), this);
    dialog.exec();
    if (!dialog.writtenFolder().isEmpty()) openFolder(dialog.writtenFolder());
}

void MainWindow::loadPreset(const QString& name) {
    try {
        m_controller->planExperiment(
            qkv::loadExperiment(":/presets/" + name.toStdString() + ".json"));
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

// Non-modal: the workspace keeps working while a reproduction trains.
void MainWindow::openReproduce() {
    if (!m_reproduce) m_reproduce = new ReproduceDialog(m_controller->workspaceRoot(), this);
    m_reproduce->show();
    m_reproduce->raise();
}

void MainWindow::openFolderDialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open run folder"),
                                                          m_controller->workspaceRoot());
    if (!dir.isEmpty()) openFolder(dir);
}

// One dialog for files and folders: a llama2.c .bin is picked as itself, a Hugging Face model
// by any file of its folder (config.json, the safetensors or their index).
void MainWindow::openModelDialog() {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open model"), QDir::homePath(),
        tr("Models (*.bin config.json *.safetensors *.safetensors.index.json);;All files (*)"));
    if (file.isEmpty()) return;
    openFolder(QFileInfo(file).suffix() == "bin" ? file : QFileInfo(file).absolutePath());
}

void MainWindow::openFolder(const QString& path) {
    m_controller->openFolder(path);
}

void MainWindow::fillRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = RecentFolders::list();
    for (const QString& f : recent) m_recentMenu->addAction(f, this, [this, f] { openFolder(f); });
    if (recent.isEmpty()) m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
}

QList<const qkvviews::ExportableFigure*> MainWindow::figures() const {
    QList<const qkvviews::ExportableFigure*> all = {m_curves};
    all << m_analysis->figures();
    all << m_kvCache->view();
    return all;
}

const qkvviews::ExportableFigure* MainWindow::currentFigure() const {
    if (m_tabs->currentWidget() == m_curves) return m_curves;
    if (m_tabs->currentWidget() == m_analysis) return m_analysis->currentFigure();
    if (m_tabs->currentWidget() == m_kvCache) return m_kvCache->view();
    return nullptr;
}

void MainWindow::exportFigures(bool all) {
    const qkvviews::ExportableFigure* current = currentFigure();
    if (!all && !current) {
        showError(tr("This tab has no figure to export (the comparison table copies as CSV)."));
        return;
    }
    const QString defaultFolder = defaultExportFolder();
    ExportDialog dialog(all ? tr("Export all figures") : tr("Export %1").arg(current->figureName()),
                        QSettings().value("export/folder", defaultFolder).toString(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    if (dialog.formats().isEmpty()) {
        showError(tr("Choose at least one format."));
        return;
    }
    QSettings().setValue("export/folder", dialog.folder());
    QStringList folders;
    for (const auto& run : analyzableRuns(m_controller->workspace())) folders << run.folder;
    QString error;
    const Manifest manifest = manifestForRuns(folders, &error);
    std::optional<LightFigureScope> light;
    if (dialog.whiteBackground())
        light.emplace(all ? figures() : QList<const qkvviews::ExportableFigure*>{current});
    const ExportResult result =
        all ? exportAll(figures(), dialog.folder(), dialog.formats(), dialog.size(), manifest)
            : exportFigure(*current, dialog.folder(), dialog.formats(), dialog.size(), manifest);
    if (!result.ok()) {
        showError(tr("Export failed: %1").arg(result.error));
        return;
    }
    QString done = tr("Exported %1 files to %2").arg(result.files.size()).arg(dialog.folder());
    if (!result.skipped.isEmpty()) done += tr("; skipped %1").arg(result.skipped.join("; "));
    m_status->setText(done);
}

void MainWindow::showError(const QString& message) {
    m_lastError = message;
    m_status->setText(message.section('\n', 0, 0));
    m_status->setToolTip(message);
    auto* box =
        new QMessageBox(QMessageBox::Warning, tr("QKV Lab"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // not exec(): the workspace keeps working behind it
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    m_controller->cancel();
    m_analysis->cancel();
    m_kvCache->cancel();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    // Folders (runs, Hugging Face models) and files (llama2.c checkpoints).
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile() && QFileInfo::exists(url.toLocalFile())) {
            event->acceptProposedAction();
            return;
        }
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) openFolder(url.toLocalFile());
}

}  // namespace qkvapp
