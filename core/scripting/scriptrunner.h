#pragma once

#include "scripthost.h"
#include "scriptresult.h"

#include <QMutex>
#include <QObject>
#include <QTimer>
#include <atomic>
#include <memory>
#include <thread>

class QJSEngine;

namespace framescope::scripting {

// Runs one script on a thread of its own, with a QJSEngine that sees only the script API (no
// files, processes, network or modules; no code from strings). Sessions stay on the network
// thread (SessionManager). stop() interrupts at once (QJSEngine::setInterrupted); a watchdog
// stops a script that runs watchdogMs without calling the API (an endless loop) and one over
// its time limit, each with a message saying so. Signals reach the runner's thread queued.
class ScriptRunner : public QObject
{
    Q_OBJECT

public:
    ScriptRunner(session::SessionManager &manager, const ScriptOptions &options,
                 QObject *parent = nullptr);
    ~ScriptRunner() override; // stops a running script and waits for its thread

    // Starts `source` (named `fileName` in errors); finished() follows.
    void start(const QString &source, const QString &fileName);
    void stop();
    bool isRunning() const { return m_running; }
    // The last run's result (after finished()).
    ScriptResult result() const;
    // start(), then an event loop until finished(): for the command line and tests.
    ScriptResult run(const QString &source, const QString &fileName);

Q_SIGNALS:
    void output(const QString &line);
    void testFinished(const QString &name, bool passed, const QString &message);
    void finished();
    // The script's connections, for a front end to show: opened (once open; its store, which
    // outlives the session for whoever holds it; `startedNs` on the monotonic clock and
    // `startedAtMs` the wall clock, when connect() began), and ended (closed and removed from
    // the SessionManager).
    void connectionOpened(quint64 id, const QString &url,
                          std::shared_ptr<const framescope::capture::FrameStore> store,
                          qint64 startedNs, qint64 startedAtMs);
    void connectionEnded(quint64 id);

private:
    void work(QString source, QString fileName);
    void watch();
    void interrupt(ScriptResult::Ending ending, const QString &why);

    session::SessionManager &m_manager;
    ScriptOptions m_options;
    std::thread m_thread;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_stopping{false};
    QTimer m_watchdog;
    qint64 m_startedNs = 0;
    mutable QMutex m_mutex; // guards the three below
    QJSEngine *m_engine = nullptr;
    ScriptHost *m_host = nullptr;
    ScriptResult m_result;
    ScriptResult::Ending m_interruptedAs = ScriptResult::Ending::Completed;
    QString m_interruptedWhy;
};

} // namespace framescope::scripting
