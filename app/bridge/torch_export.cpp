#include "torch_export.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace qkvapp {

namespace {

// POSIX sh quoting: the folder may hold spaces or quotes.
QString shellQuoted(const QString& s) {
    QString out = s;
    out.replace('\'', "'\\''");
    return '\'' + out + '\'';
}

QString script(const qkv::Experiment& e, int nproc) {
    const QString name = QString::fromStdString(e.name.empty() ? "experiment" : e.name);
    QString s = QStringLiteral(
        "#!/bin/sh\n"
        "# Trains the QKV Lab experiment '%1' with PyTorch distributed data parallel: one process\n"
        "# per GPU (NCCL, bf16 autocast) or, without GPUs, NPROC processes on the CPUs (gloo), the\n"
        "# global batch split over them. Written by `qkvlab export-torch`; needs python3 and torch\n"
        "# (1.13 or later) and nothing else: the package is in qkvlab_torch/ beside this file.\n"
        "#\n"
        "#   sh run.sh                 this machine (NPROC processes: default %2)\n"
        "#   NNODES=2 NODE_RANK=0 MASTER_ADDR=node0 sh run.sh     on each node of a cluster\n"
        "#   PYTHON=/usr/bin/python3   the interpreter that has torch\n"
        "#\n"
        "# The runs appear in runs/ beside this file. Open that folder in QKV Lab while it trains\n"
        "# (qkvlab runs/, or File > Open Runs): curves and the comparison update live. Running this\n"
        "# again resumes every unfinished run from its last checkpoint.\n"
        "set -eu\n"
        "here=$(cd \"$(dirname \"$0\")\" && pwd)\n"
        "export PYTHONPATH=\"$here${PYTHONPATH:+:$PYTHONPATH}\"\n"
        "PYTHON=${PYTHON:-python3}\n")
                    .arg(name, nproc > 0 ? QString::number(nproc) : "one per GPU, else 1");
    if (nproc > 0)
        s += QString("NPROC=${NPROC:-%1}\n").arg(nproc);
    else
        s += "NPROC=${NPROC:-$(\"$PYTHON\" -c 'import torch; print(max(1, torch.cuda.device_count()))')}\n";
    s += QStringLiteral(
        "NNODES=${NNODES:-1}\n"
        "if [ \"$NNODES\" -gt 1 ]; then\n"
        "    where=\"--nnodes $NNODES --node_rank ${NODE_RANK:?set NODE_RANK} --master_addr "
        "${MASTER_ADDR:?set MASTER_ADDR} --master_port ${MASTER_PORT:-29500}\"\n"
        "else\n"
        "    where=--standalone\n"
        "fi\n"
        "# torchrun, run by the interpreter chosen above. --redirects/--tee: torch 1.13 under Python\n"
        "# 3.11 cannot parse its own defaults for them.\n"
        "exec \"$PYTHON\" -m torch.distributed.run $where --nproc_per_node \"$NPROC\" --redirects 2 --tee 2 \\\n"
        "    -m qkvlab_torch.train --experiment \"$here/experiment.json\" --out \"$here/runs\" \"$@\"\n");
    return s;
}

void copyPackage(const QString& folder) {
    const QString to = folder + "/qkvlab_torch";
    if (!QDir().mkpath(to)) throw qkv::IoError("cannot create " + to.toStdString());
    int files = 0;
    for (QDirIterator it(":/python/qkvlab_torch", {"*.py"}, QDir::Files); it.hasNext(); ++files) {
        const QString from = it.next();
        QFile f(from);
        if (!f.open(QIODevice::ReadOnly)) throw qkv::IoError("cannot read " + from.toStdString());
        qkv::writeFileAtomic((to + "/" + QFileInfo(from).fileName()).toStdString(), f.readAll().toStdString());
    }
    if (files == 0) throw qkv::IoError("this build of qkvlab carries no PyTorch package (python/qkvlab_torch)");
}

}  // namespace

QString runScriptCommand(const QString& folder) {
    return "sh " + shellQuoted(QDir(folder).absolutePath() + "/run.sh");
}

QString torchrunCommand(const QString& folder, int nproc) {
    const QString dir = QDir(folder).absolutePath();
    return QString("PYTHONPATH=%1 torchrun --standalone --nproc_per_node %2 --redirects 2 --tee 2 "
                   "-m qkvlab_torch.train "
                   "--experiment %3 --out %4")
        .arg(shellQuoted(dir), nproc > 0 ? QString::number(nproc) : "$NPROC",
             shellQuoted(dir + "/experiment.json"), shellQuoted(dir + "/runs"));
}

TorchExport writeTorchExport(const qkv::Experiment& experiment, const QString& folder, int nproc) {
    if (const std::string problem = qkv::checkExperiment(experiment); !problem.empty())
        throw qkv::ConfigError(problem);
    TorchExport out;
    out.folder = QDir(folder).absolutePath();
    if (QFileInfo(out.folder).exists() && !QFileInfo(out.folder).isDir())
        throw qkv::IoError(out.folder.toStdString() + " exists and is not a folder");
    if (!QDir().mkpath(out.folder)) throw qkv::IoError("cannot create " + out.folder.toStdString());
    out.experimentFile = out.folder + "/experiment.json";
    out.script = out.folder + "/run.sh";
    out.runsFolder = out.folder + "/runs";
    out.command = torchrunCommand(out.folder, nproc);

    qkv::Experiment e = experiment;
    // The script may run from anywhere, on another machine: no path relative to here.
    if (!e.base.task.dataPath.empty())
        e.base.task.dataPath = QFileInfo(QString::fromStdString(e.base.task.dataPath)).absoluteFilePath().toStdString();
    qkv::writeFileAtomic(out.experimentFile.toStdString(),
                         QJsonDocument(qkv::toJson(e)).toJson(QJsonDocument::Indented).toStdString());
    copyPackage(out.folder);
    qkv::writeFileAtomic(out.script.toStdString(), script(e, nproc).toStdString());
    QFile::setPermissions(out.script, QFile::permissions(out.script) | QFileDevice::ExeOwner |
                                          QFileDevice::ExeGroup | QFileDevice::ExeOther);
    return out;
}

}  // namespace qkvapp
