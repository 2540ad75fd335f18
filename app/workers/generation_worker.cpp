#include "generation_worker.h"

#include <QDir>
#include <QFileInfo>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/errors.h"
#include "generate/generation.h"
#include "pretrained/open_model.h"
#include "model/model_summary.h"

namespace qkvapp {

namespace {

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// Core's generate() runs a whole sequence, so each run gets its own thread; a baton lets one
// thread compute at a time and passes on after every token. The caches then grow in lock-step
// and generation still uses a single core, as if the runs were interleaved on one thread.
class Baton {
public:
    explicit Baton(size_t n) : m_active(n, true) {}

    void await(size_t i) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [&] { return m_turn == i; });
    }
    void pass(size_t i) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_turn = next(i);
        m_cv.notify_all();
    }
    void leave(size_t i) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_active[i] = false;
        if (m_turn == i) m_turn = next(i);
        m_cv.notify_all();
    }

private:
    size_t next(size_t i) const {  // the next active thread after i, cyclically (i itself last)
        for (size_t k = 1; k <= m_active.size(); ++k) {
            const size_t j = (i + k) % m_active.size();
            if (m_active[j]) return j;
        }
        return size_t(-1);
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<bool> m_active;
    size_t m_turn = 0;
};

struct Slot {
    std::shared_ptr<qkv::Model> model;  // null: skipped
    std::shared_ptr<const qkv::Tokenizer> tokenizer;  // null: the prompt is token ids
    std::string text;  // the bytes generated so far (a piece may end inside a character)
};

// A model without a tokenizer takes its prompt as token ids ("3,1,4").
std::vector<int64_t> promptFor(const Slot& slot, const std::string& prompt) {
    if (slot.tokenizer) return qkv::promptTokens(*slot.tokenizer, prompt);
    std::vector<int64_t> ids;
    const QStringList parts = QString::fromStdString(prompt).split(',', Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        bool ok = false;
        ids.push_back(part.trimmed().toLongLong(&ok));
        if (!ok) throw qkv::DataError("this model has no tokenizer: give the prompt as token ids (3,1,4)");
    }
    if (ids.empty()) throw qkv::DataError("this model has no tokenizer: give the prompt as token ids (3,1,4)");
    return ids;
}

}  // namespace

GenerationWorker::GenerationWorker(GenerationRequest request) : m_request(std::move(request)) {}

void GenerationWorker::run() {
#ifdef __linux__
    // As for training: when the cores are busy, the GUI thread wins.
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 10);
#endif
    try {
        // The live state; std::vector, because the threads hold references into it and
        // QVector's implicit sharing would let a published copy see later writes.
        std::vector<qkvviews::KvCacheRun> runs;
        std::vector<Slot> slots;
        QStringList names;
        for (const auto& [folder, color] : m_request.runs) {
            if (m_cancel.load()) break;
            const std::string dir = folder.toStdString();
            qkv::OpenOptions configOnly;
            configOnly.loadWeights = false;
            const qkv::RunFolder run = qkv::openModel(dir, configOnly).run;
            qkvviews::KvCacheRun r;
            r.runId = folder;
            r.label = QString::fromStdString(run.config.name);
            if (r.label.isEmpty()) r.label = QFileInfo(folder).fileName();
            r.color = color;
            r.prompt = m_request.prompt;
            Slot s;
            if (run.config.model.arch != qkv::Architecture::Decoder) {
                r.finished = true;
                const auto arch = qkv::architectureId(run.config.model.arch);
                r.note = QString("skipped: not a decoder (language-model) run but %1")
                             .arg(QString::fromStdString(arch));
            } else {
                r.reductionVsQkv = qkv::kvCacheReductionVsQkv(run.config.model);
                qkv::OpenOptions options;
                options.cancel = &m_cancel;
                const qkv::OpenedModel opened = qkv::openModel(dir, options);
                s.model = opened.model;
                s.tokenizer = opened.tokenizer;
            }
            names << r.label;
            runs.push_back(r);
            slots.push_back(std::move(s));
        }
        // Two runs of the same variant: their folder names, else "<experiment>/<run>".
        QStringList folders;
        for (const auto& r : runs) folders << QFileInfo(r.runId).fileName();
        for (size_t i = 0; i < runs.size(); ++i) {
            auto& r = runs[i];
            if (names.count(r.label) < 2) continue;
            const QString folder = folders[int(i)];
            r.label = folders.count(folder) < 2
                          ? folder
                          : QFileInfo(QFileInfo(r.runId).path()).fileName() + "/" + folder;
        }
        auto snapshot = [&] { return QVector<qkvviews::KvCacheRun>(runs.begin(), runs.end()); };
        Q_EMIT progress(snapshot());

        qkv::GenerationConfig cfg;
        cfg.maxNewTokens = m_request.tokens;
        cfg.temperature = m_request.temperature;
        cfg.topK = m_request.topK;
        cfg.seed = m_request.seed;
        const std::string prompt = m_request.prompt.toStdString();

        std::mutex mutex;  // guards runs, dirty, working, errors
        std::condition_variable changed;
        bool dirty = false;
        std::vector<std::string> errors;
        std::vector<size_t> order;  // the slots that generate
        for (size_t i = 0; i < slots.size(); ++i)
            if (slots[i].model) order.push_back(i);
        int working = int(order.size());
        Baton baton(order.size());
        auto generateOne = [&](size_t k) {
            qkvviews::KvCacheRun& r = runs[order[k]];
            Slot& slot = slots[order[k]];
            auto onToken = [&](int done, int, const qkv::GeneratedToken& t) {
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    r.tokenIndex << done;
                    r.bytesHeld << double(t.cacheBytesHeld);
                    r.formulaBytes << double(t.cacheBytesFormula);
                    r.msPerToken << t.milliseconds;
                    slot.text += t.piece;
                    r.text = QString::fromUtf8(slot.text.data(), qsizetype(slot.text.size()));
                    dirty = true;
                }
                baton.pass(k);
                baton.await(k);
            };
            std::string note, error;
            baton.await(k);
            try {
                const qkv::GenerationResult g =
                    qkv::generate(*slot.model, promptFor(slot, prompt), cfg, slot.tokenizer.get(),
                                  onToken, &m_cancel);
                note = g.cancelled ? "cancelled" : g.note;
            } catch (const std::exception& e) {
                error = firstLine(e.what());
                note = "stopped: " + error;
            }
            baton.leave(k);
            std::lock_guard<std::mutex> lock(mutex);
            r.finished = true;
            r.note = QString::fromStdString(note);
            if (!error.empty()) errors.push_back(error);
            dirty = true;
            --working;
            changed.notify_all();
        };
        std::vector<std::thread> threads;
        struct Joiner {  // declared after what the threads use, so it runs first on unwinding
            std::vector<std::thread>& threads;
            ~Joiner() {
                for (std::thread& t : threads)
                    if (t.joinable()) t.join();
            }
        } joiner{threads};
        for (size_t k = 0; k < order.size(); ++k) {
            try {
                threads.emplace_back(generateOne, k);
            } catch (...) {
                m_cancel.store(true);  // the started ones stop; the baton skips the others
                for (size_t u = k; u < order.size(); ++u) baton.leave(u);
                throw;
            }
        }
        // This thread only publishes: a copy of every run, at most every kSnapshotInterval.
        for (;;) {
            QVector<qkvviews::KvCacheRun> copy;
            {
                std::unique_lock<std::mutex> lock(mutex);
                changed.wait_for(lock, kSnapshotInterval, [&] { return working == 0; });
                if (working == 0) break;
                if (!dirty) continue;
                copy = snapshot();
                dirty = false;
            }
            Q_EMIT progress(copy);
        }
        for (std::thread& t : threads) t.join();
        const bool anyTokens = std::any_of(runs.begin(), runs.end(),
                                           [](const auto& r) { return !r.tokenIndex.isEmpty(); });
        // Every generating run failed (a prompt no alphabet can spell, say): an error, not a
        // result.
        if (!anyTokens && !errors.empty() && errors.size() == order.size())
            throw qkv::Error(errors.front());
        Q_EMIT progress(snapshot());
        Q_EMIT finished(m_cancel.load());
    } catch (const std::exception& e) {
        // LibTorch's errors included: a worker never lets an exception escape.
        Q_EMIT failed(QString::fromStdString(firstLine(e.what())));
    }
}

}  // namespace qkvapp
