// The longest gap of the GUI event loop while the demo's four variants train (issue 4 target:
// never more than 50 ms). A 5 ms timer records its own lateness; the window is shown and
// replots live, as for a user.
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "experiment_controller.h"
#include "main_window.h"
#include "qcp.h"
#include "training_curves_view.h"
#include "runtime/blas_runtime.h"

int main(int argc, char** argv) {
    if (qkv::tuneOpenblasEnvironment()) execv("/proc/self/exe", argv);
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    Q_INIT_RESOURCE(qkvlab);
    QStandardPaths::setTestModeEnabled(true);
    qkv::setTorchThreads(1);  // as the app does
    const QString outDir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString("bench-out");
    QDir().mkpath(outDir);

    QTemporaryDir workspace;
    qkvapp::ExperimentController controller(workspace.path());
    qkvapp::MainWindow window(&controller);
    window.show();
    qkv::Experiment demo = qkv::loadExperiment(":/presets/demo.json");
    controller.planExperiment(demo);

    constexpr int kTickMs = 5;
    std::vector<double> gaps;  // ms between consecutive ticks
    QElapsedTimer clock;
    qint64 last = -1;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(kTickMs);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last >= 0) gaps.push_back((now - last) / 1e6);
        last = now;
    });
    // Where the GUI thread's time goes: QCustomPlot measures each replot itself.
    double longestReplot = 0, replotSum = 0;
    int replots = 0;
    QCustomPlot* plot = window.curvesView()->plot();
    QObject::connect(plot, &QCustomPlot::afterReplot, [&] {
        longestReplot = std::max(longestReplot, plot->replotTime(false));
        replotSum += plot->replotTime(false);
        ++replots;
    });
    QElapsedTimer wall;
    QObject::connect(&controller, &qkvapp::ExperimentController::trainingFinished, &app,
                     [&](bool) { QTimer::singleShot(200, &app, &QApplication::quit); });
    QTimer::singleShot(300, [&] {
        clock.start();
        wall.start();
        ticker.start();
        controller.train();
    });
    app.exec();
    const double seconds = wall.elapsed() / 1000.0;

    std::vector<double> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    auto pct = [&](double p) {
        return sorted.empty() ? 0.0 : sorted[std::min(sorted.size() - 1, size_t(p * sorted.size()))];
    };
    const double maxGap = sorted.empty() ? 0.0 : sorted.back();
    const bool pass = maxGap <= 50.0;
    std::printf("GUI event-loop latency while training the demo (4 variants, %zu ticks, %.1f s)\n",
                gaps.size(), seconds);
    std::printf("  tick interval      %d ms\n", kTickMs);
    std::printf("  median gap         %.2f ms\n", pct(0.5));
    std::printf("  p99 gap            %.2f ms\n", pct(0.99));
    std::printf("  longest gap        %.2f ms   (target <= 50 ms: %s)\n", maxGap, pass ? "PASS" : "MISS");
    std::printf("  replots            %d, mean %.2f ms, longest %.2f ms\n", replots,
                replots ? replotSum / replots : 0.0, longestReplot);
    std::printf("  BLAS               %s\n", qkv::describeBlas(qkv::detectBlas()).c_str());

    QJsonObject json{{"benchmark", "gui_latency"},
                     {"tick_ms", kTickMs},
                     {"ticks", int(gaps.size())},
                     {"training_seconds", seconds},
                     {"median_gap_ms", pct(0.5)},
                     {"p99_gap_ms", pct(0.99)},
                     {"max_gap_ms", maxGap},
                     {"target_max_gap_ms", 50},
                     {"pass", pass},
                     {"replots", replots},
                     {"mean_replot_ms", replots ? replotSum / replots : 0.0},
                     {"max_replot_ms", longestReplot},
                     {"blas", QString::fromStdString(qkv::describeBlas(qkv::detectBlas()))}};
    QFile f(QDir(outDir).filePath("bench_gui_latency.json"));
    if (f.open(QIODevice::WriteOnly)) f.write(QJsonDocument(json).toJson());
    return 0;
}
