#include "workspace_view.h"

#include <QContextMenuEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
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
        // Its tick follows its runs' (partly ticked when some are hidden) and sets them all.
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
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

void WorkspaceView::keyPressEvent(QKeyEvent* event) {
    QTreeWidgetItem* item = currentItem();
    if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && item && !item->parent()) {
        Q_EMIT removeExperimentRequested(item->text(0));
        return;
    }
    QTreeWidget::keyPressEvent(event);
}

void WorkspaceView::contextMenuEvent(QContextMenuEvent* event) {
    QTreeWidgetItem* item = itemAt(event->pos());
    if (!item) return;
    QTreeWidgetItem* experiment = item->parent() ? item->parent() : item;
    QMenu menu(this);
    const QString name = experiment->text(0);
    menu.addAction(tr("Show All Runs of %1").arg(name), this, [experiment] { experiment->setCheckState(0, Qt::Checked); });
    menu.addAction(tr("Hide All Runs of %1").arg(name), this, [experiment] { experiment->setCheckState(0, Qt::Unchecked); });
    menu.addSeparator();
    menu.addAction(tr("Remove %1 from the Workspace").arg(name), this,
                   [this, name] { Q_EMIT removeExperimentRequested(name); });
    menu.exec(event->globalPos());
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
