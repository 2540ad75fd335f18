#include "analysis_pickers.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

namespace qkvviews {

AnalysisPickers::AnalysisPickers(QWidget* parent) : QWidget(parent) {
    m_variant = new QComboBox(this);
    // "experiment / variant · seed N" in full: the picker grows with its longest run name.
    m_variant->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_layer = new QSpinBox(this);
    m_head = new QSpinBox(this);
    m_across = new QCheckBox(tr("One head across variants"), this);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Variant"), this));
    layout->addWidget(m_variant);
    layout->addWidget(new QLabel(tr("Layer"), this));
    layout->addWidget(m_layer);
    layout->addWidget(new QLabel(tr("Head"), this));
    layout->addWidget(m_head);
    layout->addWidget(m_across);
    layout->addStretch(1);
    auto emitChange = [this] {
        if (!m_updating) Q_EMIT selectionChanged(selection());
    };
    connect(m_variant, qOverload<int>(&QComboBox::currentIndexChanged), this, emitChange);
    connect(m_layer, qOverload<int>(&QSpinBox::valueChanged), this, emitChange);
    connect(m_head, qOverload<int>(&QSpinBox::valueChanged), this, emitChange);
    connect(m_across, &QCheckBox::toggled, this, emitChange);
}

void AnalysisPickers::setAnalysis(const AnalysisSet& set) {
    m_updating = true;
    const QString current = m_variant->currentText();
    m_variant->clear();
    int layers = 1, heads = 1;
    for (const VariantAnalysis& v : set.variants) {
        m_variant->addItem(v.label);
        layers = std::max(layers, int(v.capture.layers.size()));
        heads = std::max(heads, v.capture.config.heads);
    }
    const int keep = m_variant->findText(current);
    m_variant->setCurrentIndex(keep >= 0 ? keep : 0);
    m_layer->setRange(0, layers - 1);
    m_head->setRange(0, heads - 1);
    m_updating = false;
    Q_EMIT selectionChanged(selection());
}

AnalysisSelection AnalysisPickers::selection() const {
    AnalysisSelection s;
    s.variant = std::max(0, m_variant->currentIndex());
    s.layer = m_layer->value();
    s.head = m_head->value();
    s.acrossVariants = m_across->isChecked();
    return s;
}

void AnalysisPickers::setSelection(const AnalysisSelection& s) {
    m_updating = true;
    m_variant->setCurrentIndex(s.variant);
    m_layer->setValue(s.layer);
    m_head->setValue(s.head);
    m_across->setChecked(s.acrossVariants);
    m_updating = false;
    Q_EMIT selectionChanged(selection());
}

}  // namespace qkvviews
