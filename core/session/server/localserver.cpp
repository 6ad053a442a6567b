#include "localserver.h"

#include <QNetworkProxy>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <deque>
#include <protocol/closeframe.h>
#include <protocol/handshake.h>
#include <protocol/httphead.h>
#include <protocol/messagereader.h>
#include <protocol/messagewriter.h>
#include <protocol/utf8validator.h>
#include <session/engine/clock.h>
#include <session/engine/framecapture.h>
#include <session/engine/socketio.h>

namespace framescope::session {

namespace {

// Reads of up to this much: larger ones measured no faster here (1 MiB echoes a little slower).
constexpr qsizetype kReadChunk = 128 * 1024;
static_assert(kReadChunk <= framescope::session::LentReadBuffer::kSize);
constexpr int kKeptClosedConnections = 10000;
// Up to this many connections the busy-poll spin keeps serving them as they become ready; with
// more it serves one batch of ready ones, then lets the event loop run: served one by one as
// they trickle in, 500 busy connections at 512 B ran ~15% slower (their replies left in small
// pieces rather than in bursts that the clients take together).
constexpr qsizetype kContinuousServingMax = 8;
// Per connection, reused buffers shrink back past this (big messages would pin memory).
constexpr std::size_t kKeptBufferBytes = std::size_t{2} << 20;
// Replies below this size are batched per read (see Connection::readCorked) by copying them
// together; larger ones, up to kBatchLimit, are batched without a copy (the payload stays where
// it is and goes out in the same sendmsg). Echoing 16 KiB messages 8 at a time this way went
// 1.55x-1.84x as fast as one send each: the kernel's per-send work (a segment through loopback
// and its ACK) is most of the cost.
constexpr std::size_t kCorkLimit = 8 * 1024;
constexpr std::size_t kBatchLimit = 256 * 1024;
// A batch goes out once it holds this much (memory stays bounded however long a read lasts).
constexpr std::size_t kBatchFlushBytes = 512 * 1024;
constexpr std::size_t kBatchFlushFrames = 64;
// Message buffers kept for reuse while large replies are being batched (at most 16 x 256 KiB).
constexpr std::size_t kSpareMessages = 16;

void keepAtMost(std::vector<std::uint8_t> &buffer, std::size_t bytes)
{
    if (buffer.capacity() > bytes) {
        buffer.clear();
        buffer.shrink_to_fit();
    }
}

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

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 426:
        return "Upgrade Required";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

// The shape of an IIS 10 detailed error page: what the Handshake Doctor reads "HTTP Error
// NNN.S" from.
QByteArray iisPage(const QByteArray &title, const QByteArray &error, const QByteArray &text)
{
    return "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\r\n<html><head><title>IIS "
           "10.0 Detailed Error - "
           + title
           + "</title></head>\r\n<body><div id=\"content\"><div "
             "class=\"content-container\">\r\n<h3>"
           + error + "</h3>\r\n<h4>" + text + "</h4>\r\n</div></div></body></html>\r\n";
}

// http.sys answers with its own short page when a request never reaches a site.
QByteArray httpSysPage(const QByteArray &title, const QByteArray &error)
{
    return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\r\n<HTML><HEAD><TITLE>" + title
           + "</TITLE></HEAD>\r\n<BODY><h2>" + title + "</h2>\r\n<hr><p>" + error
           + "</p>\r\n</BODY></HTML>\r\n";
}

std::vector<protocol::HttpHeader> toHeaders(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    std::vector<protocol::HttpHeader> out;
    for (const auto &[name, value] : headers)
        out.push_back({name.toStdString(), value.toStdString()});
    return out;
}

QByteArray toBytes(const std::string &text)
{
    return QByteArray::fromStdString(text);
}

} // namespace

QStringList iisEmulationNames()
{
    return {QStringLiteral("iis-101-no-accept"),
            QStringLiteral("iis-400"),
            QStringLiteral("iis-401"),
            QStringLiteral("iis-403"),
            QStringLiteral("iis-404"),
            QStringLiteral("iis-500"),
            QStringLiteral("iis-503")};
}

std::optional<ServerRefusal> iisEmulation(const QString &name)
{
    const QPair<QByteArray, QByteArray> iis{"Server", "Microsoft-IIS/10.0"};
    const QPair<QByteArray, QByteArray> aspNet{"X-Powered-By", "ASP.NET"};
    const QPair<QByteArray, QByteArray> httpSys{"Server", "Microsoft-HTTPAPI/2.0"};
    const QPair<QByteArray, QByteArray> html{"Content-Type", "text/html; charset=us-ascii"};
    ServerRefusal refusal;
    if (name == QLatin1String("iis-101-no-accept")) {
        // The WebSocket Protocol feature is not installed: IIS switches protocols itself.
        refusal.status = 101;
        refusal.upgradeWithoutAccept = true;
        refusal.headers = {iis, aspNet};
    } else if (name == QLatin1String("iis-400")) {
        refusal.status = 400;
        refusal.headers = {html, httpSys};
        refusal.body = httpSysPage("Bad Request", "HTTP Error 400. The request is badly formed.");
    } else if (name == QLatin1String("iis-401")) {
        // Windows Authentication: the anonymous first leg of NTLM / Negotiate.
        refusal.status = 401;
        refusal.headers = {{"Content-Type", "text/html"},
                           iis,
                           {"WWW-Authenticate", "Negotiate"},
                           {"WWW-Authenticate", "NTLM"},
                           aspNet};
        refusal.body = iisPage("401.2 - Unauthorized", "HTTP Error 401.2 - Unauthorized",
                               "You are not authorized to view this page due to invalid "
                               "authentication headers.");
    } else if (name == QLatin1String("iis-403")) {
        refusal.status = 403;
        refusal.headers = {{"Content-Type", "text/html"}, iis, aspNet};
        refusal.body = iisPage("403.0 - Forbidden", "HTTP Error 403.0 - Forbidden",
                               "The origin of this request is not allowed.");
    } else if (name == QLatin1String("iis-404")) {
        refusal.status = 404;
        refusal.headers = {{"Content-Type", "text/html"}, iis, aspNet};
        refusal.body = iisPage("404.0 - Not Found", "HTTP Error 404.0 - Not Found",
                               "The resource you are looking for has been removed, had its name "
                               "changed, or is temporarily unavailable.");
    } else if (name == QLatin1String("iis-500")) {
        refusal.status = 500;
        refusal.headers = {{"Content-Type", "text/html"}, iis, aspNet};
        refusal.body
            = iisPage("500.19 - Internal Server Error", "HTTP Error 500.19 - Internal Server Error",
                      "The requested page cannot be accessed because the related "
                      "configuration data for the page is invalid.");
    } else if (name == QLatin1String("iis-503")) {
        // The application pool is stopped: http.sys answers.
        refusal.status = 503;
        refusal.headers = {html, httpSys};
        refusal.body
            = httpSysPage("Service Unavailable", "HTTP Error 503. The service is unavailable.");
    } else {
        return std::nullopt;
    }
    return refusal;
}

// One accepted connection: the opening handshake, then echo and the behaviours until the
// closing handshake.
class LocalServer::Connection : public QObject, public FrameCapture::Listener
{
public:
    Connection(LocalServer &server, quint64 id, QTcpSocket *socket)
        : m_server(server)
        , m_options(server.m_options)
        , m_socket(socket)
        , m_head(
              std::make_unique<protocol::HttpHeadParser>(protocol::HttpHeadParser::Kind::Request))
        , m_sentListener(*this)
        , m_capture(*server.m_store, capture::Direction::Received, *this)
        , m_sentCapture(*server.m_store, capture::Direction::Sent, m_sentListener)
    {
        m_info.id = id;
        m_info.peer = socket->peerAddress().toString() + QLatin1Char(':')
                      + QString::number(socket->peerPort());
        m_capture.setConnection(std::uint32_t(id));
        m_sentCapture.setConnection(std::uint32_t(id));
        m_socket->setParent(this);
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_socket->setProxy(QNetworkProxy::NoProxy); // accepted: no proxy in between
        m_fd = m_socket->socketDescriptor();
        // Plain TCP connections are read from the spinner's epoll set alone; Qt's loop then
        // has no notifier per connection to poll on every wake-up.
        if (server.m_spinner->watch(m_fd, [this] { return serveReadable(); })
            && canReadDirectly(m_socket))
            stopReadNotifications(m_socket);
        connect(m_socket, &QTcpSocket::readyRead, this, &Connection::handleReadyRead);
        connect(m_socket, &QTcpSocket::disconnected, this, [this] {
            // Now, before a later socket can be given the same descriptor number.
            m_server.m_spinner->unwatch(m_fd);
            if (m_info.close.endedBy == EndReason::None)
                m_info.close.endedBy = m_closeSent && m_info.close.closeFrameReceived
                                           ? EndReason::CloseFrame
                                           : EndReason::TcpFin;
            m_capture.finishIncomplete();
            m_info.closedNs = monotonicNs();
            m_server.removeConnection(m_info.id);
        });
        for (QTimer *timer : {&m_handshakeTimer, &m_closeTimer, &m_idleTimer, &m_midFrameTimer,
                              &m_replyTimer, &m_closeAfterTimer})
            timer->setSingleShot(true);
        connect(&m_handshakeTimer, &QTimer::timeout, this, [this] { end(EndReason::Timeout); });
        connect(&m_closeTimer, &QTimer::timeout, this, [this] { end(EndReason::Timeout); });
        connect(&m_idleTimer, &QTimer::timeout, this,
                [this] { sendClose(protocol::CloseCode::GoingAway, "idle timeout"); });
        connect(&m_midFrameTimer, &QTimer::timeout, this,
                [this] { sendClose(protocol::CloseCode::PolicyViolation, "stalled mid-frame"); });
        connect(&m_replyTimer, &QTimer::timeout, this, &Connection::sendDueReplies);
        connect(&m_closeAfterTimer, &QTimer::timeout, this, [this] { closeAsAsked(); });
        connect(&m_pingTimer, &QTimer::timeout, this, [this] {
            if (!m_open)
                return;
            const QByteArray payload = "ping " + QByteArray::number(++m_pings);
            std::vector<std::uint8_t> wire;
            m_writer->writeControl(protocol::Opcode::Ping, session::byteSpan(payload), wire);
            write(wire);
        });
        connect(&m_pushTimer, &QTimer::timeout, this, [this] {
            if (m_open)
                reply(protocol::Opcode::Text,
                      m_options.behaviour.pushText + ' ' + QByteArray::number(++m_pushes));
        });
        m_handshakeTimer.start(m_options.handshakeTimeoutMs);
    }

    const ServerConnectionInfo &info() const { return m_info; }

    void goAway()
    {
        if (m_open)
            sendClose(protocol::CloseCode::GoingAway, "server shutting down");
        else if (!m_closeSent)
            end(EndReason::LocalAbort);
    }

private:
    class SentListener : public FrameCapture::Listener
    {
    public:
        explicit SentListener(Connection &connection)
            : m_connection(connection)
        {}
        void frameCaptured() override { m_connection.m_server.frameCaptured(); }

    private:
        Connection &m_connection;
    };

    struct Reply
    {
        std::int64_t dueNs = 0;
        protocol::Opcode opcode = protocol::Opcode::Text;
        QByteArray payload;
        bool close = false; // the close asked for by closeAfterMessages, after the replies
    };

    void end(EndReason endedBy)
    {
        if (m_info.close.endedBy == EndReason::None)
            m_info.close.endedBy = endedBy;
        m_socket->abort();
    }

    // The spinner saw the socket readable (from the event loop, or while spinning). Plain TCP
    // is read here directly; TLS (whose notifications Qt keeps) through Qt now rather than on
    // the loop's next poll. False once the socket is no longer connected.
    bool serveReadable()
    {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            return false;
        if (!canReadDirectly(m_socket)) {
            m_socket->waitForReadyRead(0); // Qt reads; readyRead follows
            return m_socket->state() == QAbstractSocket::ConnectedState;
        }
        // Plain TCP with nothing in Qt's buffer: read the descriptor here, without the copy
        // through Qt's buffer. The end of the stream or an error goes to Qt once the replies
        // made meanwhile went out.
        bool ended = false;
        bool drained = false;
        readCorked([&](char *into) -> qint64 {
            if (drained)
                return 0;
            const qint64 read = readDirectly(m_socket, into, kReadChunk);
            ended = read < 0;
            drained = read < kReadChunk;
            return read;
        });
        if (ended)
            m_socket->waitForReadyRead(0);
        return m_socket->state() == QAbstractSocket::ConnectedState;
    }

    void handleReadyRead()
    {
        readCorked([this](char *into) -> qint64 {
            return m_socket->bytesAvailable() > 0 ? m_socket->read(into, kReadChunk) : 0;
        });
    }

    // Reads chunks of up to kReadChunk with `readSome` (into the thread's lent buffer; 0 or
    // less: nothing more) while the socket stays connected. Replies made meanwhile go out
    // together once the read is done: one send for a batch of pipelined messages instead of one
    // each.
    template<typename ReadSome>
    void readCorked(ReadSome readSome)
    {
        m_server.m_spinner->noteActivity();
        if (m_options.idleTimeoutMs > 0 && m_open)
            m_idleTimer.start(m_options.idleTimeoutMs);
        m_corked = true;
        LentReadBuffer buffer(m_ownReadBuffer);
        while (m_socket->state() == QAbstractSocket::ConnectedState) {
            const qint64 read = readSome(buffer.data());
            if (read <= 0 || !consume(QByteArrayView(buffer.data(), read)))
                break;
        }
        m_corked = false;
        flushOut();
    }

    void flushOut()
    {
        if (m_outReplies.empty())
            return;
        // m_out, with each large reply's payload after its header: one sendmsg.
        m_outParts.clear();
        const std::span<const std::uint8_t> out(m_out);
        std::size_t from = 0;
        for (const QueuedReply &reply : m_outReplies) {
            if (reply.payload.isEmpty())
                continue; // joins the next part
            m_outParts.push_back(bytesView(out.subspan(from, reply.outEnd - from)));
            m_outParts.push_back(reply.payload);
            from = reply.outEnd;
        }
        if (from < out.size())
            m_outParts.push_back(bytesView(out.subspan(from)));
        writeNow(m_socket, m_outParts);
        const std::int64_t written = monotonicNs();
        // Into the sent capture in the same order, each reply with the time it was queued.
        // Message buffers come back as spares for the next messages; a batch without large
        // replies lets them go (an idle connection keeps none).
        if (m_outLarge == 0)
            m_spareMessages.clear();
        from = 0;
        for (QueuedReply &reply : m_outReplies) {
            const auto wire = out.subspan(from, reply.outEnd - from); // a large one's header
            if (reply.payloadFrame)
                captureSharing(reply.queuedNs, written, wire, std::size_t(reply.payload.size()),
                               *reply.payloadFrame);
            else
                captureSent(reply.queuedNs, written, wire, session::byteSpan(reply.payload));
            from = reply.outEnd;
            if (!reply.payload.isEmpty() && reply.payload.isDetached()
                && m_spareMessages.size() < kSpareMessages)
                m_spareMessages.push_back(std::move(reply.payload));
        }
        m_out.clear();
        m_outReplies.clear();
        m_outBytes = 0;
        m_outLarge = 0;
        keepAtMost(m_out, kKeptBufferBytes);
    }

    // The server closes TCP first (RFC 6455 §7.1.1), after what it queued.
    void closeTcp()
    {
        flushOut();
        m_socket->disconnectFromHost();
    }

    // Bytes read from the client; false when the rest is not to be read (refused).
    bool consume(QByteArrayView data)
    {
        const std::int64_t now = monotonicNs();
        if (m_refused)
            return true; // a refused client's further bytes are dropped
        if (!m_upgraded) {
            std::size_t consumed = 0;
            const auto status = m_head->feed(session::byteSpan(data), consumed);
            if (status == protocol::HttpHeadParser::Status::NeedMore)
                return true;
            m_info.request = toBytes(m_head->rawBytes());
            m_info.requestNs = now;
            if (status == protocol::HttpHeadParser::Status::Failed) {
                refuse(400, "Bad Request", {{"Content-Type", "text/plain"}},
                       QByteArray(protocol::describe(m_head->error()).data()) + '\n');
                return false;
            }
            if (!upgrade())
                return false;
            // An open connection keeps only what it needs (m_info has the request bytes).
            m_head.reset();
            m_check = {};
            const QByteArrayView rest = data.sliced(qsizetype(consumed));
            if (!rest.isEmpty())
                feed(rest, now);
            return true;
        }
        feed(data, now);
        return true;
    }

    void refuse(int status, const QByteArray &reason,
                const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &body)
    {
        const QByteArray phrase = reason.isEmpty() ? reasonPhrase(status) : reason;
        const std::string response = protocol::buildRejectResponse(
            status, phrase.toStdString(), toHeaders(headers), body.toStdString());
        // Said of it in one line: a plain-text body's first line, else the reason phrase (an
        // HTML error page is for the client, and stays in the capture).
        const bool plainText = std::any_of(headers.cbegin(), headers.cend(), [](const auto &h) {
            return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0
                   && h.second.trimmed().startsWith("text/plain");
        });
        const QByteArray firstLine = body.trimmed().split('\n').constFirst().trimmed();
        sendRefusal(toBytes(response), status,
                    QString::fromUtf8(plainText && !firstLine.isEmpty() ? firstLine : phrase));
    }

    void sendRefusal(const QByteArray &response, int status, const QString &detail)
    {
        m_refused = true;
        m_info.response = response.left(response.indexOf("\r\n\r\n") + 4);
        m_info.status = status;
        m_info.openedNs = monotonicNs();
        m_info.close.endedBy = EndReason::Refused;
        m_handshakeTimer.stop();
        writeNow(m_socket, response);
        // Told before the socket closes: closing can report the connection closed at once.
        Q_EMIT m_server.handshakeRefused(m_info.id, status, detail.left(200));
        m_socket->disconnectFromHost();
    }

    bool upgrade()
    {
        const protocol::HttpHead &head = m_head->head();
        const ServerBehaviour &behaviour = m_options.behaviour;
        m_check = protocol::checkClientRequest(head);
        if (!m_check.ok()) {
            const std::string response = protocol::buildRejectResponse(m_check);
            sendRefusal(toBytes(response), m_check.status,
                        QString::fromUtf8(protocol::describe(m_check.error).data()));
            return false;
        }
        // Cross-site WebSocket hijacking: only local names, and browser origins on the list.
        const QString host = hostWithoutPort(QString::fromStdString(*head.find("Host")));
        if (!isLocalName(host) && !m_options.allowedHosts.contains(host, Qt::CaseInsensitive)) {
            refuse(403, {}, {{"Content-Type", "text/plain"}},
                   QStringLiteral("Host %1 is not allowed\n").arg(host).toUtf8());
            return false;
        }
        if (const std::string *origin = head.find("Origin")) {
            const QUrl url(QString::fromStdString(*origin));
            const bool allowed
                = isLocalName(url.host()) || m_options.allowedOrigins.contains(QStringLiteral("*"))
                  || m_options.allowedOrigins.contains(QString::fromStdString(*origin));
            if (!allowed) {
                refuse(403, {}, {{"Content-Type", "text/plain"}},
                       QStringLiteral("Origin %1 is not allowed\n")
                           .arg(QString::fromStdString(*origin))
                           .toUtf8());
                return false;
            }
        }
        if (behaviour.refuse) {
            const ServerRefusal &refusal = *behaviour.refuse;
            if (refusal.upgradeWithoutAccept) {
                QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                      "Connection: Upgrade\r\n";
                for (const auto &[name, value] : refusal.headers)
                    response += name + ": " + value + "\r\n";
                sendRefusal(response + "\r\n", 101,
                            QStringLiteral("101 without Sec-WebSocket-Accept"));
            } else {
                refuse(refusal.status, refusal.reason, refusal.headers, refusal.body);
            }
            return false;
        }
        if (behaviour.requireAuthorization && !head.find("Authorization")) {
            refuse(401, {},
                   {{"WWW-Authenticate", "Basic realm=\"framescope\""},
                    {"Content-Type", "text/plain"}},
                   "This server requires an Authorization header.\n");
            return false;
        }
        std::string subprotocol;
        if (!behaviour.requiredSubprotocol.isEmpty()) {
            const std::string required = behaviour.requiredSubprotocol.toStdString();
            if (std::find(m_check.subprotocols.begin(), m_check.subprotocols.end(), required)
                == m_check.subprotocols.end()) {
                refuse(400, {}, {{"Content-Type", "text/plain"}},
                       "This server requires the subprotocol " + behaviour.requiredSubprotocol
                           + ".\n");
                return false;
            }
            subprotocol = required;
        }
        std::string extensions;
        std::optional<protocol::DeflateParameters> deflate;
        if (m_options.deflate) {
            const protocol::DeflateAcceptance acceptance
                = protocol::acceptDeflateOffers(m_check.extensions, m_options.deflateConfig);
            if (acceptance.response) {
                extensions = protocol::formatExtensionHeader({*acceptance.response});
                deflate = acceptance.agreed;
            }
        }
        const std::string response
            = protocol::buildAcceptResponse(m_check.key, subprotocol, extensions);
        // Straight to the kernel: going through QTcpSocket's buffer would leave a 32 KiB chunk
        // allocated for the life of every connection.
        writeNow(m_socket, QByteArrayView(response.data(), qsizetype(response.size())));
        m_info.response = toBytes(response);
        m_info.status = 101;
        m_info.openedNs = monotonicNs();

        protocol::ReaderOptions options;
        options.decoder.role = protocol::Role::Server;
        options.decoder.maxMessageSize = options.assembler.maxMessageSize
            = m_options.maxMessageSize;
        options.decoder.maxFramePayload = m_options.maxMessageSize;
        options.assembler.maxFragments = m_options.maxFragments;
        m_reader = std::make_unique<protocol::MessageReader>(options, m_capture);
        m_sentReader = makeSentFrameReader(protocol::Role::Server, m_sentCapture, deflate);
        m_writer = std::make_unique<protocol::MessageWriter>(protocol::Role::Server);
        if (deflate) {
            m_reader->enableDeflate(*deflate);
            m_writer->enableDeflate(*deflate);
        }
        m_deflate = deflate;
        m_handshakeTimer.stop();
        m_upgraded = true;
        m_open = true;
        if (m_options.idleTimeoutMs > 0)
            m_idleTimer.start(m_options.idleTimeoutMs);
        if (behaviour.pingIntervalMs > 0)
            m_pingTimer.start(behaviour.pingIntervalMs);
        if (behaviour.pushIntervalMs > 0)
            m_pushTimer.start(behaviour.pushIntervalMs);
        if (behaviour.closeAfterMs > 0)
            m_closeAfterTimer.start(behaviour.closeAfterMs);
        Q_EMIT m_server.connectionOpened(m_info.id);
        if (behaviour.echoRequestHeaders) {
            // What arrived, proxies' changes included; binary if a header was not UTF-8.
            const bool text = protocol::isValidUtf8(session::byteSpan(m_info.request));
            send(text ? protocol::Opcode::Text : protocol::Opcode::Binary, m_info.request);
        }
        return true;
    }

    void feed(QByteArrayView data, std::int64_t now)
    {
        if (!m_reader || m_reader->hasFailed())
            return;
        m_capture.setTimes(now, now);
        const protocol::ProtocolError error = m_reader->feed(session::byteSpan(data));
        if (error != protocol::ProtocolError::None) {
            // RFC 6455 §7.1.7: fail the connection with the violation's code.
            m_capture.failFrame(error);
            sendClose(protocol::closeCodeFor(error), protocol::errorId(error));
            return;
        }
        if (m_reader->decoder().isMidFrame() && m_options.midFrameTimeoutMs > 0)
            m_midFrameTimer.start(m_options.midFrameTimeoutMs);
        else
            m_midFrameTimer.stop();
    }

    // `wire` holds whole frames, except that `payload`, when given, is the last frame's payload,
    // sent right after it as it is. `payloadFrame`: a stored frame with that same payload (an
    // echo), which the capture of this one-frame reply then shares.
    void write(std::span<const std::uint8_t> wire, const QByteArray &payload = {},
               std::optional<capture::FrameId> payloadFrame = std::nullopt)
    {
        // While reading, replies wait for the end of the read to go out together, and are
        // captured when they go (flushOut()): small ones copied together, large ones (a header
        // and a payload) by reference. Past the limits a reply goes now, after what waits.
        const std::size_t size = wire.size() + std::size_t(payload.size());
        if (m_corked && (size < kCorkLimit || (!payload.isEmpty() && size < kBatchLimit))) {
            m_out.insert(m_out.end(), wire.begin(), wire.end());
            const bool large = payload.size() >= qsizetype(kCorkLimit);
            if (large)
                ++m_outLarge;
            else
                m_out.insert(m_out.end(), payload.begin(), payload.end());
            m_outReplies.push_back({m_out.size(), monotonicNs(), large ? payload : QByteArray(),
                                    large ? payloadFrame : std::nullopt});
            m_outBytes += size;
            if (m_outBytes >= kBatchFlushBytes || m_outLarge >= kBatchFlushFrames)
                flushOut();
            return;
        }
        flushOut();
        const std::int64_t queued = monotonicNs();
        writeNow(m_socket, bytesView(wire), payload);
        const std::int64_t written = monotonicNs();
        if (payloadFrame)
            captureSharing(queued, written, wire, std::size_t(payload.size()), *payloadFrame);
        else
            captureSent(queued, written, wire, session::byteSpan(payload));
    }

    // Frames handed to the socket into the sent capture: queued at `queuedNs` (frames that went
    // out together carry the time the first of them was queued), written at `writtenNs`.
    void captureSent(std::int64_t queuedNs, std::int64_t writtenNs,
                     std::span<const std::uint8_t> wire, std::span<const std::uint8_t> payload = {})
    {
        m_sentCapture.setTimes(queuedNs, writtenNs);
        for (const std::span<const std::uint8_t> part : {wire, payload}) {
            if (const auto error = m_sentReader->feed(part);
                error != protocol::ProtocolError::None) {
                m_sentCapture.failFrame(error);
                m_sentReader
                    = makeSentFrameReader(protocol::Role::Server, m_sentCapture, m_deflate);
                break;
            }
        }
    }

    // `payloadFrame`: a stored frame whose payload is `payload` (an echo), which the capture
    // of a large one-frame reply then shares.
    void send(protocol::Opcode opcode, const QByteArray &payload,
              std::optional<capture::FrameId> payloadFrame = std::nullopt)
    {
        m_wire.clear();
        const std::span<const std::uint8_t> bytes = session::byteSpan(payload);
        const std::size_t fragmentSize = m_options.behaviour.fragmentSize;
        // A large one-frame message goes out as its header and the payload where it is.
        if (fragmentSize == 0 && bytes.size() >= kCorkLimit
            && m_writer->writeUnmaskedHeader(opcode, bytes.size(), m_wire)) {
            write(m_wire, payload, m_deflate ? std::nullopt : payloadFrame);
        } else if (m_writer->writeMessage(opcode, bytes, m_wire, fragmentSize))
            write(m_wire);
        keepAtMost(m_wire, kKeptBufferBytes);
    }

    // A one-frame echo (our own `header`, then the payload) into the sent capture with the
    // received frame's stored payload rather than a second copy of it. (Not decoded again by
    // the sent frames' reader: one unfragmented, uncompressed frame leaves it where it was.)
    void captureSharing(std::int64_t queuedNs, std::int64_t writtenNs,
                        std::span<const std::uint8_t> header, std::size_t payloadSize,
                        capture::FrameId payloadFrame)
    {
        protocol::FrameHeader sent;
        sent.fin = (header[0] & 0x80) != 0;
        sent.opcode = header[0] & 0x0F;
        sent.payloadLength = payloadSize;
        capture::FrameRecord record;
        record.setHeader(sent, std::uint8_t(header.size()), capture::Direction::Sent);
        record.startNs = queuedNs;
        record.endNs = writtenNs;
        record.connection = std::uint32_t(m_info.id);
        m_server.m_store->appendWithPayloadOf(record, payloadFrame);
        m_server.frameCaptured();
    }

    // A reply now, or after the configured delay (replies keep their order).
    void reply(protocol::Opcode opcode, const QByteArray &payload, bool close = false,
               std::optional<capture::FrameId> payloadFrame = std::nullopt)
    {
        const int delay = m_options.behaviour.replyDelayMs;
        if (delay <= 0 && m_replies.empty()) {
            if (close)
                closeAsAsked();
            else
                send(opcode, payload, payloadFrame);
            return;
        }
        m_replies.push_back(
            {monotonicNs() + std::int64_t(delay) * 1000000, opcode, payload, close});
        if (!m_replyTimer.isActive())
            m_replyTimer.start(delay);
    }

    void sendDueReplies()
    {
        const std::int64_t now = monotonicNs();
        while (!m_replies.empty() && m_replies.front().dueNs <= now + 500000) {
            const Reply next = std::move(m_replies.front());
            m_replies.pop_front();
            if (!m_open)
                continue;
            if (next.close)
                closeAsAsked();
            else
                send(next.opcode, next.payload);
        }
        if (!m_replies.empty())
            m_replyTimer.start(int((m_replies.front().dueNs - now) / 1000000) + 1);
    }

    void closeAsAsked()
    {
        sendClose(m_options.behaviour.closeCode, m_options.behaviour.closeReason.toStdString());
    }

    void sendClose(std::uint16_t code, std::string_view reason = {})
    {
        if (m_closeSent || !m_writer)
            return;
        std::vector<std::uint8_t> wire;
        if (m_writer->writeClose(code, reason, wire)) {
            write(wire);
            m_info.close.codeSent = code;
            m_info.close.reasonSent = QByteArray(reason.data(), qsizetype(reason.size()));
        }
        m_closeSent = true;
        m_open = false;
        stopBehaviours();
        // Wait for the peer's close, then close TCP first (RFC 6455 §7.1.1); not forever.
        m_closeTimer.start(m_options.closeTimeoutMs);
    }

    void stopBehaviours()
    {
        m_pingTimer.stop();
        m_pushTimer.stop();
        m_closeAfterTimer.stop();
        m_idleTimer.stop();
        m_midFrameTimer.stop();
    }

    // FrameCapture::Listener: echo byte for byte, answer pings and closes.
    void frameCaptured() override { m_server.frameCaptured(); }
    void messageStarted(protocol::Opcode opcode) override
    {
        m_message.resize(0);
        m_opcode = opcode;
    }
    void messageData(std::span<const std::uint8_t> data) override
    {
        if (m_options.behaviour.echo)
            m_message.append(bytesView(data));
    }
    void messageFinished() override
    {
        if (!m_open)
            return;
        ++m_messages;
        if (m_options.behaviour.echo)
            reply(m_opcode, m_message, false, wholeMessageFrame());
        // Keep the buffer for the next message, unless a big one left it large. One that waits
        // to go out (flushOut() hands it back) is swapped for a spare: a new buffer for each
        // message made the allocator give memory back and fault it in again, thousands of
        // times a second.
        if (!m_message.isDetached()) {
            m_message = QByteArray();
            if (!m_spareMessages.empty()) {
                m_message = std::move(m_spareMessages.back());
                m_spareMessages.pop_back();
            }
        }
        m_message.resize(0);
        if (m_message.capacity() > qsizetype(kKeptBufferBytes))
            m_message.squeeze();
        const int closeAfter = m_options.behaviour.closeAfterMessages;
        if (closeAfter > 0 && m_messages == quint64(closeAfter))
            reply(protocol::Opcode::Close, {}, true);
    }
    // The received frame that holds the whole message just finished, stored as it came: a
    // single frame, not compressed, its payload all kept.
    std::optional<capture::FrameId> wholeMessageFrame() const
    {
        if (m_message.size() < qsizetype(kCorkLimit))
            return std::nullopt; // small replies are batched and captured as they are
        const capture::FrameId id = m_capture.lastFrame();
        const std::optional<capture::FrameRecord> record = m_server.m_store->record(id);
        if (!record || record->opcode == 0 || !record->has(capture::FrameRecord::Fin)
            || record->has(capture::FrameRecord::Compressed)
            || record->has(capture::FrameRecord::Rsv1)
            || record->storedLength != std::uint64_t(m_message.size())
            || record->payloadLength != record->storedLength)
            return std::nullopt;
        return id;
    }

    void controlFrame(protocol::Opcode opcode, std::span<const std::uint8_t> payload) override
    {
        if (opcode == protocol::Opcode::Ping && m_open && m_options.behaviour.answerPings) {
            std::vector<std::uint8_t> wire;
            m_writer->writeControl(protocol::Opcode::Pong, payload, wire);
            write(wire);
        } else if (opcode == protocol::Opcode::Close) {
            protocol::ClosePayload close;
            protocol::parseClosePayload(payload, close);
            m_info.close.closeFrameReceived = true;
            m_info.close.codeReceived = close.code;
            m_info.close.reasonReceived = QByteArray::fromStdString(std::string(close.reason));
            // Answer with the same code (none: 1000), then close TCP first.
            sendClose(close.code.value_or(protocol::CloseCode::Normal));
            m_info.close.endedBy = EndReason::CloseFrame;
            closeTcp();
        }
    }

    LocalServer &m_server;
    const LocalServerOptions &m_options;
    QTcpSocket *m_socket;
    qintptr m_fd = -1;
    ServerConnectionInfo m_info;
    std::unique_ptr<protocol::HttpHeadParser> m_head; // until the upgrade is answered
    protocol::ServerHandshakeResult m_check;
    SentListener m_sentListener;
    FrameCapture m_capture;
    FrameCapture m_sentCapture;
    std::unique_ptr<protocol::MessageReader> m_reader;
    std::unique_ptr<protocol::MessageReader> m_sentReader;
    std::unique_ptr<protocol::MessageWriter> m_writer;
    std::optional<protocol::DeflateParameters> m_deflate;
    QByteArray m_message;
    std::vector<std::uint8_t> m_wire;
    std::vector<std::uint8_t> m_out; // replies queued while reading
    // The replies in m_out, in order: each ends at outEnd in m_out; a large one's payload
    // (shared, not copied) follows there, after its header.
    struct QueuedReply
    {
        std::size_t outEnd = 0;
        std::int64_t queuedNs = 0;
        QByteArray payload;
        std::optional<capture::FrameId> payloadFrame;
    };
    std::vector<QueuedReply> m_outReplies;
    std::size_t m_outBytes = 0; // m_out and the payloads of large replies
    std::size_t m_outLarge = 0; // large replies in m_outReplies
    std::vector<QByteArrayView> m_outParts;
    std::vector<QByteArray> m_spareMessages; // message buffers back from large replies
    QByteArray m_ownReadBuffer;              // only when the thread's read buffer is lent out
    bool m_corked = false;
    protocol::Opcode m_opcode = protocol::Opcode::Text;
    std::deque<Reply> m_replies;
    quint64 m_messages = 0;
    quint64 m_pings = 0;
    quint64 m_pushes = 0;
    QTimer m_handshakeTimer;
    QTimer m_closeTimer;
    QTimer m_idleTimer;
    QTimer m_midFrameTimer;
    QTimer m_replyTimer;
    QTimer m_closeAfterTimer;
    QTimer m_pingTimer;
    QTimer m_pushTimer;
    bool m_upgraded = false;
    bool m_refused = false;
    bool m_open = false;
    bool m_closeSent = false;
};

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
    for (Connection *connection : std::as_const(m_connections))
        connection->disconnect();
    qDeleteAll(m_connections);
}

QString LocalServer::listen()
{
    if (m_options.tls && (m_options.certificate.isNull() || m_options.key.isNull()))
        return QStringLiteral("wss needs a certificate and its private key");
    quint16 port = m_options.port;
    for (const QHostAddress &address : m_options.addresses) {
        QTcpServer *server = nullptr;
        if (m_options.tls) {
            auto *sslServer = new QSslServer(this);
            QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
            configuration.setLocalCertificate(m_options.certificate);
            configuration.setPrivateKey(m_options.key);
            configuration.setProtocol(QSsl::TlsV1_2OrLater);
            configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
            sslServer->setSslConfiguration(configuration);
            sslServer->setHandshakeTimeout(m_options.handshakeTimeoutMs);
            server = sslServer;
        } else {
            server = new QTcpServer(this);
        }
        server->setMaxPendingConnections(m_options.maxConnections);
        // Qt's default backlog of 50 drops SYNs when hundreds of clients connect at once.
        server->setListenBacklogSize(std::clamp(m_options.maxConnections, 50, 4096));
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
        port = server->serverPort(); // the same port on every address
        connect(server, &QTcpServer::pendingConnectionAvailable, this,
                [this, server] { handleNewConnection(server); });
        m_servers.append(server);
    }
    m_port = port;
    m_spinner->attachToCurrentThread();
    for (const QTcpServer *server : std::as_const(m_servers))
        m_spinner->watch(server->socketDescriptor());
    return {};
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
            socket->abort();
            socket->deleteLater();
            continue;
        }
        const quint64 id = m_nextId++;
        m_connections.insert(id, new Connection(*this, id, socket));
        m_spinner->setContinuousServing(m_connections.size() <= kContinuousServingMax);
    }
}

void LocalServer::removeConnection(quint64 id)
{
    Connection *connection = m_connections.take(id);
    if (!connection)
        return;
    m_spinner->setContinuousServing(m_connections.size() <= kContinuousServingMax);
    m_infos.insert(id, connection->info());
    m_closedOrder.append(id);
    if (m_closedOrder.size() > kKeptClosedConnections)
        m_infos.remove(m_closedOrder.takeFirst());
    connection->deleteLater();
    m_announcer.announceNow();
    Q_EMIT connectionClosed(id);
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

std::optional<ServerConnectionInfo> LocalServer::connectionInfo(quint64 id) const
{
    if (const Connection *connection = m_connections.value(id))
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
