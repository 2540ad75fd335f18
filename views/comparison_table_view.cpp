#include "comparison_table_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

namespace qkvviews {

namespace {
constexpr int kSortRole = Qt::UserRole + 1;  // the raw number, for sorting and CSV

QString formatCount(double v) {
    if (std::isnan(v)) return "–";
    if (std::abs(v) >= 1e9) return QString::number(v / 1e9, 'f', 2) + "G";
    if (std::abs(v) >= 1e6) return QString::number(v / 1e6, 'f', 2) + "M";
    if (std::abs(v) >= 1e3) return QString::number(v / 1e3, 'f', 1) + "K";
    return QString::number(v, 'f', 0);
}
QString formatFixed(double v, int decimals) {
    return std::isnan(v) ? QString("–") : QString::number(v, 'f', decimals);
}
QString formatPercent(double v, int decimals, bool sign) {
    if (std::isnan(v)) return "–";
    return (sign && v > 0 ? "+" : "") + QString::number(100 * v, 'f', decimals) + "%";
}

QStandardItem* numberItem(double value, const QString& text) {
    auto* item = new QStandardItem(text);
    item->setData(std::isnan(value) ? QVariant() : QVariant(value), kSortRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setEditable(false);
    return item;
}
QStandardItem* textItem(const QString& text) {
    auto* item = new QStandardItem(text);
    item->setData(text, kSortRole);
    item->setEditable(false);
    return item;
}
}  // namespace

QStringList ComparisonTableView::headers() {
    return {"experiment", "variant",  "params", "attn params", "KV B/token",
            "KV vs QKV",  "val loss", "Δ loss", "accuracy",    "Δ acc (pts)",
            "perplexity", "Δ ppl",    "steps",  "time (s)",    "status",
            "seeds",      "loss std", "loss per seed"};
}

ComparisonTableView::ComparisonTableView(QWidget* parent) : QWidget(parent) {
    m_model = new QStandardItemModel(0, headers().size(), this);
    m_model->setHorizontalHeaderLabels(headers());
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(kSortRole);
    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->verticalHeader()->setVisible(false);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* copy = new QAction(tr("Copy as CSV"), m_table);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &ComparisonTableView::copyCsvToClipboard);
    m_table->addAction(copy);

    auto* copyButton = new QPushButton(tr("Copy as CSV"), this);
    connect(copyButton, &QPushButton::clicked, this, &ComparisonTableView::copyCsvToClipboard);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(copyButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
}

void ComparisonTableView::setRows(const QVector<ComparisonRow>& rows) {
    m_model->removeRows(0, m_model->rowCount());
    for (const ComparisonRow& r : rows) {
        auto* variant = textItem(r.variant);
        variant->setData(r.color, Qt::DecorationRole);
        // Several seeds: mean ± sample std in the cell, the mean behind it for sorting and CSV.
        auto spread = [&](const QString& mean, double std, double scale, int decimals) {
            return r.seeds > 1 && !std::isnan(std) ? mean + " ± " + QString::number(scale * std, 'f', decimals)
                                                   : mean;
        };
        m_model->appendRow(
            {textItem(r.experiment), variant, numberItem(r.parameters, formatCount(r.parameters)),
             numberItem(r.attentionParameters, formatCount(r.attentionParameters)),
             numberItem(r.kvBytesPerToken, formatFixed(r.kvBytesPerToken, 0)),
             numberItem(r.cacheReduction, formatPercent(-r.cacheReduction, 2, false)),
             numberItem(r.loss, spread(formatFixed(r.loss, 4), r.lossStd, 1, 4)),
             numberItem(r.lossDelta, formatPercent(r.lossDelta, 1, true)),
             numberItem(r.accuracy, spread(formatPercent(r.accuracy, 1, false), r.accuracyStd, 100, 1)),
             numberItem(r.accuracyDelta, formatFixed(100 * r.accuracyDelta, 1)),
             numberItem(r.perplexity, spread(formatFixed(r.perplexity, 3), r.perplexityStd, 1, 3)),
             numberItem(r.perplexityDelta, formatPercent(r.perplexityDelta, 1, true)),
             numberItem(r.steps, QString::number(r.steps)),
             numberItem(r.seconds, formatFixed(r.seconds, 1)), textItem(r.status),
             numberItem(r.seeds, QString::number(r.seeds)),
             numberItem(r.lossStd, formatFixed(r.lossStd, 4)), textItem(r.seedLosses)});
    }
}

int ComparisonTableView::rowCount() const {
    return m_proxy->rowCount();
}

QString ComparisonTableView::cellText(int row, int column) const {
    return m_proxy->index(row, column).data(Qt::DisplayRole).toString();
}

QString ComparisonTableView::toCsv() const {
    auto quote = [](QString s) {
        if (s.contains(',') || s.contains('"')) s = '"' + s.replace("\"", "\"\"") + '"';
        return s;
    };
    QStringList lines;
    QStringList header;
    for (const QString& h : headers()) header << quote(h);
    lines << header.join(',');
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < m_proxy->columnCount(); ++c) {
            const QVariant raw = m_proxy->index(r, c).data(kSortRole);
            cells << quote(raw.isValid() ? raw.toString() : QString());
        }
        lines << cells.join(',');
    }
    return lines.join('\n') + '\n';
}

void ComparisonTableView::copyCsvToClipboard() const {
    QApplication::clipboard()->setText(toCsv());
}

}  // namespace qkvviews
