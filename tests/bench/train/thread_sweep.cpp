#include "thread_sweep.h"

#include <sys/wait.h>
#include <unistd.h>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

extern char** environ;

namespace trainbench {

namespace {

struct Setting {
    int torch, blas;
};

struct Run {
    Setting setting;
    int repeat;
    QJsonObject result;  // the child's bench_train.json
};

// This program again, in a child with the setting's threads; its JSON, or an empty object.
QJsonObject runSetting(const Options& o, const Setting& st, int rep) {
    const std::string name = "sweep_t" + std::to_string(st.torch) + "_b" + std::to_string(st.blas) +
                             "_r" + std::to_string(rep) + ".json";
    std::vector<std::string> args = {"/proc/self/exe",
                                     o.outDir,
                                     "--torch-threads",
                                     std::to_string(st.torch),
                                     "--seconds",
                                     std::to_string(o.seconds),
                                     "--rounds",
                                     std::to_string(o.rounds),
                                     "--wait-idle",
                                     std::to_string(o.waitIdle),
                                     "--no-check",
                                     "--json",
                                     name,
                                     "--shapes"};
    std::string shapes, variants;
    for (const auto& s : o.shapes) shapes += (shapes.empty() ? "" : ",") + s;
    for (const auto& v : o.variants) variants += (variants.empty() ? "" : ",") + v;
    args.push_back(shapes);
    args.push_back("--variants");
    args.push_back(variants.empty() ? "qkv" : variants);
    if (!o.python) args.push_back("--no-python");
    args.push_back("--malloc");
    args.push_back(mallocModeName(o.mallocMode));
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
    std::printf("\n=== pass %d: torch threads %d, OPENBLAS_NUM_THREADS=%d\n", rep + 1, st.torch,
                st.blas);
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::cerr << "bench_train: sweep child failed for " << name << "\n";
        return {};
    }
    QFile f(QDir(QString::fromStdString(o.outDir)).filePath(QString::fromStdString(name)));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

struct Key {
    std::string shape, variant;
    int torch, blas;
    bool operator<(const Key& k) const {
        return std::tie(shape, variant, torch, blas) <
               std::tie(k.shape, k.variant, k.torch, k.blas);
    }
};

// Prints every pass's median per case; the rows of thread_sweep.json, and each case's C++
// medians per setting in `cppBy`.
QJsonArray tabulate(const std::vector<Run>& runs, std::map<Key, std::vector<double>>& cppBy) {
    std::printf(
        "\nThread sweep: median ms/step per pass (other = machine share used by other "
        "processes)\n%-6s %-10s %5s %5s %5s %9s %9s %6s %7s\n",
        "shape", "variant", "torch", "blas", "pass", "C++ ms", "PyT ms", "other", "sgemm");
    QJsonArray table;
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
            cppBy[Key{shape, variant, run.setting.torch, run.setting.blas}].push_back(cpp);
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
    return table;
}

// The best setting per case: lowest C++ time, taking each setting's best pass (the one least
// disturbed by other processes).
QJsonArray fastestSettings(const std::map<Key, std::vector<double>>& cppBy) {
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
    return best;
}

}  // namespace

int runThreadSweep(const Options& o) {
    const std::vector<Setting> settings = {{1, 1}, {1, 2}, {2, 1}, {2, 2}};
    std::vector<Run> runs;
    for (int rep = 0; rep < o.sweepRepeats; ++rep) {
        // Reverse the order every other pass, so that a slow drift of the machine's load does
        // not favour the settings measured first.
        std::vector<Setting> order = settings;
        if (rep % 2) std::reverse(order.begin(), order.end());
        for (const Setting& st : order) {
            QJsonObject result = runSetting(o, st, rep);
            if (!result.isEmpty()) runs.push_back({st, rep, result});
        }
    }

    std::map<Key, std::vector<double>> cppBy;
    QJsonObject root;
    root["benchmark"] = "train_step_thread_sweep";
    root["rows"] = tabulate(runs, cppBy);
    root["fastest"] = fastestSettings(cppBy);
    QFile out(QDir(QString::fromStdString(o.outDir)).filePath("thread_sweep.json"));
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(root).toJson()) < 0) return 1;
    std::cout << "wrote " << out.fileName().toStdString() << "\n";
    return 0;
}

}  // namespace trainbench
