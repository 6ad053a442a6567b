#include "clientsession.h"

#include "clientrequest.h"
#include "dialer.h"
#include "redirects.h"
#include "upgraderesponse.h"

#include <QRandomGenerator>
#include <protocol/httphead.h>
#include <session/engine/clock.h>

namespace framescope::session {

Q_LOGGING_CATEGORY(lcSession, "framescope.session", QtInfoMsg)

namespace {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace

ClientSession::ClientSession(const ClientOptions &options, capture::FrameStore &store,
                             QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_initialOptions(options)
    , m_store(store)
    , m_announcer(store, [this](std::uint64_t first, std::uint64_t end) {
        Q_EMIT framesCaptured(first, end);
        Q_EMIT messagesReceivedChanged(m_messagesReceived);
    })
{
    m_reconnectTimer.setSingleShot(true);
    m_reconnectTimer.setTimerType(Qt::PreciseTimer); // never sooner than the delay said
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ClientSession::reconnect);
    m_phaseTimer.setSingleShot(true);
    m_phaseTimer.setTimerType(Qt::PreciseTimer); // a time the user gives is kept as given
    connect(&m_phaseTimer, &QTimer::timeout, this, [this] {
        switch (m_state) {
        case SessionState::Connecting:
            if (m_dialer && m_dialer->isNegotiatingTls())
                fail(SessionError::TlsTimeout,
                     QStringLiteral("the TLS handshake did not finish within %1 ms")
                         .arg(m_options.tlsTimeoutMs),
                     EndReason::Timeout);
            else
                fail(SessionError::ConnectionTimeout,
                     QStringLiteral("no answer within %1 ms").arg(m_options.connectTimeoutMs),
                     EndReason::Timeout);
            break;
        case SessionState::Handshaking:
            if (m_response && m_response->isCollectingBody())
                finishHandshakeFailure();
            else
                fail(SessionError::HandshakeTimeout, QStringLiteral("no complete HTTP response"),
                     EndReason::Timeout);
            break;
        default:
            break;
        }
    });
    m_pingTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_pingTimer, &QTimer::timeout, this,
            [this] { ping(QByteArrayLiteral("keep-alive")); });
}

ClientSession::~ClientSession()
{
    dropConnection();
}

const CloseInfo &ClientSession::closeInfo() const
{
    return m_engine && m_state != SessionState::Closed ? m_engine->closeInfo() : m_close;
}

ClientSnapshot ClientSession::snapshot() const
{
    ClientSnapshot snapshot;
    snapshot.options = m_options;
    snapshot.handshake = m_handshake;
    snapshot.close = closeInfo();
    snapshot.state = m_state;
    snapshot.error = m_error;
    snapshot.errorString = m_errorString;
    snapshot.messagesReceived = m_messagesReceived;
    snapshot.connectionNumber = m_connectionNumber;
    snapshot.direct = isDirect();
    return snapshot;
}

// A time limit for the phase starting now; 0 means none (as for every time option).
void ClientSession::startPhaseTimer(int limitMs)
{
    if (limitMs > 0)
        m_phaseTimer.start(limitMs);
    else
        m_phaseTimer.stop();
}

void ClientSession::setState(SessionState state)
{
    if (m_state == state)
        return;
    m_state = state;
    qCDebug(lcSession) << "state" << describe(state);
    Q_EMIT stateChanged(state);
}

void ClientSession::fail(SessionError error, const QString &detail, EndReason endedBy)
{
    if (m_finished)
        return;
    if (m_error == SessionError::None) {
        m_error = error;
        m_errorString = describe(error) + QStringLiteral(": ") + detail;
        if (m_close.endedBy == EndReason::None)
            m_close.endedBy = endedBy;
        Q_EMIT errorOccurred(error, m_errorString);
    }
    dropConnection();
    finish();
}

// Lets go of the connection's objects, whichever phase it is in, without hearing from them
// again. (Deleted later: this may run inside one of their signals.)
void ClientSession::dropConnection()
{
    if (m_dialer) {
        m_dialer->cancel();
        m_dialer->disconnect(this);
        m_dialer->deleteLater();
        m_dialer = nullptr;
    }
    if (m_engine)
        m_engine.release()->deleteLater(); // before its transport
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->setReceiver(nullptr);
        m_transport->abort();
        m_transport->deleteLater();
        m_transport = nullptr;
    }
}

void ClientSession::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_phaseTimer.stop();
    m_pingTimer.stop();
    setState(SessionState::Closed);
    m_announcer.announceNow();
    if (scheduleReconnect())
        return;
    Q_EMIT finished();
}

bool ClientSession::scheduleReconnect()
{
    const ReconnectPolicy &policy = m_options.reconnect;
    if (!policy.enabled || m_endRequested || !isRetryable(m_error, m_handshake.status))
        return false;
    if (m_options.closeAfterMessages > 0 && m_messagesReceived >= m_options.closeAfterMessages)
        return false; // every message asked for is here: no connection is needed any more
    if (m_openedAtNs != 0
        && monotonicNs() - m_openedAtNs >= std::int64_t(policy.steadyMs) * 1'000'000)
        m_reconnectAttempt = 0;
    m_openedAtNs = 0;
    if (policy.maxAttempts > 0 && m_reconnectAttempt >= policy.maxAttempts)
        return false;
    ++m_reconnectAttempt;
    const int delay = reconnectDelayMs(policy, m_reconnectAttempt,
                                       QRandomGenerator::global()->generateDouble());
    QString reason = m_errorString;
    if (reason.isEmpty() && m_close.codeReceived)
        reason = QStringLiteral("the server closed with %1").arg(*m_close.codeReceived);
    if (reason.isEmpty())
        reason = QStringLiteral("the connection ended (%1)").arg(describe(m_close.endedBy));
    m_handshake.reconnects.append(QStringLiteral("attempt %1 after %2 ms: %3")
                                      .arg(m_reconnectAttempt)
                                      .arg(delay)
                                      .arg(reason));
    Q_EMIT reconnectScheduled(m_reconnectAttempt, delay, reason);
    m_reconnectTimer.start(delay);
    return true;
}

void ClientSession::reconnect()
{
    // A new connection in the same session: same capture, fresh protocol state.
    dropConnection();
    m_options = m_initialOptions;
    m_error = SessionError::None;
    m_errorString.clear();
    m_close = {};
    const QStringList reconnects = m_handshake.reconnects;
    m_handshake = {};
    m_handshake.reconnects = reconnects;
    m_response.reset();
    m_redirects = 0;
    m_finished = false;
    ++m_connectionNumber;
    open();
}

void ClientSession::open()
{
    const QUrl &url = m_options.url;
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        || url.host().isEmpty()) {
        const QString why = !url.isValid()         ? url.errorString()
                            : url.host().isEmpty() ? QStringLiteral("no host")
                                                   : QStringLiteral("the scheme is not ws or wss");
        fail(
            SessionError::InvalidUrl,
            QStringLiteral("\"%1\" is not a WebSocket URL (ws://host[:port]/path or wss://...): %2")
                .arg(url.toString(QUrl::RemoveUserInfo), why),
            EndReason::Local);
        return;
    }
    if (const std::optional<QString> error = applyCredentialHelpers(m_options)) {
        fail(SessionError::LocalError, *error, EndReason::Local);
        return;
    }
    const bool secure = scheme == QLatin1String("wss");
    m_response.reset();
    m_host = url.host();
    m_port = quint16(url.port(secure ? 443 : 80));
    const std::optional<protocol::ClientRequest> request
        = buildUpgradeRequest(m_options, m_deflateOffer);
    if (!request) {
        fail(SessionError::LocalError, QStringLiteral("no random bytes for the key"),
             EndReason::Local);
        return;
    }
    m_request = *request;
    const std::variant<QNetworkProxy, QString> proxy = proxyFor(m_options);
    if (const QString *error = std::get_if<QString>(&proxy)) {
        fail(SessionError::InvalidUrl, *error, EndReason::Local);
        return;
    }
    const QNetworkProxy &viaProxy = std::get<QNetworkProxy>(proxy);
    m_handshake.proxy = describeProxy(viaProxy);
    // Plain TCP straight to the server goes on a descriptor of our own (read and written without
    // copies through Qt, with the kernel's arrival times); TLS and proxies through Qt's sockets.
    m_dialer = new Dialer(m_options, m_handshake, this);
    if (const std::optional<QString> error = m_dialer->prepare(secure, viaProxy)) {
        fail(SessionError::LocalError, *error, EndReason::Local);
        return;
    }
    connect(m_dialer, &Dialer::lookedUp, this, [this] {
        m_handshake.lookupNs = monotonicNs() - m_phaseStartNs;
        m_phaseStartNs = monotonicNs();
    });
    connect(m_dialer, &Dialer::tcpConnected, this, [this] {
        m_handshake.connectNs = monotonicNs() - m_phaseStartNs;
        m_phaseStartNs = monotonicNs();
        if (m_dialer->isNegotiatingTls())
            startPhaseTimer(m_options.tlsTimeoutMs);
    });
    connect(m_dialer, &Dialer::ready, this, [this](Transport *transport) {
        if (m_options.url.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0)
            m_handshake.tlsNs = monotonicNs() - m_phaseStartNs;
        m_dialer->deleteLater();
        m_dialer = nullptr;
        takeOver(transport);
        sendRequest();
    });
    connect(m_dialer, &Dialer::failed, this, &ClientSession::fail);
    setState(SessionState::Connecting);
    m_phaseStartNs = monotonicNs();
    startPhaseTimer(m_options.connectTimeoutMs);
    m_dialer->start(m_host, m_port);
}

// TCP (and TLS) is up: the transport carries the stream from here on.
void ClientSession::takeOver(Transport *transport)
{
    m_transport = transport;
    m_transport->setParent(this);
    m_transport->setReceiver(this);
    m_handshake.local = m_transport->localName();
    m_handshake.peer = m_transport->peerName();
    connect(m_transport, &Transport::disconnected, this, &ClientSession::handleTransportClosed);
}

void ClientSession::sendRequest()
{
    if (!m_transport || !m_transport->isOpen())
        return;
    setState(SessionState::Handshaking);
    m_phaseStartNs = monotonicNs();
    startPhaseTimer(m_options.handshakeTimeoutMs);
    m_response = std::make_unique<UpgradeResponse>();
    m_handshake.request = QByteArray::fromStdString(protocol::buildClientRequest(m_request));
    m_transport->write(m_handshake.request);
}

bool ClientSession::bytesReceived(QByteArrayView data, std::int64_t arrivalNs)
{
    if (m_engine) {
        m_engine->consume(data, arrivalNs);
        return true;
    }
    if (m_state != SessionState::Handshaking || !m_response)
        return false;
    qsizetype consumed = 0;
    switch (m_response->feed(data, consumed)) {
    case UpgradeResponse::Status::NeedMore:
        if (m_response->isCollectingBody())
            m_handshake.response = m_response->bytes();
        break;
    case UpgradeResponse::Status::Complete:
        finishHandshakeFailure();
        break;
    case UpgradeResponse::Status::Malformed:
        m_handshake.response = m_response->bytes();
        m_handshake.error = protocol::HandshakeError::MalformedHead;
        m_handshake.detail = m_response->error();
        fail(SessionError::HandshakeFailed, m_handshake.detail, EndReason::Handshake);
        break;
    case UpgradeResponse::Status::Head:
        handleResponseHead(data.sliced(consumed), arrivalNs);
        break;
    }
    return true;
}

void ClientSession::handleTransportClosed()
{
    if (m_engine) {
        m_engine->transportClosed(); // ended() follows
        return;
    }
    if (m_finished)
        return;
    if (m_response && m_response->isCollectingBody()) {
        finishHandshakeFailure();
        return;
    }
    if (m_response)
        m_handshake.response = m_response->bytes(); // what came of an answer, for the Doctor
    const QString alert = m_handshake.tls.value(QStringLiteral("alert"));
    if (!alert.isEmpty()) {
        // A TLS 1.3 server refuses the client's certificate (or its absence) after the client
        // thinks the handshake done: the alert comes instead of the answer, and is a TLS failure.
        const QString error = m_transport->errorString();
        fail(SessionError::TlsFailed,
             error.isEmpty() ? QStringLiteral("the server sent the TLS alert ") + alert : error,
             EndReason::Tls);
    } else if (!m_transport->errorString().isEmpty()) {
        fail(SessionError::ConnectionLost, m_transport->errorString(), EndReason::Reset);
    } else {
        fail(SessionError::HandshakeFailed, QStringLiteral("the server closed the connection"),
             EndReason::TcpFin);
    }
}

// The answer's head is in; `rest` is what came after it in the same read.
void ClientSession::handleResponseHead(QByteArrayView rest, std::int64_t arrivalNs)
{
    m_handshake.response = m_response->bytes();
    const protocol::HttpHead &head = m_response->head();
    m_handshake.status = head.status;
    m_handshake.upgradeNs = monotonicNs() - m_phaseStartNs;
    const protocol::ClientHandshakeResult result
        = protocol::checkServerResponse(head, m_request, m_deflateOffer);
    m_handshake.error = result.error;
    m_handshake.detail = toQString(result.detail);
    if (result.ok()) {
        m_handshake.openedNs = arrivalNs;
        upgraded(result);
        if (!rest.isEmpty()) // frames that came with the 101
            m_engine->consume(rest, arrivalNs);
        return;
    }
    if (head.status != 101 && followRedirect(head))
        return;
    if (head.status != 101) {
        // Keep the body (an IIS error page says what went wrong), up to a cap.
        m_response->collectBody();
        qsizetype consumed = 0;
        const UpgradeResponse::Status status = m_response->feed(rest, consumed);
        m_handshake.response = m_response->bytes();
        if (status == UpgradeResponse::Status::Complete)
            finishHandshakeFailure();
        else
            m_phaseTimer.start(1000);
        return;
    }
    fail(SessionError::HandshakeFailed,
         toQString(protocol::describe(result.error))
             + (result.detail.empty()
                    ? QString()
                    : QStringLiteral(" (") + toQString(result.detail) + QLatin1Char(')')),
         EndReason::Handshake);
}

void ClientSession::upgraded(const protocol::ClientHandshakeResult &result)
{
    m_handshake.subprotocol = QByteArray::fromStdString(result.subprotocol.value_or(""));
    m_handshake.extensions = QByteArray::fromStdString(result.extensions);
    m_handshake.deflate = result.deflate;
    m_phaseTimer.stop();
    EngineSettings settings;
    settings.role = protocol::Role::Client;
    settings.maxFrameSize = m_options.maxFrameSize;
    settings.maxMessageSize = m_options.maxMessageSize;
    settings.maxFragments = m_options.maxFragments;
    settings.midFrameTimeoutMs = m_options.idleTimeoutMs;
    settings.closeTimeoutMs = m_options.closeTimeoutMs;
    settings.autoPong = m_options.autoPong;
    settings.deflate = result.deflate;
    settings.connection = m_connectionNumber;
    m_engine = std::make_unique<ConnectionEngine>(*m_transport, m_store, settings,
                                                  static_cast<ConnectionEngine::Delegate &>(*this));
    m_openedAtNs = monotonicNs(); // how long it stays decides whether the count starts again
    setState(SessionState::Open);
    if (m_options.pingIntervalMs > 0)
        m_pingTimer.start(m_options.pingIntervalMs);
}

bool ClientSession::followRedirect(const protocol::HttpHead &head)
{
    const int status = head.status;
    if (!m_options.followRedirects
        || (status != 301 && status != 302 && status != 303 && status != 307 && status != 308))
        return false;
    const std::string *location = head.find("Location");
    const QUrl from = m_options.url;
    const QUrl to
        = redirectTarget(from, location ? QByteArray::fromStdString(*location) : QByteArray());
    if (!to.isValid())
        return false; // reported as the non-101 answer it is, Location included
    if (m_redirects >= m_options.maxRedirects) {
        fail(SessionError::HandshakeFailed,
             QStringLiteral("more than %1 redirects (last to %2)")
                 .arg(m_options.maxRedirects)
                 .arg(to.toString(QUrl::RemoveUserInfo)),
             EndReason::Handshake);
        return true;
    }
    ++m_redirects;
    const bool dropCredentials = redirectDropsCredentials(from, to);
    m_handshake.redirects.append(
        QStringLiteral("%1 %2%3")
            .arg(status)
            .arg(to.toString(QUrl::RemoveUserInfo))
            .arg(dropCredentials ? QStringLiteral(" (credentials not forwarded)") : QString()));
    Q_EMIT redirected(m_handshake.redirects.last());
    // RFC 6455 §4.1 leaves redirects to the client; credentials never cross hosts or go from
    // wss to ws.
    m_options.headers = headersForRedirect(from, to, m_options.headers);
    QUrl next = to;
    if (dropCredentials)
        next.setUserInfo({});
    else if (next.userInfo().isEmpty())
        next.setUserInfo(from.userInfo());
    m_options.url = next;
    m_phaseTimer.stop();
    dropConnection();
    QTimer::singleShot(0, this, &ClientSession::open);
    return true;
}

void ClientSession::finishHandshakeFailure()
{
    m_handshake.response = m_response->bytes();
    m_response.reset();
    fail(SessionError::HandshakeFailed,
         QStringLiteral("HTTP %1 instead of 101 Switching Protocols").arg(m_handshake.status),
         EndReason::Handshake);
}

bool ClientSession::sendText(QByteArrayView text, std::size_t fragmentSize)
{
    return sendMessage(protocol::Opcode::Text, text, fragmentSize);
}

bool ClientSession::sendBinary(QByteArrayView data, std::size_t fragmentSize)
{
    return sendMessage(protocol::Opcode::Binary, data, fragmentSize);
}

// What arrived before a send of ours is taken first (Transport::readWaiting): the store holds the
// frames in the order they happened.
void ClientSession::readWaiting()
{
    if (m_engine && m_transport)
        m_transport->readWaiting();
}

bool ClientSession::sendMessage(protocol::Opcode opcode, QByteArrayView data,
                                std::size_t fragmentSize, bool pingBetweenFragments)
{
    readWaiting();
    return m_engine && m_state == SessionState::Open
           && m_engine->sendMessage(opcode, data, fragmentSize, pingBetweenFragments);
}

bool ClientSession::sendRawFrame(const protocol::FrameHeader &header, QByteArrayView payload)
{
    readWaiting();
    return m_engine && (m_state == SessionState::Open || m_state == SessionState::Closing)
           && m_engine->sendRawFrame(header, payload);
}

bool ClientSession::ping(QByteArrayView payload)
{
    readWaiting();
    return m_engine && m_state == SessionState::Open && m_engine->ping(payload);
}

bool ClientSession::close(std::uint16_t code, QByteArrayView reason)
{
    readWaiting();
    if (!m_engine || m_state != SessionState::Open || !m_engine->close(code, reason))
        return false;
    m_endRequested = true;
    return true;
}

void ClientSession::abort(bool reset)
{
    m_endRequested = true;
    if (m_reconnectTimer.isActive()) {
        // Between two connections: the session ends now.
        m_reconnectTimer.stop();
        Q_EMIT finished();
        return;
    }
    if (m_engine && m_state != SessionState::Closed) {
        m_engine->abort(reset); // ended() follows
        return;
    }
    if (m_close.endedBy == EndReason::None)
        m_close.endedBy = EndReason::LocalAbort;
    dropConnection();
    finish();
}

void ClientSession::roundTripMeasured(std::int64_t roundTripNs)
{
    Q_EMIT pongReceived(qint64(roundTripNs));
}

void ClientSession::messageFinished()
{
    ++m_messagesReceived;
    if (m_options.closeAfterMessages > 0 && m_messagesReceived == m_options.closeAfterMessages)
        close(m_options.closeCode, m_options.closeReason);
}

void ClientSession::closingStarted()
{
    m_pingTimer.stop();
    setState(SessionState::Closing);
}

void ClientSession::ended(EngineEnd how, const QString &detail)
{
    m_close = m_engine->closeInfo();
    switch (how) {
    case EngineEnd::ClosingHandshake:
    case EngineEnd::Aborted:
        dropConnection();
        finish();
        break;
    case EngineEnd::PeerClosedTcp:
        fail(SessionError::ConnectionLost, QStringLiteral("the server closed the connection"),
             EndReason::TcpFin);
        break;
    case EngineEnd::SocketError:
        fail(SessionError::ConnectionLost, detail, EndReason::Reset);
        break;
    case EngineEnd::MidFrameTimeout:
        fail(SessionError::IdleTimeout, detail, EndReason::Timeout);
        break;
    case EngineEnd::CloseTimeout:
        fail(SessionError::CloseTimeout, detail, EndReason::Timeout);
        break;
    case EngineEnd::ProtocolViolation:
        fail(SessionError::PeerProtocolError, detail, EndReason::ProtocolError);
        break;
    case EngineEnd::LimitExceeded:
        fail(SessionError::LimitExceeded, detail, EndReason::Limit);
        break;
    }
}

} // namespace framescope::session
