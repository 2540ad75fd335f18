#include "python_peer.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <QByteArray>
#include <QJsonDocument>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <vector>

#ifndef QKVLAB_BENCH_DIR
#define QKVLAB_BENCH_DIR "."
#endif

namespace trainbench {

std::string pythonInterpreter() {
    // Debian's interpreter: a pyenv shim or venv python3 first on PATH may lack python3-torch
    // or bring a different torch and BLAS.
    if (const char* p = std::getenv("QKVLAB_PYTHON")) return p;
    if (access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
    return "python3";
}

std::string referenceScript() {
    if (const char* p = std::getenv("QKVLAB_PYTORCH_REFERENCE")) return p;
    return std::string(QKVLAB_BENCH_DIR) + "/pytorch_reference.py";
}

PythonPeer::PythonPeer(int torchThreads) {
    const std::string python = pythonInterpreter(), script = referenceScript();
    if (access(script.c_str(), R_OK) != 0) {
        m_error = "no " + script;
        return;
    }
    int toChild[2], fromChild[2];
    if (pipe2(toChild, O_CLOEXEC) != 0 || pipe2(fromChild, O_CLOEXEC) != 0) {
        m_error = "pipe failed";
        return;
    }
    // Everything the child needs is built before fork: only dup2 and exec run after it.
    const std::string threads = std::to_string(torchThreads);
    std::vector<std::string> args = {python, script, "--serve", "--threads", threads};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    m_pid = fork();
    if (m_pid == 0) {
        dup2(toChild[0], 0);
        dup2(fromChild[1], 1);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(toChild[0]);
    close(fromChild[1]);
    if (m_pid < 0) {
        close(toChild[1]);
        close(fromChild[0]);
        m_error = "fork failed";
        return;
    }
    m_to = toChild[1];
    m_from = fdopen(fromChild[0], "r");
}

PythonPeer::~PythonPeer() {
    if (m_to >= 0) {
        const char quit[] = "{\"cmd\":\"quit\"}\n";
        (void)!write(m_to, quit, sizeof quit - 1);
        close(m_to);
    }
    if (m_from) fclose(m_from);
    if (m_pid > 0) waitpid(m_pid, nullptr, 0);
}

QJsonObject PythonPeer::request(const QJsonObject& req) {
    if (!ok()) return {};
    QByteArray line = QJsonDocument(req).toJson(QJsonDocument::Compact) + '\n';
    for (qsizetype done = 0; done < line.size();) {
        const ssize_t n = write(m_to, line.constData() + done, size_t(line.size() - done));
        if (n <= 0) {
            m_error = "PyTorch reference exited (is python3-torch installed?)";
            return {};
        }
        done += n;
    }
    char* buf = nullptr;
    size_t cap = 0;
    const ssize_t n = getline(&buf, &cap, m_from);
    std::unique_ptr<char, decltype(&free)> hold(buf, &free);
    if (n <= 0) {
        m_error = "PyTorch reference exited (is python3-torch installed? see its stderr)";
        return {};
    }
    const auto doc = QJsonDocument::fromJson(QByteArray(buf, qsizetype(n)));
    QJsonObject ans = doc.object();
    if (ans.contains("error"))
        std::cerr << "PyTorch reference: " << ans.value("error").toString().toStdString() << "\n";
    return ans;
}

}  // namespace trainbench
