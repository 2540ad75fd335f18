#pragma once
// Per-run comparison: sizes, KV cache, final metrics with their change vs QKV, training time.
// Sortable by any column (numerically); copies as CSV.

#include <QVector>
#include <QWidget>

#include "snapshots.h"

class QStandardItemModel;
class QSortFilterProxyModel;
class QTableView;

namespace qkvviews {

class ComparisonTableView : public QWidget {
    Q_OBJECT

public:
    explicit ComparisonTableView(QWidget* parent = nullptr);

    void setRows(const QVector<ComparisonRow>& rows);
    // The table as shown (sorted), header first; numbers unformatted for spreadsheets.
    QString toCsv() const;
    void copyCsvToClipboard() const;

    int rowCount() const;
    QString cellText(int row, int column) const;  // in the sorted order
    QTableView* table() const { return m_table; }

    static QStringList headers();

private:
    QStandardItemModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
};

}  // namespace qkvviews
