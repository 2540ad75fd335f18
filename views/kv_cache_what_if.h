#pragma once
// The what-if panel of the KV-cache view: any configuration (the paper's 300M and 1.2B as
// presets), sized instantly for every variant from core's closed form; no model, no torch.

#include <QGroupBox>
#include <QVector>

#include "kv_cache_snapshots.h"

class QComboBox;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace qkvviews {

// Every variant of `c` at c.context tokens and c.batch sequences; variants that cannot take
// c.kvHeads carry core's reason instead of a size.
QVector<KvCacheWhatIfRow> kvCacheWhatIf(const KvCacheWhatIfConfig& c);

// "5.00 GiB (5368709120 B)" style sizes, binary units.
QString formatBytes(double bytes);
// A cache reduction as the change in cache size, the sign every view and the CLI use:
// 0.875 → "−87.5 %" (up to three decimals), 0 → "0 %".
QString percentText(double reduction);

class KvCacheWhatIfPanel : public QGroupBox {
    Q_OBJECT

public:
    enum Preset { Paper300M, Paper1_2B };
    // The table's columns.
    enum Column { ColVariant, ColCache, ColReduction, ColumnCount };

    explicit KvCacheWhatIfPanel(QWidget* parent = nullptr);

    void setConfig(const KvCacheWhatIfConfig& c);
    KvCacheWhatIfConfig config() const;
    void applyPreset(Preset p);

    const QVector<KvCacheWhatIfRow>& rows() const { return m_rows; }
    QTableWidget* table() const { return m_table; }

Q_SIGNALS:
    void rowsChanged();

private:
    void recompute();

    QComboBox* m_preset;
    QSpinBox* m_layers;
    QSpinBox* m_dModel;
    QSpinBox* m_heads;
    QSpinBox* m_kvHeads;
    QSpinBox* m_context;
    QSpinBox* m_batch;
    QComboBox* m_dtype;
    QLabel* m_problem;
    QTableWidget* m_table;
    QVector<KvCacheWhatIfRow> m_rows;
    int m_vocab = 50304;
    bool m_updating = false;  // setConfig sets many boxes: recompute once, at the end
};

}  // namespace qkvviews
