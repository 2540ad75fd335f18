#pragma once
// A worker object on its own QThread, as Qt's worker-object pattern has it: the worker lives
// on the thread and is deleted there when the thread ends; stop() quits and waits, so the owner
// can be destroyed safely. Connect the worker's signals between create() and start().

#include <QObject>
#include <QThread>

namespace qkvapp {

template <typename Worker>
class WorkerThread {
public:
    WorkerThread() = default;
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;
    ~WorkerThread() { stop(); }

    // Takes ownership of `worker` and moves it to a new thread (not yet running).
    Worker* create(QObject* owner, Worker* worker) {
        stop();
        m_thread = new QThread(owner);
        m_worker = worker;
        m_worker->moveToThread(m_thread);
        QObject::connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
        return m_worker;
    }
    // A worker driven by queued calls rather than one run slot.
    void start() { m_thread->start(); }
    void start(void (Worker::*run)()) {
        QObject::connect(m_thread, &QThread::started, m_worker, run);
        m_thread->start();
    }
    // Thread-safe: the worker stops at its next check.
    void requestCancel() {
        if (m_worker) m_worker->requestCancel();
    }
    // Waits for the worker's slot to return; the thread's end deletes the worker.
    void stop() {
        if (!m_thread) return;
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        m_worker = nullptr;
    }
    bool running() const { return m_thread != nullptr; }

private:
    QThread* m_thread = nullptr;
    Worker* m_worker = nullptr;
};

}  // namespace qkvapp
