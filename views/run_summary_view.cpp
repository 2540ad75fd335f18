#include "run_summary_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "projection_diagram_view.h"

namespace qkvviews {

RunSummaryView::RunSummaryView(QWidget* parent) : QWidget(parent) {
    m_title = new QLabel(this);
    QFont f = m_title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    m_title->setFont(f);
    m_settings = new QLabel(this);
    m_settings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_settings->setWordWrap(true);
    m_diagram = new ProjectionDiagramView(this);
    m_weights = new QTableWidget(0, 2, this);
    m_weights->setHorizontalHeaderLabels({tr("weight (layer 0)"), tr("shape")});
    m_weights->horizontalHeader()->setStretchLastSection(true);
    m_weights->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_weights->verticalHeader()->setVisible(false);
    m_weights->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_title);
    layout->addWidget(m_settings);
    layout->addWidget(m_diagram, 2);
    layout->addWidget(m_weights, 3);
    clear();
}

void RunSummaryView::clear() {
    m_title->setText(tr("No run selected"));
    m_settings->setText(tr("Select a run in the workspace to see its configuration."));
    m_weights->setRowCount(0);
    m_diagram->setVisible(false);
}

void RunSummaryView::setSummary(const RunSummary& s) {
    m_title->setText(s.title);
    QString html = "<table>";
    for (const auto& kv : s.settings)
        html += QString("<tr><td>%1&nbsp;&nbsp;</td><td><b>%2</b></td></tr>")
                    .arg(kv.first.toHtmlEscaped(), kv.second.toHtmlEscaped());
    m_settings->setText(html + "</table>");
    m_weights->setRowCount(int(s.weightShapes.size()));
    for (int i = 0; i < s.weightShapes.size(); ++i) {
        m_weights->setItem(i, 0, new QTableWidgetItem(s.weightShapes[i].first));
        m_weights->setItem(i, 1, new QTableWidgetItem(s.weightShapes[i].second));
    }
    m_diagram->setLayout(s.layout);
    m_diagram->setVisible(true);
}

QString RunSummaryView::settingsText() const {
    return m_settings->text();
}

}  // namespace qkvviews
