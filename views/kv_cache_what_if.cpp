#include "kv_cache_what_if.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

#include "attention/variant.h"
#include "common/errors.h"
#include "model/model_summary.h"

namespace qkvviews {

QVector<KvCacheWhatIfRow> kvCacheWhatIf(const KvCacheWhatIfConfig& w) {
    QVector<KvCacheWhatIfRow> rows;
    for (qkv::Variant v : qkv::allVariants()) {
        qkv::ModelConfig c;
        c.arch = qkv::Architecture::Decoder;
        c.variant = v;
        c.layers = w.layers;
        c.dModel = w.dModel;
        c.heads = w.heads;
        c.kvHeads = w.kvHeads;
        c.context = w.context;
        c.vocab = w.vocab;
        KvCacheWhatIfRow row;
        row.variantId = QString::fromStdString(qkv::variantId(v));
        row.variantName = QString::fromStdString(qkv::variantPaperName(v));
        try {
            qkv::validate(c);
            row.valid = true;
            row.bytes = qkv::kvCacheBytes(c, w.context, w.batch, w.bytesPerElement);
            row.reduction = qkv::kvCacheReductionVsQkv(c);
        } catch (const qkv::Error& e) {
            row.reason = QString::fromStdString(e.what());
        }
        rows << row;
    }
    return rows;
}

QString formatBytes(double bytes) {
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int unit = 0;
    double v = bytes;
    while (std::abs(v) >= 1024 && unit < 5) {
        v /= 1024;
        ++unit;
    }
    return unit == 0 ? QString("%1 B").arg(qint64(bytes))
                     : QString("%1 %2")
                           .arg(v, 0, 'f',
                                v < 10    ? 2
                                : v < 100 ? 1
                                          : 0)
                           .arg(kUnits[unit]);
}

QString percentText(double reduction) {
    // Up to three decimals, trailing zeros dropped: "−50 %", "−87.5 %", "−96.875 %".
    static const QRegularExpression kTrailing("\\.?0+$");
    const QString digits = QString::number(100 * std::abs(reduction), 'f', 3).remove(kTrailing);
    return (reduction > 0 ? QString::fromUtf8("−") : QString()) + digits + " %";
}

KvCacheWhatIfPanel::KvCacheWhatIfPanel(QWidget* parent) : QGroupBox(tr("What if…"), parent) {
    auto spin = [this](int lo, int hi, const QString& tip) {
        auto* s = new QSpinBox(this);
        s->setRange(lo, hi);
        s->setToolTip(tip);
        s->setGroupSeparatorShown(true);
        connect(s, &QSpinBox::valueChanged, this, [this] { recompute(); });
        return s;
    };
    m_preset = new QComboBox(this);
    m_preset->addItems(
        {tr("paper 300M (20 L, d 1024, 16 H)"), tr("paper 1.2B (22 L, d 2048, 32 H)")});
    m_preset->setToolTip(tr("The paper's models (vocabulary 50304); the kv heads start at g = H"));
    m_layers = spin(1, 256, tr("Layers L"));
    m_dModel = spin(1, 65536, tr("Residual width d; d_h = d / H"));
    m_heads = spin(1, 65536, tr("Query heads H"));
    m_kvHeads = spin(1, 65536, tr("Key/value heads g: H is multi-head, 1 is MQA"));
    m_context = spin(1, 1 << 20, tr("Cached tokens T"));
    m_batch = spin(1, 1 << 16, tr("Sequences B"));
    m_dtype = new QComboBox(this);
    m_dtype->addItem(tr("fp32 (4 bytes)"), 4);
    m_dtype->addItem(tr("bf16 (2 bytes)"), 2);
    connect(m_dtype, &QComboBox::currentIndexChanged, this, [this] { recompute(); });
    connect(m_preset, &QComboBox::activated, this,
            [this](int i) { applyPreset(i == 0 ? Paper300M : Paper1_2B); });

    auto* form = new QFormLayout;
    form->addRow(tr("Preset"), m_preset);
    form->addRow(tr("Layers"), m_layers);
    form->addRow(tr("d_model"), m_dModel);
    form->addRow(tr("Heads"), m_heads);
    form->addRow(tr("KV heads"), m_kvHeads);
    form->addRow(tr("Context"), m_context);
    form->addRow(tr("Batch"), m_batch);
    form->addRow(tr("Element"), m_dtype);

    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet("color: #C0392B;");
    m_problem->hide();
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels({tr("Variant"), tr("Cache"), tr("vs QKV")});
    m_table->horizontalHeaderItem(ColReduction)->setToolTip(tr("Reduction vs QKV with g = H"));
    m_table->verticalHeader()->hide();
    // Rows follow the font (presentation mode), not only the rows' first fill.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setWordWrap(true);
    m_table->horizontalHeader()->setSectionResizeMode(ColVariant, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ColCache, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ColReduction, QHeaderView::ResizeToContents);

    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* caption = new QLabel(tr("cache = L · c · g · d_h · T · B · bytes, c = 1 when V = K; "
                                  "the last column is the change in cache size vs QKV with g = H"),
                               this);
    caption->setWordWrap(true);
    caption->setForegroundRole(QPalette::PlaceholderText);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_table);
    layout->addWidget(caption);
    layout->addStretch(1);
    setConfig(KvCacheWhatIfConfig());  // the paper's 300M at a 32k context
}

void KvCacheWhatIfPanel::applyPreset(Preset p) {
    KvCacheWhatIfConfig c = config();
    if (p == Paper300M) {
        c.layers = 20, c.dModel = 1024, c.heads = 16;
    } else {
        c.layers = 22, c.dModel = 2048, c.heads = 32;
    }
    c.kvHeads = c.heads;
    c.vocab = 50304;
    m_preset->setCurrentIndex(p == Paper300M ? 0 : 1);
    setConfig(c);
}

void KvCacheWhatIfPanel::setConfig(const KvCacheWhatIfConfig& c) {
    m_updating = true;
    m_layers->setValue(c.layers);
    m_dModel->setValue(c.dModel);
    m_heads->setValue(c.heads);
    m_kvHeads->setValue(c.kvHeads);
    m_context->setValue(c.context);
    m_batch->setValue(c.batch);
    m_dtype->setCurrentIndex(c.bytesPerElement == 2 ? 1 : 0);
    m_vocab = c.vocab;
    m_updating = false;
    recompute();
}

KvCacheWhatIfConfig KvCacheWhatIfPanel::config() const {
    KvCacheWhatIfConfig c;
    c.layers = m_layers->value();
    c.dModel = m_dModel->value();
    c.heads = m_heads->value();
    c.kvHeads = m_kvHeads->value();
    c.context = m_context->value();
    c.batch = m_batch->value();
    c.bytesPerElement = m_dtype->currentData().toInt();
    c.vocab = m_vocab;
    return c;
}

void KvCacheWhatIfPanel::recompute() {
    if (m_updating) return;
    m_rows = kvCacheWhatIf(config());
    m_table->clearSpans();
    m_table->setRowCount(int(m_rows.size()));
    const QColor muted = palette().color(QPalette::PlaceholderText);
    bool anyValid = false;
    for (int i = 0; i < m_rows.size(); ++i) {
        const KvCacheWhatIfRow& r = m_rows[i];
        auto* name = new QTableWidgetItem(r.variantName);
        name->setToolTip(r.variantId);
        m_table->setItem(i, ColVariant, name);
        auto* cache = new QTableWidgetItem;
        auto* reduction = new QTableWidgetItem;
        if (r.valid) {
            anyValid = true;
            cache->setText(formatBytes(double(r.bytes)));
            cache->setToolTip(QLocale().toString(qlonglong(r.bytes)) + " bytes");
            cache->setData(Qt::UserRole, qlonglong(r.bytes));  // exact, for copies and tests
            reduction->setText(percentText(r.reduction));
            reduction->setData(Qt::UserRole, r.reduction);
            reduction->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        } else {
            cache->setText(r.reason);
            cache->setToolTip(r.reason);
            cache->setForeground(muted);
        }
        m_table->setItem(i, ColCache, cache);
        m_table->setItem(i, ColReduction, reduction);
        if (!r.valid) m_table->setSpan(i, ColCache, 1, 2);
    }
    m_table->resizeRowsToContents();
    // A configuration no variant can take (g not dividing H, d not divisible by H) is one
    // problem, not six: say it once above the table.
    m_problem->setVisible(!anyValid && !m_rows.isEmpty());
    if (!anyValid && !m_rows.isEmpty()) m_problem->setText(m_rows.front().reason);
    Q_EMIT rowsChanged();
}

}  // namespace qkvviews
