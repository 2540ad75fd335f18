#include "gui_main.h"

#include <QApplication>
#include <QIcon>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTimer>

#include "analysis_panel.h"
#include "experiment_controller.h"
#include "main_window.h"
#include "runtime/blas_runtime.h"
#include "train/experiment.h"

namespace qkvapp {

namespace {
// For documentation and for looking at the window as a user would, under xvfb-run:
// QKVLAB_SCREENSHOT=out.png [QKVLAB_SCREENSHOT_TAB=2] [QKVLAB_SCREENSHOT_SUBTAB=4]
// [QKVLAB_SCREENSHOT_MS=4000] qkvlab ... grabs the window after the delay (work started on the
// way keeps going) and quits; SUBTAB picks the Analysis tab's view.
void scheduleScreenshot(MainWindow& window) {
    const QString file = qEnvironmentVariable("QKVLAB_SCREENSHOT");
    if (file.isEmpty()) return;
    bool ok = false;
    const int tab = qEnvironmentVariableIntValue("QKVLAB_SCREENSHOT_TAB", &ok);
    if (ok) window.tabs()->setCurrentIndex(tab);
    const int subTab = qEnvironmentVariableIntValue("QKVLAB_SCREENSHOT_SUBTAB", &ok);
    if (ok) window.analysisPanel()->viewTabs()->setCurrentIndex(subTab);
    const int ms = qEnvironmentVariableIntValue("QKVLAB_SCREENSHOT_MS", &ok);
    QTimer::singleShot(ok ? ms : 4000, &window, [&window, file] {
        window.grab().save(file);
        QApplication::quit();
    });
}
}  // namespace

int runGui(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("QKV Lab");
    QApplication::setApplicationName("qkvlab");
    QApplication::setWindowIcon(QIcon(":/desktop/qkvlab.svg"));
    QGuiApplication::setDesktopFileName("qkvlab");  // the installed qkvlab.desktop
    QApplication::setApplicationVersion(QKVLAB_VERSION);
    // One torch thread: the second core stays with the GUI thread while training.
    qkv::setTorchThreads(1);

    const QString root = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                             .filePath("workspace");
    QDir().mkpath(root);
    ExperimentController controller(root);
    MainWindow window(&controller);
    QSettings settings;
    window.setAppearance({settings.value("view/dark", false).toBool(),
                          settings.value("view/presentation", false).toBool()});
    controller.planExperiment(qkv::loadExperiment(":/presets/demo.json"));
    for (const QString& arg : app.arguments().mid(1))
        if (QFileInfo::exists(arg)) controller.openFolder(arg);
    window.show();
    scheduleScreenshot(window);
    return app.exec();
}

}  // namespace qkvapp
