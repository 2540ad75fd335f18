#include "reproduce_dialog.h"

#include "figure_export.h"
#include "reproduction_figure_data.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace qkvapp {

namespace {
QString fixed(double v, int decimals) {
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QObject::tr("n/a");
}
}  // namespace

ReproduceDialog::ReproduceDialog(const QString& workspaceRoot, QWidget* parent)
    : QDialog(parent), m_root(workspaceRoot) {
    setWindowTitle(tr("Reproduce a published table"));
    m_table = new QComboBox(this);
    for (const QString& id : {QString("qkv-lm-300m"), QString("borji-synthetic")}) {
        const qkv::PublishedTable t =
            qkv::loadPublishedTable((":/published/" + id + ".json").toStdString());
        m_table->addItem(QString::fromStdString(t.title), ":/published/" + id + ".json");
    }
    m_scale = new QComboBox(this);
    m_scale->addItem(tr("quick — within 15 minutes a table on 2 cores"), "quick");
    m_scale->addItem(tr("full — closer to the published setup"), "full");
    m_seeds = new QLineEdit("1,2,3", this);
    m_folder = new QLineEdit(this);
    m_browse = new QPushButton(tr("Browse…"), this);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(m_browse);
    m_start = new QPushButton(tr("Reproduce"), this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_progress = new QProgressBar(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_source = new QLabel(this);
    m_source->setWordWrap(true);
    m_source->setForegroundRole(QPalette::PlaceholderText);
    m_cells = new QTableWidget(0, 6, this);
    m_cells->setHorizontalHeaderLabels({tr("task"), tr("set-up"), tr("published"),
                                        tr("measured (mean ± std, n)"), tr("gap"), tr("seeds")});
    m_cells->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_cells->horizontalHeader()->setStretchLastSection(true);
    m_cells->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_verdicts = new QListWidget(this);
    m_verdicts->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Table"), m_table);
    form->addRow(tr("Scale"), m_scale);
    form->addRow(tr("Seeds"), m_seeds);
    form->addRow(tr("Runs folder"), folderRow);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_source);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    m_figure = new qkvviews::ReproductionFigureView(this);
    auto* views = new QTabWidget(this);
    views->addTab(m_cells, tr("Table"));
    views->addTab(m_figure, tr("Figure"));
    layout->addWidget(views, 3);
    layout->addWidget(new QLabel(tr("Claims"), this));
    layout->addWidget(m_verdicts, 1);
    resize(900, 640);

    auto folderFor = [this] {
        const QString id = QFileInfo(m_table->currentData().toString()).completeBaseName();
        m_folder->setText(
            QDir(m_root).filePath("reproduce/" + id + "-" + m_scale->currentData().toString()));
        try {
            const qkv::PublishedTable t =
                qkv::loadPublishedTable(m_table->currentData().toString().toStdString());
            m_source->setText(
                tr("Source: %1 — %2.\nSetup: %3\nHere: %4")
                    .arg(QString::fromStdString(t.paper), QString::fromStdString(t.location),
                         QString::fromStdString(t.setup), QString::fromStdString(t.differences)));
        } catch (const std::exception& e) {
            m_source->setText(QString::fromUtf8(e.what()));
        }
    };
    connect(m_table, qOverload<int>(&QComboBox::currentIndexChanged), this, folderFor);
    connect(m_scale, qOverload<int>(&QComboBox::currentIndexChanged), this, folderFor);
    folderFor();
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Runs folder"), m_folder->text());
        if (!dir.isEmpty()) m_folder->setText(dir);
    });
    connect(m_start, &QPushButton::clicked, this, [this] { start(); });
    connect(m_cancel, &QPushButton::clicked, this, &ReproduceDialog::cancel);
    setRunning(false);
    m_status->setText(
        tr("Runs already in the folder with the same settings are reused: a "
           "reproduction that was stopped resumes where it was."));
}

ReproduceDialog::~ReproduceDialog() {
    cancel();
    m_worker.stop();
}

void ReproduceDialog::setTableFile(const QString& path) {
    m_table->addItem(QFileInfo(path).fileName(), path);
    m_table->setCurrentIndex(m_table->count() - 1);
}

bool ReproduceDialog::start() {
    if (isRunning()) return false;
    ReproduceRequest request;
    request.table = m_table->currentData().toString();
    request.scale = m_scale->currentData().toString();
    request.outDir = m_folder->text().trimmed();
    request.seeds.clear();
    for (const QString& part : m_seeds->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const qulonglong s = part.trimmed().toULongLong(&ok);
        if (!ok) {
            m_status->setText(tr("Seeds are whole numbers separated by commas, such as 1,2,3."));
            return false;
        }
        request.seeds.push_back(s);
    }
    if (request.seeds.empty() || request.outDir.isEmpty()) {
        m_status->setText(tr("Give at least one seed and a runs folder."));
        return false;
    }
    ReproduceWorker* w = m_worker.create(this, new ReproduceWorker(request));
    connect(w, &ReproduceWorker::progress, this,
            [this](int done, int total, const QString& run, const QString& step) {
                m_progress->setRange(0, total);
                m_progress->setValue(done);
                m_status->setText(run.isEmpty() ? tr("%1 of %2 runs finished").arg(done).arg(total)
                                                : tr("Training %1 (%2), %3 of %4 runs finished")
                                                      .arg(run, step)
                                                      .arg(done)
                                                      .arg(total));
            });
    connect(w, &ReproduceWorker::measured, this, &ReproduceDialog::showReproduction);
    connect(w, &ReproduceWorker::finished, this, &ReproduceDialog::onFinished);
    connect(w, &ReproduceWorker::failed, this, &ReproduceDialog::onFailed);
    setRunning(true);
    m_worker.start(&ReproduceWorker::run);
    return true;
}

void ReproduceDialog::cancel() {
    m_worker.requestCancel();
}

void ReproduceDialog::setRunning(bool running) {
    m_start->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
    for (QWidget* w : {static_cast<QWidget*>(m_table), static_cast<QWidget*>(m_scale),
                       static_cast<QWidget*>(m_seeds), static_cast<QWidget*>(m_folder),
                       static_cast<QWidget*>(m_browse)})
        w->setEnabled(!running);
}

void ReproduceDialog::showReproduction(const qkv::Reproduction& r) {
    const int decimals = r.table.metric == "perplexity" ? 3 : 4;
    m_cells->setRowCount(int(r.cells.size()));
    for (int i = 0; i < int(r.cells.size()); ++i) {
        const qkv::CellResult& c = r.cells[size_t(i)];
        QStringList seeds;
        for (double v : c.values) seeds << fixed(v, decimals);
        const QStringList row = {
            QString::fromStdString(c.task),
            QString::fromStdString(r.table.config(c.config).label),
            fixed(c.published, decimals),
            QString::fromStdString(qkv::meanStdText(c.measured, decimals)),
            c.measured.n ? fixed(c.measured.mean - c.published, decimals) : tr("n/a"),
            seeds.join("  ")};
        for (int col = 0; col < row.size(); ++col)
            m_cells->setItem(i, col, new QTableWidgetItem(row[col]));
    }
    m_figure->setData(reproductionFigureData(r));
    m_verdicts->clear();
    for (const qkv::ClaimVerdict& v : r.verdicts) {
        auto* item = new QListWidgetItem(QString::fromStdString(v.line()), m_verdicts);
        item->setForeground(v.verdict == "reproduced" ? QColor(0x2e, 0x7d, 0x32)
                            : v.verdict == "not reproduced"
                                ? QColor(0xc0, 0x39, 0x2b)
                                : palette().color(QPalette::PlaceholderText));
    }
}

void ReproduceDialog::onFinished(const qkv::Reproduction& r, const QStringList& files,
                                 bool cancelled) {
    m_worker.stop();
    setRunning(false);
    showReproduction(r);
    QStringList written = files;
    // The figure too (PNG, PDF, SVG and its numbers), beside the table's files.
    const ExportResult figure =
        exportFigure(*m_figure, m_folder->text(), {FigureFormat::Png, FigureFormat::Pdf, FigureFormat::Svg},
                     *findFigureSize("double-column"), Manifest());
    for (const QString& f : figure.files) written << f;
    if (!figure.ok()) written << tr("(the figure failed: %1)").arg(figure.error);
    m_status->setText((cancelled ? tr("Stopped: %1 of %2 runs finished; Reproduce again resumes. ")
                                 : tr("%1 of %2 runs finished (%3 trained, %4 reused). "))
                          .arg(r.runsFinished)
                          .arg(r.runsTotal)
                          .arg(r.runsTrained)
                          .arg(r.runsReused) +
                      tr("Written: %1").arg(written.join(", ")));
    Q_EMIT reproductionFinished(cancelled);
}

void ReproduceDialog::onFailed(const QString& message) {
    m_worker.stop();
    setRunning(false);
    m_status->setText(tr("Reproduction failed: %1").arg(message));
    Q_EMIT reproductionFinished(true);
}

}  // namespace qkvapp
