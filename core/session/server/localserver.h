#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QStringList>
#include <QTimer>
#include <capture/framestore.h>
#include <memory>
#include <protocol/permessagedeflate.h>
#include <session/engine/closeinfo.h>
#include <session/engine/frameannouncer.h>
#include <session/engine/readinessspinner.h>

class QTcpServer;

namespace framescope::session {

// An answer to the opening handshake other than 101: a status with headers and a body, or a
// 101 that lacks Sec-WebSocket-Accept (what IIS sends without its WebSocket feature).
struct ServerRefusal
{
    int status = 503;
    QByteArray reason; // the reason phrase; empty: the usual one for the status
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool upgradeWithoutAccept = false;
};

// Ready-made IIS and http.sys answers, by name: iis-101-no-accept, iis-400, iis-401, iis-403,
// iis-404, iis-500, iis-503 (see docs/cli.md, serve).
QStringList iisEmulationNames();
std::optional<ServerRefusal> iisEmulation(const QString &name);

// What the server does besides echoing; the same for every connection of a server.
struct ServerBehaviour
{
    bool echo = true;             // echo each message byte for byte (text stays text)
    int replyDelayMs = 0;         // delay each reply, keeping their order
    std::size_t fragmentSize = 0; // cut replies and pushes into frames of at most N bytes
    int pingIntervalMs = 0;       // ping each client periodically
    int pushIntervalMs = 0;       // send pushText + " " + a counter periodically
    QByteArray pushText = "push";
    int closeAfterMessages = 0;     // close after the Nth message received (0: never)
    int closeAfterMs = 0;           // close T ms after the upgrade (0: never)
    std::uint16_t closeCode = 1000; // for the two closes above
    QByteArray closeReason;
    std::optional<ServerRefusal> refuse; // refuse every handshake this way
    QByteArray requiredSubprotocol;      // refuse (400) clients that do not offer it; chosen
    bool requireAuthorization = false;   // 401 with WWW-Authenticate: Basic without one
    bool echoRequestHeaders = false;     // the request head as the first (text) message
    bool answerPings = true;             // false: pings go unanswered
};

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
    int idleTimeoutMs = 0;         // no bytes from a client for this long: close with 1001 (0: off)
    int midFrameTimeoutMs = 30000; // a client stalling inside a frame: close with 1002
    std::uint64_t maxMessageSize = std::uint64_t{64} << 20;
    std::uint32_t maxFragments = 131072;
    std::size_t captureMemoryCap = std::size_t{256} << 20; // all connections together
    // After handling reads, watch the sockets this long before the thread sleeps (see
    // ReadinessSpinner): halves round trips at a fast pace; an idle server never spins. 0: off.
    int busyPollUs = 50;

    // wss://: a certificate and key in PEM (both set by the caller, e.g. from
    // loadOrCreateServerCertificate()).
    bool tls = false;
    QSslCertificate certificate{};
    QSslKey key{};

    ServerBehaviour behaviour;
};

// What the server keeps about one connection (its frames are in the capture, by connection id).
struct ServerConnectionInfo
{
    quint64 id = 0;
    QString peer; // address:port
    QByteArray request;
    QByteArray response; // the head sent back (101 or a refusal)
    int status = 0;
    std::int64_t requestNs = 0; // monotonic: the read that completed the request head
    std::int64_t openedNs = 0;  // the handshake answered (the 101, or a refusal)
    std::int64_t closedNs = 0;
    CloseInfo close;
};

// The built-in WebSocket server: echoes every message byte for byte and misbehaves on request
// (ServerBehaviour). Every frame of every connection goes into one capture, tagged with the
// connection id. Runs on the thread it lives on (LocalServerThread gives it its own); signals
// carry ids and counts, never payloads.
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
    // Frames [first, end) of the store are new; batched, about every 30 ms.
    void framesCaptured(quint64 first, quint64 end);

private:
    class Connection;
    friend class Connection;

    void handleNewConnection(QTcpServer *server);
    void removeConnection(quint64 id);
    void frameCaptured() { m_announcer.frameCaptured(); }

    LocalServerOptions m_options;
    QList<QTcpServer *> m_servers;
    QHash<quint64, Connection *> m_connections;
    QHash<quint64, ServerConnectionInfo> m_infos;
    QList<quint64> m_closedOrder;
    std::shared_ptr<capture::FrameStore> m_store;
    quint64 m_nextId = 1;
    quint16 m_port = 0;
    FrameAnnouncer m_announcer;
    ReadinessSpinner *m_spinner = nullptr;
};

} // namespace framescope::session
