#pragma once
// The live KV cache: for every run generating from the same prompt, the bytes its cache tensors
// hold token by token (solid) beside docs/DESIGN.md §2's formula (dashed markers), and the reduction
// vs QKV as bars, in one QCustomPlot; the generated texts below; the what-if panel beside.

#include <QVector>
#include <QWidget>

#include "exportable_figure.h"
#include "kv_cache_snapshots.h"

class QCPAxisRect;
class QCPItemText;
class QLabel;
class QTextEdit;

namespace qkvviews {

class KvCacheWhatIfPanel;

class KvCacheView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    explicit KvCacheView(QWidget* parent = nullptr);

    // Replaces what is drawn; replots are queued, so many calls per frame cost one replot.
    void setRuns(const QVector<KvCacheRun>& runs);
    const QVector<KvCacheRun>& runs() const { return m_runs; }

    QString figureName() const override { return QStringLiteral("kv-cache"); }
    QCustomPlot* figurePlot() const override { return m_plot; }
    QString figureCsv() const override;
    QString nothingToShow() const override;
    QJsonObject figureJson() const override;

    QCPAxisRect* cacheRect() const { return m_cacheRect; }
    QCPAxisRect* reductionRect() const { return m_reductionRect; }
    QTextEdit* textArea() const { return m_text; }
    KvCacheWhatIfPanel* whatIf() const { return m_whatIf; }
    void setLineWidth(double width);

    // "measured = formula ✓" when every token's bytes held equal the formula, "✗" otherwise.
    static QString matchStatus(const KvCacheRun& run);

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    void rebuildText();
    void showValueAt(const QPoint& pos);

    QCustomPlot* m_plot;
    QCPAxisRect* m_cacheRect;
    QCPAxisRect* m_reductionRect;
    QCPItemText* m_placeholder;
    QTextEdit* m_text;
    KvCacheWhatIfPanel* m_whatIf;
    QVector<KvCacheRun> m_runs;
    double m_lineWidth = 1.6;
};

}  // namespace qkvviews
