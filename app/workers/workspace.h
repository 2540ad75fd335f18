#pragma once
// What the window shows: experiments and their runs, as plain values owned by the controller.

#include <QColor>
#include <QString>

#include <vector>

#include "train/experiment.h"
#include "train/train_config.h"

namespace qkvapp {

// Live: another process (torchrun, a qkvlab train in a terminal) is writing the run folder;
// Stalled: it was, and has written nothing for longer than the watcher's limit.
enum class RunState { Planned, Queued, Training, Live, Stalled, Finished, Failed };

struct RunEntry {
    QString id;  // the run folder's absolute path; for planned runs, "<experiment>/<variant>"
    qkv::RunConfig config;
    qkv::TrainResult result;  // curve and final metrics so far
    QColor color;
    bool visible = true;
    RunState state = RunState::Planned;
    double etaSeconds = 0;
    qint64 silentMs = 0;  // Stalled: how long the folder has not been written
    QString error;
    // A model QKV Lab did not train (Hugging Face, llama2.c, a converted run): how it was stored
    // and what tokenizes its prompts, e.g. "Hugging Face folder · BF16 · SentencePiece (32000)".
    // Empty for runs trained here.
    QString source;
    bool loaded() const { return !source.isEmpty(); }
    // The name every view shows: the model's name when loaded, else the variant's paper name.
    QString displayName() const;
};

struct ExperimentEntry {
    QString name;
    QString folder;  // where its run folders live (empty while planned)
    qkv::Experiment experiment;
    std::vector<RunEntry> runs;
};

class Workspace {
public:
    std::vector<ExperimentEntry>& experiments() { return m_experiments; }
    const std::vector<ExperimentEntry>& experiments() const { return m_experiments; }

    RunEntry* findRun(const QString& id);
    const RunEntry* findRun(const QString& id) const;
    ExperimentEntry* findExperiment(const QString& name);
    // The colour of a variant, the same in every experiment and every view.
    static QColor variantColor(qkv::Variant v);

    // A planned experiment: one run per variant, shown before training starts.
    ExperimentEntry& addPlanned(const qkv::Experiment& e);
    void remove(const QString& experimentName);

private:
    std::vector<ExperimentEntry> m_experiments;
};

// "62% · 75 s left" while training (live in the workspace panel); with `detailed` false just
// "training", for views that redraw only at evaluations.
QString stateText(const RunEntry& run, bool detailed = true);

}  // namespace qkvapp
