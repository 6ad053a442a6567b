#include "serverconnection.h"

#include <QHostAddress>
#include <QTimerEvent>
#include <QUrl>
#include <algorithm>
#include <capture/redaction.h>
#include <protocol/closeframe.h>
#include <protocol/httphead.h>
#include <protocol/utf8validator.h>
#include <session/engine/clock.h>

namespace framescope::session {

namespace {

// Per connection, the message buffer shrinks back past this (big messages would pin memory).
constexpr qsizetype kKeptMessageBytes = qsizetype{2} << 20;
// Message buffers kept for reuse while large replies are going out (at most 16 x 256 KiB):
// a new buffer for each message made the allocator give memory back and fault it in again,
// thousands of times a second.
constexpr std::size_t kSpareMessages = 16;

// A host name as compared: lower case, without a trailing dot (RFC 3986 §3.2.2: "Localhost."
// is localhost) and without the brackets of an IPv6 literal.
QString comparableHost(QString host)
{
    host = host.toLower();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    while (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    return host;
}

bool isLocalName(const QString &host)
{
    const QString name = comparableHost(host);
    return name == QLatin1String("localhost") || name == QLatin1String("127.0.0.1")
           || name == QLatin1String("::1");
}

// "localhost:8080" or "[::1]:8080" without the port.
QString hostWithoutPort(const QString &value)
{
    if (value.startsWith(QLatin1Char('[')))
        return value.left(value.indexOf(QLatin1Char(']')) + 1);
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    return colon < 0 ? value : value.left(colon);
}

// The Host check guards against DNS rebinding: a page on a name of the attacker's that resolves
// to this machine. An IP address cannot be rebound, so any address literal is accepted (the
// addresses the server listens on among them, also behind --host 0.0.0.0); names must be
// localhost or one allowed (`*` allows any).
bool isAllowedHost(const QString &host, const QStringList &allowed)
{
    const QString name = comparableHost(host);
    if (isLocalName(name) || !QHostAddress(name).isNull())
        return true;
    return std::any_of(allowed.cbegin(), allowed.cend(), [&](const QString &entry) {
        return entry == QLatin1String("*") || comparableHost(entry) == name;
    });
}

// An origin serialized as RFC 6454 §6.2 compares them: scheme and host in lower case, the
// port only when it is not the scheme's default, no path ("https://App.example:443/" is
// "https://app.example"). Empty for what is not a URL origin (such as "null").
QString serializedOrigin(const QString &value)
{
    const QUrl url(value.trimmed());
    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty())
        return {};
    const QString scheme = url.scheme().toLower();
    const int defaultPort
        = scheme == QLatin1String("https") || scheme == QLatin1String("wss") ? 443 : 80;
    QString host = comparableHost(url.host());
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    const int port = url.port(defaultPort);
    return port == defaultPort
               ? scheme + QStringLiteral("://") + host
               : scheme + QStringLiteral("://") + host + QLatin1Char(':') + QString::number(port);
}

bool isAllowedOrigin(const QString &origin, const QStringList &allowed)
{
    if (isLocalName(QUrl(origin.trimmed()).host()))
        return true;
    const QString serialized = serializedOrigin(origin);
    return std::any_of(allowed.cbegin(), allowed.cend(), [&](const QString &entry) {
        return entry == QLatin1String("*") || entry.trimmed() == origin.trimmed()
               || (!serialized.isEmpty() && serializedOrigin(entry) == serialized);
    });
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

ServerConnection::ServerConnection(quint64 id, Transport *transport,
                                   const LocalServerOptions &options, capture::FrameStore &store,
                                   Host &host, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_store(store)
    , m_host(host)
    , m_transport(transport)
    , m_head(std::make_unique<protocol::HttpHeadParser>(protocol::HttpHeadParser::Kind::Request))
{
    m_info.id = id;
    m_info.peer = transport->peerName();
    m_info.state = SessionState::Handshaking;
    m_transport->setParent(this);
    m_transport->setReceiver(this);
    connect(m_transport, &Transport::disconnected, this, &ServerConnection::handleDisconnected);
    m_handshakeTimer.start(m_options.handshakeTimeoutMs, Qt::PreciseTimer, this);
}

ServerConnection::~ServerConnection()
{
    m_transport->setReceiver(nullptr);
    m_transport->disconnect(this);
}

ServerConnectionInfo ServerConnection::info() const
{
    ServerConnectionInfo info = m_info;
    if (m_engine) {
        info.close = m_engine->closeInfo();
        info.state = m_engine->state();
    }
    return info;
}

void ServerConnection::goAway()
{
    if (isOpen())
        m_engine->close(protocol::CloseCode::GoingAway, "server shutting down");
    else if (!m_engine)
        end(EndReason::LocalAbort);
}

void ServerConnection::end(EndReason endedBy)
{
    if (m_info.close.endedBy == EndReason::None)
        m_info.close.endedBy = endedBy;
    m_transport->abort();
}

bool ServerConnection::bytesReceived(QByteArrayView data, std::int64_t arrivalNs)
{
    if (m_options.idleTimeoutMs > 0 && isOpen())
        m_idleTimer.start(m_options.idleTimeoutMs, Qt::PreciseTimer, this);
    if (m_engine) {
        m_engine->consume(data, arrivalNs);
        return true;
    }
    if (m_refused)
        return true; // a refused client's further bytes are dropped
    // A TLS ClientHello (a handshake record, RFC 8446 §5.1) to this plain port: wss:// to ws://.
    // Answered at once (the client's TLS library then says "wrong version number", which the
    // Doctor reads), rather than after the handshake time limit.
    if (m_info.request.isEmpty() && m_head->rawBytes().empty() && !data.isEmpty()
        && data.front() == char(0x16)) {
        m_info.request = data.first(std::min<qsizetype>(data.size(), 16)).toByteArray();
        m_info.requestNs = arrivalNs;
        refuse(400, "Bad Request", {{"Content-Type", "text/plain"}},
               "This port speaks plain WebSocket: use ws://, not wss://.\n");
        return false;
    }
    std::size_t consumed = 0;
    const auto status = m_head->feed(byteSpan(data), consumed);
    if (status == protocol::HttpHeadParser::Status::NeedMore)
        return true;
    m_info.request = toBytes(m_head->rawBytes());
    m_info.requestNs = arrivalNs;
    if (status == protocol::HttpHeadParser::Status::Failed) {
        refuse(400, "Bad Request", {{"Content-Type", "text/plain"}},
               QByteArray(protocol::describe(m_head->error()).data()) + '\n');
        return false;
    }
    if (!upgrade())
        return false;
    m_head.reset(); // an open connection keeps only what it needs (m_info has the request)
    const QByteArrayView rest = data.sliced(qsizetype(consumed));
    if (!rest.isEmpty())
        m_engine->consume(rest, arrivalNs);
    return true;
}

void ServerConnection::refuse(int status, const QByteArray &reason,
                              const QList<QPair<QByteArray, QByteArray>> &headers,
                              const QByteArray &body)
{
    const QByteArray phrase = reason.isEmpty() ? reasonPhrase(status) : reason;
    const std::string response = protocol::buildRejectResponse(
        status, phrase.toStdString(), toHeaders(headers), body.toStdString());
    // Said of it in one line: a plain-text body's first line, else the reason phrase (an HTML
    // error page is for the client, and stays in the capture).
    const bool plainText = std::any_of(headers.cbegin(), headers.cend(), [](const auto &h) {
        return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0
               && h.second.trimmed().startsWith("text/plain");
    });
    const QByteArray firstLine = body.trimmed().split('\n').constFirst().trimmed();
    sendRefusal(toBytes(response), status,
                QString::fromUtf8(plainText && !firstLine.isEmpty() ? firstLine : phrase));
}

void ServerConnection::sendRefusal(const QByteArray &response, int status, const QString &detail)
{
    m_refused = true;
    m_info.response = response.left(response.indexOf("\r\n\r\n") + 4);
    m_info.status = status;
    m_info.openedNs = monotonicNs();
    m_info.close.endedBy = EndReason::Refused;
    m_handshakeTimer.stop();
    m_transport->write(response);
    // Told before the socket closes: closing can report the connection closed at once.
    m_host.connectionRefused(m_info.id, status, detail.left(200));
    m_transport->disconnectFromPeer();
}

bool ServerConnection::upgrade()
{
    const protocol::HttpHead &head = m_head->head();
    const ServerBehaviour &behaviour = m_options.behaviour;
    const protocol::ServerHandshakeResult check = protocol::checkClientRequest(head);
    if (!check.ok()) {
        sendRefusal(toBytes(protocol::buildRejectResponse(check)), check.status,
                    QString::fromUtf8(protocol::describe(check.error).data()));
        return false;
    }
    // Cross-site WebSocket hijacking: only local names, and browser origins on the list.
    const QString host = hostWithoutPort(QString::fromStdString(*head.find("Host")));
    if (!isAllowedHost(host, m_options.allowedHosts)) {
        refuse(403, {}, {{"Content-Type", "text/plain"}},
               QStringLiteral("Host %1 is not allowed (serve --allow-host %1 accepts it)\n")
                   .arg(host)
                   .toUtf8());
        return false;
    }
    if (const std::string *origin = head.find("Origin")) {
        const QString value = QString::fromStdString(*origin);
        if (!isAllowedOrigin(value, m_options.allowedOrigins)) {
            refuse(403, {}, {{"Content-Type", "text/plain"}},
                   QStringLiteral("Origin %1 is not allowed (serve --allow-origin %1 accepts it)\n")
                       .arg(value)
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
            sendRefusal(response + "\r\n", 101, QStringLiteral("101 without Sec-WebSocket-Accept"));
        } else {
            refuse(refusal.status, refusal.reason, refusal.headers, refusal.body);
        }
        return false;
    }
    if (behaviour.requireAuthorization && !head.find("Authorization")) {
        refuse(401, {},
               {{"WWW-Authenticate", "Basic realm=\"framescope\""}, {"Content-Type", "text/plain"}},
               "This server requires an Authorization header.\n");
        return false;
    }
    std::string subprotocol;
    if (!behaviour.requiredSubprotocol.isEmpty()) {
        const std::string required = behaviour.requiredSubprotocol.toStdString();
        if (std::find(check.subprotocols.begin(), check.subprotocols.end(), required)
            == check.subprotocols.end()) {
            refuse(400, {}, {{"Content-Type", "text/plain"}},
                   "This server requires the subprotocol " + behaviour.requiredSubprotocol + ".\n");
            return false;
        }
        subprotocol = required;
    }
    EngineSettings settings;
    settings.role = protocol::Role::Server;
    settings.maxFrameSize = settings.maxMessageSize = m_options.maxMessageSize;
    settings.maxFragments = m_options.maxFragments;
    settings.midFrameTimeoutMs = m_options.midFrameTimeoutMs;
    settings.closeTimeoutMs = m_options.closeTimeoutMs;
    settings.autoPong = behaviour.answerPings;
    settings.connection = std::uint32_t(m_info.id);
    std::string extensions;
    if (m_options.deflate) {
        const protocol::DeflateAcceptance acceptance
            = protocol::acceptDeflateOffers(check.extensions, m_options.deflateConfig);
        if (acceptance.response) {
            extensions = protocol::formatExtensionHeader({*acceptance.response});
            settings.deflate = acceptance.agreed;
        }
    }
    const QByteArray response
        = toBytes(protocol::buildAcceptResponse(check.key, subprotocol, extensions));
    m_transport->write(response);
    m_info.response = response;
    m_info.status = 101;
    m_info.openedNs = monotonicNs();
    m_info.state = SessionState::Open;
    m_engine = std::make_unique<ConnectionEngine>(*m_transport, m_store, settings,
                                                  static_cast<ConnectionEngine::Delegate &>(*this));
    m_handshakeTimer.stop();
    if (m_options.idleTimeoutMs > 0)
        m_idleTimer.start(m_options.idleTimeoutMs, Qt::PreciseTimer, this);
    if (behaviour.pingIntervalMs > 0)
        m_pingTimer.start(behaviour.pingIntervalMs, Qt::PreciseTimer, this);
    if (behaviour.pushIntervalMs > 0)
        m_pushTimer.start(behaviour.pushIntervalMs, Qt::PreciseTimer, this);
    if (behaviour.closeAfterMs > 0)
        m_closeAfterTimer.start(behaviour.closeAfterMs, Qt::PreciseTimer, this);
    m_host.connectionUpgraded(m_info.id);
    if (behaviour.echoRequestHeaders) {
        // What arrived, proxies' changes included; binary if a header was not UTF-8. Credentials
        // are redacted as in a capture (the echo is a frame the capture holds) unless asked.
        const QByteArray echoed = behaviour.echoSecrets
                                      ? m_info.request
                                      : QByteArray::fromStdString(
                                          capture::redactHttpHead(m_info.request.toStdString()));
        const bool text = protocol::isValidUtf8(byteSpan(echoed));
        m_engine->sendReply(text ? protocol::Opcode::Text : protocol::Opcode::Binary, echoed,
                            behaviour.fragmentSize, std::nullopt);
    }
    return true;
}

void ServerConnection::timerEvent(QTimerEvent *event)
{
    const int id = event->timerId();
    if (id == m_handshakeTimer.timerId()) {
        m_handshakeTimer.stop();
        end(EndReason::Timeout);
    } else if (id == m_idleTimer.timerId()) {
        m_idleTimer.stop();
        if (isOpen())
            m_engine->close(protocol::CloseCode::GoingAway, "idle timeout");
    } else if (id == m_replyTimer.timerId()) {
        m_replyTimer.stop();
        sendDueReplies();
    } else if (id == m_closeAfterTimer.timerId()) {
        m_closeAfterTimer.stop();
        closeAsAsked();
    } else if (id == m_pingTimer.timerId()) {
        if (readWaitingAndStillOpen())
            m_engine->ping("ping " + QByteArray::number(++m_pings));
    } else if (id == m_pushTimer.timerId()) {
        if (readWaitingAndStillOpen())
            reply(protocol::Opcode::Text,
                  m_options.behaviour.pushText + ' ' + QByteArray::number(++m_pushes));
    } else {
        QObject::timerEvent(event);
    }
}

// Before a send of the server's own (a ping, a push): what arrived before it is read first, so it
// comes before the send in the store too (Transport::readWaiting). False when the connection is
// not open (any more: what was read may have closed it).
bool ServerConnection::readWaitingAndStillOpen()
{
    if (isOpen())
        m_transport->readWaiting();
    return isOpen();
}

// A reply now, or after the configured delay (replies keep their order).
void ServerConnection::reply(protocol::Opcode opcode, const QByteArray &payload, bool close,
                             std::optional<capture::FrameId> sameAs)
{
    const int delay = m_options.behaviour.replyDelayMs;
    if (delay <= 0 && m_replies.empty()) {
        if (close)
            closeAsAsked();
        else
            m_engine->sendReply(opcode, payload, m_options.behaviour.fragmentSize, sameAs);
        return;
    }
    m_replies.push_back({monotonicNs() + std::int64_t(delay) * 1000000, opcode, payload, close});
    if (!m_replyTimer.isActive())
        m_replyTimer.start(delay, Qt::PreciseTimer, this);
}

void ServerConnection::sendDueReplies()
{
    const std::int64_t now = monotonicNs();
    while (!m_replies.empty() && m_replies.front().dueNs <= now) {
        const Reply next = std::move(m_replies.front());
        m_replies.pop_front();
        if (!isOpen())
            continue;
        if (next.close)
            closeAsAsked();
        else
            m_engine->sendReply(next.opcode, next.payload, m_options.behaviour.fragmentSize,
                                std::nullopt);
    }
    if (!m_replies.empty()) {
        // Never early: a delay the user gave is kept at least as given.
        const std::int64_t waitNs = m_replies.front().dueNs - now;
        m_replyTimer.start(int((waitNs + 999999) / 1000000), Qt::PreciseTimer, this);
    }
}

void ServerConnection::closeAsAsked()
{
    if (isOpen())
        m_engine->close(m_options.behaviour.closeCode, m_options.behaviour.closeReason);
}

void ServerConnection::stopBehaviours()
{
    m_pingTimer.stop();
    m_pushTimer.stop();
    m_closeAfterTimer.stop();
    m_idleTimer.stop();
}

void ServerConnection::messageStarted(protocol::Opcode opcode)
{
    m_message.resize(0);
    m_opcode = opcode;
}

void ServerConnection::messageData(std::span<const std::uint8_t> data)
{
    if (m_options.behaviour.echo)
        m_message.append(bytesView(data));
}

void ServerConnection::messageFinished()
{
    if (!isOpen())
        return;
    ++m_messages;
    if (m_options.behaviour.echo)
        reply(m_opcode, m_message, false, wholeMessageFrame());
    // Keep the buffer for the next message, unless a big one left it large. One that waits to
    // go out (payloadSent() hands it back) is swapped for a spare.
    if (m_message.size() < qsizetype(Transport::kCopyLimit))
        m_spareMessages.clear(); // small messages again: an idle connection keeps none
    if (!m_message.isDetached()) {
        m_message = QByteArray();
        if (!m_spareMessages.empty()) {
            m_message = std::move(m_spareMessages.back());
            m_spareMessages.pop_back();
        }
    }
    m_message.resize(0);
    if (m_message.capacity() > kKeptMessageBytes)
        m_message.squeeze();
    const int closeAfter = m_options.behaviour.closeAfterMessages;
    if (closeAfter > 0 && m_messages == quint64(closeAfter))
        reply(protocol::Opcode::Close, {}, true);
}

void ServerConnection::payloadSent(QByteArray &&payload)
{
    if (payload.isDetached() && m_spareMessages.size() < kSpareMessages)
        m_spareMessages.push_back(std::move(payload));
}

// The received frame that holds the whole message just finished, stored as it came: a single
// frame, not compressed, its payload all kept.
std::optional<capture::FrameId> ServerConnection::wholeMessageFrame() const
{
    if (m_message.size() < qsizetype(Transport::kCopyLimit) || m_engine->isDeflateOn())
        return std::nullopt; // small replies are batched and captured as they are
    const capture::FrameId id = m_engine->lastReceivedFrame();
    const std::optional<capture::FrameRecord> record = m_store.record(id);
    if (!record || record->opcode == 0 || !record->has(capture::FrameRecord::Fin)
        || record->has(capture::FrameRecord::Compressed) || record->has(capture::FrameRecord::Rsv1)
        || record->storedLength != std::uint64_t(m_message.size())
        || record->payloadLength != record->storedLength)
        return std::nullopt;
    return id;
}

void ServerConnection::handleDisconnected()
{
    if (m_engine) {
        m_engine->transportClosed(); // ended() follows
        return;
    }
    stopBehaviours();
    m_handshakeTimer.stop();
    if (m_info.close.endedBy == EndReason::None)
        m_info.close.endedBy
            = m_transport->errorString().isEmpty() ? EndReason::TcpFin : EndReason::Reset;
    m_info.closedNs = monotonicNs();
    m_info.state = SessionState::Closed;
    m_host.connectionEnded(m_info.id);
}

void ServerConnection::ended(EngineEnd, const QString &)
{
    stopBehaviours();
    m_replyTimer.stop();
    m_replies.clear();
    m_info.closedNs = monotonicNs();
    m_info.state = SessionState::Closed;
    m_host.connectionEnded(m_info.id);
}

} // namespace framescope::session
