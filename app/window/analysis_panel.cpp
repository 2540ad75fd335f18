#include "analysis_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "analysis_pickers.h"
#include "attention_grid_view.h"
#include "head_atlas_view.h"
#include "seed_summary_view.h"
#include "spectra_view.h"
#include "subspace_view.h"
#include "symmetry_training_view.h"
#include "symmetry_view.h"
#include "variant_explainer_view.h"

namespace qkvapp {

AnalysisPanel::AnalysisPanel(QWidget* parent) : QWidget(parent) {
    m_input = new QLineEdit(this);
    m_input->setPlaceholderText(tr("text prompt (LM runs) or token ids like 3,1,4 — empty: a validation sample"));
    m_sample = new QSpinBox(this);
    m_sample->setRange(0, 100000);
    m_sample->setPrefix(tr("sample "));
    m_analyze = new QPushButton(tr("Analyze visible runs"), this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(180);
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_pickers = new qkvviews::AnalysisPickers(this);

    m_atlas = new qkvviews::HeadAtlasView(this);
    m_attention = new qkvviews::AttentionGridView(this);
    m_symmetry = new qkvviews::SymmetryView(this);
    m_symmetryTraining = new qkvviews::SymmetryTrainingView(this);
    m_subspaces = new qkvviews::SubspaceView(this);
    m_spectra = new qkvviews::SpectraView(this);
    m_seeds = new qkvviews::SeedSummaryView(this);
    m_explainer = new qkvviews::VariantExplainerView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_atlas, tr("Heads"));
    m_tabs->addTab(m_attention, tr("Attention"));
    m_tabs->addTab(m_symmetry, tr("Symmetry"));
    m_tabs->addTab(m_symmetryTraining, tr("Over training"));
    m_tabs->addTab(m_subspaces, tr("Subspaces"));
    m_tabs->addTab(m_spectra, tr("Spectra"));
    m_tabs->addTab(m_seeds, tr("Seeds"));
    m_tabs->addTab(m_explainer, tr("Explainer"));
    // All eight sub-tabs in view: a tab bar that scrolls cut the first one to "ion". Their names
    // keep the normal size in presentation mode (navigation, not content; a set font does not
    // follow the application's), and are elided rather than scrolled on a narrow window.
    QFont tabFont = font();
    tabFont.setPointSizeF(font().pointSizeF());  // set explicitly, so it no longer inherits
    m_tabs->tabBar()->setFont(tabFont);
    m_tabs->setUsesScrollButtons(false);
    m_tabs->setElideMode(Qt::ElideRight);
    for (int i = 0; i < m_tabs->count(); ++i) m_tabs->setTabToolTip(i, m_tabs->tabText(i));
    m_tabs->setTabToolTip(m_tabs->indexOf(m_symmetryTraining),
                          tr("Symmetry over training: the measures at each checkpoint of the runs"));

    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(new QLabel(tr("Input"), this));
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_sample);
    inputRow->addWidget(m_analyze);
    inputRow->addWidget(m_cancel);
    inputRow->addWidget(m_progress);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(inputRow);
    layout->addWidget(m_status);
    layout->addWidget(m_pickers);
    layout->addWidget(m_tabs, 1);

    connect(m_analyze, &QPushButton::clicked, this, [this] { analyze(); });
    connect(m_input, &QLineEdit::returnPressed, this, [this] { analyze(); });
    m_status->setWordWrap(true);
    // A head picked in the atlas opens in every view, starting with its attention map.
    connect(m_atlas, &qkvviews::HeadAtlasView::headActivated, this, [this](int variant, int layer, int head) {
        qkvviews::AnalysisSelection s = m_pickers->selection();
        s.variant = variant, s.layer = layer, s.head = head;
        m_pickers->setSelection(s);
        m_tabs->setCurrentWidget(m_attention);
    });
    connect(m_cancel, &QPushButton::clicked, this, &AnalysisPanel::cancel);
    connect(m_pickers, &qkvviews::AnalysisPickers::selectionChanged, this,
            [this](const qkvviews::AnalysisSelection& s) {
                m_atlas->setSelection(s);
                m_attention->setSelection(s);
                m_symmetry->setSelection(s);
                m_symmetryTraining->setSelection(s);
                m_subspaces->setSelection(s);
                m_spectra->setSelection(s);
                m_seeds->setSelection(s);
                m_explainer->setSelection(s);
            });
    m_status->setText(tr("Train or open runs, then Analyze: every visible run is analysed on the same input."));

    m_exactWorker = m_exactMaps.create(this, new ExactMapWorker);
    // ask() only queues: it runs on the GUI thread and the work on the worker's.
    connect(m_attention, &qkvviews::AttentionGridView::exactMapWanted, m_exactWorker,
            &ExactMapWorker::ask, Qt::DirectConnection);
    connect(m_exactWorker, &ExactMapWorker::computed, m_attention,
            &qkvviews::AttentionGridView::setExactMap);
    connect(m_exactWorker, &ExactMapWorker::failed, this, [this](const QString& message) {
        m_status->setText(tr("The exact map of the zoomed region could not be computed: %1").arg(message));
    });
    m_exactMaps.start();
}

AnalysisPanel::~AnalysisPanel() {
    cancel();
    m_exactMaps.requestCancel();
    m_analysis.stop();
    m_exactMaps.stop();
}

void AnalysisPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    analyzeFirstRuns();
}

void AnalysisPanel::setRuns(const QVector<AnalysisRequest::Run>& runs) {
    m_runs = runs;
    m_analyze->setEnabled(!runs.isEmpty() && !isRunning());
    analyzeFirstRuns();  // runs that arrive while the tab is shown (a model opened from the CLI)
}

// While the tab is on show with nothing to draw, the runs it has are analysed once, unasked.
void AnalysisPanel::analyzeFirstRuns() {
    QStringList ids;
    for (const auto& r : m_runs) ids << r.folder;
    if (!isVisible() || !m_set.variants.isEmpty() || ids.isEmpty() || isRunning() ||
        ids == m_autoAnalysed)
        return;
    m_autoAnalysed = ids;
    analyze();
}

bool AnalysisPanel::analyze() {
    if (isRunning() || m_runs.isEmpty()) return false;
    m_exactWorker->forget();  // the model open for zooming may not be among the new runs
    AnalysisRequest request{m_runs, m_input->text().trimmed(), m_sample->value(), m_options};
    AnalysisWorker* worker = m_analysis.create(this, new AnalysisWorker(request));
    connect(worker, &AnalysisWorker::progress, this, [this](int done, int total, const QString& what) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        if (!what.isEmpty()) m_status->setText(tr("Analysing %1 (%2 of %3)…").arg(what).arg(done + 1).arg(total));
    });
    connect(worker, &AnalysisWorker::finished, this, &AnalysisPanel::onFinished);
    m_analyze->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setVisible(true);
    m_analysis.start(&AnalysisWorker::run);
    return true;
}

void AnalysisPanel::cancel() { m_analysis.requestCancel(); }

void AnalysisPanel::onFinished(const qkvviews::AnalysisSet& set, const QStringList& problems, bool cancelled) {
    m_analysis.stop();
    m_analyze->setEnabled(!m_runs.isEmpty());
    m_cancel->setEnabled(false);
    m_progress->setVisible(false);
    if (!cancelled) {
        m_set = set;
        m_pickers->setAnalysis(set);
        m_atlas->setAnalysis(set);
        m_attention->setAnalysis(set);
        m_symmetry->setAnalysis(set);
        m_symmetryTraining->setAnalysis(set);
        m_subspaces->setAnalysis(set);
        m_spectra->setAnalysis(set);
        m_seeds->setAnalysis(set);
        m_explainer->setAnalysis(set);
    }
    QString status = cancelled ? tr("Analysis cancelled; the views keep the previous one.")
                               : (set.variants.size() == 1 ? tr("1 run analysed on %1.")
                                                           : tr("%1 runs analysed on %2.").arg(set.variants.size()))
                                     .arg(set.inputDescription);
    if (!problems.isEmpty()) status += "  " + summarizeProblems(problems);
    m_status->setText(status);
    Q_EMIT analysisFinished(problems);
}

// "run: message" lines; runs that failed for the same reason are named once with it.
QString AnalysisPanel::summarizeProblems(const QStringList& problems) {
    QStringList messages;
    QMap<QString, QStringList> runsOf;
    for (const QString& p : problems) {
        const int colon = p.indexOf(": ");
        const QString run = colon > 0 ? p.left(colon) : QString();
        const QString message = colon > 0 ? p.mid(colon + 2) : p;
        if (!runsOf.contains(message)) messages << message;
        runsOf[message] << run;
    }
    QStringList parts;
    for (const QString& m : messages)
        parts << tr("%1 not analysed: %2").arg(runsOf[m].join(", "), m);
    return parts.join("\n");
}

const qkvviews::ExportableFigure* AnalysisPanel::currentFigure() const {
    const QList<const qkvviews::ExportableFigure*> all = figures();
    const int i = m_tabs->currentIndex();
    return i >= 0 && i < all.size() ? all[i] : nullptr;
}

QList<const qkvviews::ExportableFigure*> AnalysisPanel::figures() const {
    return {m_atlas, m_attention, m_symmetry, m_symmetryTraining, m_subspaces, m_spectra, m_seeds, m_explainer};
}

QString AnalysisPanel::statusText() const { return m_status->text(); }

}  // namespace qkvapp
