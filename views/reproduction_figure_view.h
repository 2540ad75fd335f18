#pragma once
// A published table beside what QKV Lab measured: per task, one bar per set-up at the measured
// mean over seeds with a ±1 std error bar and the seeds as dots, the published number as a black
// diamond. Fed a plain snapshot (the app builds it from core's Reproduction).

#include <QColor>
#include <QtNumeric>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include "exportable_figure.h"

class QCPAxisRect;
class QCPTextElement;
class QCustomPlot;

namespace qkvviews {

struct ReproductionFigureData {
    struct Config {
        QString id, label;
        QColor color;
    };
    struct Cell {
        double published = qQNaN(), mean = qQNaN(), std = qQNaN();
        int n = 0;
        QVector<double> values;  // every seed's value (NaN where not measured)
    };
    QString table;   // the table's id: the figure's file name
    QString title;   // "The paper's LM at 300M · quick scale · seeds 1, 2, 3"
    QString metric;  // "perplexity", "accuracy"
    QStringList tasks;
    QVector<Config> configs;
    QVector<QVector<Cell>> cells;  // [task][config]
};

class ReproductionFigureView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    explicit ReproductionFigureView(QWidget* parent = nullptr);
    void setData(const ReproductionFigureData& data);
    const ReproductionFigureData& data() const { return m_data; }

    QString figureName() const override;
    QCustomPlot* figurePlot() const override { return m_plot; }
    QString figureCsv() const override;  // task,config,label,published,mean,std,n,seed values
    QJsonObject figureJson() const override;
    QString nothingToShow() const override;

private:
    void draw();

    QCustomPlot* m_plot;
    QCPTextElement* m_title;
    QCPAxisRect* m_rect;
    ReproductionFigureData m_data;
};

}  // namespace qkvviews
