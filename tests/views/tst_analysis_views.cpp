// The analysis views fed analyses of small fresh models, checked against closed forms: Q = K
// gives an all-zero S − Sᵀ map, V = K a K/V overlap of 1, a causal map grey above the diagonal.
#include <QtTest>

#include <QJsonArray>

#include <QComboBox>
#include <QImage>

#include <cmath>
#include <memory>

#include "analysis/map_region.h"
#include "analysis_pickers.h"
#include "attention_grid_view.h"
#include "model/model.h"
#include "projection_diagram_view.h"
#include "qcp.h"
#include "seed_summary_view.h"
#include "spectra_view.h"
#include "subspace_view.h"
#include "symmetry_view.h"
#include "variant_explainer_view.h"

using namespace qkvviews;

namespace {
VariantAnalysis analyse(qkv::Variant variant, qkv::Architecture arch, const QString& label) {
    qkv::ModelConfig c;
    c.arch = arch;
    c.variant = variant;
    c.dModel = 16;
    c.layers = 2;
    c.heads = 2;
    c.vocab = 10;
    c.context = 8;
    qkv::TaskConfig task;
    task.kind = qkv::TaskKind::Copy;
    task.seqLen = 8;
    const qkv::Model model(c, 7);
    const qkv::PreparedInput input =
        qkv::prepareInput(c, task, qkv::AnalysisInput::fromTokens({1, 2, 3, 4, 5, 6, 7, 8}));
    VariantAnalysis v;
    v.label = label;
    v.color = Qt::blue;
    v.capture = qkv::captureAttention(model, input);
    v.analysis = qkv::analyzeCapture(model, v.capture);
    return v;
}

AnalysisSet set(qkv::Architecture arch = qkv::Architecture::Encoder) {
    AnalysisSet s;
    s.variants << analyse(qkv::Variant::Qkv, arch, "QKV")
               << analyse(qkv::Variant::SharedKv, arch, "Q-K=V")
               << analyse(qkv::Variant::SharedQk, arch, "Q=K-V");
    s.inputDescription = "tokens";
    return s;
}

int csvRows(const QString& csv) {
    return csv.trimmed().split('\n').size() - 1;
}
}  // namespace

class TestAnalysisViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void attentionGridShowsLayersTimesHeads();
    void attentionAcrossVariantsAndMask();
    void attentionRowBars();
    void realHeadCountsArePaged();
    void pooledMapsZoomToExactValues();
    void symmetricVariantHasZeroSkewPart();
    void subspacesShowFixedOverlap();
    void spectraDrawEveryPresentVariant();
    void spectraBarsAverageSeeds();
    void pickersDriveTheExplainer();
    void followThemeSwitches_data();
    void followThemeSwitches();
};

void TestAnalysisViews::attentionGridShowsLayersTimesHeads() {
    AttentionGridView view;
    view.setAnalysis(set());
    QCOMPARE(view.panelCount(), 4);  // 2 layers × 2 heads of the first variant
    const Eigen::MatrixXd m = view.panelMatrix(0);
    QCOMPARE(int(m.rows()), 8);
    for (int r = 0; r < m.rows(); ++r)
        QVERIFY(std::abs(m.row(r).sum() - 1.0) < 1e-5);  // rows of A sum to 1
    QCOMPARE(csvRows(view.figureCsv()), 4 * 64);
    view.setMapKind(AttentionGridView::MapKind::Logits);
    QVERIFY(std::abs(view.panelMatrix(0).row(0).sum() - 1.0) > 1e-6);  // logits are not normalised
}

void TestAnalysisViews::attentionAcrossVariantsAndMask() {
    AttentionGridView view;
    view.setAnalysis(set(qkv::Architecture::Decoder));
    AnalysisSelection s;
    s.acrossVariants = true;
    s.layer = 1;
    s.head = 1;
    view.setSelection(s);
    QCOMPARE(view.panelCount(), 3);
    const Eigen::MatrixXd m = view.panelMatrix(2);
    QVERIFY(std::isnan(m(0, 1)));  // the future is masked: drawn grey
    QVERIFY(std::isfinite(m(1, 0)));
    QCOMPARE(m(0, 0), 1.0);  // the first query sees only itself
}

// 3 layers × 12 heads (36 maps) is past kMaxGridPanels: the selected layer, 8 heads a page; the
// page follows the selected head, and pooled maps are labelled by block.
void TestAnalysisViews::realHeadCountsArePaged() {
    qkv::ModelConfig c;
    c.arch = qkv::Architecture::Decoder;
    c.dModel = 48;
    c.layers = 3;
    c.heads = 12;
    c.vocab = 10;
    c.context = 12;
    const qkv::Model model(c, 5);
    qkv::TaskConfig task;
    const auto input = qkv::prepareInput(c, task, qkv::AnalysisInput::fromTokens({1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3}));
    VariantAnalysis v;
    v.label = "QKV";
    qkv::AnalysisOptions options;
    options.mapBudgetBytes = 1;
    options.pooledMapSide = 6;
    v.analysis = qkv::analyzeModel(model, input, options, {}, nullptr, &v.capture);
    AnalysisSet s;
    s.variants << v;
    AttentionGridView view;
    view.resize(900, 600);
    view.setAnalysis(s);
    QCOMPARE(view.panelCount(), AttentionGridView::kHeadsPerPage);
    AnalysisSelection sel;
    sel.layer = 2;
    sel.head = 10;
    view.setSelection(sel);
    QCOMPARE(view.page(), 1);
    QCOMPARE(view.panelCount(), 4);  // heads 8–11
    QCOMPARE(int(view.panelMatrix(0).rows()), 6);  // 12 tokens in blocks of 2
    QCOMPARE(mapLabels(v, 2).front(), QString("pos 0: 1…"));
    view.showPage(0);
    QCOMPARE(view.panelCount(), 8);
}

// A long input's maps are drawn as block means; zoomed in, the view asks for the exact region on
// show (with a margin), draws what it is given over the blocks and names every token on show.
void TestAnalysisViews::pooledMapsZoomToExactValues() {
    qkv::ModelConfig c;
    c.arch = qkv::Architecture::Decoder;
    c.dModel = 16;
    c.layers = 2;
    c.heads = 2;
    c.vocab = 10;
    c.context = 40;
    const qkv::Model model(c, 3);
    std::vector<int64_t> ids;
    for (int i = 0; i < 40; ++i) ids.push_back((i * 3 + 1) % 10);
    qkv::TaskConfig task;
    const auto input = qkv::prepareInput(c, task, qkv::AnalysisInput::fromTokens(ids));
    VariantAnalysis v;
    v.runId = "run";
    v.label = "QKV";
    qkv::AnalysisOptions options;
    options.mapBudgetBytes = 1;
    options.pooledMapSide = 10;  // blocks of 4 tokens
    v.analysis = qkv::analyzeModel(model, input, options, {}, nullptr, &v.capture);
    AnalysisSet s;
    s.variants << v;
    AttentionGridView view;
    view.resize(900, 800);
    view.setAnalysis(s);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(int(view.panelMatrix(0).rows()), 10);
    QSignalSpy wanted(&view, &AttentionGridView::exactMapWanted);
    view.zoomPanel(0, 8, 16);
    QVERIFY(wanted.wait(3000));
    const auto region = wanted.last().at(2).value<qkv::MapRegion>();
    QCOMPARE(wanted.last().at(0).toString(), QString("run"));
    QCOMPARE(region.layer, 0);
    QCOMPARE(region.head, 0);
    QVERIFY(!region.logits);
    QVERIFY(region.row0 <= 8 && region.row1 >= 16 && region.col0 <= 8 && region.col1 >= 16);
    QVERIFY(region.rows() <= AttentionGridView::kExactSide);
    const Eigen::MatrixXf exact = qkv::captureMapRegion(model, input, region);
    view.setExactMap("run", region, exact);
    QCOMPARE(view.exactMap(0).region.row0, region.row0);
    QCOMPARE((view.exactMap(0).values - exact).cwiseAbs().maxCoeff(), 0.0f);
    QCOMPARE(view.exactMap(1).region.rows(), 0);  // another head: its panel keeps the blocks
    view.setExactMap("other run", region, exact);  // not on show: ignored
    QCOMPARE(view.figurePlot()->plottableCount(), 4 + 1);
    // Every token of the zoomed rows is named on the first panel's axis.
    view.figurePlot()->replot();
    QStringList tokens;
    for (int t = 8; t < 16; ++t) tokens << QString::fromStdString(input.labels[size_t(t)]);
    QCPAxis* rows = view.figurePlot()->plottable(4)->valueAxis();  // the exact overlay's panel
    QCOMPARE(QStringList(rows->tickVectorLabels().toList()), tokens);
    // A double-click on the panel shows the whole map again.
    const QPoint centre = rows->axisRect()->rect().center();
    QTest::mouseDClick(view.figurePlot(), Qt::LeftButton, Qt::NoModifier, centre);
    QTRY_COMPARE(rows->range().size(), 10.0);
}

// Three seeds of QKV (models of three seeds) and Q-K=V: the rank bars are one bar per variant,
// QKV's at the mean of its seeds' values with their sample std as the whisker.
void TestAnalysisViews::spectraBarsAverageSeeds() {
    AnalysisSet s;
    for (int seed = 0; seed < 3; ++seed) {
        VariantAnalysis v = analyse(qkv::Variant::Qkv, qkv::Architecture::Encoder, "QKV");
        // Another seed: another model (analyse() uses seed 7 for all).
        qkv::ModelConfig c = v.capture.config;
        const qkv::Model model(c, 11 + seed);
        v.capture = qkv::captureAttention(model, v.capture.input);
        v.analysis = qkv::analyzeCapture(model, v.capture);
        v.label = QString("QKV · seed %1").arg(seed + 1);
        v.group = "QKV";
        s.variants << v;
    }
    s.variants << analyse(qkv::Variant::SharedKv, qkv::Architecture::Encoder, "Q-K=V");
    SpectraView view;
    view.setAnalysis(s);
    QVector<QCPBars*> bars;
    int whiskers = 0;
    for (int i = 0; i < view.figurePlot()->plottableCount(); ++i) {
        if (auto* b = qobject_cast<QCPBars*>(view.figurePlot()->plottable(i))) bars << b;
        whiskers += qobject_cast<QCPErrorBars*>(view.figurePlot()->plottable(i)) != nullptr;
    }
    QCOMPARE(bars.size(), 2);
    QCOMPARE(whiskers, 1);
    // Layer 1 of QKV: the three seeds' values from the CSV, their mean drawn.
    QVector<double> seeds;
    for (const QString& line : view.figureCsv().split('\n')) {
        const QStringList c = line.split(',');
        if (c.size() == 6 && c[1].startsWith("QKV · seed") && c[2] == "1" && !c[0].endsWith("mean") &&
            !c[0].endsWith("std"))
            seeds << c[5].toDouble();
    }
    QCOMPARE(seeds.size(), 3);
    const double mean = (seeds[0] + seeds[1] + seeds[2]) / 3;
    QVERIFY(std::abs(bars[0]->data()->at(1)->value - mean) < 1e-9);
    QVERIFY(seeds[0] != seeds[1]);
}

void TestAnalysisViews::attentionRowBars() {
    AttentionGridView view;
    view.setAnalysis(set());
    view.showRow(0, 3);
    QCOMPARE(view.rowPlot()->plottableCount(), 1);
    auto* bars = qobject_cast<QCPBars*>(view.rowPlot()->plottable(0));
    QVERIFY(bars);
    QCOMPARE(bars->data()->size(), 8);
    QVERIFY(std::abs(bars->data()->at(5)->value - view.panelMatrix(0)(3, 5)) < 1e-12);
    // Another variant selected: the row shown is the new map's, never the old run's.
    const double before = bars->data()->at(5)->value;
    AnalysisSelection other;
    other.variant = 2;  // Q=K-V: other attention (variant 1 shares QKV's W_Q and W_K)
    view.setSelection(other);
    QCOMPARE(view.rowPlot()->plottableCount(), 1);
    bars = qobject_cast<QCPBars*>(view.rowPlot()->plottable(0));
    QVERIFY(std::abs(bars->data()->at(5)->value - view.panelMatrix(0)(3, 5)) < 1e-12);
    QVERIFY(std::abs(bars->data()->at(5)->value - before) > 1e-9);
    QVERIFY(view.rowPlot()->xAxis->label().contains(set().variants[2].label));
    // No analysis any more: no row.
    view.setAnalysis(AnalysisSet{});
    QVERIFY(view.rowPlot()->isHidden());
}

void TestAnalysisViews::symmetricVariantHasZeroSkewPart() {
    SymmetryView view;
    view.setAnalysis(set());
    QCOMPARE(view.skewPart(2).cwiseAbs().maxCoeff(), 0.0);   // Q = K: exactly symmetric logits
    QVERIFY(view.skewPart(0).cwiseAbs().maxCoeff() > 1e-6);  // QKV: not
    // The layer × head table of the asymmetry index: 0 for Q=K-V, > 0 for QKV.
    const Eigen::MatrixXd qk = symmetryTable(set().variants[2].analysis, SymmetrySource::Logits,
                                             SymmetryMeasureKind::AsymmetryIndex);
    QCOMPARE(qk.cwiseAbs().maxCoeff(), 0.0);
    QVERIFY(csvRows(view.figureCsv()) == 3 * 64 + 3 * 4);
}

void TestAnalysisViews::subspacesShowFixedOverlap() {
    SubspaceView view;
    const AnalysisSet s = set();
    view.setAnalysis(s);
    const Eigen::MatrixXd kv = overlapTable(s.variants[1].analysis, OverlapPair::KvWeights);
    QCOMPARE(kv.minCoeff(), 1.0);  // V = K: the same space
    const Eigen::MatrixXd qkv = overlapTable(s.variants[0].analysis, OverlapPair::KvWeights);
    QVERIFY(qkv.maxCoeff() < 1.0);
    const auto angles = principalAnglesDeg(s.variants[1].analysis, 0, 0, OverlapPair::KvWeights);
    QVERIFY(!angles.empty());
    for (double a : angles) QCOMPARE(a, 0.0);
    QVERIFY(csvRows(view.figureCsv()) > 0);
    view.setPair(OverlapPair::QkWeights);  // Q=K-V has no W_Q: its Q/K map is grey (NaN)
    QVERIFY(std::isnan(overlapTable(s.variants[2].analysis, OverlapPair::QkWeights)(0, 0)) ||
            overlapTable(s.variants[2].analysis, OverlapPair::QkWeights)(0, 0) == 1.0);
}

void TestAnalysisViews::spectraDrawEveryPresentVariant() {
    SpectraView view;
    const AnalysisSet s = set();
    view.setAnalysis(s);
    view.setKind(SpectrumKind::WV);
    int graphs = 0;
    for (int i = 0; i < view.figurePlot()->plottableCount(); ++i)
        graphs += qobject_cast<QCPGraph*>(view.figurePlot()->plottable(i)) != nullptr;
    QCOMPARE(graphs, 3);
    // Q-K=V: W_V is W_K, and the result says the variant fixes it.
    const qkv::SpectrumResult* v = spectrumOf(s.variants[1].analysis, SpectrumKind::WV, 0, 0);
    const qkv::SpectrumResult* k = spectrumOf(s.variants[1].analysis, SpectrumKind::WK, 0, 0);
    QVERIFY(v && k);
    QVERIFY(!v->fixedByVariant.empty());
    QCOMPARE(v->value.singularValues, k->value.singularValues);
    // The CSV holds the values drawn: the first singular value of QKV's W_V at layer 0.
    const qkv::SpectrumResult* q = spectrumOf(s.variants[0].analysis, SpectrumKind::WV, 0, 0);
    QVERIFY(view.figureCsv().contains(
        QString("singular_values,QKV,0,0,0,%1").arg(number(q->value.singularValues[0]))));
}

void TestAnalysisViews::pickersDriveTheExplainer() {
    AnalysisPickers pickers;
    VariantExplainerView explainer;
    QObject::connect(&pickers, &AnalysisPickers::selectionChanged, &explainer,
                     &VariantExplainerView::setSelection);
    const AnalysisSet s = set();
    explainer.setAnalysis(s);
    pickers.setAnalysis(s);
    AnalysisSelection sel = pickers.selection();
    sel.variant = 2;
    pickers.setSelection(sel);
    QVERIFY(explainer.projectionLayout().queryIsKey);  // Q=K-V's diagram
    // Its logits, shown beside the attention, are symmetric: what the class should see.
    QJsonArray maps = explainer.figureJson()["maps"].toArray();
    QCOMPARE(maps.size(), 2);
    QCOMPARE(maps[1].toObject()["map"].toString(), QString("logits"));
    const QJsonArray s2 = maps[1].toObject()["values"].toArray();
    for (int i = 0; i < s2.size(); ++i)
        for (int j = 0; j < s2.size(); ++j)
            QCOMPARE(s2[i].toArray()[j].toDouble(), s2[j].toArray()[i].toDouble());
    sel.variant = 0;
    pickers.setSelection(sel);
    QVERIFY(!explainer.projectionLayout().queryIsKey);
    QCOMPARE(explainer.plot()->plottableCount(), 2);  // attention and logits
    maps = explainer.figureJson()["maps"].toArray();
    const QJsonArray s0 = maps[1].toObject()["values"].toArray();
    QVERIFY(s0[0].toArray()[1].toDouble() != s0[1].toArray()[0].toDouble());  // QKV: directed
    QVERIFY(explainer.figureCsv().startsWith("variant,layer,head,map,query,key,value\n"));
    explainer.setShowLogits(false);
    QCOMPARE(explainer.plot()->plottableCount(), 1);
    QVERIFY(explainer.nothingToShow().isEmpty());
}

void TestAnalysisViews::followThemeSwitches_data() {
    QTest::addColumn<QString>("view");
    for (const char* v : {"attention", "symmetry", "subspaces", "spectra", "explainer"})
        QTest::newRow(v) << QString(v);
}

// A switch to the dark theme after the views have drawn must recolour backgrounds, axes and the
// panel headings; black headings on a dark background were unreadable.
void TestAnalysisViews::followThemeSwitches() {
    QFETCH(QString, view);
    std::unique_ptr<QWidget> widget;
    const AnalysisSet s = set();
    auto fill = [&](auto* v) {
        v->setAnalysis(s);
        widget.reset(v);
        return v;
    };
    QCustomPlot* plot = view == "attention"   ? fill(new AttentionGridView)->figurePlot()
                        : view == "symmetry"  ? fill(new SymmetryView)->figurePlot()
                        : view == "subspaces" ? fill(new SubspaceView)->figurePlot()
                        : view == "spectra"   ? fill(new SpectraView)->figurePlot()
                                              : fill(new VariantExplainerView)->plot();
    QPalette dark = widget->palette();
    const QColor base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    dark.setColor(QPalette::Base, base);
    dark.setColor(QPalette::Text, text);
    widget->setPalette(dark);
    QVERIFY(!plot->axisRects().isEmpty());
    for (QCPAxisRect* rect : plot->axisRects()) {
        QCOMPARE(rect->backgroundBrush().color(), base);
        QCOMPARE(rect->axis(QCPAxis::atBottom)->tickLabelColor(), text);
    }
    int headings = 0;
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
        if (auto* heading = qobject_cast<QCPTextElement*>(e)) {
            QCOMPARE(heading->textColor(), text);
            ++headings;
        }
    if (view != "spectra") QVERIFY(headings > 0);  // the heat-map panels have titles
    int legends = 0;
    QList<QCPLayoutElement*> places = plot->plotLayout()->elements(false);  // a row of their own
    for (QCPAxisRect* rect : plot->axisRects()) places << rect->insetLayout()->elements(false);
    for (QCPLayoutElement* e : places)
            if (auto* legend = qobject_cast<QCPLegend*>(e)) {
                QCOMPARE(legend->textColor(), text);
                // Entries drawn after their box on its layer: under it they came out faded.
                const QList<QCPLayerable*> drawn = legend->layer()->children();
                for (int i = 0; i < legend->itemCount(); ++i)
                    if (legend->item(i)) QVERIFY(drawn.indexOf(legend->item(i)) > drawn.indexOf(legend));
                ++legends;
            }
    if (view == "spectra" || view == "subspaces") QVERIFY(legends > 0);
}

QTEST_MAIN(TestAnalysisViews)
#include "tst_analysis_views.moc"
