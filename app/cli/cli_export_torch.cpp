// qkvlab export-torch: an experiment as a folder that trains it with PyTorch distributed.
#include "bridge/torch_export.h"
#include "cli_commands.h"
#include "common/errors.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab export-torch [--preset NAME|FILE | --experiment FILE] [experiment options]\n"
    "                           [--nproc N] --out DIR\n"
    "\n"
    "Writes DIR/experiment.json (the experiment in the preset format), DIR/run.sh (the torchrun\n"
    "command) and DIR/qkvlab_torch/ (the PyTorch model and trainer, the same model as QKV Lab's),\n"
    "so that the experiment trains with PyTorch distributed data parallel on any machine with\n"
    "python3 and torch: one process per GPU (NCCL, bf16), or gloo on CPUs. Copy DIR there and\n"
    "run `sh DIR/run.sh`; on a cluster, NNODES=2 NODE_RANK=0 MASTER_ADDR=HOST sh DIR/run.sh on\n"
    "each node. The runs appear in DIR/runs/: open it in QKV Lab while they train and the\n"
    "curves update live (a run that stops writing is shown as stalled).\n"
    "  --nproc N  processes per machine (default: one per GPU, else 1; NPROC=N overrides it)\n"
    "  The experiment options are train's (--variants, --steps, --arch, --seeds, ...; see\n"
    "  qkvlab train --help); --experiment FILE is the same as --preset FILE.\n";
}  // namespace

int exportTorchCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream&) {
    std::set<std::string> names = experimentOptions();
    names.insert({"out", "nproc", "experiment"});
    std::vector<std::string> a = withPosBiasMode(args);
    for (std::string& word : a)  // --experiment FILE is --preset FILE
        if (word == "--experiment") word = "--preset";
        else if (word.rfind("--experiment=", 0) == 0) word = "--preset=" + word.substr(13);
    const CliOptions o(a, names, {"help"});
    if (o.flag("help")) {
        out << kHelp;
        return 0;
    }
    if (!o.positional().empty()) throw UsageError("unexpected argument '" + o.positional()[0] + "'");
    if (!o.has("out")) throw UsageError("give --out DIR, the folder to write");
    const qkv::Experiment e = experimentFromOptions(o);
    const TorchExport x = writeTorchExport(e, QString::fromStdString(o.text("out")), o.integer("nproc", 0, 1, 4096));
    out << "wrote " << x.experimentFile.toStdString() << ", " << x.script.toStdString() << " and "
        << x.folder.toStdString() << "/qkvlab_torch/\n"
        << "train with:  " << runScriptCommand(x.folder).toStdString() << "\n"
        << "(that is:    " << x.command.toStdString() << ")\n"
        << "watch with:  qkvlab " << x.runsFolder.toStdString() << "\n";
    return 0;
}

}  // namespace qkvapp
