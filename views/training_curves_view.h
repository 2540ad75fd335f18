#pragma once
// Live learning curves of every visible run in one plot: loss above (train dashed, validation
// solid), validation accuracy below; log scale toggle and smoothing slider.

#include <QVector>
#include <QWidget>

#include "exportable_figure.h"
#include "snapshots.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QCustomPlot;
class QCPAxisRect;
class QSlider;

namespace qkvviews {

class TrainingCurvesView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    explicit TrainingCurvesView(QWidget* parent = nullptr);

    // Replaces what is drawn; replots are queued, so many calls per frame cost one replot.
    void setSeries(const QVector<CurveSeries>& series);
    void setLogScale(bool on);
    bool logScale() const;
    void setSmoothing(double factor);  // exponential moving average weight in [0, 0.95]
    double smoothing() const { return m_smoothing; }
    void setLineWidth(double width);
    // Runs of one group (seeds of a variant): each drawn, or as their mean with a band.
    enum class SeedMode { EachRun, MinMaxBand, StdBand };
    void setSeedMode(SeedMode mode);
    // The series drawn: m_series, or one per group in a band mode (low/high in the band fields).
    QVector<CurveSeries> drawnSeries() const;

    QCustomPlot* plot() const { return m_plot; }
    bool placeholderShown() const;

    // Export: the series as given (unsmoothed); the JSON also records the smoothing and scale
    // the picture was drawn with. Non-finite values are not drawn and not exported.
    QString figureName() const override { return "training-curves"; }
    QCustomPlot* figurePlot() const override { return m_plot; }
    QString figureCsv() const override;  // run,label,kind,step,value
    QJsonObject figureJson() const override;

private:
    void rebuild();
    void showValueAt(const QPoint& pos);

    QCustomPlot* m_plot;
    QCPAxisRect* m_lossRect;
    QCPAxisRect* m_accuracyRect;
    QCheckBox* m_logScale;
    QComboBox* m_seedMode;
    QSlider* m_smoothingSlider;
    QLabel* m_placeholder;
    QVector<CurveSeries> m_series;
    double m_smoothing = 0.8;  // per-step train losses are noisy; the slider goes to 0
    double m_lineWidth = 1.6;
};

// Exponential moving average with bias correction (as TensorBoard does), NaN-transparent.
QVector<double> smoothed(const QVector<double>& values, double factor);

}  // namespace qkvviews
