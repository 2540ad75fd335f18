// qkvlab figures: the window's figures, drawn headless (offscreen) by the same views and the
// same exporter as File › Export.
#include <QApplication>
#include <unistd.h>
#include <QFile>
#include <QDir>
#include <QFileInfo>

#include <memory>

#include "analysis_worker.h"
#include "attention_grid_view.h"
#include "cli_commands.h"
#include "common/errors.h"
#include "figure_export.h"
#include "figure_manifest.h"
#include "pretrained/open_model.h"
#include "snapshot_builder.h"
#include "seed_summary_view.h"
#include "spectra_view.h"
#include "subspace_view.h"
#include "symmetry_training_view.h"
#include "symmetry_view.h"
#include "training_curves_view.h"
#include "variant_explainer_view.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab figures RUN... --out DIR [--formats png,pdf,svg] [--size NAME]\n"
    "                      [--input TEXT | --sample N]\n"
    "\n"
    "Writes the window's figures for the runs: training-curves, attention-grid (one head\n"
    "across the runs, or one run's layers x heads), symmetry, symmetry-training (over the\n"
    "runs' checkpoints), subspaces, spectra, seeds (model means per variant over its seeds:\n"
    "mean, std, n and every seed) and explainer (the first run's projection diagram,\n"
    "attention and logits, for teaching), each as the chosen formats (PNG at 300 dpi,\n"
    "vector PDF, SVG) with the numbers as CSV and JSON, and manifest.json (run configs,\n"
    "seeds, app version, date).\n"
    "  --size   single-column (89 x 60 mm), double-column (183 x 90 mm, default) or screen\n"
    "  --input  a text prompt (LM runs) or token ids like 3,1,4; default: validation sample 0\n";

}  // namespace

// The CLI has no QApplication; figures need one (QCustomPlot paints through QPixmap).
std::unique_ptr<QApplication> ensureGuiApplication() {
    if (qobject_cast<QApplication*>(QCoreApplication::instance())) return nullptr;
    if (QCoreApplication::instance())
        throw qkv::Error("figures needs a GUI application object; run it as its own process");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // Headless machines often lack XDG_RUNTIME_DIR; Qt then uses /tmp/runtime-<user> and says so
    // on stderr, which breaks the CLI's promise of one line. Take the same folder, quietly.
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const QString dir = QDir::tempPath() + "/runtime-" + qEnvironmentVariable("USER", QString::number(getuid()));
        if (QDir().mkpath(dir) && QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                                  QFileDevice::ExeOwner))
            qputenv("XDG_RUNTIME_DIR", dir.toLocal8Bit());
    }
    static int argc = 1;
    static char name[] = "qkvlab";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
}


int figuresCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args, {"out", "formats", "size", "input", "sample"}, {"help"});
    if (o.flag("help")) {
        out << kHelp;
        return 0;
    }
    if (o.positional().empty()) throw UsageError("name at least one run folder (see --help)");
    if (!o.has("out")) throw UsageError("--out DIR is required");
    if (o.has("input") && o.has("sample")) throw UsageError("give --input or --sample, not both");
    QString formatError;
    const auto formats = parseFigureFormats(QString::fromStdString(o.text("formats", "png,pdf,svg")), &formatError);
    if (!formats) throw UsageError(formatError.toStdString());
    const auto size = findFigureSize(QString::fromStdString(o.text("size", "double-column")));
    if (!size) throw UsageError("unknown --size '" + o.text("size") + "' (single-column, double-column, screen)");

    Workspace workspace;
    ExperimentEntry experiment;
    experiment.name = "figures";
    QStringList folders;
    AnalysisRequest request;
    for (const std::string& dir : o.positional()) {
        qkv::OpenOptions options;
        options.loadWeights = false;
        const qkv::RunFolder f = qkv::openModel(dir, options).run;  // IoError/ConfigError: exit 2
        RunEntry r;
        r.id = QFileInfo(QString::fromStdString(dir)).absoluteFilePath();
        r.config = f.config;
        r.result = f.result;
        r.color = Workspace::variantColor(f.config.model.variant);
        r.state = RunState::Finished;
        experiment.runs.push_back(r);
        folders << r.id;
    }
    workspace.experiments().push_back(experiment);
    // Seeds of one variant are named "QKV · seed 2" and analysed together as "QKV".
    for (const RunEntry& r : workspace.experiments().back().runs)
        request.runs.push_back({r.id, uniqueRunName(workspace, workspace.experiments().back(), r), r.color,
                                seedGroupName(workspace, workspace.experiments().back(), r)});
    request.text = QString::fromStdString(o.text("input"));
    request.sample = o.integer("sample", 0, 0, 100000000);

    const auto app = ensureGuiApplication();
    QStringList problems;
    const qkvviews::AnalysisSet analysis = analyzeRuns(request, &problems);
    if (!problems.isEmpty()) throw qkv::DataError(problems.first().toStdString());

    qkvviews::TrainingCurvesView curves;
    curves.setSeries(curveSeries(workspace));
    qkvviews::AttentionGridView attention;
    qkvviews::SymmetryView symmetry;
    qkvviews::SymmetryTrainingView symmetryTraining;
    qkvviews::SubspaceView subspaces;
    qkvviews::SpectraView spectra;
    qkvviews::SeedSummaryView seeds;
    qkvviews::AnalysisSelection selection;
    selection.acrossVariants = analysis.variants.size() > 1;
    using qkvviews::AnalysisFigureView;
    for (AnalysisFigureView* v : {static_cast<AnalysisFigureView*>(&symmetry),
                                  static_cast<AnalysisFigureView*>(&symmetryTraining),
                                  static_cast<AnalysisFigureView*>(&subspaces),
                                  static_cast<AnalysisFigureView*>(&spectra),
                                  static_cast<AnalysisFigureView*>(&seeds)}) {
        v->setAnalysis(analysis);
        v->setSelection(selection);
    }
    attention.setAnalysis(analysis);
    attention.setSelection(selection);
    qkvviews::VariantExplainerView explainer;  // the first run's, for teaching
    explainer.setAnalysis(analysis);
    for (QWidget* w : {static_cast<QWidget*>(&curves), static_cast<QWidget*>(&attention),
                       static_cast<QWidget*>(&symmetry), static_cast<QWidget*>(&symmetryTraining),
                       static_cast<QWidget*>(&subspaces), static_cast<QWidget*>(&spectra),
                       static_cast<QWidget*>(&seeds), static_cast<QWidget*>(&explainer)})
        w->resize(1200, 800);

    QString manifestError;
    Manifest manifest = manifestForRuns(folders, &manifestError);
    if (!manifestError.isEmpty()) throw qkv::IoError(manifestError.toStdString());
    manifest.notes = "input: " + analysis.inputDescription;
    const ExportResult result =
        exportAll({&curves, &attention, &symmetry, &symmetryTraining, &subspaces, &spectra, &seeds, &explainer},
                  QString::fromStdString(o.text("out")), *formats, *size, manifest);
    if (!result.ok()) throw qkv::IoError(result.error.toStdString());
    for (const QString& f : result.files) out << f.toStdString() << '\n';
    return 0;
}

}  // namespace qkvapp
