// Exported figures are drawn on white while the window is dark, and the window's views go back
// to following the theme afterwards.
#include <QtTest>

#include <QApplication>
#include <QImage>

#include "export_theme.h"
#include "figure_export.h"
#include "qcp.h"
#include "theme.h"
#include "training_curves_view.h"

using namespace qkvapp;

namespace {

QPalette darkTestPalette() {
    QPalette p = lightPalette();
    p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    return p;
}

// The colour of the exported PNG's top-left pixel: the figure's background.
QColor exportedBackground(QCustomPlot& plot) {
    QString error;
    const QByteArray png =
        renderFigure(plot, FigureFormat::Png, *findFigureSize("single-column"), &error);
    const QImage image = QImage::fromData(png, "PNG");
    return image.isNull() ? QColor() : image.pixelColor(2, 2);
}

bool isDark(const QColor& c) {
    return c.isValid() && c.lightness() < 80;
}
bool isLight(const QColor& c) {
    return c.isValid() && c.lightness() > 220;
}

}  // namespace

class TestExportTheme : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { qApp->setPalette(darkTestPalette()); }
    void cleanup() { qApp->setPalette(lightPalette()); }
    void exportsOnWhiteFromADarkWindow();
    void keepsAPaletteTheViewHadOfItsOwn();
};

void TestExportTheme::exportsOnWhiteFromADarkWindow() {
    qkvviews::CurveSeries s;
    s.runId = "/runs/demo/qkv";
    s.label = "QKV";
    s.color = Qt::blue;
    s.steps = {10, 20};
    s.valLoss = {2.0, 1.5};
    qkvviews::TrainingCurvesView view;
    view.resize(600, 400);
    view.setSeries({s});
    // Shown, as in the window: Qt sends a theme switch to top-level widgets through their
    // native window, which a never-shown widget does not have.
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(isDark(exportedBackground(*view.figurePlot())));  // as shown: the dark theme
    {
        const LightFigureScope light({&view});
        QVERIFY(isLight(exportedBackground(*view.figurePlot())));
        QVERIFY(view.figurePlot()->xAxis->tickLabelColor().lightness() < 128);  // dark text
    }
    QVERIFY(isDark(exportedBackground(*view.figurePlot())));
    // The view follows the application's theme again, not a palette left set on it.
    QVERIFY(!view.testAttribute(Qt::WA_SetPalette));
    qApp->setPalette(lightPalette());
    QCoreApplication::processEvents();  // Qt delivers the switch to windows through events
    QVERIFY(isLight(exportedBackground(*view.figurePlot())));
}

void TestExportTheme::keepsAPaletteTheViewHadOfItsOwn() {
    qkvviews::TrainingCurvesView view;
    QPalette own = lightPalette();
    own.setColor(QPalette::Base, QColor(0x40, 0x10, 0x10));
    view.setPalette(own);
    {
        const LightFigureScope light({&view});
        QVERIFY(isLight(exportedBackground(*view.figurePlot())));
    }
    QCOMPARE(exportedBackground(*view.figurePlot()), QColor(0x40, 0x10, 0x10));
    QVERIFY(view.testAttribute(Qt::WA_SetPalette));
}

QTEST_MAIN(TestExportTheme)
#include "tst_export_theme.moc"
