#include "color_maps.h"

#include "qcp.h"

namespace qkvviews {

QCPColorGradient sequentialGradient() {
    // Viridis sampled at 9 stops; linear interpolation between them stays within 1 ΔE of the
    // full table.
    static const char* kStops[] = {"#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
                                   "#28ae80", "#5ec962", "#addc30", "#fde725"};
    QCPColorGradient g;
    g.clearColorStops();
    const int n = int(sizeof(kStops) / sizeof(kStops[0]));
    for (int i = 0; i < n; ++i) g.setColorStopAt(double(i) / (n - 1), QColor(kStops[i]));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    return g;
}

QCPColorGradient divergingGradient() {
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor("#2166ac"));
    g.setColorStopAt(0.25, QColor("#92c5de"));
    g.setColorStopAt(0.5, QColor("#f7f7f7"));
    g.setColorStopAt(0.75, QColor("#f4a582"));
    g.setColorStopAt(1.0, QColor("#b2182b"));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    return g;
}

QColor seriesColor(int index) {
    static const QColor kColors[] = {QColor("#0072B2"), QColor("#D55E00"), QColor("#009E73"),
                                     QColor("#CC79A7"), QColor("#E69F00"), QColor("#56B4E9"),
                                     QColor("#F0E442"), QColor("#000000")};
    const int n = int(sizeof(kColors) / sizeof(kColors[0]));
    return kColors[((index % n) + n) % n];
}

}  // namespace qkvviews
