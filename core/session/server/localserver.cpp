#include "localserver.h"
#include "tlslistener.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <functional>
#include <QTimerEvent>
#include <platform/memory.h>
#include <platform/socketcalls.h>
#include <session/engine/descriptortransport.h>
#include <session/engine/qtsockettransport.h>

namespace framescope::session {

namespace {

// Reads of up to this much: larger ones measured no faster here (1 MiB echoes a little slower).
constexpr qsizetype kReadChunk = 128 * 1024;
constexpr int kKeptClosedConnections = 10000;
// After the last connection ended, this long without a new one before memory is given back.
constexpr int kIdleTrimDelayMs = 200;
// Up to this many connections the busy-poll spin keeps serving them as they become ready; with
// more it serves one batch of ready ones, then lets the event loop run: served one by one as
// they trickle in, 500 busy connections at 512 B ran ~15% slower (their replies left in small
// pieces rather than in bursts that the clients take together).
constexpr qsizetype kContinuousServingMax = 8;

// A listener that hands over accepted descriptors as they are, without a QTcpSocket: the
// connection's transport reads and writes them itself (platform::hasDirectSockets()).
class DescriptorListener : public QTcpServer
{
public:
    DescriptorListener(std::function<void(qintptr)> accept, QObject *parent)
        : QTcpServer(parent)
        , m_accept(std::move(accept))
    {}

protected:
    void incomingConnection(qintptr descriptor) override { m_accept(descriptor); }

private:
    std::function<void(qintptr)> m_accept;
};

} // namespace

LocalServer::LocalServer(const LocalServerOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_store(std::make_shared<capture::FrameStore>(
          capture::FrameStore::Limits{options.captureMemoryCap}))
    , m_announcer(*m_store, [this](std::uint64_t first, std::uint64_t end) {
        Q_EMIT framesCaptured(first, end);
    })
{
    m_spinner = new ReadinessSpinner(options.busyPollUs, this);
}

LocalServer::~LocalServer()
{
    qDeleteAll(m_connections);
}

QString LocalServer::listen()
{
    if (m_options.tls && (m_options.certificate.isNull() || m_options.key.isNull()))
        return QStringLiteral("wss needs a certificate and its private key");
    if (m_options.maxConnections < 1)
        return QStringLiteral("the connection limit must be at least 1");
    // Any free port: the one the first address got may be taken on another (::1 by another
    // program): then all of them try another.
    constexpr int kAttempts = 8;
    QString error;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        bool portInUse = false;
        error = listenOnce(m_options.port, portInUse);
        if (error.isEmpty())
            break;
        closeListeners();
        if (!portInUse || m_options.port != 0)
            return error;
    }
    if (!error.isEmpty())
        return error;
    m_spinner->attachToCurrentThread();
    for (const QTcpServer *server : std::as_const(m_servers))
        m_spinner->watch(server->socketDescriptor());
    return {};
}

void LocalServer::closeListeners()
{
    qDeleteAll(m_servers);
    m_servers.clear();
    m_warnings.clear();
}

QString LocalServer::listenOnce(quint16 port, bool &portInUse)
{
    for (const QHostAddress &address : m_options.addresses) {
        QTcpServer *server = nullptr;
        if (m_options.tls) {
            QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
            configuration.setLocalCertificate(m_options.certificate);
            configuration.setPrivateKey(m_options.key);
            configuration.setProtocol(QSsl::TlsV1_2OrLater);
            configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
            auto *tlsListener
                = new TlsListener(configuration, m_options.handshakeTimeoutMs, this);
            connect(tlsListener, &TlsListener::dropped, this, &LocalServer::connectionDropped);
            server = tlsListener;
        } else if (platform::hasDirectSockets()) {
            server = new DescriptorListener(
                [this](qintptr descriptor) {
                    if (m_connections.size() >= m_options.maxConnections) {
                        Q_EMIT connectionDropped(DescriptorTransport::peerNameOf(descriptor), tooMany());
                        platform::closeSocket(descriptor);
                        return;
                    }
                    platform::configureAccepted(descriptor);
                    accept(new DescriptorTransport(descriptor, m_spinner, kReadChunk));
                },
                this);
        } else {
            server = new QTcpServer(this);
        }
        server->setMaxPendingConnections(m_options.maxConnections);
        // Qt's default backlog of 50 drops SYNs when hundreds of clients connect at once.
        server->setListenBacklogSize(std::clamp(m_options.maxConnections, 50, 4096));
        if (!server->listen(address, port)) {
            const QString error = server->errorString();
            const QAbstractSocket::SocketError code = server->serverError();
            delete server;
            const QString where = QStringLiteral("%1:%2").arg(
                address.protocol() == QAbstractSocket::IPv6Protocol
                    ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                    : address.toString(),
                QString::number(port));
            if (code == QAbstractSocket::AddressInUseError) {
                portInUse = true;
                return QStringLiteral("cannot listen on %1: the port is in use").arg(where);
            }
            // A machine without IPv6 (or without this address): the others will do, said.
            if (address.protocol() == QAbstractSocket::IPv6Protocol && !m_servers.isEmpty()) {
                m_warnings << QStringLiteral("not listening on %1: %2").arg(where, error);
                continue;
            }
            return QStringLiteral("cannot listen on %1: %2").arg(where, error);
        }
        port = server->serverPort(); // the same port on every address
        connect(server, &QTcpServer::pendingConnectionAvailable, this,
                [this, server] { handleNewConnection(server); });
        m_servers.append(server);
    }
    m_port = port;
    return {};
}

QString LocalServer::tooMany() const
{
    return QStringLiteral("over the connection limit (%1 at once)").arg(m_options.maxConnections);
}

QStringList LocalServer::urls() const
{
    QStringList urls;
    const QString scheme = m_options.tls ? QStringLiteral("wss") : QStringLiteral("ws");
    for (const QTcpServer *server : m_servers) {
        const QHostAddress address = server->serverAddress();
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                                 ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                                 : address.toString();
        urls << QStringLiteral("%1://%2:%3/").arg(scheme, host).arg(server->serverPort());
    }
    return urls;
}

void LocalServer::handleNewConnection(QTcpServer *server)
{
    while (QTcpSocket *socket = server->nextPendingConnection()) {
        if (m_connections.size() >= m_options.maxConnections) {
            Q_EMIT connectionDropped(peerOf(*socket), tooMany());
            socket->abort();
            socket->deleteLater();
            continue;
        }
        accept(new QtSocketTransport(socket, kReadChunk));
    }
}

void LocalServer::accept(Transport *transport)
{
    const quint64 id = m_nextId++;
    m_connections.insert(id, new ServerConnection(id, transport, m_options, *m_store, *this));
    m_spinner->setContinuousServing(m_connections.size() <= kContinuousServingMax);
}

void LocalServer::connectionEnded(quint64 id)
{
    ServerConnection *connection = m_connections.take(id);
    if (!connection)
        return;
    m_spinner->setContinuousServing(m_connections.size() <= kContinuousServingMax);
    m_infos.insert(id, connection->info());
    m_closedOrder.append(id);
    if (m_closedOrder.size() > kKeptClosedConnections)
        m_infos.remove(m_closedOrder.takeFirst());
    connection->deleteLater();
    m_announcer.announceNow();
    // Once the last connection is deleted (deleteLater), its memory can go back.
    if (m_connections.isEmpty())
        m_idleTrimTimer.start(kIdleTrimDelayMs, this);
    Q_EMIT connectionClosed(id);
}

void LocalServer::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_idleTrimTimer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_idleTrimTimer.stop();
    if (m_connections.isEmpty())
        platform::releaseFreeMemory();
}

void LocalServer::shutdown()
{
    for (QTcpServer *server : std::as_const(m_servers))
        server->close();
    // A copy: a connection still in its handshake ends (and leaves the hash) at once.
    const QList<ServerConnection *> connections = m_connections.values();
    for (ServerConnection *connection : connections)
        connection->goAway();
}

int LocalServer::connectionCount() const
{
    return int(m_connections.size());
}

std::optional<ServerConnectionInfo> LocalServer::connectionInfo(quint64 id) const
{
    if (const ServerConnection *connection = m_connections.value(id))
        return connection->info();
    const auto it = m_infos.constFind(id);
    if (it == m_infos.cend())
        return std::nullopt;
    return *it;
}

QList<quint64> LocalServer::connectionIds() const
{
    QList<quint64> ids = m_connections.keys() + m_infos.keys();
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace framescope::session
