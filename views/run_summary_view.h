#pragma once
// The selected run: its settings, the shapes of the projection weights it has, and the
// projection diagram of its variant.

#include <QWidget>

#include "snapshots.h"

class QLabel;
class QTableWidget;

namespace qkvviews {

class ProjectionDiagramView;

class RunSummaryView : public QWidget {
    Q_OBJECT

public:
    explicit RunSummaryView(QWidget* parent = nullptr);

    void setSummary(const RunSummary& summary);
    void clear();

    QTableWidget* weightTable() const { return m_weights; }
    ProjectionDiagramView* diagram() const { return m_diagram; }
    QString settingsText() const;

private:
    QLabel* m_title;
    QLabel* m_settings;
    QTableWidget* m_weights;
    ProjectionDiagramView* m_diagram;
};

}  // namespace qkvviews
