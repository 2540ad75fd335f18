#include "kv_cache_panel.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>

#include "generation_worker.h"
#include "kv_cache_view.h"

namespace qkvapp {

KvCachePanel::KvCachePanel(QWidget* parent) : QWidget(parent) {
    m_prompt = new QLineEdit(this);
    m_prompt->setPlaceholderText(tr("Prompt (empty: start from a new line)"));
    m_prompt->setClearButtonEnabled(true);
    m_tokens = new QSpinBox(this);
    m_tokens->setRange(1, 4096);
    m_tokens->setValue(200);
    m_tokens->setToolTip(tr("New tokens per run; a run stops early when its context is full"));
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0, 5);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(0);  // greedy, as `qkvlab generate`: the same prompt, the same text
    m_temperature->setSpecialValueText(tr("greedy"));
    m_temperature->setToolTip(tr("Sampling temperature; 0 always takes the most likely token"));
    m_topK = new QSpinBox(this);
    m_topK->setRange(0, 100000);
    m_topK->setSpecialValueText(tr("off"));
    m_topK->setToolTip(tr("Sample only among the k most likely tokens"));
    m_generate = new QPushButton(tr("Generate with every selected decoder run"), this);
    m_generate->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    connect(m_generate, &QPushButton::clicked, this, [this] { generate(); });
    connect(m_prompt, &QLineEdit::returnPressed, this, [this] {
        if (!isGenerating()) generate();
    });
    connect(m_cancel, &QPushButton::clicked, this, &KvCachePanel::cancel);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Prompt"), this));
    controls->addWidget(m_prompt, 1);
    controls->addWidget(new QLabel(tr("Tokens"), this));
    controls->addWidget(m_tokens);
    controls->addWidget(new QLabel(tr("Temperature"), this));
    controls->addWidget(m_temperature);
    controls->addWidget(new QLabel(tr("Top-k"), this));
    controls->addWidget(m_topK);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_generate);
    buttons->addWidget(m_cancel);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buttons->addWidget(m_status, 3);
    buttons->addStretch(1);  // the buttons keep their size when the status line is hidden
    m_view = new qkvviews::KvCacheView(this);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addLayout(buttons);
    layout->addWidget(m_view, 1);
    updateControls();
}

KvCachePanel::~KvCachePanel() {
    m_generation.requestCancel();
    m_generation.stop();
}

void KvCachePanel::setRuns(const QVector<QPair<QString, QColor>>& runs) {
    m_runs = runs;
    updateControls();
}

bool KvCachePanel::generate() {
    if (isGenerating()) {
        showStatus(tr("Already generating: cancel first."), true);
        return false;
    }
    if (m_runs.isEmpty()) {
        showStatus(tr("Select one or more decoder (text) runs in the workspace first."), true);
        return false;
    }
    GenerationRequest request;
    request.runs = m_runs;
    request.prompt = m_prompt->text();
    request.tokens = m_tokens->value();
    request.temperature = m_temperature->value();
    request.topK = m_topK->value();
    showStatus(QString(), false);
    m_view->setRuns({});

    GenerationWorker* worker = m_generation.create(this, new GenerationWorker(std::move(request)));
    connect(worker, &GenerationWorker::progress, this, &KvCachePanel::onProgress);
    connect(worker, &GenerationWorker::finished, this, &KvCachePanel::onFinished);
    connect(worker, &GenerationWorker::failed, this, &KvCachePanel::onFailed);
    m_generation.start(&GenerationWorker::run);
    updateControls();
    Q_EMIT generationStateChanged(true);
    return true;
}

void KvCachePanel::cancel() { m_generation.requestCancel(); }

QString KvCachePanel::statusText() const {
    return m_status->isHidden() ? QString() : m_status->text();
}

void KvCachePanel::onProgress(const QVector<qkvviews::KvCacheRun>& runs) { m_view->setRuns(runs); }

void KvCachePanel::onFinished(bool cancelled) {
    m_generation.stop();
    const auto& runs = m_view->runs();
    const bool anyTokens = std::any_of(runs.begin(), runs.end(),
                                       [](const auto& r) { return !r.tokenIndex.isEmpty(); });
    if (cancelled)
        showStatus(tr("Cancelled."), false);
    else if (!anyTokens)
        showStatus(tr("None of the selected runs is a decoder (text) run: nothing to generate."),
                   true);
    updateControls();
    Q_EMIT generationStateChanged(false);
    Q_EMIT generationFinished(cancelled);
}

void KvCachePanel::onFailed(const QString& message) {
    m_generation.stop();
    showStatus(tr("Generation failed: %1").arg(message), true);
    updateControls();
    Q_EMIT generationStateChanged(false);
}


void KvCachePanel::updateControls() {
    const bool busy = isGenerating();
    m_generate->setEnabled(!busy && !m_runs.isEmpty());
    m_generate->setToolTip(m_runs.isEmpty()
                               ? tr("Select decoder (text) runs in the workspace")
                               : tr("%n run(s) selected; runs that are not decoders are skipped",
                                    nullptr, int(m_runs.size())));
    m_cancel->setEnabled(busy);
}

void KvCachePanel::showStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_status->setStyleSheet(error ? "color: #C0392B;" : QString());
    m_status->setVisible(!text.isEmpty());
}

}  // namespace qkvapp
