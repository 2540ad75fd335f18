// The three task families: synthetic generators against their definitions (core/data/task_config.h), the
// text loader and tokenizer, the text split, and image datasets from IDX files the test writes.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <random>
#include <set>

#include "common/errors.h"
#include "data/dataset.h"
#include "data/synthetic_task.h"
#include "data/text_corpus.h"
#include "test_helpers.h"

using namespace qkv;

Q_DECLARE_METATYPE(std::vector<int64_t>)

namespace {

using Tokens = std::vector<int64_t>;

// Runs `f`, expecting an exception of type E whose message contains `fragment`.
template <typename E, typename F>
void expectError(F f, const QString& fragment) {
    try {
        f();
        QFAIL(qPrintable("no exception; expected one mentioning '" + fragment + "'"));
    } catch (const E& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
    }
}

void appendBe32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(char((v >> shift) & 0xff));
}

// IDX images: big-endian magic 0x00000803, count, rows, cols, then count·rows·cols bytes.
std::string idxImages(const std::vector<std::vector<uint8_t>>& images, int rows, int cols) {
    std::string out;
    appendBe32(out, 0x00000803);
    appendBe32(out, uint32_t(images.size()));
    appendBe32(out, uint32_t(rows));
    appendBe32(out, uint32_t(cols));
    for (const auto& img : images) out.append(img.begin(), img.end());
    return out;
}

// IDX labels: magic 0x00000801, count, then one byte per label.
std::string idxLabels(const std::vector<uint8_t>& labels) {
    std::string out;
    appendBe32(out, 0x00000801);
    appendBe32(out, uint32_t(labels.size()));
    out.append(labels.begin(), labels.end());
    return out;
}

// Image `index` of a split: every image distinct, pixels spread over 0..255.
std::vector<uint8_t> image(int split, int index, int side) {
    std::vector<uint8_t> px(size_t(side * side));
    for (size_t i = 0; i < px.size(); ++i)
        px[i] = uint8_t((i * 7 + size_t(index) * 31 + split * 101) % 256);
    return px;
}

// One row of a batch.
Tokens row(const std::vector<int64_t>& flat, int r, int length) {
    return Tokens(flat.begin() + r * length, flat.begin() + (r + 1) * length);
}

bool sameBatch(const Batch& a, const Batch& b) {
    return a.size == b.size && a.length == b.length && a.inputs == b.inputs &&
           a.pixels == b.pixels && a.targets == b.targets;
}

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

}  // namespace

class TstTasks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void syntheticTargets_data();
    void syntheticTargets();
    void nonSyntheticKindsRefused();
    void sampleIsDeterministic();
    void sampledPairsFollowTheirDefinition();
    void syntheticDataset();
    void syntheticDatasetRefusesBadSizes();
    void textCorpusFolder();
    void tokenizer();
    void textDataset();
    void textTrainingNeverSeesValidation_data();
    void textTrainingNeverSeesValidation();
    void imageDataset();
    void imageDatasetRefusesBadFolders();
};

void TstTasks::syntheticTargets_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("vocab");
    QTest::addColumn<Tokens>("input");
    QTest::addColumn<Tokens>("target");
    const Tokens x{3, 1, 4, 1, 5};
    QTest::newRow("copy") << int(TaskKind::Copy) << 10 << x << Tokens{3, 1, 4, 1, 5};
    QTest::newRow("reverse") << int(TaskKind::Reverse) << 10 << x << Tokens{5, 1, 4, 1, 3};
    QTest::newRow("reverse even") << int(TaskKind::Reverse) << 10 << Tokens{0, 1, 2, 3}
                                  << Tokens{3, 2, 1, 0};
    QTest::newRow("sort") << int(TaskKind::Sort) << 10 << x << Tokens{1, 1, 3, 4, 5};
    QTest::newRow("sort 9..0") << int(TaskKind::Sort) << 10 << Tokens{9, 0, 8, 0, 7, 9}
                               << Tokens{0, 0, 7, 8, 9, 9};
    QTest::newRow("swap even T") << int(TaskKind::Swap) << 10 << Tokens{0, 1, 2, 3, 4, 5}
                                 << Tokens{3, 4, 5, 0, 1, 2};
    // Odd T: the front half is the shorter one (⌊T/2⌋), so the middle token leads the output.
    QTest::newRow("swap odd T") << int(TaskKind::Swap) << 10 << Tokens{0, 1, 2, 3, 4}
                                << Tokens{2, 3, 4, 0, 1};
    QTest::newRow("swap T=2") << int(TaskKind::Swap) << 10 << Tokens{7, 8} << Tokens{8, 7};
    QTest::newRow("sub V=10") << int(TaskKind::Sub) << 10 << Tokens{0, 3, 9, 5}
                              << Tokens{9, 6, 0, 4};
    QTest::newRow("sub V=5") << int(TaskKind::Sub) << 5 << Tokens{0, 4, 2} << Tokens{4, 0, 2};
    // follow: y_i = x_{j+1} for the first j with x_j = x_i; the last token, followed by
    // nothing, answers itself.
    QTest::newRow("follow") << int(TaskKind::Follow) << 10 << x << Tokens{1, 4, 1, 4, 5};
    QTest::newRow("follow repeats")
        << int(TaskKind::Follow) << 10 << Tokens{2, 2, 7, 2, 0} << Tokens{2, 2, 2, 2, 0};
    QTest::newRow("follow first match")
        << int(TaskKind::Follow) << 10 << Tokens{6, 3, 6, 8, 3, 1} << Tokens{3, 6, 3, 3, 6, 1};
}

void TstTasks::syntheticTargets() {
    QFETCH(int, kind);
    QFETCH(int, vocab);
    QFETCH(Tokens, input);
    QFETCH(Tokens, target);
    QCOMPARE(syntheticTarget(TaskKind(kind), input, vocab), target);
}

void TstTasks::nonSyntheticKindsRefused() {
    expectError<ConfigError>([] { syntheticTarget(TaskKind::Text, {1, 2}, 10); }, "text");
    expectError<ConfigError>([] { syntheticTarget(TaskKind::Images, {1, 2}, 10); }, "synthetic");
}

void TstTasks::sampleIsDeterministic() {
    for (TaskKind k : syntheticTasks()) {
        std::mt19937_64 a(77), b(77), c(78);
        const SyntheticExample x = sampleSynthetic(k, 10, 16, a);
        const SyntheticExample y = sampleSynthetic(k, 10, 16, b);
        const SyntheticExample z = sampleSynthetic(k, 10, 16, c);
        QCOMPARE(x.input, y.input);
        QCOMPARE(x.target, y.target);
        QVERIFY(x.input != z.input);  // 10^-16 chance of a collision: the seed matters
        // The generators stay in step afterwards too.
        QCOMPARE(sampleSynthetic(k, 10, 16, a).input, sampleSynthetic(k, 10, 16, b).input);
    }
}

void TstTasks::sampledPairsFollowTheirDefinition() {
    // Properties of each definition on many random inputs, written independently of core.
    std::mt19937_64 rng(3);
    const int V = 10;
    for (int T : {2, 7, 16, 33}) {
        std::vector<int> seen(V, 0);
        for (int n = 0; n < 200; ++n)
            for (TaskKind k : syntheticTasks()) {
                const SyntheticExample ex = sampleSynthetic(k, V, T, rng);
                const Tokens& x = ex.input;
                const Tokens& y = ex.target;
                QCOMPARE(int(x.size()), T);
                QCOMPARE(int(y.size()), T);
                for (int64_t t : x) {
                    QVERIFY(t >= 0 && t < V);
                    ++seen[size_t(t)];
                }
                for (int i = 0; i < T; ++i) {
                    const size_t u = size_t(i);
                    switch (k) {
                        case TaskKind::Copy:
                            QCOMPARE(y[u], x[u]);
                            break;
                        case TaskKind::Reverse:
                            QCOMPARE(y[u], x[size_t(T - 1 - i)]);
                            break;
                        case TaskKind::Sub:
                            QCOMPARE(y[u], int64_t(V - 1) - x[u]);
                            break;
                        case TaskKind::Swap: {
                            const int h = T / 2, back = T - h;
                            QCOMPARE(y[u], i < back ? x[size_t(h + i)] : x[size_t(i - back)]);
                            break;
                        }
                        case TaskKind::Follow: {
                            int j = 0;
                            while (x[size_t(j)] != x[u]) ++j;
                            QCOMPARE(y[u], j + 1 < T ? x[size_t(j + 1)] : x[u]);
                            break;
                        }
                        case TaskKind::Sort:
                            if (i > 0) QVERIFY(y[u - 1] <= y[u]);
                            break;
                        default:
                            QFAIL("not synthetic");
                    }
                }
                if (k == TaskKind::Sort) {
                    Tokens xs = x, ys = y;
                    std::sort(xs.begin(), xs.end());
                    QCOMPARE(ys, xs);  // a permutation of the input
                }
            }
        // Every token of the vocabulary is drawn.
        for (int v = 0; v < V; ++v) QVERIFY2(seen[size_t(v)] > 0, "a token is never sampled");
    }
}

void TstTasks::syntheticDataset() {
    TaskConfig cfg;
    cfg.kind = TaskKind::Sort;
    cfg.vocab = 7;
    cfg.seqLen = 12;
    cfg.seed = 5;
    cfg.validationSize = 40;
    auto a = makeDataset(cfg);
    auto b = makeDataset(cfg);

    ModelConfig m;
    m.arch = Architecture::Vit;
    a->configureModel(m);
    QCOMPARE(int(m.arch), int(Architecture::Encoder));
    QCOMPARE(m.vocab, 7);
    QCOMPARE(m.context, 12);

    // Validation: fixed, the same for the same seed, and another for another seed.
    QCOMPARE(a->validationCount(), 40);
    const Batch v = a->validationBatch(0, 40);
    QCOMPARE(v.size, 40);
    QCOMPARE(v.length, 12);
    QCOMPARE(v.inputs.size(), size_t(40 * 12));
    QCOMPARE(v.targets.size(), size_t(40 * 12));
    QVERIFY(v.pixels.empty());
    QVERIFY(sameBatch(v, a->validationBatch(0, 40)));
    QVERIFY(sameBatch(v, b->validationBatch(0, 40)));
    const Batch part = a->validationBatch(10, 5);
    QCOMPARE(part.inputs, Tokens(v.inputs.begin() + 10 * 12, v.inputs.begin() + 15 * 12));
    for (int r = 0; r < 40; ++r)
        QCOMPARE(row(v.targets, r, 12), syntheticTarget(TaskKind::Sort, row(v.inputs, r, 12), 7));
    TaskConfig other = cfg;
    other.seed = 6;
    QVERIFY(makeDataset(other)->validationBatch(0, 40).inputs != v.inputs);

    // Training: the same seed gives the same stream, batch after batch; the stream moves on.
    std::mt19937_64 ra(11), rb(11);
    Batch previous;
    for (int i = 0; i < 5; ++i) {
        const Batch x = a->trainBatch(16, ra), y = b->trainBatch(16, rb);
        QVERIFY(sameBatch(x, y));
        QCOMPARE(x.size, 16);
        QCOMPARE(x.length, 12);
        QCOMPARE(x.inputs.size(), size_t(16 * 12));
        QCOMPARE(x.targets.size(), size_t(16 * 12));
        QVERIFY(x.pixels.empty());
        for (int r = 0; r < 16; ++r)
            QCOMPARE(row(x.targets, r, 12),
                     syntheticTarget(TaskKind::Sort, row(x.inputs, r, 12), 7));
        if (i > 0) QVERIFY(x.inputs != previous.inputs);
        previous = x;
    }
    // Validation comes from its own stream: the training stream does not depend on its size.
    TaskConfig small = cfg;
    small.validationSize = 1;
    std::mt19937_64 rc(11), rd(11);
    QVERIFY(sameBatch(makeDataset(small)->trainBatch(16, rc), a->trainBatch(16, rd)));
}

void TstTasks::syntheticDatasetRefusesBadSizes() {
    TaskConfig cfg;
    cfg.vocab = 1;
    expectError<ConfigError>([&] { makeDataset(cfg); }, "vocab");
    cfg.vocab = 10;
    cfg.seqLen = 1;
    expectError<ConfigError>([&] { makeDataset(cfg); }, "seq-len");
    cfg.seqLen = 8;
    cfg.validationSize = 0;
    expectError<ConfigError>([&] { makeDataset(cfg); }, "validation");
}

void TstTasks::textCorpusFolder() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string a = repeat("héllo wörld\n", 3), b = repeat("x→y ←\n", 2);
    qkvtest::writeBytes(tmp, "a", a);
    qkvtest::writeBytes(tmp, "b.txt", b);
    // strfile's index: binary, would add NUL, 'Z' and U+FFFD to the alphabet if it were read.
    qkvtest::writeBytes(tmp, "x.dat", std::string("\x00\xff\xfeZ\x00\x00\x00\x02", 8));
    qkvtest::writeBytes(tmp, ".hidden", "QQQ");
    // fortunes ships foo.u8 as a link to foo; the text must not be read twice.
    QVERIFY(QFile::link(QDir(tmp.path()).filePath("a"), QDir(tmp.path()).filePath("a.u8")));

    const TextCorpus c = readTextCorpus(tmp.path().toStdString());
    QStringList names;
    for (const std::string& f : c.files) names << QFileInfo(QString::fromStdString(f)).fileName();
    QCOMPARE(names, (QStringList{"a", "b.txt"}));
    const std::u32string want = utf8ToCodePoints(a) + utf8ToCodePoints(b);
    QVERIFY(c.text == want);
    QCOMPARE(c.text.size(), size_t(3 * 12 + 2 * 6));  // code points, not bytes
    QVERIFY(c.alphabet == std::u32string(U"\n dhlorwxy\u00e9\u00f6\u2190\u2192"));

    // A single file is read as such, and a missing path or an empty folder is a DataError.
    const TextCorpus single = readTextCorpus(QDir(tmp.path()).filePath("b.txt").toStdString());
    QVERIFY(single.text == utf8ToCodePoints(b));
    expectError<DataError>([&] { readTextCorpus(QDir(tmp.path()).filePath("nope").toStdString()); },
                           "does not exist");
    QTemporaryDir empty;
    expectError<DataError>([&] { readTextCorpus(empty.path().toStdString()); }, "no text");
}

void TstTasks::tokenizer() {
    QVERIFY(utf8ToCodePoints("é→a") == std::u32string(U"\u00e9\u2192a"));
    QCOMPARE(codePointsToUtf8(U"\u00e9\u2192a"), std::string("é→a"));
    // Invalid UTF-8 becomes U+FFFD instead of being dropped.
    QVERIFY(utf8ToCodePoints("a\xff"
                             "b") == std::u32string(U"a\uFFFDb"));

    const CharTokenizer t(U"→ba é");  // sorted and de-duplicated by the tokenizer
    QCOMPARE(t.size(), 5);
    QVERIFY(t.alphabet() == std::u32string(U" ab\u00e9\u2192"));
    const std::u32string text = U"abé → ba";
    const Tokens ids = t.encode(text);
    QCOMPARE(ids, (Tokens{1, 2, 3, 0, 4, 0, 2, 1}));
    QVERIFY(t.decode(ids) == text);
    QVERIFY(t.decode({0, 99, -1}) == std::u32string(U" \uFFFD\uFFFD"));
    expectError<DataError>([&] { t.encode(U"abZ"); }, "U+5A");
    expectError<DataError>([&] { t.encode(U"\u20ac"); }, "U+20AC");
}

void TstTasks::textDataset() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    qkvtest::writeBytes(tmp, "a", repeat("café au lait → thé\n", 20));
    qkvtest::writeBytes(tmp, "b", repeat("été, hiver\n", 20));
    TaskConfig cfg;
    cfg.kind = TaskKind::Text;
    cfg.dataPath = tmp.path().toStdString();
    cfg.seqLen = 8;
    cfg.validationSize = 5;  // the held-out 10 % (60 characters) holds 6 windows of 9
    auto data = makeDataset(cfg);

    const TextCorpus corpus = readTextCorpus(cfg.dataPath);
    QCOMPARE(cfg.alphabet, codePointsToUtf8(corpus.alphabet));  // filled on load
    ModelConfig m;
    data->configureModel(m);
    QCOMPARE(int(m.arch), int(Architecture::Decoder));
    QCOMPARE(m.vocab, int(corpus.alphabet.size()));
    QCOMPARE(m.context, 8);
    QCOMPARE(data->validationCount(), 5);

    // Windows are real slices of the text: targets are the inputs shifted by one character.
    const CharTokenizer tok(corpus.alphabet);
    const Tokens all = tok.encode(corpus.text);
    std::mt19937_64 rng(1);
    const Batch b = data->trainBatch(6, rng);
    QCOMPARE(b.size, 6);
    QCOMPARE(b.length, 8);
    for (int r = 0; r < 6; ++r) {
        const Tokens in = row(b.inputs, r, 8), out = row(b.targets, r, 8);
        Tokens window = in;
        window.push_back(out.back());
        QVERIFY(std::equal(in.begin() + 1, in.end(), out.begin()));
        QVERIFY(std::search(all.begin(), all.end(), window.begin(), window.end()) != all.end());
    }

    // A run's alphabet must match the corpus it is evaluated on.
    TaskConfig other = cfg;
    other.alphabet = "abc";
    expectError<DataError>([&] { makeDataset(other); }, "different alphabet");
    // The same alphabet is accepted.
    TaskConfig same = cfg;
    makeDataset(same);

    TaskConfig tooShort = cfg;
    tooShort.alphabet.clear();
    tooShort.seqLen = 400;
    expectError<DataError>([&] { makeDataset(tooShort); }, "too short");
}

void TstTasks::textTrainingNeverSeesValidation_data() {
    QTest::addColumn<int>("seed");
    for (int s : {1, 2, 3, 4, 5}) QTest::newRow(qPrintable(QString("seed %1").arg(s))) << s;
}

void TstTasks::textTrainingNeverSeesValidation() {
    // Each character encodes its position (distinct code points in increasing order), so the
    // token id of a character *is* its offset in the corpus.
    QFETCH(int, seed);
    const int n = 1000, seqLen = 9, window = seqLen + 1;
    std::u32string text;
    for (int i = 0; i < n; ++i) text.push_back(char32_t(0x4E00 + i));
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string file = qkvtest::writeBytes(tmp, "corpus.txt", codePointsToUtf8(text));
    TaskConfig cfg;
    cfg.kind = TaskKind::Text;
    cfg.dataPath = file;
    cfg.seqLen = seqLen;
    cfg.seed = uint64_t(seed);
    cfg.validationFraction = 0.1;  // 100 characters: exactly 10 windows
    cfg.validationSize = 1000;
    auto data = makeDataset(cfg);
    QCOMPARE(data->validationCount(), n / 10 / window);

    // The validation windows tile one contiguous slice of n · fraction characters.
    const Batch v = data->validationBatch(0, data->validationCount());
    std::set<int64_t> held;
    for (size_t i = 0; i < v.inputs.size(); ++i) {
        held.insert(v.inputs[i]);
        held.insert(v.targets[i]);
        QCOMPARE(v.targets[i], v.inputs[i] + 1);
    }
    QCOMPARE(int(held.size()), n / 10);
    const int64_t start = *held.begin(), end = *held.rbegin() + 1;
    QCOMPARE(end - start, int64_t(n / 10));
    // The same seed places the slice in the same place.
    TaskConfig again = cfg;
    QCOMPARE(makeDataset(again)->validationBatch(0, 1).inputs, row(v.inputs, 0, seqLen));

    std::mt19937_64 rng(uint64_t(seed) * 7919);
    std::set<int64_t> starts;
    for (int k = 0; k < 400; ++k) {
        const Batch b = data->trainBatch(32, rng);
        for (int r = 0; r < b.size; ++r) {
            const Tokens in = row(b.inputs, r, seqLen), out = row(b.targets, r, seqLen);
            for (int i = 0; i < seqLen; ++i) {
                QVERIFY(in[size_t(i)] == in[0] + i && out[size_t(i)] == in[0] + i + 1);
            }
            const int64_t first = in.front(), last = out.back();
            if (!(last < start || first >= end))
                QFAIL(qPrintable(QString("training window [%1, %2] overlaps validation [%3, %4)")
                                     .arg(first)
                                     .arg(last)
                                     .arg(start)
                                     .arg(end)));
            starts.insert(first);
        }
    }
    // The sampler reaches right up to the held-out slice on both sides and to both corpus ends,
    // so the check above is not passing because of an over-cautious gap.
    if (start >= window) QVERIFY(starts.count(start - window));
    if (end + window <= n) QVERIFY(starts.count(end));
    if (start >= window) QVERIFY(starts.count(0));
    if (end + window <= n) QVERIFY(starts.count(n - window));
}

void TstTasks::imageDataset() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const int side = 14;
    const std::vector<uint8_t> trainLabels{3, 1, 4, 1, 5, 9}, testLabels{2, 6, 5, 3};
    std::vector<std::vector<uint8_t>> train, test;
    for (int i = 0; i < 6; ++i) train.push_back(image(0, i, side));
    for (int i = 0; i < 4; ++i) test.push_back(image(1, i, side));
    qkvtest::writeBytes(tmp, "train-images-idx3-ubyte", idxImages(train, side, side));
    qkvtest::writeBytes(tmp, "train-labels-idx1-ubyte", idxLabels(trainLabels));
    // The test split gzip-compressed, as Debian ships Fashion-MNIST.
    qkvtest::writeBytes(tmp, "t10k-images-idx3-ubyte.gz",
                        qkvtest::gzip(idxImages(test, side, side)));
    qkvtest::writeBytes(tmp, "t10k-labels-idx1-ubyte.gz", qkvtest::gzip(idxLabels(testLabels)));

    TaskConfig cfg;
    cfg.kind = TaskKind::Images;
    cfg.dataPath = tmp.path().toStdString();
    cfg.validationSize = 3;
    auto data = makeDataset(cfg);
    ModelConfig m;
    data->configureModel(m);
    QCOMPARE(int(m.arch), int(Architecture::Vit));
    QCOMPARE(m.vocab, 10);  // labels reach 9
    QCOMPARE(m.imageSize, side);
    QCOMPARE(data->validationCount(), 3);  // min(validation size, t10k images)
    cfg.validationSize = 100;
    QCOMPARE(makeDataset(cfg)->validationCount(), 4);

    // Validation: the t10k images in file order, scaled to [0, 1], with their labels.
    const Batch v = data->validationBatch(0, 3);
    QCOMPARE(v.size, 3);
    QCOMPARE(v.length, side * side);
    QVERIFY(v.inputs.empty());
    QCOMPARE(v.pixels.size(), size_t(3 * side * side));
    QCOMPARE(v.targets, (Tokens{2, 6, 5}));
    for (int i = 0; i < 3; ++i)
        for (int p = 0; p < side * side; ++p)
            QCOMPARE(v.pixels[size_t(i * side * side + p)], test[size_t(i)][size_t(p)] / 255.0f);

    // Training: every image is one of the training images, with its own label.
    std::mt19937_64 rng(4);
    const Batch b = data->trainBatch(32, rng);
    QCOMPARE(b.size, 32);
    QCOMPARE(b.pixels.size(), size_t(32 * side * side));
    QCOMPARE(b.targets.size(), size_t(32));
    std::set<int> used;
    for (int r = 0; r < 32; ++r) {
        int match = -1;
        for (int i = 0; i < 6 && match < 0; ++i) {
            bool same = true;
            for (int p = 0; p < side * side && same; ++p)
                same =
                    b.pixels[size_t(r * side * side + p)] == train[size_t(i)][size_t(p)] / 255.0f;
            if (same) match = i;
        }
        QVERIFY2(match >= 0, "a training image is not from the train split");
        QCOMPARE(b.targets[size_t(r)], int64_t(trainLabels[size_t(match)]));
        used.insert(match);
    }
    QVERIFY(used.size() > 1);
}

void TstTasks::imageDatasetRefusesBadFolders() {
    TaskConfig cfg;
    cfg.kind = TaskKind::Images;
    QTemporaryDir empty;
    cfg.dataPath = empty.path().toStdString();
    expectError<DataError>([&] { makeDataset(cfg); }, "no train images");

    // Non-square images cannot be cut into square patches.
    QTemporaryDir tmp;
    const std::vector<std::vector<uint8_t>> imgs{std::vector<uint8_t>(6 * 4, 1)};
    qkvtest::writeBytes(tmp, "train-images-idx3-ubyte", idxImages(imgs, 6, 4));
    qkvtest::writeBytes(tmp, "train-labels-idx1-ubyte", idxLabels({1}));
    qkvtest::writeBytes(tmp, "t10k-images-idx3-ubyte", idxImages(imgs, 6, 4));
    qkvtest::writeBytes(tmp, "t10k-labels-idx1-ubyte", idxLabels({0}));
    cfg.dataPath = tmp.path().toStdString();
    expectError<DataError>([&] { makeDataset(cfg); }, "not square");

    // A train split with no images: trainBatch would draw from uniform_int_distribution(0, -1)
    // and index past the pixel buffer, so the dataset must be refused when it is made.
    QTemporaryDir none;
    const std::vector<std::vector<uint8_t>> square{std::vector<uint8_t>(4 * 4, 1)};
    qkvtest::writeBytes(none, "train-images-idx3-ubyte", idxImages({}, 4, 4));
    qkvtest::writeBytes(none, "train-labels-idx1-ubyte", idxLabels({}));
    qkvtest::writeBytes(none, "t10k-images-idx3-ubyte", idxImages(square, 4, 4));
    qkvtest::writeBytes(none, "t10k-labels-idx1-ubyte", idxLabels({0}));
    cfg.dataPath = none.path().toStdString();
    bool refused = false;
    try {
        makeDataset(cfg);
    } catch (const DataError&) {
        refused = true;
    }
    QVERIFY(refused);
}

QTEST_GUILESS_MAIN(TstTasks)
#include "tst_tasks.moc"
