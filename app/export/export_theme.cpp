#include "export_theme.h"

#include "exportable_figure.h"
#include "theme.h"

namespace qkvapp {

LightFigureScope::LightFigureScope(const QList<const qkvviews::ExportableFigure*>& figures) {
    const QPalette light = lightPalette();
    for (const qkvviews::ExportableFigure* figure : figures) {
        // Exporting draws the figure differently for a moment but does not change what it shows,
        // the same logical constness as figurePlot() handing out its plot.
        auto* widget = dynamic_cast<QWidget*>(const_cast<qkvviews::ExportableFigure*>(figure));
        if (!widget) continue;
        m_saved.push_back({widget, widget->testAttribute(Qt::WA_SetPalette), widget->palette()});
        widget->setPalette(light);
    }
}

LightFigureScope::~LightFigureScope() {
    for (const Saved& s : m_saved) {
        if (!s.widget) continue;
        // An empty palette clears WA_SetPalette, so later theme switches reach the widget again.
        s.widget->setPalette(s.ownPalette ? s.palette : QPalette());
    }
}

}  // namespace qkvapp
