#include "localserver.h"

#include "framecapture.h"

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <protocol/closeframe.h>
#include <protocol/handshake.h>
#include <protocol/httphead.h>
#include <protocol/messagereader.h>
#include <protocol/messagewriter.h>

namespace framescope::session {

Q_LOGGING_CATEGORY(lcServer, "framescope.server", QtInfoMsg)

namespace {

bool isLocalName(const QString &host)
{
    return host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1")
           || host == QLatin1String("::1") || host == QLatin1String("[::1]");
}

// "localhost:8080" or "[::1]:8080" without the port.
QString hostWithoutPort(const QString &value)
{
    if (value.startsWith(QLatin1Char('[')))
        return value.left(value.indexOf(QLatin1Char(']')) + 1);
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    return colon < 0 ? value : value.left(colon);
}

} // namespace

// One accepted connection: the opening handshake, then echo until the closing handshake.
class LocalServer::Connection : public QObject, public FrameCapture::Listener
{
public:
    Connection(LocalServer &server, quint64 id, QTcpSocket *socket,
               std::shared_ptr<capture::FrameStore> store)
        : m_server(server)
        , m_id(id)
        , m_socket(socket)
        , m_store(std::move(store))
        , m_head(protocol::HttpHeadParser::Kind::Request)
        , m_capture(*m_store, capture::Direction::Received, *this)
        , m_sentCapture(*m_store, capture::Direction::Sent, m_sentListener)
    {
        m_socket->setParent(this);
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(m_socket, &QTcpSocket::readyRead, this, &Connection::handleReadyRead);
        connect(m_socket, &QTcpSocket::disconnected, this,
                [this] { m_server.removeConnection(m_id); });
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this] { m_socket->abort(); });
        m_timer.start(m_server.m_options.handshakeTimeoutMs);
    }

    void goAway()
    {
        if (m_open)
            sendClose(protocol::CloseCode::GoingAway);
        else
            m_socket->abort();
    }

private:
    void handleReadyRead()
    {
        const QByteArray data = m_socket->readAll();
        const std::int64_t now = monotonicNs();
        if (!m_open && !m_closing) {
            std::size_t consumed = 0;
            const auto status = m_head.feed(byteSpan(data), consumed);
            if (status == protocol::HttpHeadParser::Status::NeedMore)
                return;
            if (status == protocol::HttpHeadParser::Status::Failed) {
                refuse(400, "Bad Request",
                       QString::fromUtf8(protocol::describe(m_head.error()).data()));
                return;
            }
            if (!upgrade())
                return;
            const QByteArrayView rest = QByteArrayView(data).sliced(qsizetype(consumed));
            if (rest.isEmpty())
                return;
            feed(rest, now);
            return;
        }
        feed(data, now);
    }

    void refuse(int status, const char *reason, const QString &detail,
                const std::vector<protocol::HttpHeader> &headers = {})
    {
        const std::string body = detail.toStdString() + "\n";
        const std::string response
            = status == 426 ? protocol::buildRejectResponse(m_check)
                            : protocol::buildRejectResponse(status, reason, headers, body);
        m_socket->write(response.data(), qint64(response.size()));
        m_socket->disconnectFromHost();
        qCInfo(lcServer) << "refused" << status << detail;
        Q_EMIT m_server.handshakeRefused(m_id, status, detail);
    }

    bool upgrade()
    {
        const protocol::HttpHead &head = m_head.head();
        m_check = protocol::checkClientRequest(head);
        if (!m_check.ok()) {
            refuse(m_check.status, "Bad Request",
                   QString::fromUtf8(protocol::describe(m_check.error).data()));
            return false;
        }
        // Cross-site WebSocket hijacking: only local names, and browser origins on the list.
        const QString host = hostWithoutPort(QString::fromStdString(*head.find("Host")));
        if (!isLocalName(host)
            && !m_server.m_options.allowedHosts.contains(host, Qt::CaseInsensitive)) {
            refuse(403, "Forbidden", QStringLiteral("Host %1 is not allowed").arg(host));
            return false;
        }
        if (const std::string *origin = head.find("Origin")) {
            const QUrl url(QString::fromStdString(*origin));
            const bool allowed
                = isLocalName(url.host())
                  || m_server.m_options.allowedOrigins.contains(QStringLiteral("*"))
                  || m_server.m_options.allowedOrigins.contains(QString::fromStdString(*origin));
            if (!allowed) {
                refuse(403, "Forbidden",
                       QStringLiteral("Origin %1 is not allowed")
                           .arg(QString::fromStdString(*origin)));
                return false;
            }
        }
        std::string extensions;
        std::optional<protocol::DeflateParameters> deflate;
        if (m_server.m_options.deflate) {
            const protocol::DeflateAcceptance acceptance = protocol::acceptDeflateOffers(
                m_check.extensions, m_server.m_options.deflateConfig);
            if (acceptance.response) {
                extensions = protocol::formatExtensionHeader({*acceptance.response});
                deflate = acceptance.agreed;
            }
        }
        const std::string response = protocol::buildAcceptResponse(m_check.key, {}, extensions);
        m_socket->write(response.data(), qint64(response.size()));

        protocol::ReaderOptions options;
        options.decoder.role = protocol::Role::Server;
        options.decoder.maxMessageSize = options.assembler.maxMessageSize
            = m_server.m_options.maxMessageSize;
        options.decoder.maxFramePayload = m_server.m_options.maxMessageSize;
        options.assembler.maxFragments = m_server.m_options.maxFragments;
        m_reader = std::make_unique<protocol::MessageReader>(options, m_capture);
        m_sentReader = makeSentFrameReader(protocol::Role::Server, m_sentCapture, deflate);
        m_writer = std::make_unique<protocol::MessageWriter>(protocol::Role::Server);
        if (deflate) {
            m_reader->enableDeflate(*deflate);
            m_writer->enableDeflate(*deflate);
        }
        m_deflate = deflate;
        m_timer.stop();
        m_open = true;
        Q_EMIT m_server.connectionOpened(m_id);
        return true;
    }

    void feed(QByteArrayView data, std::int64_t now)
    {
        if (!m_reader || m_reader->hasFailed())
            return;
        m_capture.setTimes(now, now);
        const protocol::ProtocolError error = m_reader->feed(byteSpan(data));
        if (error != protocol::ProtocolError::None) {
            // RFC 6455 §7.1.7: fail the connection with the violation's code.
            m_capture.failFrame(error);
            sendClose(protocol::closeCodeFor(error), protocol::errorId(error));
            return;
        }
        m_capture.suspend(); // a frame still arriving must not hold the store
    }

    void write(const std::vector<std::uint8_t> &wire)
    {
        const std::int64_t queued = monotonicNs();
        m_socket->write(reinterpret_cast<const char *>(wire.data()), qint64(wire.size()));
        m_sentCapture.setTimes(queued, monotonicNs());
        if (const auto error = m_sentReader->feed(wire); error != protocol::ProtocolError::None) {
            m_sentCapture.failFrame(error);
            m_sentReader = makeSentFrameReader(protocol::Role::Server, m_sentCapture, m_deflate);
        }
        m_sentCapture.suspend();
    }

    void sendClose(std::uint16_t code, std::string_view reason = {})
    {
        if (m_closeSent)
            return;
        std::vector<std::uint8_t> wire;
        if (m_writer && m_writer->writeClose(code, reason, wire))
            write(wire);
        m_closeSent = true;
        m_open = false;
        m_closing = true;
        // Wait for the peer's close, then close TCP first (RFC 6455 §7.1.1); not forever.
        m_timer.start(m_server.m_options.closeTimeoutMs);
    }

    // FrameCapture::Listener: echo byte for byte, answer pings and closes.
    void messageStarted(protocol::Opcode opcode) override
    {
        m_message.clear();
        m_opcode = opcode;
    }
    void messageData(std::span<const std::uint8_t> data) override
    {
        m_message.insert(m_message.end(), data.begin(), data.end());
    }
    void messageFinished() override
    {
        if (!m_open)
            return;
        std::vector<std::uint8_t> wire;
        if (m_writer->writeMessage(m_opcode, m_message, wire))
            write(wire);
        m_message.clear();
    }
    void controlFrame(protocol::Opcode opcode, std::span<const std::uint8_t> payload) override
    {
        if (opcode == protocol::Opcode::Ping && m_open) {
            std::vector<std::uint8_t> wire;
            m_writer->writeControl(protocol::Opcode::Pong, payload, wire);
            write(wire);
        } else if (opcode == protocol::Opcode::Close) {
            protocol::ClosePayload close;
            protocol::parseClosePayload(payload, close);
            sendClose(close.code.value_or(protocol::CloseCode::Normal));
            m_socket->disconnectFromHost(); // the server closes TCP first
        }
    }

    LocalServer &m_server;
    quint64 m_id;
    QTcpSocket *m_socket;
    std::shared_ptr<capture::FrameStore> m_store;
    protocol::HttpHeadParser m_head;
    protocol::ServerHandshakeResult m_check;
    FrameCapture::Listener m_sentListener;
    FrameCapture m_capture;
    FrameCapture m_sentCapture;
    std::unique_ptr<protocol::MessageReader> m_reader;
    std::unique_ptr<protocol::MessageReader> m_sentReader;
    std::unique_ptr<protocol::MessageWriter> m_writer;
    std::optional<protocol::DeflateParameters> m_deflate;
    std::vector<std::uint8_t> m_message;
    protocol::Opcode m_opcode = protocol::Opcode::Text;
    QTimer m_timer;
    bool m_open = false;
    bool m_closing = false;
    bool m_closeSent = false;
};

LocalServer::LocalServer(const LocalServerOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{}

LocalServer::~LocalServer()
{
    for (Connection *connection : std::as_const(m_connections))
        connection->disconnect();
    qDeleteAll(m_connections);
}

QString LocalServer::listen()
{
    quint16 port = m_options.port;
    for (const QHostAddress &address : m_options.addresses) {
        auto *server = new QTcpServer(this);
        if (!server->listen(address, port)) {
            const QString error = server->errorString();
            delete server;
            // IPv6 may be missing on a machine; IPv4 alone is fine.
            if (address.protocol() == QAbstractSocket::IPv6Protocol && !m_servers.isEmpty())
                continue;
            return QStringLiteral("cannot listen on %1:%2: %3")
                .arg(address.toString())
                .arg(port)
                .arg(error);
        }
        if (!address.isLoopback())
            qCWarning(lcServer) << "listening on" << address.toString()
                                << "- reachable from other machines";
        port = server->serverPort(); // the same port on every address
        connect(server, &QTcpServer::newConnection, this,
                [this, server] { handleNewConnection(server); });
        m_servers.append(server);
    }
    m_port = port;
    return {};
}

QStringList LocalServer::urls() const
{
    QStringList urls;
    for (const QTcpServer *server : m_servers) {
        const QHostAddress address = server->serverAddress();
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                                 ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                                 : address.toString();
        urls << QStringLiteral("ws://%1:%2/").arg(host).arg(server->serverPort());
    }
    return urls;
}

void LocalServer::handleNewConnection(QTcpServer *server)
{
    while (QTcpSocket *socket = server->nextPendingConnection()) {
        if (m_connections.size() >= m_options.maxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        const quint64 id = m_nextId++;
        auto store = std::make_shared<capture::FrameStore>();
        m_captures.insert(id, store);
        m_connections.insert(id, new Connection(*this, id, socket, store));
    }
}

void LocalServer::removeConnection(quint64 id)
{
    if (Connection *connection = m_connections.take(id)) {
        connection->deleteLater();
        Q_EMIT connectionClosed(id);
    }
}

void LocalServer::shutdown()
{
    for (QTcpServer *server : std::as_const(m_servers))
        server->close();
    for (Connection *connection : std::as_const(m_connections))
        connection->goAway();
}

int LocalServer::connectionCount() const
{
    return int(m_connections.size());
}

std::shared_ptr<capture::FrameStore> LocalServer::capture(quint64 id) const
{
    return m_captures.value(id);
}

} // namespace framescope::session
