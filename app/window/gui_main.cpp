#include "gui_main.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include "experiment_controller.h"
#include "main_window.h"
#include "runtime/blas_runtime.h"
#include "train/experiment.h"

namespace qkvapp {

int runGui(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("QKV Lab");
    QApplication::setApplicationName("qkvlab");
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
        if (QFileInfo(arg).isDir()) controller.openFolder(arg);
    window.show();
    return app.exec();
}

}  // namespace qkvapp
