// Publication export: PNG/PDF/SVG at the requested physical size, colour maps lossless in PDF,
// the numbers drawn as CSV/JSON, a manifest naming every file, atomic writes, clean errors.
#include <QtTest>

#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <cmath>
#include <memory>

#include "color_maps.h"
#include "exportable_figure.h"
#include "figure_export.h"
#include "kv_cache_view.h"
#include "qcp.h"
#include "training_curves_view.h"

using namespace qkvapp;

namespace {

constexpr int kMapSize = 16;

double cellValue(int x, int y) { return (x + kMapSize * y) / 255.0; }
double graphValue(int i) { return 0.5 + 0.4 * std::sin(i * 0.7); }

// A tiny figure: a 16 × 16 colour map with known values, a line on top, labelled axes.
class HeatmapFigure : public qkvviews::ExportableFigure {
public:
    explicit HeatmapFigure(const QString& name = "test-heatmap") : m_name(name) {
        m_plot->resize(480, 360);
        m_plot->xAxis->setLabel("key position");
        m_plot->yAxis->setLabel("query position");
        auto* map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
        map->data()->setSize(kMapSize, kMapSize);
        map->data()->setRange(QCPRange(0, kMapSize - 1), QCPRange(0, kMapSize - 1));
        for (int x = 0; x < kMapSize; ++x)
            for (int y = 0; y < kMapSize; ++y) map->data()->setCell(x, y, cellValue(x, y));
        map->setGradient(qkvviews::sequentialGradient());
        map->setDataRange(QCPRange(0, 1));
        map->setInterpolate(false);
        QCPGraph* graph = m_plot->addGraph();
        for (int i = 0; i < kMapSize; ++i) graph->addData(i, graphValue(i) * (kMapSize - 1));
        graph->setPen(QPen(Qt::red, 1.5));
        m_plot->rescaleAxes();
        m_plot->replot();
    }

    QString figureName() const override { return m_name; }
    QCustomPlot* figurePlot() const override { return m_plot.get(); }
    QString figureCsv() const override {
        QString csv = "kind,x,y,value\n";
        for (int y = 0; y < kMapSize; ++y)
            for (int x = 0; x < kMapSize; ++x)
                csv += QString("cell,%1,%2,%3\n").arg(x).arg(y).arg(cellValue(x, y), 0, 'g', 17);
        for (int i = 0; i < kMapSize; ++i)
            csv += QString("line,%1,,%2\n").arg(i).arg(graphValue(i), 0, 'g', 17);
        return csv;
    }
    QJsonObject figureJson() const override { return {{"cells", kMapSize * kMapSize}}; }

private:
    QString m_name;
    std::unique_ptr<QCustomPlot> m_plot = std::make_unique<QCustomPlot>();
};

// RFC 4180 rows (quoted fields may hold commas).
QList<QStringList> parseCsv(const QString& text) {
    QList<QStringList> rows;
    for (const QString& line : text.split('\n', Qt::SkipEmptyParts)) {
        QStringList fields;
        QString field;
        bool quoted = false;
        for (int i = 0; i < line.size(); ++i) {
            const QChar c = line[i];
            if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields << field;
                field.clear();
            } else {
                field += c;
            }
        }
        fields << field;
        rows << fields;
    }
    return rows;
}

QString readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QJsonObject readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// Runs a poppler tool; a null string when it is not installed.
QString poppler(const QString& tool, const QStringList& args) {
    if (QStandardPaths::findExecutable(tool).isEmpty()) return {};
    QProcess p;
    p.start(tool, args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0) return QString("");
    return QString::fromUtf8(p.readAllStandardOutput());
}

const QList<FigureFormat> kAllFormats = {FigureFormat::Png, FigureFormat::Pdf, FigureFormat::Svg};

}  // namespace

class TestFigureExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void presetsAndFormats();
    void exportsEveryFormat_data();
    void exportsEveryFormat();
    void screenSizeUsesTheWidget();
    void restoresThePlotLayout();
    void manifestMergesFiguresAndRuns();
    void overwritesAtomically();
    void unwritableFolderIsAnError();
    void readOnlyFolderIsAnError();
    void exportAllWritesEveryFigure();
    void exportAllSkipsFiguresWithNothingToShow();
    void trainingCurvesCsvEqualsSnapshot();
};

void TestFigureExport::presetsAndFormats() {
    QCOMPARE(figureSizePresets().size(), 3);
    const auto single = findFigureSize("single-column");
    QVERIFY(single);
    QCOMPARE(single->widthMm, 89.0);
    QCOMPARE(single->heightMm, 60.0);
    QCOMPARE(findFigureSize("Double-Column")->widthMm, 183.0);
    QVERIFY(findFigureSize("screen"));
    QVERIFY(!findFigureSize("poster"));

    QString error;
    const auto formats = parseFigureFormats("svg, PNG,pdf,png", &error);
    QVERIFY(formats);
    QCOMPARE(*formats, (QList<FigureFormat>{FigureFormat::Svg, FigureFormat::Png,
                                            FigureFormat::Pdf}));
    QVERIFY(!parseFigureFormats("png,jpg", &error));
    QVERIFY2(error.contains("'jpg'"), qPrintable(error));
    QVERIFY(!parseFigureFormats("", &error));
}

void TestFigureExport::exportsEveryFormat_data() {
    QTest::addColumn<QString>("preset");
    QTest::newRow("single-column") << "single-column";
    QTest::newRow("double-column") << "double-column";
}

void TestFigureExport::exportsEveryFormat() {
    QFETCH(QString, preset);
    const FigureSize size = *findFigureSize(preset);
    HeatmapFigure figure;
    QTemporaryDir tmp;
    const QString folder = tmp.filePath("figures");  // created by the export
    Manifest manifest;
    manifest.notes = "test";
    const ExportResult result = exportFigure(figure, folder, kAllFormats, size, manifest);
    QVERIFY2(result.ok(), qPrintable(result.error));
    // For checking by eye: QKVLAB_EXPORT_DUMP=/some/folder keeps a copy of the files.
    if (qEnvironmentVariableIsSet("QKVLAB_EXPORT_DUMP"))
        exportFigure(figure, qEnvironmentVariable("QKVLAB_EXPORT_DUMP") + "/" + preset,
                     kAllFormats, size, manifest);
    const QDir dir(folder);
    QStringList expected;
    for (const char* suffix : {"png", "pdf", "svg", "csv", "json"})
        expected << dir.filePath(QString("test-heatmap.") + suffix);
    expected << dir.filePath("manifest.json");
    QCOMPARE(result.files, expected);
    for (const QString& f : expected) QVERIFY2(QFileInfo(f).size() > 0, qPrintable(f));

    // PNG: the physical size at 300 dpi, and says so.
    QImage png(dir.filePath("test-heatmap.png"));
    QVERIFY(!png.isNull());
    QVERIFY(std::abs(png.width() - size.widthMm / 25.4 * 300) <= 1);
    QVERIFY(std::abs(png.height() - size.heightMm / 25.4 * 300) <= 1);
    QVERIFY(std::abs(png.dotsPerMeterX() - 11811) <= 1);
    QVERIFY(std::abs(png.dotsPerMeterY() - 11811) <= 1);
    // The colour map is drawn: the centre of the plot is neither background nor transparent.
    const QColor centre = png.pixelColor(png.width() / 2, png.height() / 2);
    QVERIFY(centre.alpha() == 255 && centre != QColor(Qt::white));

    // SVG: well-formed XML, renderable, sized in millimetres.
    const QString svgText = readText(dir.filePath("test-heatmap.svg"));
    QXmlStreamReader xml(svgText);
    QString svgWidth;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("svg"))
            svgWidth = xml.attributes().value("width").toString();
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY2(svgWidth.endsWith("mm"), qPrintable(svgWidth));
    QVERIFY(std::abs(svgWidth.chopped(2).toDouble() - size.widthMm) < 0.5);
    QSvgRenderer svg(dir.filePath("test-heatmap.svg"));
    QVERIFY(svg.isValid());
    QVERIFY(svgText.contains("query position"));

    // CSV: the numbers of the figure.
    const QList<QStringList> rows = parseCsv(readText(dir.filePath("test-heatmap.csv")));
    QCOMPARE(rows.size(), 1 + kMapSize * kMapSize + kMapSize);
    QCOMPARE(rows[0], (QStringList{"kind", "x", "y", "value"}));
    for (int r = 1; r < rows.size(); ++r) {
        const QStringList& row = rows[r];
        const int x = row[1].toInt();
        const double expectedValue =
            row[0] == "cell" ? cellValue(x, row[2].toInt()) : graphValue(x);
        QCOMPARE(row[3].toDouble(), expectedValue);
    }
    QCOMPARE(readJson(dir.filePath("test-heatmap.json")).value("cells").toInt(), 256);

    // Manifest: names every file, records the size, version and date.
    const QJsonObject m = readJson(dir.filePath("manifest.json"));
    QCOMPARE(m.value("app_version").toString(), QString(QKVLAB_VERSION));
    QVERIFY(QDateTime::fromString(m.value("created").toString(), Qt::ISODate).isValid());
    QVERIFY(m.value("created").toString().endsWith('Z'));
    QCOMPARE(m.value("notes").toString(), QString("test"));
    const QJsonArray figures = m.value("figures").toArray();
    QCOMPARE(figures.size(), 1);
    const QJsonObject entry = figures[0].toObject();
    QCOMPARE(entry.value("name").toString(), QString("test-heatmap"));
    QCOMPARE(entry.value("size").toObject().value("width_mm").toDouble(), size.widthMm);
    QStringList listed;
    for (const QJsonValue& v : entry.value("files").toArray()) listed << dir.filePath(v.toString());
    QCOMPARE(listed, expected.mid(0, 5));

    // PDF: parses, the page has the figure's size, the colour map is not JPEG, text is text.
    const QString pdf = dir.filePath("test-heatmap.pdf");
    const QString info = poppler("pdfinfo", {pdf});
    if (info.isNull()) QSKIP("poppler-utils not installed: PDF not inspected");
    QVERIFY2(!info.isEmpty(), "pdfinfo cannot read the PDF");
    const QRegularExpressionMatch page =
        QRegularExpression(R"(Page size:\s+([\d.]+) x ([\d.]+) pts)").match(info);
    QVERIFY2(page.hasMatch(), qPrintable(info));
    QVERIFY(std::abs(page.captured(1).toDouble() - size.widthMm / 25.4 * 72) < 1);
    QVERIFY(std::abs(page.captured(2).toDouble() - size.heightMm / 25.4 * 72) < 1);
    const QString images = poppler("pdfimages", {"-list", pdf});
    QVERIFY2(images.contains(" image ") || images.contains(" smask "), qPrintable(images));
    QVERIFY2(!images.contains("jpeg"), qPrintable(images));
    const QString fonts = poppler("pdffonts", {pdf});
    QVERIFY2(fonts.split('\n', Qt::SkipEmptyParts).size() > 2, qPrintable(fonts));  // a font
    const QString text = poppler("pdftotext", {pdf, "-"});
    QVERIFY2(text.contains("key position") && text.contains("query position"), qPrintable(text));
    // Labels keep their point size (the layout's dpi = the device's): the axis label of the
    // default ~9 pt font is at most ~16 pt tall, nowhere near the 3× of a dpi mismatch.
    const QString boxes = poppler("pdftotext", {"-bbox", pdf, "-"});
    const QRegularExpression keyBox(R"re(yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">key<)re");
    const QRegularExpressionMatch word = keyBox.match(boxes);
    QVERIFY2(word.hasMatch(), qPrintable(boxes.left(2000)));
    const double height = word.captured(2).toDouble() - word.captured(1).toDouble();
    QVERIFY2(height > 4 && height < 16, qPrintable(QString::number(height)));
}

void TestFigureExport::screenSizeUsesTheWidget() {
    HeatmapFigure figure;
    QCustomPlot& plot = *figure.figurePlot();
    const FigureSize screen = resolvedFigureSize(*findFigureSize("screen"), plot);
    const double dpi = plot.logicalDpiY();
    QCOMPARE(qRound(screen.widthMm / 25.4 * dpi), 480);
    QCOMPARE(qRound(screen.heightMm / 25.4 * dpi), 360);
    QString error;
    const QImage png = QImage::fromData(
        renderFigure(plot, FigureFormat::Png, *findFigureSize("screen"), &error), "png");
    QVERIFY2(!png.isNull(), qPrintable(error));
    QVERIFY(std::abs(png.width() - 480 * 300.0 / dpi) <= 1);
}

void TestFigureExport::restoresThePlotLayout() {
    HeatmapFigure figure;
    QCustomPlot& plot = *figure.figurePlot();
    const QRect viewport = plot.viewport();
    const QRect axisRect = plot.axisRect()->rect();
    const QCPRange xRange = plot.xAxis->range();
    for (FigureFormat format : kAllFormats) {
        QVERIFY(!renderFigure(plot, format, *findFigureSize("double-column")).isEmpty());
        QCOMPARE(plot.viewport(), viewport);
        QCOMPARE(plot.axisRect()->rect(), axisRect);  // hover maps to the same cells again
        QCOMPARE(plot.xAxis->range(), xRange);
    }
}

void TestFigureExport::manifestMergesFiguresAndRuns() {
    QTemporaryDir tmp;
    const QString run = tmp.filePath("run-a");
    QVERIFY(QDir().mkpath(run));
    QString error;
    QVERIFY(writeFileAtomic(QDir(run).filePath("config.json"),
                            R"({"name": "a", "task": {"seed": 7}, "train": {"seed": 11}})",
                            &error));
    Manifest manifest = manifestForRuns({run}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(manifest.runs.size(), 1);
    QVERIFY(!manifest.addRun(tmp.filePath("missing"), &error));
    QVERIFY(error.contains("config.json"));

    const QString folder = tmp.filePath("out");
    HeatmapFigure a("figure-a"), b("figure-b");
    const FigureSize size = *findFigureSize("single-column");
    QVERIFY(exportFigure(a, folder, {FigureFormat::Png}, size, manifest).ok());
    QVERIFY(exportFigure(b, folder, {FigureFormat::Svg}, size, Manifest()).ok());
    QVERIFY(exportFigure(a, folder, {FigureFormat::Pdf}, size, Manifest()).ok());
    const QJsonObject m = readJson(QDir(folder).filePath("manifest.json"));
    const QJsonArray figures = m.value("figures").toArray();
    QCOMPARE(figures.size(), 2);
    QCOMPARE(figures[0].toObject().value("name").toString(), QString("figure-a"));
    QCOMPARE(figures[0].toObject().value("files").toArray().first().toString(),
             QString("figure-a.pdf"));  // the latest export of a replaces its entry
    QCOMPARE(figures[1].toObject().value("name").toString(), QString("figure-b"));
    // The run recorded by the first export survives exports that name no run.
    const QJsonArray runs = m.value("runs").toArray();
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs[0].toObject().value("config").toObject().value("name").toString(),
             QString("a"));
    const QJsonObject seeds = m.value("seeds").toArray().first().toObject();
    QCOMPARE(seeds.value("task_seed").toInt(), 7);
    QCOMPARE(seeds.value("train_seed").toInt(), 11);
}

void TestFigureExport::overwritesAtomically() {
    QTemporaryDir tmp;
    const QDir dir(tmp.path());
    QString error;
    QVERIFY(writeFileAtomic(dir.filePath("test-heatmap.png"), "not a png", &error));
    QVERIFY(writeFileAtomic(dir.filePath("manifest.json"), "{ corrupt", &error));
    HeatmapFigure figure;
    const FigureSize size = *findFigureSize("single-column");
    QVERIFY(exportFigure(figure, tmp.path(), kAllFormats, size, Manifest()).ok());
    QVERIFY(exportFigure(figure, tmp.path(), kAllFormats, size, Manifest()).ok());
    QImage png(dir.filePath("test-heatmap.png"));
    QVERIFY(!png.isNull());
    QVERIFY(std::abs(png.width() - 89 / 25.4 * 300) <= 1);
    QCOMPARE(readJson(dir.filePath("manifest.json")).value("figures").toArray().size(), 1);
    // No temporary files left behind by QSaveFile.
    QCOMPARE(dir.entryList(QDir::Files).size(), 6);

    // A failure part-way (a folder where the CSV goes) reports an error and leaves complete
    // files: the images are the new ones, the old CSV folder is untouched.
    QVERIFY(QFile::remove(dir.filePath("test-heatmap.csv")));
    QVERIFY(dir.mkdir("test-heatmap.csv"));
    const ExportResult failed = exportFigure(figure, tmp.path(), kAllFormats, size, Manifest());
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error.contains("test-heatmap.csv"), qPrintable(failed.error));
    QVERIFY(!QImage(dir.filePath("test-heatmap.png")).isNull());
    QVERIFY(QSvgRenderer(dir.filePath("test-heatmap.svg")).isValid());
}

void TestFigureExport::unwritableFolderIsAnError() {
    QTemporaryDir tmp;
    QString error;
    QVERIFY(writeFileAtomic(tmp.filePath("a-file"), "x", &error));
    HeatmapFigure figure;
    const FigureSize size = *findFigureSize("single-column");
    // A folder below a regular file cannot be created, even by root.
    const ExportResult r =
        exportFigure(figure, tmp.filePath("a-file/figures"), kAllFormats, size, Manifest());
    QVERIFY(!r.ok());
    QVERIFY(r.files.isEmpty());
    QVERIFY2(r.error.contains("a-file"), qPrintable(r.error));
}

void TestFigureExport::readOnlyFolderIsAnError() {
    QTemporaryDir tmp;
    HeatmapFigure figure;
    const FigureSize size = *findFigureSize("single-column");
    const QString readOnly = tmp.filePath("read-only");
    QVERIFY(QDir().mkpath(readOnly));
    QFile::setPermissions(readOnly, QFile::ReadOwner | QFile::ExeOwner);
    const ExportResult r = exportFigure(figure, readOnly, kAllFormats, size, Manifest());
    QFile::setPermissions(readOnly, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if (r.ok()) QSKIP("running as root: permissions do not stop writes");
    QVERIFY(r.files.isEmpty());
    QVERIFY2(r.error.contains("cannot write"), qPrintable(r.error));
}

void TestFigureExport::exportAllWritesEveryFigure() {
    QTemporaryDir tmp;
    HeatmapFigure a("figure-a"), b("figure-b"), again("figure-a");
    const FigureSize size = *findFigureSize("double-column");
    const ExportResult r =
        exportAll({&a, &b}, tmp.path(), {FigureFormat::Png, FigureFormat::Pdf}, size, Manifest());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.files.size(), 2 * 4 + 1);
    const QJsonObject m = readJson(QDir(tmp.path()).filePath("manifest.json"));
    QCOMPARE(m.value("figures").toArray().size(), 2);
    for (const QString& f : r.files) QVERIFY(QFileInfo::exists(f));

    const ExportResult duplicate = exportAll({&a, &again}, tmp.filePath("dup"),
                                             {FigureFormat::Png}, size, Manifest());
    QVERIFY(!duplicate.ok());
    QVERIFY(!QFileInfo::exists(tmp.filePath("dup")));  // refused before writing anything
}

// An encoder run has no KV cache to show: Export All writes no empty "Press Generate" figure,
// and the manifest and the result say why.
void TestFigureExport::exportAllSkipsFiguresWithNothingToShow() {
    QTemporaryDir tmp;
    HeatmapFigure a("figure-a");
    qkvviews::KvCacheView cache;
    QVERIFY(!cache.nothingToShow().isEmpty());
    const ExportResult r = exportAll({&a, &cache}, tmp.path(), {FigureFormat::Png}, *findFigureSize("screen"),
                                     Manifest());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.files.size(), 3 + 1);  // figure-a: png, csv, json; the manifest
    QCOMPARE(r.skipped.size(), 1);
    QVERIFY(r.skipped[0].startsWith("kv-cache: nothing generated yet"));
    QVERIFY(QDir(tmp.path()).entryList({"kv-cache*"}).isEmpty());
    const QJsonArray figures = readJson(QDir(tmp.path()).filePath("manifest.json")).value("figures").toArray();
    QCOMPARE(figures.size(), 2);
    QCOMPARE(figures[1].toObject().value("name").toString(), QString("kv-cache"));
    QVERIFY(figures[1].toObject().value("skipped").toString().startsWith("nothing generated yet"));
    QVERIFY(!figures[1].toObject().contains("files"));
}

void TestFigureExport::trainingCurvesCsvEqualsSnapshot() {
    qkvviews::CurveSeries s;
    s.runId = "/runs/demo/qkv";
    s.label = "demo, QKV";  // a comma: the CSV must quote it
    s.color = Qt::blue;
    s.steps = {10, 20, 30};
    s.valLoss = {2.5, 1.75, 1.125};
    s.valAccuracy = {0.25, qkvviews::kMissing, 0.625};
    s.trainSteps = {5, 10, 15, 20, 25, 30};
    s.trainLoss = {3.0, 2.75, 2.25, 1.9, 1.6, 1.2};
    qkvviews::CurveSeries t = s;
    t.runId = "/runs/demo/kv";
    t.label = "demo / Q-K=V";
    t.valLoss = {2.6, 1.8, 1.3};

    qkvviews::TrainingCurvesView view;
    view.resize(700, 500);
    view.setSeries({s, t});
    QCOMPARE(view.figureName(), QString("training-curves"));
    QTemporaryDir tmp;
    const ExportResult r = exportFigure(view, tmp.path(), kAllFormats,
                                        *findFigureSize("single-column"), Manifest());
    QVERIFY2(r.ok(), qPrintable(r.error));
    if (qEnvironmentVariableIsSet("QKVLAB_EXPORT_DUMP"))
        exportFigure(view, qEnvironmentVariable("QKVLAB_EXPORT_DUMP") + "/curves", kAllFormats,
                     *findFigureSize("single-column"), Manifest());

    const QList<QStringList> rows = parseCsv(readText(tmp.filePath("training-curves.csv")));
    QCOMPARE(rows[0], (QStringList{"run", "label", "kind", "step", "value"}));
    // Rows are compared with the snapshot, NaNs (not drawn) left out.
    QList<QStringList> expected;
    for (const qkvviews::CurveSeries& c : {s, t}) {
        auto add = [&](const QString& kind, const QVector<double>& k, const QVector<double>& v) {
            for (int i = 0; i < k.size(); ++i)
                if (std::isfinite(v[i]))
                    expected << QStringList{c.runId, c.label, kind, QString::number(k[i]),
                                            QString::number(v[i], 'g', 17)};
        };
        add("train_loss", c.trainSteps, c.trainLoss);
        add("val_loss", c.steps, c.valLoss);
        add("val_accuracy", c.steps, c.valAccuracy);
    }
    QCOMPARE(rows.size() - 1, expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        const QStringList& row = rows[i + 1];
        QCOMPARE(row.mid(0, 3), expected[i].mid(0, 3));
        QCOMPARE(row[3].toDouble(), expected[i][3].toDouble());
        QCOMPARE(row[4].toDouble(), expected[i][4].toDouble());  // exact: shortest round-trip
    }
    const QJsonObject json = readJson(tmp.filePath("training-curves.json"));
    QCOMPARE(json.value("runs").toArray().size(), 2);
    QVERIFY(json.value("runs").toArray()[0].toObject().value("val_accuracy").toArray()[1].isNull());
    QVERIFY(QImage(tmp.filePath("training-curves.png")).width() > 1000);
}

QTEST_MAIN(TestFigureExport)
#include "tst_figure_export.moc"
