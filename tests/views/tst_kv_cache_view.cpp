// The KV-cache view fed known snapshots: one held and one formula graph per run, bars equal to
// the reductions, the ✓/✗ status, the texts, CSV/JSON equal to the snapshot; the what-if panel
// against the paper's 300M written out by hand.
#include <QtTest>

#include <QJsonArray>
#include <QJsonObject>
#include <QTableWidget>
#include <QTextEdit>

#include "attention/variant.h"

#include "color_maps.h"
#include "kv_cache_view.h"
#include "kv_cache_what_if.h"
#include "qcp.h"

using namespace qkvviews;

namespace {

// A run whose cache holds `perToken` bytes per cached position, after a 3-token prompt.
KvCacheRun run(const QString& label, double perToken, double reduction, int tokens) {
    KvCacheRun r;
    r.runId = "/runs/" + label;
    r.label = label;
    r.color = seriesColor(label.size());
    r.prompt = "the ";
    r.text = QString(tokens, QChar('a'));
    for (int n = 1; n <= tokens; ++n) {
        r.tokenIndex << n;
        r.bytesHeld << perToken * (3 + n - 1);
        r.formulaBytes << perToken * (3 + n - 1);
        r.msPerToken << 0.125 * n + 1.0 / 3.0;  // not exactly representable in short decimals
    }
    r.reductionVsQkv = reduction;
    r.finished = true;
    return r;
}

QVector<QCPBars*> bars(QCustomPlot* plot) {
    QVector<QCPBars*> out;
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto* b = qobject_cast<QCPBars*>(plot->plottable(i))) out << b;
    return out;
}

const KvCacheWhatIfRow& row(const KvCacheWhatIfPanel* p, const QString& id) {
    for (const KvCacheWhatIfRow& r : p->rows())
        if (r.variantId == id) return r;
    qFatal("no what-if row %s", qPrintable(id));
}

int tableRow(const KvCacheWhatIfPanel* p, const QString& id) {
    for (int i = 0; i < p->rows().size(); ++i)
        if (p->rows()[i].variantId == id) return i;
    return -1;
}

}  // namespace

class TestKvCacheView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Before anything is generated the token axis counts whole tokens; a larger font
    // (presentation mode) gives the what-if table taller rows, so no text is clipped.
    void emptyAxisAndPresentationRows() {
        KvCacheView view;
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.figurePlot()->replot();
        QCPAxis* tokens = view.figurePlot()->axisRect(0)->axis(QCPAxis::atBottom);
        QVERIFY(!tokens->tickVector().isEmpty());
        for (double t : tokens->tickVector()) QCOMPARE(t, std::round(t));
        QTableWidget* table = view.whatIf()->table();
        QVERIFY(table->rowCount() > 0);
        const int before = table->rowHeight(0);
        QFont big = view.font();
        big.setPointSizeF(view.font().pointSizeF() * 1.6);
        view.setFont(big);
        QTRY_VERIFY2(table->rowHeight(0) >= QFontMetrics(big).height(),
                     qPrintable(QString("%1 → %2").arg(before).arg(table->rowHeight(0))));
        QVERIFY(table->rowHeight(0) > before);
    }

    void drawsHeldAndFormulaPerRunAndReductionBars() {
        KvCacheView view;
        QCOMPARE(view.figureName(), QString("kv-cache"));
        QCOMPARE(view.figurePlot()->graphCount(), 0);
        view.setRuns({run("qkv", 128, 0.0, 10), run("shared-kv", 64, 0.5, 10)});
        QCustomPlot* plot = view.figurePlot();
        QCOMPARE(plot->graphCount(), 4);
        for (int i = 0; i < 4; ++i) QCOMPARE(plot->graph(i)->data()->size(), 10);
        QCOMPARE(plot->graph(2)->data()->at(9)->value, 64.0 * 12);
        QCOMPARE(plot->graph(3)->data()->at(9)->value, 64.0 * 12);
        QCOMPARE(plot->graph(0)->pen().style(), Qt::SolidLine);
        QCOMPARE(plot->graph(1)->pen().style(), Qt::DashLine);
        QVERIFY(plot->graph(1)->scatterStyle().shape() != QCPScatterStyle::ssNone);
        const QVector<QCPBars*> b = bars(plot);
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[0]->data()->at(0)->value, 0.0);
        QCOMPARE(b[1]->data()->at(0)->value, -50.0);  // the cache is 50 % smaller than QKV's
        QCOMPARE(b[1]->brush().color(), view.runs()[1].color);
        QCOMPARE(plot->legend->itemCount(), 2);  // one entry per run, with its status
        QVERIFY(plot->graph(0)->name().contains("measured = formula ✓"));
        QVERIFY(plot->graph(2)->name().contains("measured = formula ✓"));
    }

    void mismatchShowsCross() {
        KvCacheView view;
        KvCacheRun bad = run("broken", 128, 0.0, 5);
        bad.bytesHeld[3] += 4;
        view.setRuns({run("qkv", 128, 0.0, 5), bad});
        QVERIFY(view.figurePlot()->graph(0)->name().endsWith(QStringLiteral("✓")));
        QVERIFY(view.figurePlot()->graph(2)->name().endsWith(QStringLiteral("✗")));
        const QJsonArray runs = view.figureJson()["runs"].toArray();
        QCOMPARE(runs[1]["measuredEqualsFormula"].toBool(), false);
        QCOMPARE(runs[0]["measuredEqualsFormula"].toBool(), true);
    }

    void skippedRunIsTextOnly() {
        KvCacheView view;
        KvCacheRun encoder;
        encoder.label = "copy-encoder";
        encoder.finished = true;
        encoder.note = "skipped: an encoder run";
        view.setRuns({run("qkv", 128, 0.0, 4), encoder});
        QCOMPARE(view.figurePlot()->graphCount(), 2);
        QCOMPARE(bars(view.figurePlot()).size(), 1);  // no reduction, no bar
        const QString text = view.textArea()->toPlainText();
        QVERIFY2(text.contains("copy-encoder") && text.contains("skipped: an encoder run"),
                 qPrintable(text));
        QVERIFY(text.contains("the aaaa"));  // prompt, then the generated text
    }

    void csvAndJsonEqualTheSnapshot() {
        KvCacheView view;
        const QVector<KvCacheRun> runs = {run("qkv", 128, 0.0, 6), run("shared,kv", 64, 0.5, 4)};
        view.setRuns(runs);
        const QStringList lines = view.figureCsv().trimmed().split('\n');
        QCOMPARE(lines.first(), QString("run,token,bytes_held,formula_bytes,ms"));
        QCOMPARE(lines.size(), 1 + 6 + 4);
        int line = 1;
        for (const KvCacheRun& r : runs)
            for (int j = 0; j < r.tokenIndex.size(); ++j, ++line) {
                QString l = lines[line];
                const QString quoted = '"' + r.label + '"';
                QVERIFY(l.startsWith(r.label.contains(',') ? quoted : r.label));
                l.remove(0, r.label.contains(',') ? quoted.size() : r.label.size());
                const QStringList f = l.mid(1).split(',');
                QCOMPARE(f.size(), 4);
                QCOMPARE(f[0].toDouble(), r.tokenIndex[j]);
                QCOMPARE(f[1].toDouble(), r.bytesHeld[j]);
                QCOMPARE(f[2].toDouble(), r.formulaBytes[j]);
                QCOMPARE(f[3].toDouble(), r.msPerToken[j]);  // exact: shortest round-trip form
            }
        const QJsonObject json = view.figureJson();
        QCOMPARE(json["figure"].toString(), QString("kv-cache"));
        const QJsonArray jr = json["runs"].toArray();
        QCOMPARE(jr.size(), 2);
        QCOMPARE(jr[1]["reductionVsQkv"].toDouble(), 0.5);
        QCOMPARE(jr[1]["bytesHeld"].toArray().size(), 4);
        QCOMPARE(jr[1]["bytesHeld"].toArray()[3].toDouble(), 64.0 * 6);
        QCOMPARE(jr[0]["ms"].toArray()[2].toDouble(), runs[0].msPerToken[2]);
        QCOMPARE(json["whatIf"]["variants"].toArray().size(), int(qkv::allVariants().size()));
    }

    void whatIfPaper300MAt32k() {
        KvCacheView view;
        KvCacheWhatIfPanel* w = view.whatIf();
        w->applyPreset(KvCacheWhatIfPanel::Paper1_2B);
        QCOMPARE(w->config().layers, 22);
        w->applyPreset(KvCacheWhatIfPanel::Paper300M);
        KvCacheWhatIfConfig c = w->config();
        QCOMPARE(c.layers, 20);
        QCOMPARE(c.dModel, 1024);
        QCOMPARE(c.heads, 16);
        QCOMPARE(c.kvHeads, 16);
        c.context = 32768;
        c.batch = 1;
        c.bytesPerElement = 4;
        w->setConfig(c);
        const int64_t qkvBytes = int64_t(20) * 2 * 16 * 64 * 32768 * 4;  // 5 GiB
        QCOMPARE(row(w, "qkv").bytes, qkvBytes);
        QCOMPARE(row(w, "shared-kv").bytes * 2, qkvBytes);
        QCOMPARE(row(w, "shared-kv").reduction, 0.5);
        QCOMPARE(row(w, "shared-qk").bytes, qkvBytes);
        QCOMPARE(row(w, "single").bytes * 2, qkvBytes);
        // The table shows the same numbers: exact bytes behind the text, reductions as text.
        const int sharedKv = tableRow(w, "shared-kv");
        QCOMPARE(w->table()->rowCount(), int(qkv::allVariants().size()));
        const QTableWidgetItem* qkvCache =
            w->table()->item(tableRow(w, "qkv"), KvCacheWhatIfPanel::ColCache);
        QCOMPARE(qkvCache->data(Qt::UserRole).toLongLong(), qkvBytes);
        QCOMPARE(qkvCache->text(), QString("5.00 GiB"));
        QCOMPARE(w->table()->item(sharedKv, KvCacheWhatIfPanel::ColReduction)->text(),
                 QString::fromUtf8("−50 %"));

        c.kvHeads = 4;  // the paper's Q-GQA-4
        w->setConfig(c);
        QCOMPARE(row(w, "shared-kv").reduction, 0.875);
        QCOMPARE(row(w, "shared-kv").bytes * 8, qkvBytes);
        QCOMPARE(w->table()->item(sharedKv, KvCacheWhatIfPanel::ColReduction)->text(),
                 QString::fromUtf8("−87.5 %"));
        QVERIFY(!row(w, "shared-qk").valid);
        QVERIFY2(row(w, "shared-qk").reason.contains("kv-heads"),
                 qPrintable(row(w, "shared-qk").reason));
        QCOMPARE(w->table()->item(tableRow(w, "single"), KvCacheWhatIfPanel::ColCache)->text(),
                 row(w, "single").reason);
        QCOMPARE(w->table()->columnSpan(tableRow(w, "single"), KvCacheWhatIfPanel::ColCache), 2);

        c.kvHeads = 1;  // Q-MQA
        w->setConfig(c);
        QCOMPARE(row(w, "shared-kv").reduction, 0.96875);
        QCOMPARE(w->table()->item(sharedKv, KvCacheWhatIfPanel::ColReduction)->text(),
                 QString::fromUtf8("−96.875 %"));

        c.kvHeads = 16;
        c.bytesPerElement = 2;  // bf16 halves every size, reductions unchanged
        c.batch = 3;
        w->setConfig(c);
        QCOMPARE(row(w, "qkv").bytes, qkvBytes / 2 * 3);
        QCOMPARE(row(w, "shared-kv").reduction, 0.5);
    }

    void whatIfImpossibleShapesGiveReasons() {
        KvCacheWhatIfPanel w;
        KvCacheWhatIfConfig c = w.config();
        c.kvHeads = 3;  // does not divide 16
        w.setConfig(c);
        for (const KvCacheWhatIfRow& r : w.rows()) {
            QVERIFY(!r.valid);
            QVERIFY2(r.reason.contains("must divide"), qPrintable(r.reason));
        }
        c.kvHeads = 16;
        w.setConfig(c);
        for (const KvCacheWhatIfRow& r : w.rows()) QVERIFY2(r.valid, qPrintable(r.variantId));
    }

    void emptyRunsClearThePlot() {
        KvCacheView view;
        view.setRuns({run("qkv", 128, 0.0, 3)});
        view.setRuns({});
        QCOMPARE(view.figurePlot()->graphCount(), 0);
        QCOMPARE(bars(view.figurePlot()).size(), 0);
        QCOMPARE(view.figureCsv(), QString("run,token,bytes_held,formula_bytes,ms\n"));
    }
};

QTEST_MAIN(TestKvCacheView)
#include "tst_kv_cache_view.moc"
