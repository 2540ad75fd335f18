#pragma once
// An experiment handed to PyTorch distributed: a folder that trains it with torchrun on any
// machine that has python3 and torch, and that QKV Lab watches while it trains. It holds
//   experiment.json   the experiment in QKV Lab's preset format
//   run.sh            the torchrun command (one machine: NPROC processes; a cluster: NNODES,
//                     NODE_RANK, MASTER_ADDR), resuming from the last checkpoint when run again
//   qkvlab_torch/     the PyTorch package this QKV Lab was built with (python/qkvlab_torch)
//   runs/             where the run folders appear, one per variant and seed

#include <QString>

#include "train/experiment.h"

namespace qkvapp {

struct TorchExport {
    QString folder;          // absolute
    QString experimentFile;  // folder/experiment.json
    QString script;          // folder/run.sh
    QString runsFolder;      // folder/runs
    QString command;         // what run.sh executes on one machine, to show and copy
};

// Writes the folder (every file atomically); nproc 0 means one process per GPU, or one on CPUs.
// Relative data paths become absolute. Throws qkv::IoError or qkv::ConfigError.
TorchExport writeTorchExport(const qkv::Experiment& experiment, const QString& folder, int nproc = 0);

// "sh '<folder>/run.sh'": what a user types.
QString runScriptCommand(const QString& folder);
// The command run.sh runs on one machine, for `nproc` processes ("$NPROC" when 0).
QString torchrunCommand(const QString& folder, int nproc);

}  // namespace qkvapp
