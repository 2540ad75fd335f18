#pragma once
// Base of the analysis views: one QCustomPlot, a row of controls above it, the shared
// selection, and the numbers drawn recorded as a table while drawing (so CSV and JSON are
// exactly what the figure shows).

#include <QSharedPointer>
#include <QVector>
#include <QWidget>

#include "analysis_snapshot.h"
#include "exportable_figure.h"

class QComboBox;
class QCPAxisTicker;
class QCustomPlot;
class QHBoxLayout;
class QLabel;

namespace qkvviews {

class AnalysisFigureView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    explicit AnalysisFigureView(QWidget* parent = nullptr);

    void setAnalysis(const AnalysisSet& set);
    void setSelection(const AnalysisSelection& selection);

    QCustomPlot* figurePlot() const override { return m_plot; }
    QString figureCsv() const override;
    QJsonObject figureJson() const override;
    int recordedRows() const { return m_rows.size(); }

protected:
    virtual void draw() = 0;  // clears and redraws m_plot, records the numbers
    void redraw();
    QComboBox* addChoice(const QString& label, const QStringList& items);
    void setCaption(const QString& text);
    void record(const QStringList& header, const QStringList& row);

    QCustomPlot* m_plot;
    AnalysisSet m_set;
    AnalysisSelection m_selection;

private:
    QHBoxLayout* m_controls;
    QLabel* m_caption;
    QStringList m_header;
    QVector<QStringList> m_rows;
};

QString number(double v);  // "" for NaN, else full precision
// Ticks at whole numbers only (indices, layers): 1, 2, 5, 10, … apart.
QSharedPointer<QCPAxisTicker> integerTicker();

}  // namespace qkvviews
