#pragma once
// The PyTorch side: pytorch_reference.py --serve in a child process, one JSON line each way.

#include <sys/types.h>
#include <QJsonObject>

#include <cstdio>
#include <string>

namespace trainbench {

// Debian's interpreter unless QKVLAB_PYTHON says otherwise.
std::string pythonInterpreter();
// pytorch_reference.py next to this source, unless QKVLAB_PYTORCH_REFERENCE says otherwise.
std::string referenceScript();

class PythonPeer {
public:
    explicit PythonPeer(int torchThreads);
    ~PythonPeer();
    PythonPeer(const PythonPeer&) = delete;
    PythonPeer& operator=(const PythonPeer&) = delete;

    bool ok() const { return m_error.empty(); }
    pid_t pid() const { return m_pid; }
    const std::string& error() const { return m_error; }

    // One request, one answer; an empty object (and error()) once the child is gone.
    QJsonObject request(const QJsonObject& req);

private:
    pid_t m_pid = -1;
    int m_to = -1;
    FILE* m_from = nullptr;
    std::string m_error;
};

}  // namespace trainbench
