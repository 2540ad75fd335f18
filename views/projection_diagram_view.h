#pragma once
// Which projections a variant has: X feeds projection boxes that produce Q, K and V; a shared
// projection is one box spanning the outputs it produces, so Q=K or K=V is visible at a glance.

#include <QWidget>

class QPainter;

#include "model/model_config.h"
#include "snapshots.h"

namespace qkvviews {

class ProjectionDiagramView : public QWidget {
    Q_OBJECT

public:
    explicit ProjectionDiagramView(QWidget* parent = nullptr);

    void setLayout(const ProjectionLayout& layout);
    const ProjectionLayout& projectionLayout() const { return m_layout; }

    // The boxes drawn, left to right and top to bottom: label and the outputs (0 Q, 1 K, 2 V)
    // each feeds. Exposed so tests can check the picture without reading pixels.
    struct Box {
        QString label;
        int firstRow, lastRow;
        bool weightless;  // identity: no parameters
    };
    static QVector<Box> boxesFor(const ProjectionLayout& layout);
    static QString cacheCaption(const ProjectionLayout& layout);
    // What a model configuration has: the one place a variant becomes a diagram.
    static ProjectionLayout layoutFor(const qkv::ModelConfig& config);

    // Draws the diagram of `layout` into `area`: the widget, and the explainer's plot (so that an
    // export keeps it as vectors). Labels shrink to fit their boxes rather than being cut.
    static void paint(QPainter& p, const QRectF& area, const ProjectionLayout& layout,
                      const QPalette& palette, const QFont& font);

    QSize sizeHint() const override { return {360, 220}; }
    QSize minimumSizeHint() const override { return {240, 160}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    ProjectionLayout m_layout;
};

}  // namespace qkvviews
