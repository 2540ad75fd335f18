#include "gui_main.h"

#include <QApplication>
#include <QLabel>

namespace qkvapp {

int runGui(int argc, char** argv) {
    QApplication app(argc, argv);
    QLabel label("QKV Lab");
    label.show();
    return app.exec();
}

}  // namespace qkvapp
