// qkvlab reproduce: a published table beside what QKV Lab measures, with the spread over seeds
// and a verdict per claim.
#include <QDir>
#include <QFileInfo>

#include <cstdlib>
#include <iostream>

#include <QApplication>

#include "cli_commands.h"
#include "figure_export.h"
#include "reproduction_figure_data.h"
#include "common/errors.h"
#include "reproduce/reproduce_report.h"
#include "text_table.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab reproduce TABLE [--scale quick|full] [--seeds 1,2,3] --out DIR\n"
    "       qkvlab reproduce --list\n"
    "\n"
    "Trains what a published table needs (one run folder per task, set-up and seed under\n"
    "DIR/<task>/; finished runs of the same settings are reused, so a reproduction that was\n"
    "stopped resumes), then writes DIR/<table>.md, .csv (every seed's value) and .json: the\n"
    "published numbers, the measured mean ± std over seeds with n, the gap, and a verdict per\n"
    "claim, and the figure DIR/<table>-figure.png, .pdf, .svg (bars: measured mean ± std with\n"
    "every seed as a dot; diamonds: published) with its numbers. TABLE is a built-in table (--list) or a JSON file of the same form\n"
    "(resources/published/). --scale quick (the default) finishes each built-in table within\n"
    "15 minutes on a 2-core machine; full is closer to the published setup. Default seeds: "
    "1,2,3.\n";

const char* const kBuiltIn[] = {"qkv-lm-300m", "borji-synthetic"};

std::string tablePath(const std::string& nameOrPath) {
    if (QFileInfo::exists(QString::fromStdString(nameOrPath))) return nameOrPath;
    const std::string resource = ":/published/" + nameOrPath + ".json";
    if (QFileInfo::exists(QString::fromStdString(resource))) return resource;
    throw UsageError("no table file or built-in table named '" + nameOrPath +
                     "' (built-in: qkv-lm-300m, borji-synthetic)");
}

std::vector<uint64_t> seedsFrom(const CliOptions& o) {
    std::vector<uint64_t> seeds;
    for (const std::string& word : o.list("seeds")) {
        char* end = nullptr;
        const long long v = std::strtoll(word.c_str(), &end, 10);
        if (word.empty() || *end != '\0' || v < 0)
            throw UsageError("--seeds takes whole numbers such as 1,2,3, got '" + word + "'");
        seeds.push_back(uint64_t(v));
    }
    return seeds.empty() ? std::vector<uint64_t>{1, 2, 3} : seeds;
}
}  // namespace

int reproduceCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args, {"scale", "seeds", "out"}, {"list", "help"});
    if (o.flag("help")) {
        out << kHelp;
        return 0;
    }
    if (o.flag("list")) {
        for (const char* name : kBuiltIn) {
            const qkv::PublishedTable t =
                qkv::loadPublishedTable(":/published/" + std::string(name) + ".json");
            out << name << "  " << t.title << "\n";
        }
        return 0;
    }
    if (o.positional().size() != 1) throw UsageError("name one table (see --list)");
    if (!o.has("out")) throw UsageError("--out DIR is required");
    const qkv::PublishedTable table = qkv::loadPublishedTable(tablePath(o.positional()[0]));
    const std::string scale = o.text("scale", "quick");
    const std::vector<uint64_t> seeds = seedsFrom(o);
    const qkv::Reproduction r = qkv::reproduce(
        table, scale, seeds, o.text("out"),
        [&](int done, int total, const std::string& run, const qkv::TrainProgress* step) {
            if (!run.empty() && !step)
                out << "[" << done + 1 << "/" << total << "] " << run << std::endl;
        });
    TextTable cells({"task", "set-up", "published", "measured", "gap"});
    for (const qkv::CellResult& c : r.cells)
        cells.addRow({c.task, table.config(c.config).label, fixed(c.published, 3),
                      qkv::meanStdText(c.measured, 4),
                      c.measured.n ? fixed(c.measured.mean - c.published, 4) : "n/a"});
    out << '\n';
    cells.print(out);
    out << '\n';
    for (const qkv::ClaimVerdict& v : r.verdicts) out << v.line() << '\n';
    for (const std::string& p : r.problems) err << "qkvlab reproduce: " << p << '\n';
    for (const std::string& path : qkv::writeReproduction(r, o.text("out")))
        out << "wrote " << path << '\n';
    const auto gui = ensureGuiApplication();
    qkvviews::ReproductionFigureView figure;
    figure.setData(reproductionFigureData(r));
    Manifest manifest;
    manifest.notes = QString::fromStdString("reproduction of " + table.id + " (" + table.title + ")");
    const ExportResult written = exportFigure(figure, QString::fromStdString(o.text("out")),
                                              {FigureFormat::Png, FigureFormat::Pdf, FigureFormat::Svg},
                                              *findFigureSize("double-column"), manifest);
    if (!written.ok()) throw qkv::IoError(written.error.toStdString());
    for (const QString& f : written.files) out << "wrote " << f.toStdString() << '\n';
    for (const QString& s : written.skipped) out << "no figure: " << s.toStdString() << '\n';
    out << r.runsTrained << " runs trained, " << r.runsReused << " reused\n";
    return r.problems.empty() ? 0 : 1;
}

}  // namespace qkvapp
