// Training step time per attention variant: core's TrainStep against the same model written in
// PyTorch (tests/bench/pytorch_reference.py on Debian's python3-torch, so the same libtorch, the
// same BLAS, the same kernels and the same thread counts). Issue 2, "Benchmark".
//
//   bench_train OUT_DIR [--torch-threads N] [--seconds S] [--rounds N] [--wait-idle S]
//               [--malloc tuned|default] [--shapes demo,large] [--variants qkv,...]
//               [--no-python] [--no-check] [--json NAME] [--thread-sweep [--sweep-repeats N]]
//
// Prints one table and writes OUT_DIR/bench_train.json. --thread-sweep instead re-runs itself
// for torch intra-op threads × OPENBLAS_NUM_THREADS ∈ {1, 2}² and writes thread_sweep.json.
//
// Model FLOPs per step = 3 × summarize(cfg).flopsPerToken × B × T: the backward pass costs about
// twice the forward (one product for the input gradient, one for the weight gradient per forward
// product). flopsPerToken counts the attention products at the full context, also for the
// causal model, which is what a dense implementation computes. MFU = achieved model FLOP/s /
// the sgemm (n = 1024) throughput measured in the same process, with the same threads.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "data/dataset.h"
#include "data/task_config.h"
#include "model/model.h"
#include "model/model_summary.h"
#include "runtime/blas_runtime.h"
#include "train/train_config.h"
#include "train/train_step.h"

extern char** environ;

#ifndef QKVLAB_BENCH_DIR
#define QKVLAB_BENCH_DIR "."
#endif

namespace {

// The fastest setting of the thread sweep on this 2-core machine (tests/bench/README.md has the
// table): one torch intra-op thread, two OpenBLAS threads. The large model's matrix products
// run 10-40% faster on two cores; the demo model, too small to split, loses 5-25%; two torch
// threads on top of two BLAS threads oversubscribe the cores and take 2-8x as long.
// (The app runs one OpenBLAS thread to leave a core to the GUI: OPENBLAS_NUM_THREADS=1 measures
// that setting.)
constexpr int kDefaultTorchThreads = 1;
constexpr const char* kDefaultBlasThreads = "2";

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of every thread of this process. Other engineers' builds share the 2 cores: time a
// step loses while descheduled shows in wall time but not here, so the ratio of CPU times is a
// cross-check of the wall-time ratio (exact for 1 + 1 threads; with more, spinning pool threads
// add to it).
double processCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Shape {
    std::string name;
    qkv::Architecture arch;
    int d, layers, heads, vocab, T, batch;
    double target;  // required PyTorch time / C++ time
};

const std::vector<Shape>& allShapes() {
    static const std::vector<Shape> shapes = {
        // resources/presets/demo.json: the "follow" task, encoder, vocabulary 10, T 16.
        {"demo", qkv::Architecture::Encoder, 64, 2, 4, 10, 16, 32, 1.3},
        // A char-LM shape: decoder, 96 symbols.
        {"large", qkv::Architecture::Decoder, 128, 4, 4, 96, 128, 32, 1.0},
    };
    return shapes;
}

struct Options {
    std::string outDir;
    int torchThreads = kDefaultTorchThreads;
    double seconds = 2.0;   // timed seconds per case
    int rounds = 5;         // alternating C++ / PyTorch chunks per case
    int minChunkSteps = 2;  // timed steps per chunk, at least
    double waitIdle = 10;   // seconds to wait, per case, for other processes to go quiet
    int warmup = 10;        // warm-up steps (at most ~1 s)
    std::vector<std::string> shapes = {"demo", "large"};
    std::vector<std::string> variants;
    bool python = true, check = true, sweep = false;
    bool tunedMalloc = false;  // --malloc tuned: see tuneMalloc()
    int sweepRepeats = 2;      // passes over the four thread settings
    std::string jsonName = "bench_train.json";
};

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = s.find(',', start);
        const size_t n = comma == std::string::npos ? std::string::npos : comma - start;
        const std::string item = s.substr(start, n);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// ---- statistics -----------------------------------------------------------------------------

struct Stats {
    int steps = 0;
    double median = 0, mean = 0, min = 0, p10 = 0, p90 = 0;  // ms per step
};

Stats summarize(std::vector<double> ms) {
    Stats s;
    if (ms.empty()) return s;
    std::sort(ms.begin(), ms.end());
    const size_t n = ms.size();
    auto q = [&](double f) { return ms[std::min(n - 1, size_t(f * double(n - 1) + 0.5))]; };
    s.steps = int(n);
    s.median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    double sum = 0;
    for (double v : ms) sum += v;
    s.mean = sum / double(n);
    s.min = ms.front();
    s.p10 = q(0.1);
    s.p90 = q(0.9);
    return s;
}

QJsonObject statsJson(const Stats& s) {
    QJsonObject o;
    o["steps"] = s.steps;
    o["ms_median"] = s.median;
    o["ms_mean"] = s.mean;
    o["ms_min"] = s.min;
    o["ms_p10"] = s.p10;
    o["ms_p90"] = s.p90;
    return o;
}

// ---- the C++ side ---------------------------------------------------------------------------

qkv::ModelConfig modelConfig(const Shape& s, qkv::Variant v) {
    qkv::ModelConfig c;
    c.arch = s.arch;
    c.variant = v;
    c.dModel = s.d;
    c.layers = s.layers;
    c.heads = s.heads;
    c.vocab = s.vocab;
    c.context = s.T;
    return c;
}

qkv::TrainConfig trainConfig(const Shape& s) {
    qkv::TrainConfig c;  // AdamW (0.9, 0.99), decay 0.01 on matrices, clip 1.0, warm-up 20
    c.batch = s.batch;
    c.lr = 3e-3;
    c.steps = 1000000;  // the schedule stays in its warm-up / early cosine, as in a real run
    return c;
}

// The same settings for pytorch_reference.py, which implements the same schedule.
QJsonObject trainJson(const qkv::TrainConfig& c) {
    QJsonObject o;
    o["lr"] = c.lr;
    o["min_lr_fraction"] = c.minLrFraction;
    o["warmup"] = c.warmupSteps;
    o["steps"] = c.steps;
    o["weight_decay"] = c.weightDecay;
    o["beta1"] = c.beta1;
    o["beta2"] = c.beta2;
    o["clip"] = c.gradClip;
    return o;
}

QJsonObject shapeJson(const Shape& s) {
    QJsonObject o;
    o["name"] = QString::fromStdString(s.name);
    o["arch"] = s.arch == qkv::Architecture::Decoder ? "decoder" : "encoder";
    o["d"] = s.d;
    o["layers"] = s.layers;
    o["heads"] = s.heads;
    o["vocab"] = s.vocab;
    o["T"] = s.T;
    o["batch"] = s.batch;
    return o;
}

// The demo model trains on its real task (makeDataset); the char-LM shape on random tokens with
// next-token targets. The step time does not depend on the token values.
std::vector<qkv::Batch> makeBatches(const Shape& s, int count) {
    std::vector<qkv::Batch> out;
    std::mt19937_64 rng(1);
    if (s.name == "demo") {
        qkv::TaskConfig task;
        task.kind = qkv::TaskKind::Follow;
        task.vocab = s.vocab;
        task.seqLen = s.T;
        task.seed = 1;
        auto data = qkv::makeDataset(task);
        for (int i = 0; i < count; ++i) out.push_back(data->trainBatch(s.batch, rng));
        return out;
    }
    std::uniform_int_distribution<int64_t> token(0, s.vocab - 1);
    for (int i = 0; i < count; ++i) {
        qkv::Batch b;
        b.size = s.batch;
        b.length = s.T;
        for (int r = 0; r < s.batch; ++r) {
            std::vector<int64_t> seq(size_t(s.T) + 1);
            for (auto& t : seq) t = token(rng);
            b.inputs.insert(b.inputs.end(), seq.begin(), seq.end() - 1);
            b.targets.insert(b.targets.end(), seq.begin() + 1, seq.end());
        }
        out.push_back(std::move(b));
    }
    return out;
}

// A model being timed. C++ and PyTorch run in alternating chunks of steps, so the model, the
// optimizer state and the step counter live across chunks.
class CppSession {
public:
    CppSession(const Shape& s, qkv::Variant v, int warmup)
        : m_model(modelConfig(s, v), 1), m_trainer(m_model, trainConfig(s)),
          m_batches(makeBatches(s, 8)) {
        // Warm-up: allocator, thread pools, the optimizer state's first touch. At most ~1 s.
        const auto w0 = Clock::now();
        for (int i = 0; i < warmup; ++i) {
            step();
            if (secondsSince(w0) > 1.0 && i >= 2) break;
        }
    }

    // Per-step wall and CPU milliseconds of a chunk lasting `seconds` (at least `minSteps`).
    void run(double seconds, int minSteps, std::vector<double>& wallMs,
             std::vector<double>& cpuMs) {
        const auto t0 = Clock::now();
        for (int n = 0; n < minSteps || secondsSince(t0) < seconds; ++n) {
            const double c0 = processCpuSeconds();
            const auto s0 = Clock::now();
            step();
            wallMs.push_back(1e3 * secondsSince(s0));
            cpuMs.push_back(1e3 * (processCpuSeconds() - c0));
        }
    }

private:
    void step() {
        m_trainer.run(m_batches[size_t(m_step) % m_batches.size()], m_step);
        ++m_step;
    }

    qkv::Model m_model;
    qkv::TrainStep m_trainer;
    std::vector<qkv::Batch> m_batches;
    int m_step = 0;
};

// ---- the PyTorch side: pytorch_reference.py --serve, one JSON line each way ----------------

std::string pythonInterpreter() {
    // Debian's interpreter: a pyenv shim or venv python3 first on PATH may lack python3-torch
    // or bring a different torch and BLAS.
    if (const char* p = std::getenv("QKVLAB_PYTHON")) return p;
    if (access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
    return "python3";
}

std::string referenceScript() {
    if (const char* p = std::getenv("QKVLAB_PYTORCH_REFERENCE")) return p;
    return std::string(QKVLAB_BENCH_DIR) + "/pytorch_reference.py";
}

class PythonPeer {
public:
    PythonPeer(int torchThreads) {
        const std::string python = pythonInterpreter(), script = referenceScript();
        if (access(script.c_str(), R_OK) != 0) {
            m_error = "no " + script;
            return;
        }
        int toChild[2], fromChild[2];
        if (pipe2(toChild, O_CLOEXEC) != 0 || pipe2(fromChild, O_CLOEXEC) != 0) {
            m_error = "pipe failed";
            return;
        }
        // Everything the child needs is built before fork: only dup2 and exec run after it.
        const std::string threads = std::to_string(torchThreads);
        std::vector<std::string> args = {python, script, "--serve", "--threads", threads};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        m_pid = fork();
        if (m_pid == 0) {
            dup2(toChild[0], 0);
            dup2(fromChild[1], 1);
            execvp(argv[0], argv.data());
            _exit(127);
        }
        close(toChild[0]);
        close(fromChild[1]);
        if (m_pid < 0) {
            close(toChild[1]);
            close(fromChild[0]);
            m_error = "fork failed";
            return;
        }
        m_to = toChild[1];
        m_from = fdopen(fromChild[0], "r");
    }

    ~PythonPeer() {
        if (m_to >= 0) {
            const char quit[] = "{\"cmd\":\"quit\"}\n";
            (void)!write(m_to, quit, sizeof quit - 1);
            close(m_to);
        }
        if (m_from) fclose(m_from);
        if (m_pid > 0) waitpid(m_pid, nullptr, 0);
    }

    bool ok() const { return m_error.empty(); }
    pid_t pid() const { return m_pid; }
    const std::string& error() const { return m_error; }

    // One request, one answer; an empty object (and error()) once the child is gone.
    QJsonObject request(const QJsonObject& req) {
        if (!ok()) return {};
        QByteArray line = QJsonDocument(req).toJson(QJsonDocument::Compact) + '\n';
        for (qsizetype done = 0; done < line.size();) {
            const ssize_t n = write(m_to, line.constData() + done, size_t(line.size() - done));
            if (n <= 0) {
                m_error = "PyTorch reference exited (is python3-torch installed?)";
                return {};
            }
            done += n;
        }
        char* buf = nullptr;
        size_t cap = 0;
        const ssize_t n = getline(&buf, &cap, m_from);
        std::unique_ptr<char, decltype(&free)> hold(buf, &free);
        if (n <= 0) {
            m_error = "PyTorch reference exited (is python3-torch installed? see its stderr)";
            return {};
        }
        const auto doc = QJsonDocument::fromJson(QByteArray(buf, qsizetype(n)));
        QJsonObject ans = doc.object();
        if (ans.contains("error"))
            std::cerr << "PyTorch reference: " << ans.value("error").toString().toStdString()
                      << "\n";
        return ans;
    }

private:
    pid_t m_pid = -1;
    int m_to = -1;
    FILE* m_from = nullptr;
    std::string m_error;
};

// ---- same model? initial weights and batch go to PyTorch; the losses of 3 steps must agree ---

struct CheckResult {
    bool ok = false;
    std::string message;
    std::vector<double> cpp, py;
};

CheckResult checkSameModel(const Shape& s, qkv::Variant v, PythonPeer& py,
                           const std::string& dir) {
    CheckResult r;
    qkv::Model model(modelConfig(s, v), 1);
    const auto batch = makeBatches(s, 1).front();
    const std::string base = dir + "/" + s.name + "_" + qkv::variantId(v);
    QJsonArray tensors;
    {
        std::ofstream bin(base + ".bin", std::ios::binary);
        int64_t offset = 0;
        for (const auto& t : model.state()) {
            QJsonObject o;
            o["name"] = QString::fromStdString(t.name);
            QJsonArray shape;
            for (auto n : t.shape) shape.append(qint64(n));
            o["shape"] = shape;
            o["offset"] = qint64(offset);
            tensors.append(o);
            bin.write(reinterpret_cast<const char*>(t.values.data()),
                      std::streamsize(t.values.size() * sizeof(float)));
            offset += int64_t(t.values.size() * sizeof(float));
        }
    }
    QJsonObject header;
    header["tensors"] = tensors;
    QJsonArray inputs, targets;
    for (auto t : batch.inputs) inputs.append(qint64(t));
    for (auto t : batch.targets) targets.append(qint64(t));
    header["inputs"] = inputs;
    header["targets"] = targets;
    QFile f(QString::fromStdString(base + ".json"));
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(header).toJson()) < 0) {
        r.message = "cannot write " + base + ".json";
        return r;
    }
    f.close();

    const int steps = 3;
    qkv::TrainConfig tc = trainConfig(s);
    {
        qkv::TrainStep trainer(model, tc);
        for (int i = 0; i < steps; ++i) r.cpp.push_back(trainer.run(batch, i));
    }
    QJsonObject req;
    req["cmd"] = "check";
    req["shape"] = shapeJson(s);
    req["variant"] = QString::fromStdString(qkv::variantId(v));
    req["weights"] = QString::fromStdString(base);
    req["steps"] = steps;
    req["train"] = trainJson(tc);
    const QJsonObject ans = py.request(req);
    QFile::remove(QString::fromStdString(base + ".json"));
    QFile::remove(QString::fromStdString(base + ".bin"));
    if (!ans.value("ok").toBool()) {
        r.message = ans.contains("error") ? ans.value("error").toString().toStdString()
                                          : "no answer";
        return r;
    }
    for (const auto& x : ans.value("losses").toArray()) r.py.push_back(x.toDouble());
    // Float sums run in different orders: allow rounding, not a different model.
    double worst = 0;
    for (size_t i = 0; i < r.cpp.size() && i < r.py.size(); ++i)
        worst = std::max(worst, std::abs(r.cpp[i] - r.py[i]) / std::max(1e-9, std::abs(r.cpp[i])));
    r.ok = r.py.size() == r.cpp.size() && worst < 1e-4;
    char buf[96];
    std::snprintf(buf, sizeof buf, "max relative loss difference %.1e over %d steps", worst,
                  steps);
    r.message = buf;
    return r;
}

// ---- the run --------------------------------------------------------------------------------

std::string envOr(const char* name, const char* fallback = "") {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return {};
}

// Other engineers build on the same 2 cores: the load average goes into the report.
std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

// ---- other processes' load: the 2 cores are shared with other engineers' builds and tests ----

double ticksPerSecond() { return double(sysconf(_SC_CLK_TCK)); }

// CPU seconds the whole machine spent busy since boot (every state but idle and iowait).
double machineBusySeconds() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
}

// CPU seconds of one process (user + system), 0 when it is gone.
double processSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return 0;
    const size_t close = line.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::atof(field.c_str());
        if (i == 15) stime = std::atof(field.c_str());
    }
    return (utime + stime) / ticksPerSecond();
}

// Busy CPU of everything but this benchmark and its PyTorch child, as a share of the machine.
class OtherLoad {
public:
    explicit OtherLoad(pid_t child) : m_child(child) { reset(); }
    void reset() {
        m_t0 = Clock::now();
        m_busy0 = machineBusySeconds();
        m_own0 = ownSeconds();
    }
    double share() const {
        const double wall = secondsSince(m_t0) * std::max(1u, std::thread::hardware_concurrency());
        if (wall <= 0) return 0;
        const double other = (machineBusySeconds() - m_busy0) - (ownSeconds() - m_own0);
        return std::clamp(other / wall, 0.0, 1.0);
    }

private:
    double ownSeconds() const {
        return processSeconds(getpid()) + (m_child > 0 ? processSeconds(m_child) : 0.0);
    }
    pid_t m_child;
    Clock::time_point m_t0;
    double m_busy0 = 0, m_own0 = 0;
};

// Waits (at most `limit` seconds) for a half-second in which other processes use under 10% of
// the machine; returns the seconds waited.
double waitForQuiet(double limit, pid_t child) {
    const auto t0 = Clock::now();
    while (secondsSince(t0) < limit) {
        OtherLoad load(child);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (load.share() < 0.10) break;
    }
    return secondsSince(t0);
}

// glibc returns freed blocks above 128 KiB to the kernel (munmap, heap trimming), so every step
// page-faults its activations back in: measured ~900 faults per demo step and ~34 000 per
// large step in this process (PyTorch's busier heap trims less: ~500 and ~12 000), worth
// 5-15% of a step. "tuned" keeps them: blocks up to 32 MiB come from the heap, which is trimmed
// only beyond 256 MiB free. The PyTorch child gets the same through GLIBC_TUNABLES.
constexpr int kMmapThreshold = 32 << 20, kTrimThreshold = 256 << 20;

void tuneMalloc() {
    mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
    std::string t = "glibc.malloc.mmap_threshold=" + std::to_string(kMmapThreshold) +
                    ":glibc.malloc.trim_threshold=" + std::to_string(kTrimThreshold);
    if (const char* old = std::getenv("GLIBC_TUNABLES")) t = std::string(old) + ":" + t;
    setenv("GLIBC_TUNABLES", t.c_str(), 1);  // before the PyTorch child is forked
}

struct Case {
    const Shape* shape = nullptr;
    qkv::Variant variant = qkv::Variant::Qkv;
    int64_t flopsPerStep = 0, parameters = 0;
    Stats cpp, py, cppCpu, pyCpu;  // wall and CPU ms per step
    bool hasPy = false;
    double otherLoad = 0;  // share of the machine other processes used while timing
    double waited = 0;     // seconds spent waiting for them to quiet down first
};

int runBenchmark(const Options& o) {
    if (o.tunedMalloc) tuneMalloc();
    qkv::setTorchThreads(o.torchThreads);
    const qkv::BlasInfo blas = qkv::detectBlas();
    const double peak = qkv::measureSgemmGflops(1024);
    const unsigned cores = std::thread::hardware_concurrency();
    std::cout << "BLAS: " << qkv::describeBlas(blas) << "; OPENBLAS_NUM_THREADS="
              << envOr("OPENBLAS_NUM_THREADS", "(unset)") << "; " << cores << " cores; malloc "
              << (o.tunedMalloc ? "tuned" : "default") << "\n";
    std::printf("sgemm peak (n = 1024, same threads): %.1f GFLOP/s\n", peak);
    std::fflush(stdout);
    if (const std::string warn = qkv::blasWarning(blas); !warn.empty())
        std::cout << "warning: " << warn << "\n";

    std::unique_ptr<PythonPeer> py;
    QJsonObject pyInfo;
    double pyPeak = 0;
    if (o.python) {
        py = std::make_unique<PythonPeer>(o.torchThreads);
        pyInfo = py->request(QJsonObject{{"cmd", "info"}});
        pyPeak = py->request(QJsonObject{{"cmd", "sgemm"}}).value("gflops").toDouble();
        if (py->ok() && !pyInfo.isEmpty())
            std::printf("PyTorch %s (%s), %s kernels, %d torch thread(s); its sgemm %.1f GFLOP/s\n",
                        pyInfo.value("torch").toString().toUtf8().constData(),
                        pyInfo.value("python").toString().toUtf8().constData(),
                        pyInfo.value("openblas_core").toString().toUtf8().constData(),
                        pyInfo.value("torch_threads").toInt(), pyPeak);
        else
            std::cout << "PyTorch reference unavailable: " << py->error() << "\n";
        std::fflush(stdout);
    }
    const bool havePy = py && py->ok() && !pyInfo.isEmpty();

    std::vector<qkv::Variant> variants;
    if (o.variants.empty()) {
        variants = qkv::allVariants();
    } else {
        for (const auto& id : o.variants) {
            auto v = qkv::parseVariant(id);
            if (!v) throw std::runtime_error("unknown variant " + id);
            variants.push_back(*v);
        }
    }
    std::vector<const Shape*> shapes;
    for (const auto& name : o.shapes) {
        auto it = std::find_if(allShapes().begin(), allShapes().end(),
                               [&](const Shape& s) { return s.name == name; });
        if (it == allShapes().end()) throw std::runtime_error("unknown shape " + name);
        shapes.push_back(&*it);
    }

    // Same model on both sides, before any timing.
    QJsonArray checks;
    bool allSame = true;
    if (havePy && o.check) {
        for (const Shape* s : shapes)
            for (qkv::Variant v : variants) {
                const CheckResult r = checkSameModel(*s, v, *py, o.outDir);
                allSame = allSame && r.ok;
                QJsonObject c;
                c["shape"] = QString::fromStdString(s->name);
                c["variant"] = QString::fromStdString(qkv::variantId(v));
                c["same"] = r.ok;
                c["message"] = QString::fromStdString(r.message);
                QJsonArray a, b;
                for (double x : r.cpp) a.append(x);
                for (double x : r.py) b.append(x);
                c["cpp_losses"] = a;
                c["pytorch_losses"] = b;
                checks.append(c);
                if (!r.ok)
                    std::cout << "MODEL MISMATCH " << s->name << " " << qkv::variantId(v) << ": "
                              << r.message << "\n";
            }
        std::cout << (allSame ? "Same model: C++ and PyTorch losses agree for every case (3 "
                                "steps from the same weights and batch)\n"
                              : "warning: the models differ; the ratios below are not "
                                "comparable\n");
    }

    std::vector<Case> cases;
    const std::string loadBefore = loadAverage();
    std::printf("\n%-6s %-10s %-22s %-22s %6s %6s %7s %6s %6s %-9s %s\n", "shape", "variant",
                "C++ ms/step (p10-p90)", "PyTorch ms (p10-p90)", "ratio", "r.cpu", "C++tok/s",
                "MFU", "MFUpt", "target", "other");
    for (const Shape* s : shapes) {
        for (qkv::Variant v : variants) {
            Case c;
            c.shape = s;
            c.variant = v;
            const qkv::ModelConfig cfg = modelConfig(*s, v);
            const qkv::ModelSummary sum = qkv::summarize(cfg);
            c.flopsPerStep = 3 * sum.flopsPerToken * int64_t(s->batch) * s->T;
            c.parameters = sum.parameters;
            const pid_t child = havePy ? py->pid() : -1;
            if (o.waitIdle > 0) c.waited = waitForQuiet(o.waitIdle, child);
            CppSession cpp(*s, v, o.warmup);
            if (havePy) {
                QJsonObject req;
                req["cmd"] = "prepare";
                req["shape"] = shapeJson(*s);
                req["variant"] = QString::fromStdString(qkv::variantId(v));
                req["warmup"] = o.warmup;
                req["train"] = trainJson(trainConfig(*s));
                const QJsonObject ans = py->request(req);
                c.hasPy = ans.contains("parameters");
                if (c.hasPy && qint64(ans.value("parameters").toDouble()) != c.parameters)
                    std::cout << "warning: PyTorch model has "
                              << qint64(ans.value("parameters").toDouble())
                              << " parameters, C++ " << c.parameters << "\n";
            }
            // Short alternating chunks, the order flipping each round: a burst of load from
            // other processes lands on both sides alike instead of on one of them.
            OtherLoad load(child);
            std::vector<double> cppMs, pyMs, cppCpu, pyCpu;
            const double chunk = o.seconds / o.rounds;
            // Before each chunk, a pause: OpenBLAS's idle pool threads spin for ~0.1 s after
            // their last product (2^28 cycles), so the side that just stopped would otherwise
            // take a core from the side that starts.
            auto settle = [] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); };
            auto runCpp = [&] {
                settle();
                cpp.run(chunk, o.minChunkSteps, cppMs, cppCpu);
            };
            auto runPy = [&] {
                if (!c.hasPy) return;
                settle();
                QJsonObject req;
                req["cmd"] = "run";
                req["seconds"] = chunk;
                req["min_steps"] = o.minChunkSteps;
                const QJsonObject ans = py->request(req);
                if (!ans.contains("ms")) {
                    c.hasPy = false;
                    return;
                }
                for (const auto& x : ans.value("ms").toArray()) pyMs.push_back(x.toDouble());
                for (const auto& x : ans.value("cpu_ms").toArray()) pyCpu.push_back(x.toDouble());
            };
            for (int r = 0; r < o.rounds; ++r) {
                if (r % 2 == 0) {
                    runCpp();
                    runPy();
                } else {
                    runPy();
                    runCpp();
                }
            }
            c.cpp = summarize(cppMs);
            c.cppCpu = summarize(cppCpu);
            if (c.hasPy) {
                c.py = summarize(pyMs);
                c.pyCpu = summarize(pyCpu);
            }
            c.otherLoad = load.share();
            const double tokens = double(s->batch) * s->T;
            const double mfu = double(c.flopsPerStep) / (c.cpp.median * 1e-3) / (peak * 1e9);
            char pyCol[32] = "-", ratioCol[16] = "-", minCol[16] = "-", mfuPy[16] = "-",
                 verdict[16] = "";
            if (c.hasPy) {
                const double ratio = c.py.median / c.cpp.median;
                std::snprintf(pyCol, sizeof pyCol, "%8.2f (%.1f-%.1f)", c.py.median, c.py.p10,
                              c.py.p90);
                std::snprintf(ratioCol, sizeof ratioCol, "%.2fx", ratio);
                std::snprintf(minCol, sizeof minCol, "%.2fx", c.pyCpu.median / c.cppCpu.median);
                std::snprintf(mfuPy, sizeof mfuPy, "%.1f%%",
                              100.0 * double(c.flopsPerStep) / (c.py.median * 1e-3) /
                                  (peak * 1e9));
                std::snprintf(verdict, sizeof verdict, "%s", ratio >= s->target ? "PASS" : "MISS");
            }
            char cppCol[32];
            std::snprintf(cppCol, sizeof cppCol, "%8.2f (%.1f-%.1f)", c.cpp.median, c.cpp.p10,
                          c.cpp.p90);
            std::printf("%-6s %-10s %-22s %-22s %6s %6s %7.0f %5.1f%% %6s %.1fx %-4s %3.0f%%\n",
                        s->name.c_str(), qkv::variantId(v).c_str(), cppCol, pyCol, ratioCol,
                        minCol, tokens / (c.cpp.median * 1e-3), 100.0 * mfu, mfuPy, s->target,
                        verdict, 100.0 * c.otherLoad);
            std::fflush(stdout);
            cases.push_back(c);
        }
    }
    const std::string loadAfter = loadAverage();
    std::cout << "ratio = PyTorch ms / C++ ms (medians of wall time; r.cpu: of process CPU time, "
                 "which time lost to other load leaves out)\nMFU = 3 x forward FLOPs per step / "
                 "time / sgemm peak; other = machine share used by other processes while timing."
                 "\nLoad average before/after: "
              << loadBefore << " / " << loadAfter << "\n";

    // ---- JSON -------------------------------------------------------------------------------
    QJsonObject root;
    root["benchmark"] = "train_step";
    root["flops_note"] =
        "model FLOPs per step = 3 x summarize(cfg).flopsPerToken x B x T (backward ~ 2x "
        "forward); attention products counted at the full context, also when causal";
    QJsonObject machine;
    machine["cores"] = int(cores);
    machine["online_cpus"] = int(sysconf(_SC_NPROCESSORS_ONLN));
    machine["cpu"] = QString::fromStdString(cpuModel());
    root["machine"] = machine;
    QJsonObject blasJson;
    blasJson["description"] = QString::fromStdString(qkv::describeBlas(blas));
    blasJson["library"] = QString::fromStdString(blas.library);
    blasJson["openblas_core"] = QString::fromStdString(blas.openblasCore);
    blasJson["sgemm_gflops_n1024"] = peak;
    root["blas"] = blasJson;
    QJsonObject threads;
    threads["torch_intra_op"] = blas.torchThreads;
    threads["OPENBLAS_NUM_THREADS"] = QString::fromStdString(envOr("OPENBLAS_NUM_THREADS"));
    threads["OPENBLAS_CORETYPE"] = QString::fromStdString(envOr("OPENBLAS_CORETYPE"));
    threads["OMP_NUM_THREADS"] = QString::fromStdString(envOr("OMP_NUM_THREADS"));
    root["malloc"] = o.tunedMalloc ? "tuned" : "default";
    root["GLIBC_TUNABLES"] = QString::fromStdString(envOr("GLIBC_TUNABLES"));
    root["threads"] = threads;
    if (havePy) {
        QJsonObject p = pyInfo;
        p["sgemm_gflops_n1024"] = pyPeak;
        root["pytorch"] = p;
    }
    root["same_model_checks"] = checks;
    root["load_average_before"] = QString::fromStdString(loadBefore);
    root["load_average_after"] = QString::fromStdString(loadAfter);
    root["rounds"] = o.rounds;
    root["seconds_per_case_per_side"] = o.seconds;
    QJsonArray rows;
    for (const Case& c : cases) {
        QJsonObject r;
        const double tokens = double(c.shape->batch) * c.shape->T;
        r["shape"] = QString::fromStdString(c.shape->name);
        r["variant"] = QString::fromStdString(qkv::variantId(c.variant));
        QJsonObject cfg = shapeJson(*c.shape);
        cfg.remove("name");
        r["config"] = cfg;
        r["parameters"] = qint64(c.parameters);
        r["model_flops_per_step"] = double(c.flopsPerStep);
        QJsonObject cpp = statsJson(c.cpp);
        cpp["tokens_per_s"] = tokens / (c.cpp.median * 1e-3);
        cpp["mfu"] = double(c.flopsPerStep) / (c.cpp.median * 1e-3) / (peak * 1e9);
        r["cpp"] = cpp;
        r["cpp_cpu_ms"] = statsJson(c.cppCpu);
        r["target"] = c.shape->target;
        r["other_load"] = c.otherLoad;
        r["waited_for_quiet_s"] = c.waited;
        if (c.hasPy) {
            QJsonObject p = statsJson(c.py);
            p["tokens_per_s"] = tokens / (c.py.median * 1e-3);
            p["mfu"] = double(c.flopsPerStep) / (c.py.median * 1e-3) / (peak * 1e9);
            r["pytorch"] = p;
            r["ratio"] = c.py.median / c.cpp.median;
            r["ratio_of_minimums"] = c.py.min / c.cpp.min;
            r["ratio_cpu_time"] = c.pyCpu.median / c.cppCpu.median;
            r["pytorch_cpu_ms"] = statsJson(c.pyCpu);
            r["pass"] = c.py.median / c.cpp.median >= c.shape->target;
        }
        rows.append(r);
    }
    root["cases"] = rows;
    const QString path = QDir(QString::fromStdString(o.outDir))
                             .filePath(QString::fromStdString(o.jsonName));
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(root).toJson()) < 0) {
        std::cerr << "bench_train: cannot write " << path.toStdString() << "\n";
        return 1;
    }
    std::cout << "wrote " << path.toStdString() << "\n";
    return 0;
}

// ---- thread sweep: each setting in its own process, since OpenBLAS sizes its pool at load ----

int runThreadSweep(const Options& o) {
    struct Setting {
        int torch, blas;
    };
    const std::vector<Setting> settings = {{1, 1}, {1, 2}, {2, 1}, {2, 2}};
    struct Run {
        Setting setting;
        int repeat;
        QJsonObject result;
    };
    std::vector<Run> runs;
    for (int rep = 0; rep < o.sweepRepeats; ++rep) {
        // Reverse the order every other pass, so that a slow drift of the machine's load does
        // not favour the settings measured first.
        std::vector<Setting> order = settings;
        if (rep % 2) std::reverse(order.begin(), order.end());
        for (const Setting& st : order) {
            const std::string name = "sweep_t" + std::to_string(st.torch) + "_b" +
                                     std::to_string(st.blas) + "_r" + std::to_string(rep) +
                                     ".json";
            std::vector<std::string> args = {"/proc/self/exe", o.outDir, "--torch-threads",
                                             std::to_string(st.torch), "--seconds",
                                             std::to_string(o.seconds), "--rounds",
                                             std::to_string(o.rounds), "--wait-idle",
                                             std::to_string(o.waitIdle), "--no-check", "--json",
                                             name, "--shapes"};
            std::string shapes, variants;
            for (const auto& s : o.shapes) shapes += (shapes.empty() ? "" : ",") + s;
            for (const auto& v : o.variants) variants += (variants.empty() ? "" : ",") + v;
            args.push_back(shapes);
            args.push_back("--variants");
            args.push_back(variants.empty() ? "qkv" : variants);
            if (!o.python) args.push_back("--no-python");
            args.push_back("--malloc");
            args.push_back(o.tunedMalloc ? "tuned" : "default");
            // The environment is built before fork: setenv is not safe between fork and exec.
            std::vector<std::string> env;
            for (char** e = environ; *e; ++e)
                if (std::strncmp(*e, "OPENBLAS_NUM_THREADS=", 21) != 0) env.emplace_back(*e);
            env.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(st.blas));
            std::vector<char*> argv, envp;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            for (auto& e : env) envp.push_back(e.data());
            envp.push_back(nullptr);
            std::printf("\n=== pass %d: torch threads %d, OPENBLAS_NUM_THREADS=%d\n", rep + 1,
                        st.torch, st.blas);
            std::fflush(stdout);
            const pid_t pid = fork();
            if (pid == 0) {
                execve(argv[0], argv.data(), envp.data());
                _exit(127);
            }
            int status = 0;
            if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0) {
                std::cerr << "bench_train: sweep child failed for " << name << "\n";
                continue;
            }
            QFile f(QDir(QString::fromStdString(o.outDir)).filePath(QString::fromStdString(name)));
            if (!f.open(QIODevice::ReadOnly)) continue;
            runs.push_back({st, rep, QJsonDocument::fromJson(f.readAll()).object()});
        }
    }

    std::printf("\nThread sweep: median ms/step per pass (other = machine share used by other "
                "processes)\n%-6s %-10s %5s %5s %5s %9s %9s %6s %7s\n", "shape", "variant",
                "torch", "blas", "pass", "C++ ms", "PyT ms", "other", "sgemm");
    QJsonArray table;
    struct Key {
        std::string shape, variant;
        int torch, blas;
        bool operator<(const Key& k) const {
            return std::tie(shape, variant, torch, blas) <
                   std::tie(k.shape, k.variant, k.torch, k.blas);
        }
    };
    std::map<Key, std::vector<double>> cppBy, pyBy;
    for (const Run& run : runs) {
        for (const auto& cv : run.result.value("cases").toArray()) {
            const QJsonObject c = cv.toObject();
            const double cpp = c.value("cpp").toObject().value("ms_median").toDouble();
            const double pyt = c.value("pytorch").toObject().value("ms_median").toDouble(-1);
            const double sgemm =
                run.result.value("blas").toObject().value("sgemm_gflops_n1024").toDouble();
            const std::string shape = c.value("shape").toString().toStdString();
            const std::string variant = c.value("variant").toString().toStdString();
            std::printf("%-6s %-10s %5d %5d %5d %9.2f %9.2f %5.0f%% %7.1f\n", shape.c_str(),
                        variant.c_str(), run.setting.torch, run.setting.blas, run.repeat + 1, cpp,
                        pyt, 100.0 * c.value("other_load").toDouble(), sgemm);
            const Key key{shape, variant, run.setting.torch, run.setting.blas};
            cppBy[key].push_back(cpp);
            if (pyt > 0) pyBy[key].push_back(pyt);
            QJsonObject row;
            row["shape"] = c.value("shape");
            row["variant"] = c.value("variant");
            row["torch_threads"] = run.setting.torch;
            row["openblas_threads"] = run.setting.blas;
            row["pass"] = run.repeat + 1;
            row["cpp_ms"] = cpp;
            row["cpp_ms_p10"] = c.value("cpp").toObject().value("ms_p10");
            row["cpp_ms_p90"] = c.value("cpp").toObject().value("ms_p90");
            row["pytorch_ms"] = pyt;
            row["other_load"] = c.value("other_load");
            row["sgemm_gflops"] = sgemm;
            table.append(row);
        }
    }
    // The best setting per shape: lowest C++ time, taking each setting's best pass (the one
    // least disturbed by other processes).
    QJsonArray best;
    std::map<std::pair<std::string, std::string>, std::pair<Key, double>> fastest;
    for (const auto& [key, times] : cppBy) {
        const double t = *std::min_element(times.begin(), times.end());
        auto& f = fastest[{key.shape, key.variant}];
        if (f.second == 0 || t < f.second) f = {key, t};
    }
    for (const auto& [sv, f] : fastest) {
        std::printf("fastest for %s %s: torch threads %d, OPENBLAS_NUM_THREADS=%d (%.2f ms)\n",
                    sv.first.c_str(), sv.second.c_str(), f.first.torch, f.first.blas, f.second);
        QJsonObject b;
        b["shape"] = QString::fromStdString(sv.first);
        b["variant"] = QString::fromStdString(sv.second);
        b["torch_threads"] = f.first.torch;
        b["openblas_threads"] = f.first.blas;
        b["cpp_ms"] = f.second;
        best.append(b);
    }
    QJsonObject root;
    root["benchmark"] = "train_step_thread_sweep";
    root["rows"] = table;
    root["fastest"] = best;
    QFile out(QDir(QString::fromStdString(o.outDir)).filePath("thread_sweep.json"));
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(root).toJson()) < 0) return 1;
    std::cout << "wrote " << out.fileName().toStdString() << "\n";
    return 0;
}

[[noreturn]] void usage(const char* why) {
    std::cerr << "bench_train: " << why
              << "\nusage: bench_train OUT_DIR [--torch-threads N] [--seconds S] [--rounds N] "
                 "[--wait-idle S]\n    [--malloc tuned|default] [--shapes demo,large] "
                 "[--variants qkv,...] [--no-python] [--no-check]\n    [--json NAME] "
                 "[--thread-sweep [--sweep-repeats N]]\n";
    std::exit(2);
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value after " + a).c_str());
            return argv[++i];
        };
        if (a == "--torch-threads") o.torchThreads = std::atoi(value().c_str());
        else if (a == "--seconds") o.seconds = std::atof(value().c_str());
        else if (a == "--rounds") o.rounds = std::atoi(value().c_str());
        else if (a == "--wait-idle") o.waitIdle = std::atof(value().c_str());
        else if (a == "--shapes") o.shapes = splitList(value());
        else if (a == "--variants") o.variants = splitList(value());
        else if (a == "--json") o.jsonName = value();
        else if (a == "--no-python") o.python = false;
        else if (a == "--no-check") o.check = false;
        else if (a == "--malloc") {
            const std::string m = value();
            if (m != "tuned" && m != "default") usage("--malloc takes tuned or default");
            o.tunedMalloc = m == "tuned";
        }
        else if (a == "--thread-sweep") o.sweep = true;
        else if (a == "--sweep-repeats") o.sweepRepeats = std::atoi(value().c_str());
        else if (!a.empty() && a[0] == '-') usage(("unknown option " + a).c_str());
        else if (o.outDir.empty()) o.outDir = a;
        else usage("more than one output folder");
    }
    if (o.outDir.empty()) usage("no output folder");
    if (o.torchThreads < 1) usage("--torch-threads must be at least 1");
    if (o.rounds < 1) usage("--rounds must be at least 1");
    if (o.sweepRepeats < 1) usage("--sweep-repeats must be at least 1");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    // OpenBLAS picks its kernels and sizes its thread pool when it loads, before main: settle
    // both in the environment and start again (once: the second start finds them set). The
    // PyTorch child inherits the same environment.
    bool restart = qkv::setOpenblasCoreTypeForThisCpu();
    if (!std::getenv("OPENBLAS_NUM_THREADS")) {
        setenv("OPENBLAS_NUM_THREADS", kDefaultBlasThreads, 1);
        restart = true;
    }
    if (restart) execv("/proc/self/exe", argv);  // returns only on failure: go on as we are

    signal(SIGPIPE, SIG_IGN);  // a PyTorch child that dies must not take us with it
    const Options o = parseArgs(argc, argv);
    QDir().mkpath(QString::fromStdString(o.outDir));
    try {
        return o.sweep ? runThreadSweep(o) : runBenchmark(o);
    } catch (const std::exception& e) {
        std::cerr << "bench_train: " << e.what() << "\n";
        return 1;
    }
}
