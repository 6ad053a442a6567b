#pragma once

#include "sessiontypes.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>
#include <capture/framestore.h>
#include <memory>
#include <protocol/permessagedeflate.h>

class QTcpServer;

namespace framescope::session {

struct LocalServerOptions
{
    // Loopback only unless asked otherwise.
    QList<QHostAddress> addresses{QHostAddress::LocalHost, QHostAddress::LocalHostIPv6};
    quint16 port = 0; // 0: any free port (the same one on every address when possible)
    bool deflate = true;
    protocol::DeflateServerConfig deflateConfig;
    // Origins allowed besides localhost ones; "*" allows all. Requests without Origin
    // (non-browser clients) are always allowed.
    QStringList allowedOrigins;
    // Host names accepted besides localhost, 127.0.0.1 and [::1].
    QStringList allowedHosts;
    int maxConnections = 1000;
    int handshakeTimeoutMs = 10000;
    int closeTimeoutMs = 5000;
    std::uint64_t maxMessageSize = std::uint64_t{64} << 20;
    std::uint32_t maxFragments = 131072;
};

// The built-in WebSocket server: echoes every message byte for byte (text stays text) and
// captures every frame it receives and sends, one capture per connection. Runs on the thread it
// was created on; signals carry ids and counts, never payloads.
class LocalServer : public QObject
{
    Q_OBJECT

public:
    explicit LocalServer(const LocalServerOptions &options, QObject *parent = nullptr);
    ~LocalServer() override;

    // Empty string on success, else why listening failed.
    QString listen();
    quint16 port() const { return m_port; }
    QStringList urls() const;
    // Closes every connection with 1001 (going away) and stops listening.
    void shutdown();

    int connectionCount() const;
    // The capture of connection `id` (ids from 1, in order of acceptance).
    std::shared_ptr<capture::FrameStore> capture(quint64 id) const;

Q_SIGNALS:
    void connectionOpened(quint64 id);
    void handshakeRefused(quint64 id, int status, const QString &reason);
    void connectionClosed(quint64 id);

private:
    class Connection;
    friend class Connection;

    void handleNewConnection(QTcpServer *server);
    void removeConnection(quint64 id);

    LocalServerOptions m_options;
    QList<QTcpServer *> m_servers;
    QHash<quint64, Connection *> m_connections;
    QHash<quint64, std::shared_ptr<capture::FrameStore>> m_captures;
    quint64 m_nextId = 1;
    quint16 m_port = 0;
};

} // namespace framescope::session
