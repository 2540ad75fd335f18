#include "projection_diagram_view.h"

#include <QPainter>
#include <QPainterPath>

#include "color_maps.h"

namespace qkvviews {

ProjectionDiagramView::ProjectionDiagramView(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void ProjectionDiagramView::setLayout(const ProjectionLayout& layout) {
    m_layout = layout;
    update();
}

QVector<ProjectionDiagramView::Box> ProjectionDiagramView::boxesFor(const ProjectionLayout& l) {
    QVector<Box> boxes;
    if (l.queryIsKey && l.valueIsKey) return {{"W_Q = W_K = W_V", 0, 2, false}};
    if (l.queryIsKey)
        boxes.push_back({"W_Q = W_K", 0, 1, false});
    else if (l.identityQuery)
        boxes.push_back({"Q = X (identity)", 0, 0, true});
    else if (l.mlpQuery)
        boxes.push_back({"(X + f(X)) / 2", 0, 0, false});
    else
        boxes.push_back({"W_Q", 0, 0, false});
    if (l.valueIsKey)
        boxes.push_back({"W_K = W_V", 1, 2, false});
    else {
        if (!l.queryIsKey) boxes.push_back({"W_K", 1, 1, false});
        boxes.push_back({"W_V", 2, 2, false});
    }
    return boxes;
}

ProjectionLayout ProjectionDiagramView::layoutFor(const qkv::ModelConfig& c) {
    ProjectionLayout l;
    l.variantName = QString::fromStdString(qkv::variantPaperName(c.variant));
    l.hasQ = qkv::hasQueryProjection(c.variant);
    l.hasV = qkv::hasValueProjection(c.variant);
    l.queryIsKey = qkv::queryIsKey(c.variant);
    l.valueIsKey = qkv::valueIsKey(c.variant);
    l.identityQuery = c.variant == qkv::Variant::IdentityQ;
    l.mlpQuery = c.variant == qkv::Variant::MlpQ;
    l.heads = c.heads;
    l.kvHeads = c.kvHeadCount();
    l.posBias = c.posBias;
    return l;
}

QString ProjectionDiagramView::cacheCaption(const ProjectionLayout& l) {
    const QString g = QString::number(l.kvHeads);
    if (l.valueIsKey) return QString("KV cache per token and layer: K only (V = K): %1·d_h").arg(g);
    return QString("KV cache per token and layer: K and V: 2·%1·d_h").arg(g);
}

void ProjectionDiagramView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    paint(p, rect(), m_layout, palette(), font());
}

namespace {
// Draws `text` in `box` at the painter's font, or smaller (down to 60 %) until it fits, wrapped
// at spaces: "Q  (4 heads)" in a narrow box reads "Q (4 heads)" on two lines, never "(4 heads".
void drawFitted(QPainter& p, const QRectF& box, const QString& text) {
    const QFont original = p.font();
    QFont f = original;
    const double full = original.pointSizeF() > 0 ? original.pointSizeF() : 9.0;
    const int flags = Qt::AlignCenter | Qt::TextWordWrap;
    for (double size = full; size >= full * 0.5; size -= 0.25) {
        f.setPointSizeF(size);
        p.setFont(f);
        const QRectF needed = p.boundingRect(box, flags, text);
        if (needed.width() <= box.width() + 0.5 && needed.height() <= box.height() + 0.5) break;
    }
    p.drawText(box, flags, text);
    p.setFont(original);
}
}  // namespace

void ProjectionDiagramView::paint(QPainter& p, const QRectF& area, const ProjectionLayout& layout,
                                  const QPalette& pal, const QFont& font) {
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(font);
    const QColor text = pal.color(QPalette::WindowText);
    const QColor fill = pal.color(QPalette::Base);
    const QFontMetrics fm(font);
    const double x0 = area.left(), y0 = area.top(), w = area.width(), h = area.height();
    const double top = y0 + fm.height() * 1.6, bottom = y0 + h - fm.height() * 3.0;
    const double rowH = (bottom - top) / 3.0;
    auto rowY = [&](int r) { return top + rowH * (r + 0.5); };
    const double boxH = std::min(rowH * 0.8, fm.height() * 2.6);

    p.setPen(text);
    QFont bold = font;
    bold.setBold(true);
    p.setFont(bold);
    drawFitted(p, QRectF(x0, y0, w, top - y0), layout.variantName + (layout.posBias ? "  + positional bias" : ""));
    p.setFont(font);

    // X on the left, projections in the middle, Q/K/V on the right.
    const QRectF xBox(x0 + w * 0.02, rowY(1) - boxH / 2, w * 0.1, boxH);
    const double projLeft = x0 + w * 0.2, projWidth = w * 0.38;
    const double outLeft = x0 + w * 0.68, outWidth = w * 0.3;
    p.setBrush(fill);
    p.setPen(QPen(text, 1.5));
    p.drawRoundedRect(xBox, 4, 4);
    drawFitted(p, xBox, "X");

    const QStringList outputs = {"Q", "K", "V"};
    const QString qHeads = QString("%1 heads").arg(layout.heads);
    const QString kvHeads = QString("%1 heads").arg(layout.kvHeads);
    for (int r = 0; r < 3; ++r) {
        const QRectF box(outLeft, rowY(r) - boxH / 2, outWidth, boxH);
        p.setBrush(fill);
        p.setPen(QPen(text, 1.5));
        p.drawRoundedRect(box, 4, 4);
        QString label = outputs[r] + " (" + (r == 0 ? qHeads : kvHeads) + ")";
        if (r == 2 && layout.valueIsKey) label = "V = K";
        if (r == 0 && layout.queryIsKey) label = "Q = K";
        drawFitted(p, box.adjusted(3, 1, -3, -1), label);
    }

    const QVector<Box> boxes = boxesFor(layout);
    for (int i = 0; i < boxes.size(); ++i) {
        const Box& b = boxes[i];
        const double by0 = rowY(b.firstRow) - boxH / 2, by1 = rowY(b.lastRow) + boxH / 2;
        const QRectF box(projLeft, by0, projWidth, by1 - by0);
        QColor accent = seriesColor(i);
        accent.setAlpha(60);
        p.setBrush(b.weightless ? QBrush(Qt::NoBrush) : QBrush(accent));
        p.setPen(QPen(text, 1.5, b.weightless ? Qt::DashLine : Qt::SolidLine));
        p.drawRoundedRect(box, 6, 6);
        drawFitted(p, box.adjusted(3, 1, -3, -1), b.label);
        p.setPen(QPen(text, 1.2));
        // X → box, box → each output it produces.
        p.drawLine(QPointF(xBox.right(), xBox.center().y()), QPointF(box.left(), box.center().y()));
        for (int r = b.firstRow; r <= b.lastRow; ++r) {
            const QPointF from(box.right(), rowY(r)), to(outLeft, rowY(r));
            p.drawLine(from, to);
            QPainterPath arrow;
            arrow.moveTo(to);
            arrow.lineTo(to + QPointF(-7, -4));
            arrow.lineTo(to + QPointF(-7, 4));
            arrow.closeSubpath();
            p.fillPath(arrow, text);
        }
    }
    p.setPen(text);
    drawFitted(p, QRectF(x0, bottom + fm.height() * 0.4, w, y0 + h - bottom - fm.height() * 0.4), cacheCaption(layout));
    p.restore();
}

}  // namespace qkvviews
