#pragma once
// Internal to core/analysis: the per-layer tasks of an analysis (each layer's weights, and its
// activations once its forward is done) on a few threads, with the captures in flight bounded
// so that a long input never holds every layer's maps.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "analysis/analysis_parts.h"

namespace qkv {

class LayerPipeline {
public:
    // `layers` must outlive the pipeline; it receives the measurements. Starts threads − 1
    // helpers and queues every layer's weight half.
    LayerPipeline(const Model& model, const AnalysisOptions& options,
                  std::vector<LayerAnalysis>& layers, const std::atomic<bool>* cancel);
    ~LayerPipeline();  // joins the helpers

    // Queues the activation half of a layer. While two are already waiting or running, the
    // calling thread works on the queue first. `done` runs after the measurement, on whichever
    // thread ran it, with the capture (to keep or pool for drawing).
    void addActivations(int layer, std::shared_ptr<LayerCapture> capture,
                        std::function<void(LayerCapture&)> done = {});
    // Works on the queue until every task is done, reporting (layers done, layers total).
    void finish(const AnalysisProgress& progress);

    bool layerDone(int layer) const;
    double weightMs() const { return m_weightMs; }
    double activationMs() const { return m_activationMs; }

private:
    void push(std::function<void()> task);
    bool runOne(std::unique_lock<std::mutex>& lock);  // false when nothing is queued
    void helperLoop();

    const Model& m_model;
    AnalysisOptions m_options;
    std::vector<LayerAnalysis>& m_layers;
    const std::atomic<bool>* m_cancel;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::function<void()>> m_tasks;
    int m_unfinished = 0, m_activationsInFlight = 0;
    bool m_closed = false;
    std::vector<int> m_halvesDone;  // per layer: 2 when weights and activations are measured
    double m_weightMs = 0, m_activationMs = 0;
    std::vector<std::thread> m_helpers;
};

}  // namespace qkv
