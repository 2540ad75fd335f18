#pragma once
// Figures for print are drawn on white whatever the window's theme: a dark-mode export would
// otherwise put light text on a dark background into a paper.

#include <QList>
#include <QPalette>
#include <QPointer>
#include <QWidget>

namespace qkvviews {
class ExportableFigure;
}

namespace qkvapp {

// While alive, gives the figures' widgets the light palette (their plots re-theme on the
// palette change) and afterwards hands them back the palette they inherited or had.
class LightFigureScope {
public:
    explicit LightFigureScope(const QList<const qkvviews::ExportableFigure*>& figures);
    ~LightFigureScope();
    LightFigureScope(const LightFigureScope&) = delete;
    LightFigureScope& operator=(const LightFigureScope&) = delete;

private:
    struct Saved {
        QPointer<QWidget> widget;
        bool ownPalette = false;  // set on the widget itself, not inherited
        QPalette palette;
    };
    QList<Saved> m_saved;
};

}  // namespace qkvapp
