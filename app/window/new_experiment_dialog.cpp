#include "new_experiment_dialog.h"

#include <QCheckBox>

#include <algorithm>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "data/task_config.h"

namespace qkvapp {

namespace {
// What each task asks of attention, for the task list and its tooltips.
QString taskDescription(qkv::TaskKind k) {
    switch (k) {
        case qkv::TaskKind::Copy: return QObject::tr("repeat the sequence");
        case qkv::TaskKind::Reverse: return QObject::tr("the sequence backwards");
        case qkv::TaskKind::Sort: return QObject::tr("the tokens in ascending order");
        case qkv::TaskKind::Swap: return QObject::tr("swap the two halves");
        case qkv::TaskKind::Sub: return QObject::tr("each token's complement, V − 1 − x");
        case qkv::TaskKind::Follow: return QObject::tr("the token after each token's first occurrence (directed)");
        case qkv::TaskKind::Images: return QObject::tr("classify Fashion-MNIST images with a ViT");
        case qkv::TaskKind::Text: return QObject::tr("character-level language model on a text");
    }
    return {};
}

const QStringList kPresets = {"demo", "char-lm", "fashion-vit", "paper-300m", "paper-1.2b"};

QSpinBox* spin(int min, int max, QWidget* parent) {
    auto* s = new QSpinBox(parent);
    s->setRange(min, max);
    return s;
}
}  // namespace

NewExperimentDialog::NewExperimentDialog(const qkv::Experiment& initial, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("New experiment"));
    m_preset = new QComboBox(this);
    m_preset->addItem(tr("(custom)"));
    for (const QString& p : kPresets) m_preset->addItem(p);
    m_name = new QLineEdit(this);
    m_task = new QComboBox(this);
    for (qkv::TaskKind k : {qkv::TaskKind::Copy, qkv::TaskKind::Reverse, qkv::TaskKind::Sort,
                            qkv::TaskKind::Swap, qkv::TaskKind::Sub, qkv::TaskKind::Follow,
                            qkv::TaskKind::Images, qkv::TaskKind::Text})
        m_task->addItem(QString::fromStdString(qkv::taskId(k)) + "  —  " + taskDescription(k), int(k));
    for (int t = 0; t < m_task->count(); ++t)
        m_task->setItemData(t, taskDescription(qkv::TaskKind(m_task->itemData(t).toInt())), Qt::ToolTipRole);
    m_dataPath = new QLineEdit(this);
    m_dataPath->setPlaceholderText(tr("default data"));
    m_dataPath->setToolTip(tr("Text: a UTF-8 file or a folder of them (default: Debian's fortunes, "
                              "/usr/share/games/fortunes). Images: an MNIST-format IDX folder "
                              "(default: /usr/share/datasets/fashion-mnist). Synthetic tasks need no "
                              "data: they are generated from the seed."));
    m_browse = new QPushButton(tr("Browse…"), this);
    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(m_dataPath, 1);
    dataRow->addWidget(m_browse);

    auto* variantsBox = new QGroupBox(tr("Variants to compare"), this);
    auto* variantsGrid = new QGridLayout(variantsBox);
    int i = 0;
    for (qkv::Variant v : qkv::allVariants()) {
        auto* box = new QCheckBox(QString::fromStdString(qkv::variantPaperName(v) + "  (" +
                                                         qkv::variantId(v) + ")"),
                                  variantsBox);
        box->setProperty("variant", int(v));
        m_variants << box;
        variantsGrid->addWidget(box, i / 2, i % 2);
        ++i;
    }
    m_kvHeads = spin(0, 4096, this);
    m_kvHeads->setSpecialValueText(tr("= heads"));
    m_posBias = new QComboBox(this);
    m_posBias->addItem(tr("none"));
    m_posBias->addItem(tr("absolute — the published 2-D encoding of i and j"));
    m_posBias->addItem(tr("relative — QKV Lab's: the signed offset i − j"));
    m_posBias->setToolTip(tr("Asymmetric positional bias on the logits. The published one (Borji's "
                             "code, which the paper builds on) encodes the absolute indices; QKV "
                             "Lab's relative table can also express \"attend one step back\"."));
    m_family = new QComboBox(this);
    m_family->addItem(tr("QKV Lab (GPT-2 layout, exact GELU, head bias)"), "qkvlab");
    m_family->addItem(tr("paper-gpt (the paper's LM: no head bias, dropout 0.1)"), "paper-gpt");
    m_family->addItem(tr("Llama (RMSNorm, rotary, SwiGLU, no biases)"), "llama");
    m_family->addItem(tr("GPT-2 (tanh GELU, no head bias)"), "gpt2");
    m_dModel = spin(4, 4096, this);
    m_layers = spin(1, 64, this);
    m_heads = spin(1, 256, this);
    m_seqLen = spin(2, 4096, this);
    m_vocab = spin(2, 262144, this);
    m_steps = spin(1, 10000000, this);
    m_batch = spin(1, 4096, this);
    m_evalEvery = spin(1, 1000000, this);
    m_seed = spin(0, 2147483647, this);
    m_seeds = new QLineEdit(this);
    m_seeds->setPlaceholderText(tr("e.g. 1,2,3 — one run per variant and seed, compared as mean ± std"));
    m_lr = new QDoubleSpinBox(this);
    m_lr->setDecimals(5);
    m_lr->setRange(1e-5, 1.0);
    m_lr->setSingleStep(1e-4);

    auto* form = new QFormLayout;
    form->addRow(tr("Preset"), m_preset);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Data"), dataRow);
    form->addRow(variantsBox);
    form->addRow(tr("KV heads (g)"), m_kvHeads);
    form->addRow(tr("Positional bias"), m_posBias);
    form->addRow(tr("Layout"), m_family);
    form->addRow(tr("d_model"), m_dModel);
    form->addRow(tr("Layers"), m_layers);
    form->addRow(tr("Heads"), m_heads);
    form->addRow(tr("Sequence length"), m_seqLen);
    form->addRow(tr("Vocabulary (synthetic)"), m_vocab);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Batch"), m_batch);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Evaluate every"), m_evalEvery);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Training seeds"), m_seeds);

    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet("color: #c0392b; font-weight: bold;");
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    m_pyTorch = m_buttons->addButton(tr("Train with PyTorch…"), QDialogButtonBox::ActionRole);
    m_pyTorch->setToolTip(tr("Write this experiment for torchrun (PyTorch distributed, GPUs or "
                             "several machines) and watch its runs here as they train"));
    connect(m_pyTorch, &QPushButton::clicked, this, [this] { done(kTrainWithPyTorch); });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    setExperiment(initial);
    connect(m_preset, qOverload<int>(&QComboBox::activated), this, &NewExperimentDialog::loadPreset);
    connect(m_browse, &QPushButton::clicked, this, &NewExperimentDialog::browseData);
    for (QSpinBox* s : {m_kvHeads, m_dModel, m_layers, m_heads, m_seqLen, m_vocab, m_steps,
                        m_batch, m_evalEvery, m_seed})
        connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &NewExperimentDialog::revalidate);
    for (QCheckBox* b : m_variants) connect(b, &QCheckBox::toggled, this, &NewExperimentDialog::revalidate);
    connect(m_task, qOverload<int>(&QComboBox::currentIndexChanged), this, &NewExperimentDialog::revalidate);
    for (QComboBox* c : {m_posBias, m_family})
        connect(c, qOverload<int>(&QComboBox::currentIndexChanged), this, &NewExperimentDialog::revalidate);
    connect(m_dataPath, &QLineEdit::textChanged, this, &NewExperimentDialog::revalidate);
    connect(m_seeds, &QLineEdit::textChanged, this, &NewExperimentDialog::revalidate);
    revalidate();
}

QCheckBox* NewExperimentDialog::variantBox(qkv::Variant v) const {
    for (QCheckBox* b : m_variants)
        if (b->property("variant").toInt() == int(v)) return b;
    return nullptr;
}

QPushButton* NewExperimentDialog::trainButton() const { return m_buttons->button(QDialogButtonBox::Ok); }

void NewExperimentDialog::setExperiment(const qkv::Experiment& e) {
    m_name->setText(QString::fromStdString(e.name));
    m_preset->setCurrentIndex(int(kPresets.indexOf(QString::fromStdString(e.name))) + 1);  // 0: (custom)
    m_task->setCurrentIndex(m_task->findData(int(e.base.task.kind)));
    m_dataPath->setText(QString::fromStdString(e.base.task.dataPath));
    for (QCheckBox* b : m_variants)
        b->setChecked(std::find(e.variants.begin(), e.variants.end(),
                                qkv::Variant(b->property("variant").toInt())) != e.variants.end());
    m_kvHeads->setValue(e.base.model.kvHeads);
    m_base = e;
    m_posBias->setCurrentIndex(!e.base.model.posBias ? 0
                               : e.base.model.posBiasMode == qkv::PosBiasMode::Absolute ? 1 : 2);
    m_family->setCurrentIndex(std::max(0, m_family->findData(QString::fromStdString(e.base.model.family))));
    m_dModel->setValue(e.base.model.dModel);
    m_layers->setValue(e.base.model.layers);
    m_heads->setValue(e.base.model.heads);
    m_seqLen->setValue(e.base.task.seqLen);
    m_vocab->setValue(e.base.task.vocab);
    m_steps->setValue(e.base.train.steps);
    m_batch->setValue(e.base.train.batch);
    m_lr->setValue(e.base.train.lr);
    m_evalEvery->setValue(e.base.train.evalEvery);
    m_seed->setValue(int(e.base.train.seed));
    QStringList seeds;
    for (uint64_t seed : e.seeds) seeds << QString::number(seed);
    m_seeds->setText(seeds.join(","));
}

qkv::Experiment NewExperimentDialog::experiment() const {
    qkv::Experiment e = m_base;
    e.variants.clear();
    e.name = m_name->text().trimmed().toStdString();
    if (e.name.empty()) e.name = "experiment";
    for (QCheckBox* b : m_variants)
        if (b->isChecked()) e.variants.push_back(qkv::Variant(b->property("variant").toInt()));
    qkv::RunConfig& r = e.base;
    r.task.kind = qkv::TaskKind(m_task->currentData().toInt());
    r.task.dataPath = m_dataPath->text().trimmed().toStdString();
    r.task.seqLen = m_seqLen->value();
    r.task.vocab = m_vocab->value();
    r.task.seed = uint64_t(m_seed->value());
    r.model.arch = r.task.kind == qkv::TaskKind::Text     ? qkv::Architecture::Decoder
                   : r.task.kind == qkv::TaskKind::Images ? qkv::Architecture::Vit
                                                          : qkv::Architecture::Encoder;
    r.model.kvHeads = m_kvHeads->value();
    r.model.posBias = m_posBias->currentIndex() > 0;
    r.model.posBiasMode = m_posBias->currentIndex() == 2 ? qkv::PosBiasMode::Relative
                                                         : qkv::PosBiasMode::Absolute;
    r.model.dModel = m_dModel->value();
    r.model.layers = m_layers->value();
    r.model.heads = m_heads->value();
    r.model.vocab = r.task.vocab;
    r.model.context = r.task.seqLen;
    const std::string family = m_family->currentData().toString().toStdString();
    // The layout follows the choice (and, for Llama, the width rule follows d); a preset's own
    // fields stay when its family is kept.
    if (family != r.model.family || family == "llama") qkv::applyFamily(r.model, family);
    r.train.steps = m_steps->value();
    r.train.batch = m_batch->value();
    r.train.lr = m_lr->value();
    r.train.evalEvery = m_evalEvery->value();
    r.train.seed = uint64_t(m_seed->value());
    e.seeds.clear();
    for (const QString& part : m_seeds->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const qulonglong seed = part.trimmed().toULongLong(&ok);
        if (ok && std::find(e.seeds.begin(), e.seeds.end(), seed) == e.seeds.end())
            e.seeds.push_back(seed);
    }
    if (e.seeds.size() == 1) {
        r.train.seed = e.seeds.front();
        e.seeds.clear();
    }
    r.train.warmupSteps = std::min(r.train.warmupSteps, r.train.steps / 5);
    return e;
}

QString NewExperimentDialog::problem() const {
    const qkv::Experiment e = experiment();
    if (e.variants.empty()) return tr("Tick at least one variant.");
    for (const QString& part : m_seeds->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        part.trimmed().toULongLong(&ok);
        if (!ok) return tr("Training seeds are whole numbers separated by commas, such as 1,2,3.");
    }
    const std::string configProblem = qkv::checkExperiment(e);
    if (!configProblem.empty()) return QString::fromStdString(configProblem);
    const qkv::TaskKind kind = e.base.task.kind;
    if (!qkv::isSynthetic(kind)) {
        const QString path = e.base.task.dataPath.empty()
                                 ? QString::fromStdString(qkv::defaultDataPath(kind))
                                 : QString::fromStdString(e.base.task.dataPath);
        if (!QFileInfo::exists(path))
            return tr("The data path '%1' does not exist%2.")
                .arg(path, e.base.task.dataPath.empty() ? tr(" (install the Debian package or pick a file)") : QString());
    }
    return {};
}

void NewExperimentDialog::revalidate() {
    const qkv::TaskKind kind = qkv::TaskKind(m_task->currentData().toInt());
    const bool needsData = !qkv::isSynthetic(kind);
    m_dataPath->setEnabled(needsData);
    m_browse->setEnabled(needsData);
    m_vocab->setEnabled(qkv::isSynthetic(kind));
    m_seqLen->setEnabled(kind != qkv::TaskKind::Images);
    const QString p = problem();
    m_problem->setText(p);
    m_problem->setVisible(!p.isEmpty());
    trainButton()->setEnabled(p.isEmpty());
    m_pyTorch->setEnabled(p.isEmpty());
}

void NewExperimentDialog::loadPreset(int index) {
    if (index <= 0) return;
    try {
        setExperiment(qkv::loadExperiment(":/presets/" + kPresets[index - 1].toStdString() + ".json"));
    } catch (const std::exception& e) {
        m_problem->setText(QString::fromStdString(e.what()));
    }
    revalidate();
}

void NewExperimentDialog::browseData() {
    const qkv::TaskKind kind = qkv::TaskKind(m_task->currentData().toInt());
    const QString start = m_dataPath->text().isEmpty() ? QString::fromStdString(qkv::defaultDataPath(kind))
                                                       : m_dataPath->text();
    const QString path = kind == qkv::TaskKind::Images
                             ? QFileDialog::getExistingDirectory(this, tr("IDX folder"), start)
                             : QFileDialog::getOpenFileName(this, tr("UTF-8 text file"), start);
    if (!path.isEmpty()) m_dataPath->setText(path);
}

}  // namespace qkvapp
