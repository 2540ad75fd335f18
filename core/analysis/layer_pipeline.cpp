#include "analysis/layer_pipeline.h"

#include <chrono>

namespace qkv {

namespace {
double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

LayerPipeline::LayerPipeline(const Model& model, const AnalysisOptions& options,
                             std::vector<LayerAnalysis>& layers, const std::atomic<bool>* cancel)
    : m_model(model),
      m_options(options),
      m_layers(layers),
      m_cancel(cancel),
      m_halvesDone(layers.size(), 0) {
    for (int l = 0; l < int(layers.size()); ++l)
        push([this, l] {
            const auto t0 = std::chrono::steady_clock::now();
            const LayerWeights w = extractLayerWeights(m_model, l);
            analyzeLayerWeights(m_model.config(), w, m_options.keepBilinearForms,
                                m_layers[size_t(l)]);
            const double ms = msSince(t0);
            std::lock_guard<std::mutex> lock(m_mutex);
            m_weightMs += ms;
            ++m_halvesDone[size_t(l)];
        });
    for (int t = 1; t < std::max(1, options.threads); ++t)
        m_helpers.emplace_back([this] { helperLoop(); });
}

LayerPipeline::~LayerPipeline() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_closed = true;
        m_tasks.clear();  // only when unwinding: finish() leaves nothing queued
    }
    m_changed.notify_all();
    for (std::thread& t : m_helpers) t.join();
}

void LayerPipeline::push(std::function<void()> task) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_tasks.push_back(std::move(task));
        ++m_unfinished;
    }
    m_changed.notify_all();
}

bool LayerPipeline::runOne(std::unique_lock<std::mutex>& lock) {
    if (m_tasks.empty()) return false;
    std::function<void()> task = std::move(m_tasks.front());
    m_tasks.pop_front();
    lock.unlock();
    if (!(m_cancel && m_cancel->load())) task();
    lock.lock();
    --m_unfinished;
    m_changed.notify_all();
    return true;
}

void LayerPipeline::helperLoop() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [&] { return !m_tasks.empty() || m_closed; });
        if (!runOne(lock) && m_closed) return;
    }
}

void LayerPipeline::addActivations(int layer, std::shared_ptr<LayerCapture> capture,
                                   std::function<void(LayerCapture&)> done) {
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        while (m_activationsInFlight >= 2) {
            if (!runOne(lock)) m_changed.wait(lock);
        }
        ++m_activationsInFlight;
    }
    push([this, layer, capture, done] {
        const auto t0 = std::chrono::steady_clock::now();
        analyzeLayerActivations(m_model.config(), *capture, m_layers[size_t(layer)]);
        const double ms = msSince(t0);
        if (done) done(*capture);
        std::lock_guard<std::mutex> lock(m_mutex);
        m_activationMs += ms;
        ++m_halvesDone[size_t(layer)];
        --m_activationsInFlight;
    });
}

void LayerPipeline::finish(const AnalysisProgress& progress) {
    std::unique_lock<std::mutex> lock(m_mutex);
    int reported = 0;  // reports come as layers finish
    for (;;) {
        int done = 0;
        for (int h : m_halvesDone) done += h == 2;
        if (progress && done != reported) {
            reported = done;
            lock.unlock();
            progress(done, int(m_halvesDone.size()));
            lock.lock();
        }
        if (m_unfinished == 0) return;
        if (!runOne(lock)) m_changed.wait(lock);
    }
}

bool LayerPipeline::layerDone(int layer) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_halvesDone[size_t(layer)] == 2;
}

}  // namespace qkv
