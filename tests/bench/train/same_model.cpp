#include "same_model.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "model/model.h"
#include "train/train_step.h"

namespace trainbench {

CheckResult checkSameModel(const Shape& s, qkv::Variant v, PythonPeer& py, const std::string& dir) {
    CheckResult r;
    qkv::Model model(modelConfig(s, v), 1);
    const auto batch = makeBatches(s, 1).front();
    const std::string base = dir + "/" + s.name + "_" + qkv::variantId(v);
    QJsonArray tensors;
    {
        std::ofstream bin(base + ".bin", std::ios::binary);
        int64_t offset = 0;
        for (const auto& t : model.state()) {
            QJsonObject o;
            o["name"] = QString::fromStdString(t.name);
            QJsonArray shape;
            for (auto n : t.shape) shape.append(qint64(n));
            o["shape"] = shape;
            o["offset"] = qint64(offset);
            tensors.append(o);
            bin.write(reinterpret_cast<const char*>(t.values.data()),
                      std::streamsize(t.values.size() * sizeof(float)));
            offset += int64_t(t.values.size() * sizeof(float));
        }
    }
    QJsonObject header;
    header["tensors"] = tensors;
    QJsonArray inputs, targets;
    for (auto t : batch.inputs) inputs.append(qint64(t));
    for (auto t : batch.targets) targets.append(qint64(t));
    header["inputs"] = inputs;
    header["targets"] = targets;
    QFile f(QString::fromStdString(base + ".json"));
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(header).toJson()) < 0) {
        r.message = "cannot write " + base + ".json";
        return r;
    }
    f.close();

    const int steps = 3;
    qkv::TrainConfig tc = trainConfig(s);
    {
        qkv::TrainStep trainer(model, tc);
        for (int i = 0; i < steps; ++i) r.cpp.push_back(trainer.run(batch, i));
    }
    QJsonObject req;
    req["cmd"] = "check";
    req["shape"] = shapeJson(s);
    req["variant"] = QString::fromStdString(qkv::variantId(v));
    req["weights"] = QString::fromStdString(base);
    req["steps"] = steps;
    req["train"] = trainJson(tc);
    const QJsonObject ans = py.request(req);
    QFile::remove(QString::fromStdString(base + ".json"));
    QFile::remove(QString::fromStdString(base + ".bin"));
    if (!ans.value("ok").toBool()) {
        r.message =
            ans.contains("error") ? ans.value("error").toString().toStdString() : "no answer";
        return r;
    }
    for (const auto& x : ans.value("losses").toArray()) r.py.push_back(x.toDouble());
    // Float sums run in different orders: allow rounding, not a different model.
    double worst = 0;
    for (size_t i = 0; i < r.cpp.size() && i < r.py.size(); ++i)
        worst = std::max(worst, std::abs(r.cpp[i] - r.py[i]) / std::max(1e-9, std::abs(r.cpp[i])));
    r.ok = r.py.size() == r.cpp.size() && worst < 1e-4;
    char buf[96];
    std::snprintf(buf, sizeof buf, "max relative loss difference %.1e over %d steps", worst, steps);
    r.message = buf;
    return r;
}

QJsonArray checkEverySameModel(const std::vector<const Shape*>& shapes,
                               const std::vector<qkv::Variant>& variants, PythonPeer& py,
                               const std::string& dir) {
    QJsonArray checks;
    bool allSame = true;
    for (const Shape* s : shapes)
        for (qkv::Variant v : variants) {
            const CheckResult r = checkSameModel(*s, v, py, dir);
            allSame = allSame && r.ok;
            QJsonObject c;
            c["shape"] = QString::fromStdString(s->name);
            c["variant"] = QString::fromStdString(qkv::variantId(v));
            c["same"] = r.ok;
            c["message"] = QString::fromStdString(r.message);
            QJsonArray a, b;
            for (double x : r.cpp) a.append(x);
            for (double x : r.py) b.append(x);
            c["cpp_losses"] = a;
            c["pytorch_losses"] = b;
            checks.append(c);
            if (!r.ok)
                std::cout << "MODEL MISMATCH " << s->name << " " << qkv::variantId(v) << ": "
                          << r.message << "\n";
        }
    std::cout << (allSame ? "Same model: C++ and PyTorch losses agree for every case (3 "
                            "steps from the same weights and batch)\n"
                          : "warning: the models differ; the ratios below are not "
                            "comparable\n");
    return checks;
}

}  // namespace trainbench
