#include "workspace_view.h"

#include <QHeaderView>
#include <QPainter>
#include <QPixmap>

namespace qkvviews {

namespace {
constexpr int kRunIdRole = Qt::UserRole + 1;

QIcon swatch(const QColor& color) {
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(color);
    p.setPen(color.darker(130));
    p.drawRoundedRect(QRectF(1, 1, 12, 12), 3, 3);
    return QIcon(pm);
}
}  // namespace

WorkspaceView::WorkspaceView(QWidget* parent) : QTreeWidget(parent) {
    setColumnCount(2);
    setHeaderLabels({tr("Experiment / run"), tr("Status")});
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(true);
    setRootIsDecorated(true);
    setUniformRowHeights(true);
    connect(this, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int column) {
        if (m_updating || column != 0) return;
        const QString id = item->data(0, kRunIdRole).toString();
        if (!id.isEmpty()) Q_EMIT runVisibilityChanged(id, item->checkState(0) == Qt::Checked);
    });
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (!m_updating && item) Q_EMIT currentRunChanged(item->data(0, kRunIdRole).toString());
    });
}

QTreeWidgetItem* WorkspaceView::experimentItem(int index, const QString& name) {
    QTreeWidgetItem* item = index < topLevelItemCount() ? topLevelItem(index) : nullptr;
    if (!item) {
        item = new QTreeWidgetItem(this);
        item->setExpanded(true);
    }
    item->setText(0, name);
    return item;
}

void WorkspaceView::setWorkspace(const QVector<WorkspaceExperimentItem>& experiments) {
    m_updating = true;
    for (int e = 0; e < experiments.size(); ++e) {
        QTreeWidgetItem* exp = experimentItem(e, experiments[e].name);
        const auto& runs = experiments[e].runs;
        for (int r = 0; r < runs.size(); ++r) {
            QTreeWidgetItem* item =
                r < exp->childCount() ? exp->child(r) : new QTreeWidgetItem(exp);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setText(0, runs[r].label);
            item->setIcon(0, swatch(runs[r].color));
            item->setCheckState(0, runs[r].visible ? Qt::Checked : Qt::Unchecked);
            item->setText(1, runs[r].status);
            item->setData(0, kRunIdRole, runs[r].runId);
        }
        while (exp->childCount() > runs.size()) delete exp->takeChild(exp->childCount() - 1);
        exp->setExpanded(true);
    }
    while (topLevelItemCount() > experiments.size())
        delete takeTopLevelItem(topLevelItemCount() - 1);
    m_updating = false;
}

QString WorkspaceView::currentRunId() const {
    return currentItem() ? currentItem()->data(0, kRunIdRole).toString() : QString();
}

void WorkspaceView::selectRun(const QString& runId) {
    for (int e = 0; e < topLevelItemCount(); ++e)
        for (int r = 0; r < topLevelItem(e)->childCount(); ++r)
            if (topLevelItem(e)->child(r)->data(0, kRunIdRole).toString() == runId) {
                setCurrentItem(topLevelItem(e)->child(r));
                return;
            }
}

}  // namespace qkvviews
