#pragma once

#include "localserver.h"

#include <QThread>

namespace framescope::session {

// The local server on a thread of its own, so its behaviour does not depend on the client's
// load (docs/design.md). start() and stop() return once the server thread has done them. Its
// signals reach other threads queued; the store is safe to read from any thread.
class LocalServerThread : public QObject
{
    Q_OBJECT

public:
    explicit LocalServerThread(const LocalServerOptions &options, QObject *parent = nullptr);
    ~LocalServerThread() override;

    // Empty string on success, else why listening failed.
    QString start();
    // Closes every client with 1001 (going away), waits up to timeoutMs for them to answer and
    // go, then ends the thread.
    void stop(int timeoutMs = 2000);

    // Lives on the server thread: connect to its signals; call nothing on it directly.
    LocalServer *server() const { return m_server; }
    quint16 port() const { return m_port; }
    QStringList urls() const { return m_urls; }
    QStringList warnings() const { return m_warnings; }
    std::shared_ptr<capture::FrameStore> store() const { return m_store; }
    int connectionCount() const;
    std::optional<ServerConnectionInfo> connectionInfo(quint64 id) const;
    // The connections so far (open ones and the last 10000 closed), by id.
    QList<quint64> connectionIds() const;

private:
    template<typename F>
    void onServerThread(F function) const;

    LocalServerOptions m_options;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread
    LocalServer *m_server = nullptr;
    quint16 m_port = 0;
    QStringList m_urls;
    QStringList m_warnings;
    std::shared_ptr<capture::FrameStore> m_store;
    QHash<quint64, ServerConnectionInfo> m_finalInfos; // after stop()
};

} // namespace framescope::session
