// The flags that describe an experiment, shared by `train` and `info`.
#include <QFileInfo>

#include <algorithm>
#include <cstdlib>

#include "cli_commands.h"
#include "common/errors.h"

namespace qkvapp {

const std::set<std::string>& experimentOptions() {
    static const std::set<std::string> names = {
        "task", "data", "variants", "kv-heads", "d-model", "layers", "heads", "seq-len", "vocab",
        "batch", "steps", "lr", "seed", "preset", "eval-every", "warmup", "arch", "pos-bias",
        "paper", "seeds"};
    return names;
}

qkv::Architecture architectureForTask(qkv::TaskKind kind) {
    if (kind == qkv::TaskKind::Text) return qkv::Architecture::Decoder;
    if (kind == qkv::TaskKind::Images) return qkv::Architecture::Vit;
    return qkv::Architecture::Encoder;
}

namespace {
std::string presetPath(const std::string& nameOrPath) {
    // A preset file wins; a folder never is one, so runs trained into ./demo do not hide the
    // built-in demo preset.
    const QFileInfo file(QString::fromStdString(nameOrPath));
    if (file.isFile()) return nameOrPath;
    const std::string resource = ":/presets/" + nameOrPath + ".json";
    if (QFileInfo::exists(QString::fromStdString(resource))) return resource;
    if (file.isDir())
        throw UsageError("'" + nameOrPath + "' is a folder, not a preset file (built-in: demo, char-lm, fashion-vit)");
    throw UsageError("no preset file or built-in preset named '" + nameOrPath +
                     "' (built-in: demo, char-lm, fashion-vit)");
}
}  // namespace

std::vector<std::string> withPosBiasMode(std::vector<std::string> args) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] != "--pos-bias") continue;
        const bool named = i + 1 < args.size() && (args[i + 1] == "absolute" || args[i + 1] == "relative");
        if (named) {
            args[i] += "=" + args[i + 1];
            args.erase(args.begin() + std::ptrdiff_t(i) + 1);
        } else {
            args[i] = "--pos-bias=absolute";  // the published construction
        }
    }
    return args;
}

qkv::Experiment experimentFromOptions(const CliOptions& o) {
    qkv::Experiment e;
    e.variants = {qkv::Variant::Qkv, qkv::Variant::SharedKv, qkv::Variant::SharedQk,
                  qkv::Variant::Single};
    if (o.has("preset") && o.has("paper"))
        throw UsageError("give --preset or --paper, not both (--paper NAME is the preset paper-NAME)");
    if (o.has("paper")) {
        const std::string name = o.text("paper");
        if (name != "300m" && name != "1.2b")
            throw UsageError("unknown --paper setting '" + name + "' (300m or 1.2b)");
        e = qkv::loadExperiment(":/presets/paper-" + name + ".json");
    }
    if (o.has("preset")) e = qkv::loadExperiment(presetPath(o.text("preset")));
    qkv::RunConfig& r = e.base;
    if (o.has("task")) {
        auto kind = qkv::parseTask(o.text("task"));
        if (!kind)
            throw UsageError("unknown task '" + o.text("task") +
                             "' (copy, reverse, sort, swap, sub, follow, fashion-mnist, text)");
        r.task.kind = *kind;
    }
    r.model.arch = architectureForTask(r.task.kind);
    r.task.dataPath = o.text("data", r.task.dataPath);
    if (o.has("variants")) {
        e.variants.clear();
        for (const std::string& id : o.list("variants")) {
            auto v = qkv::parseVariant(id);
            if (!v)
                throw UsageError("unknown variant '" + id +
                                 "' (qkv, shared-kv, shared-qk, single, identity-q, mlp-q)");
            e.variants.push_back(*v);
        }
        if (e.variants.empty()) throw UsageError("--variants names no variant");
    }
    r.model.kvHeads = o.integer("kv-heads", r.model.kvHeads, 1, 4096);
    if (o.has("pos-bias")) {
        r.model.posBias = true;
        r.model.posBiasMode = qkv::parsePosBiasMode(o.text("pos-bias"));
    }
    r.model.dModel = o.integer("d-model", r.model.dModel, 1, 65536);
    r.model.layers = o.integer("layers", r.model.layers, 1, 256);
    r.model.heads = o.integer("heads", r.model.heads, 1, 4096);
    r.task.seqLen = o.integer("seq-len", r.task.seqLen, 2, 1 << 20);
    r.task.vocab = o.integer("vocab", r.task.vocab, 2, 262144);
    r.model.vocab = r.task.vocab;
    r.model.context = r.task.seqLen;
    r.train.batch = o.integer("batch", r.train.batch, 1, 65536);
    r.train.steps = o.integer("steps", r.train.steps, 1, 100000000);
    r.train.lr = o.number("lr", r.train.lr, 0.0);
    r.train.evalEvery = o.integer("eval-every", r.train.evalEvery, 1, 100000000);
    r.train.warmupSteps = o.integer("warmup", r.train.warmupSteps, 0, 100000000);
    if (o.has("seeds")) {
        if (o.has("seed")) throw UsageError("give --seed or --seeds, not both");
        e.seeds.clear();
        for (const std::string& word : o.list("seeds")) {
            char* end = nullptr;
            const long long v = std::strtoll(word.c_str(), &end, 10);
            if (word.empty() || *end != '\0' || v < 0 || v > 2147483647)
                throw UsageError("--seeds takes whole numbers such as 1,2,3, got '" + word + "'");
            if (std::find(e.seeds.begin(), e.seeds.end(), uint64_t(v)) != e.seeds.end())
                throw UsageError("--seeds names seed " + word + " twice");
            e.seeds.push_back(uint64_t(v));
        }
        if (e.seeds.empty()) throw UsageError("--seeds names no seed");
        r.train.seed = e.seeds.front();
    }
    if (o.has("seed")) {
        const int seed = o.integer("seed", 1, 0, 2147483647);
        r.train.seed = uint64_t(seed);
        r.task.seed = uint64_t(seed);
    }
    // --arch picks the block layout (the family); info also takes decoder/encoder/vit.
    const std::string arch = o.text("arch");
    const auto& families = qkv::modelFamilies();
    if (std::find(families.begin(), families.end(), arch) != families.end()) {
        if (r.model.arch == qkv::Architecture::Vit && arch != "qkvlab")
            throw UsageError("--arch " + arch + " needs a text or sequence task (the ViT keeps "
                             "learned positions and its own head)");
        qkv::applyFamily(r.model, arch);
    } else if (!arch.empty() && arch != "decoder" && arch != "encoder" && arch != "vit") {
        throw UsageError("unknown --arch '" + arch + "' (qkvlab, llama, gpt2, paper-gpt)");
    } else if (r.model.family == "llama" && o.has("d-model")) {
        qkv::applyFamily(r.model, "llama");  // its MLP width follows d
    }
    return e;
}

}  // namespace qkvapp
