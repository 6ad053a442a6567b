#pragma once

#include "serverconnection.h"
#include "serveroptions.h"

#include <QBasicTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>
#include <capture/framestore.h>
#include <memory>
#include <session/engine/frameannouncer.h>
#include <session/engine/readinessspinner.h>

class QTcpServer;

namespace framescope::session {

// The built-in WebSocket server: echoes every message byte for byte and misbehaves on request
// (ServerBehaviour). Every frame of every connection goes into one capture, tagged with the
// connection id. Runs on the thread it lives on (LocalServerThread gives it its own); signals
// carry ids and counts, never payloads.
class LocalServer : public QObject, private ServerConnection::Host
{
    Q_OBJECT

public:
    explicit LocalServer(const LocalServerOptions &options, QObject *parent = nullptr);
    ~LocalServer() override;

    // Empty string on success, else why listening failed. An address in use is an error on
    // IPv4 and IPv6 alike (with port 0, another free port is tried); an address the machine
    // does not have (no IPv6) is left out with a warning.
    QString listen();
    quint16 port() const { return m_port; }
    QStringList urls() const;
    // What listen() left out, in words (for the front end to say).
    QStringList warnings() const { return m_warnings; }
    // Closes every connection with 1001 (going away) and stops listening.
    void shutdown();

    int connectionCount() const;
    // Every connection's frames; records carry the connection id.
    std::shared_ptr<capture::FrameStore> store() const { return m_store; }
    // The connections so far (open ones and the last 10000 closed), by id.
    std::optional<ServerConnectionInfo> connectionInfo(quint64 id) const;
    QList<quint64> connectionIds() const;
    // How often a ready connection was served from the spinner's epoll set, from the event
    // loop or while spinning, rather than through Qt's own notifications (diagnostics).
    quint64 readsServedBySpinner() const { return m_spinner->served(); }

Q_SIGNALS:
    void connectionOpened(quint64 id);
    void handshakeRefused(quint64 id, int status, const QString &reason);
    void connectionClosed(quint64 id);
    // A connection that ended before it was one: over --max-connections, or its TLS handshake
    // failed (`peer` is address:port).
    void connectionDropped(const QString &peer, const QString &reason);
    // Frames [first, end) of the store are new; batched, about every 30 ms.
    void framesCaptured(quint64 first, quint64 end);

private:
    QString listenOnce(quint16 port, bool &portInUse);
    QString tooMany() const;
    void closeListeners();
    void accept(Transport *transport);
    void timerEvent(QTimerEvent *event) override;
    void handleNewConnection(QTcpServer *server);

    // ServerConnection::Host
    void frameCaptured() override { m_announcer.frameCaptured(); }
    void connectionUpgraded(quint64 id) override { Q_EMIT connectionOpened(id); }
    void connectionRefused(quint64 id, int status, const QString &reason) override
    {
        Q_EMIT handshakeRefused(id, status, reason);
    }
    void connectionEnded(quint64 id) override;

    LocalServerOptions m_options;
    QBasicTimer m_idleTrimTimer; // memory back to the system once the last connection is gone
    QStringList m_warnings;
    QList<QTcpServer *> m_servers;
    QHash<quint64, ServerConnection *> m_connections;
    QHash<quint64, ServerConnectionInfo> m_infos;
    QList<quint64> m_closedOrder;
    std::shared_ptr<capture::FrameStore> m_store;
    quint64 m_nextId = 1;
    quint16 m_port = 0;
    FrameAnnouncer m_announcer;
    ReadinessSpinner *m_spinner = nullptr;
};

} // namespace framescope::session
