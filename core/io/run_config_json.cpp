#include "io/run_config_json.h"

#include "common/errors.h"
#include "io/json_fields.h"

namespace qkv {

namespace {
const char* const kFormat = "qkvlab-run/1";
}

QJsonObject toJson(const ModelConfig& c) {
    return {{"arch", QString::fromStdString(architectureId(c.arch))},
            {"variant", QString::fromStdString(variantId(c.variant))},
            {"d_model", c.dModel},
            {"layers", c.layers},
            {"heads", c.heads},
            {"kv_heads", c.kvHeadCount()},
            {"vocab", c.vocab},
            {"context", c.context},
            {"pos_bias", c.posBias},
            {"pos_bias_mode", QString::fromStdString(posBiasModeId(c.posBiasMode))},
            {"pos_bias_dim", c.posBiasDim},
            {"image_size", c.imageSize},
            {"patch_size", c.patchSize},
            {"family", QString::fromStdString(c.family)},
            {"head_dim", c.headDim()},
            {"norm", QString::fromStdString(normId(c.norm))},
            {"norm_eps", c.normEps},
            {"positions", QString::fromStdString(positionsId(c.positions))},
            {"rope_theta", c.ropeTheta},
            {"rope_pairs", QString::fromStdString(rotaryPairsId(c.ropePairs))},
            {"rope_linear_scale", c.ropeLinearScale},
            {"mlp", QString::fromStdString(mlpId(c.mlp))},
            {"mlp_hidden", c.mlpWidth()},
            {"attn_bias", c.attnBias},
            {"mlp_bias", c.mlpBias},
            {"tied_head", c.tiedHead},
            {"head_bias", c.headBias},
            {"dropout", c.dropout},
            {"residual_scaled_init", c.residualScaledInit},
            {"identity_q_scale", c.identityQueryScale},
            {"query_mlp_bias", c.queryMlpBias}};
}

QJsonObject toJson(const TaskConfig& c) {
    return {{"kind", QString::fromStdString(taskId(c.kind))},
            {"data_path", QString::fromStdString(c.dataPath)},
            {"vocab", c.vocab},
            {"seq_len", c.seqLen},
            {"seed", seedToJson(c.seed)},
            {"validation_size", c.validationSize},
            {"validation_fraction", c.validationFraction},
            {"alphabet", QString::fromStdString(c.alphabet)}};
}

QJsonObject toJson(const TrainConfig& c) {
    return {{"steps", c.steps},         {"batch", c.batch},
            {"lr", c.lr},               {"min_lr_fraction", c.minLrFraction},
            {"warmup_steps", c.warmupSteps}, {"weight_decay", c.weightDecay},
            {"decay_all", c.decayAll},
            {"beta1", c.beta1},         {"beta2", c.beta2},
            {"grad_clip", c.gradClip},  {"eval_every", c.evalEvery},
            {"eval_examples", c.evalExamples}, {"seed", seedToJson(c.seed)}};
}

QJsonObject toJson(const RunConfig& c) {
    QJsonObject o{{"format", kFormat},
                  {"app_version", QKVLAB_VERSION},
                  {"name", QString::fromStdString(c.name)},
                  {"model", toJson(c.model)},
                  {"task", toJson(c.task)},
                  {"train", toJson(c.train)}};
    if (!c.origin.empty())
        o.insert("origin", QJsonObject{{"format", QString::fromStdString(c.origin.format)},
                                       {"path", QString::fromStdString(c.origin.path)},
                                       {"dtype", QString::fromStdString(c.origin.dtype)}});
    return o;
}

void readJson(const QJsonObject& o, ModelConfig& c, const std::string& where, bool runFolder) {
    JsonFields f(o, where);
    if (runFolder) {
        // A run folder written before a definition existed was trained with the old one.
        if (!o.contains("pos_bias_mode")) c.posBiasMode = PosBiasMode::Relative;
        if (!o.contains("identity_q_scale")) c.identityQueryScale = 1.0;
        if (!o.contains("query_mlp_bias")) c.queryMlpBias = true;
    }
    std::string arch = architectureId(c.arch), variant = variantId(c.variant);
    f.read("arch", arch);
    f.read("variant", variant);
    c.arch = parseArchitecture(arch);
    if (auto v = parseVariant(variant)) c.variant = *v;
    else f.fail("variant", "names no variant: '" + variant + "'");
    f.read("d_model", c.dModel);
    f.read("layers", c.layers);
    f.read("heads", c.heads);
    f.read("kv_heads", c.kvHeads);
    f.read("vocab", c.vocab);
    f.read("context", c.context);
    f.read("pos_bias", c.posBias);
    f.read("pos_bias_dim", c.posBiasDim);
    f.read("image_size", c.imageSize);
    f.read("patch_size", c.patchSize);
    // A preset may name a family for its whole layout; explicit fields below still win. (A run
    // folder's family is only its name: its layout is spelled out field by field.)
    if (!runFolder && o.contains("family")) {
        std::string family = c.family;
        f.read("family", family);
        applyFamily(c, family);
    }
    // The layout fields came later; a run written before them is QKV Lab's default layout.
    std::string norm = normId(c.norm), positions = positionsId(c.positions),
                pairs = rotaryPairsId(c.ropePairs), mlp = mlpId(c.mlp);
    int headDim = 0;
    f.read("family", c.family);
    f.read("head_dim", headDim);
    f.read("norm", norm);
    f.read("norm_eps", c.normEps);
    f.read("positions", positions);
    f.read("rope_theta", c.ropeTheta);
    f.read("rope_pairs", pairs);
    f.read("rope_linear_scale", c.ropeLinearScale);
    f.read("mlp", mlp);
    f.read("mlp_hidden", c.mlpHidden);
    f.read("attn_bias", c.attnBias);
    f.read("mlp_bias", c.mlpBias);
    f.read("tied_head", c.tiedHead);
    f.read("head_bias", c.headBias);
    std::string mode = posBiasModeId(c.posBiasMode);
    f.read("pos_bias_mode", mode);
    c.posBiasMode = parsePosBiasMode(mode);
    f.read("dropout", c.dropout);
    f.read("residual_scaled_init", c.residualScaledInit);
    f.read("identity_q_scale", c.identityQueryScale);
    f.read("query_mlp_bias", c.queryMlpBias);
    c.norm = parseNorm(norm);
    c.positions = parsePositions(positions);
    c.ropePairs = parseRotaryPairs(pairs);
    c.mlp = parseMlp(mlp);
    // head_dim is written always; it overrides d / H only where it differs.
    c.headDimOverride =
        headDim > 0 && (c.heads <= 0 || int64_t(headDim) * c.heads != c.dModel) ? headDim : 0;
    if (int64_t(c.mlpHidden) == 4 * int64_t(c.dModel)) c.mlpHidden = 0;
    f.rejectUnknown();
}

void readJson(const QJsonObject& o, TaskConfig& c, const std::string& where) {
    JsonFields f(o, where);
    std::string kind = taskId(c.kind);
    f.read("kind", kind);
    if (auto k = parseTask(kind)) c.kind = *k;
    else f.fail("kind", "names no task: '" + kind + "'");
    f.read("data_path", c.dataPath);
    f.read("vocab", c.vocab);
    f.read("seq_len", c.seqLen);
    f.read("seed", c.seed);
    f.read("validation_size", c.validationSize);
    f.read("validation_fraction", c.validationFraction);
    f.read("alphabet", c.alphabet);
    f.rejectUnknown();
}

void readJson(const QJsonObject& o, TrainConfig& c, const std::string& where) {
    JsonFields f(o, where);
    f.read("steps", c.steps);
    f.read("batch", c.batch);
    f.read("lr", c.lr);
    f.read("min_lr_fraction", c.minLrFraction);
    f.read("warmup_steps", c.warmupSteps);
    f.read("weight_decay", c.weightDecay);
    f.read("decay_all", c.decayAll);
    f.read("beta1", c.beta1);
    f.read("beta2", c.beta2);
    f.read("grad_clip", c.gradClip);
    f.read("eval_every", c.evalEvery);
    f.read("eval_examples", c.evalExamples);
    f.read("seed", c.seed);
    f.rejectUnknown();
}

RunConfig runConfigFromJson(const QJsonObject& o, const std::string& where) {
    JsonFields f(o, where);
    std::string format, version;
    f.read("format", format);
    f.read("app_version", version);
    if (format != kFormat) f.fail("format", "is '" + format + "', expected '" + kFormat + "'");
    RunConfig c;
    f.read("name", c.name);
    readJson(f.object("model"), c.model, where + ": model", /*runFolder=*/true);
    readJson(f.object("task"), c.task, where + ": task");
    readJson(f.object("train"), c.train, where + ": train");
    JsonFields origin(f.object("origin"), where + ": origin");
    origin.read("format", c.origin.format);
    origin.read("path", c.origin.path);
    origin.read("dtype", c.origin.dtype);
    origin.rejectUnknown();
    f.rejectUnknown();
    validate(c.model);
    return c;
}

}  // namespace qkv
