#pragma once
// Light and dark themes, and a presentation mode (larger fonts, thicker lines) for teaching.

class QApplication;
class QPalette;

namespace qkvapp {

struct Appearance {
    bool dark = false;
    bool presentation = false;
    double lineWidth() const { return presentation ? 3.2 : 1.6; }
};

void applyAppearance(QApplication& app, const Appearance& a);

// The light theme's palette (Fusion's standard one), also used for exported figures.
QPalette lightPalette();

}  // namespace qkvapp
