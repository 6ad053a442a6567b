#include "clientsession.h"

#include "redirects.h"

#include <QFile>
#include <QHostAddress>
#include <QHostInfo>
#include <QNetworkProxy>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <protocol/closeframe.h>
#include <protocol/httphead.h>
#include <protocol/messagereader.h>
#include <protocol/messagewriter.h>
#include <session/engine/certificatefingerprint.h>
#include <session/engine/clock.h>
#include <session/engine/socketio.h>

namespace framescope::session {

Q_LOGGING_CATEGORY(lcSession, "framescope.session", QtInfoMsg)

namespace {

constexpr qsizetype kMaxErrorBody = 64 * 1024;

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace

// Received frames drive the session (pongs, the closing handshake, message counts); sent
// frames only need announcing.
class ClientSession::CaptureListener : public FrameCapture::Listener
{
public:
    CaptureListener(ClientSession &session, bool received)
        : m_session(session)
        , m_received(received)
    {}
    void frameCaptured() override { m_session.frameCaptured(); }
    void messageFinished() override
    {
        if (m_received)
            ++m_session.m_messagesReceived;
    }
    void controlFrame(protocol::Opcode opcode, std::span<const std::uint8_t> payload) override
    {
        if (m_received)
            m_session.handleControlFrame(opcode, payload);
    }

private:
    ClientSession &m_session;
    bool m_received;
};

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
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ClientSession::reconnect);
    m_phaseTimer.setSingleShot(true);
    m_idleTimer.setSingleShot(true);
    m_closeTimer.setSingleShot(true);
    connect(&m_phaseTimer, &QTimer::timeout, this, [this] {
        switch (m_state) {
        case SessionState::Connecting:
            fail(m_sslSocket && m_socket->state() == QAbstractSocket::ConnectedState
                     ? SessionError::TlsFailed
                     : SessionError::ConnectionTimeout,
                 QStringLiteral("no answer within the time limit"), EndReason::Timeout);
            break;
        case SessionState::Handshaking:
            if (m_collectingBody)
                finishHandshakeFailure();
            else
                fail(SessionError::HandshakeTimeout, QStringLiteral("no complete HTTP response"),
                     EndReason::Timeout);
            break;
        default:
            break;
        }
    });
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        fail(SessionError::IdleTimeout,
             QStringLiteral("no bytes for %1 ms in the middle of a frame")
                 .arg(m_options.idleTimeoutMs),
             EndReason::Timeout);
    });
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        if (!m_close.closeFrameReceived) {
            fail(SessionError::CloseTimeout,
                 QStringLiteral("no close frame within %1 ms").arg(m_options.closeTimeoutMs),
                 EndReason::Timeout);
        } else {
            // The peer answered but kept TCP open; we end it.
            m_close.endedBy = EndReason::CloseFrame;
            if (m_socket)
                m_socket->abort();
            finish();
        }
    });
    connect(&m_pingTimer, &QTimer::timeout, this,
            [this] { ping(QByteArrayLiteral("keep-alive")); });
}

ClientSession::~ClientSession()
{
    if (m_socket)
        m_socket->disconnect(this);
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
    if (m_socket)
        m_socket->abort();
    finish();
}

void ClientSession::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_phaseTimer.stop();
    m_idleTimer.stop();
    m_closeTimer.stop();
    m_pingTimer.stop();
    if (m_receivedHandler)
        m_receivedHandler->finishIncomplete();
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
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_socket = nullptr;
    m_sslSocket = nullptr;
    m_options = m_initialOptions;
    m_error = SessionError::None;
    m_errorString.clear();
    m_close = {};
    const QStringList reconnects = m_handshake.reconnects;
    m_handshake = {};
    m_handshake.reconnects = reconnects;
    m_reader.reset();
    m_sentReader.reset();
    m_writer.reset();
    m_receivedHandler.reset();
    m_sentHandler.reset();
    m_receivedListener.reset();
    m_sentListener.reset();
    m_headParser.reset();
    m_collectingBody = false;
    m_bodyExpected = -1;
    m_redirects = 0;
    m_lastPingNs = 0;
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
        fail(SessionError::InvalidUrl,
             QStringLiteral("expected ws://host[:port]/path or wss://..., got \"%1\"")
                 .arg(url.toString(QUrl::RemoveUserInfo)),
             EndReason::Local);
        return;
    }
    if (const std::optional<QString> error = applyCredentialHelpers(m_options)) {
        fail(SessionError::LocalError, *error, EndReason::Local);
        return;
    }
    const bool secure = scheme == QLatin1String("wss");
    m_request = {};
    m_deflateOffer.reset();
    m_collectingBody = false;
    m_host = url.host();
    m_port = quint16(url.port(secure ? 443 : 80));

    // RFC 6455 §4.1: the request.
    const auto key = protocol::generateClientKey();
    if (!key) {
        fail(SessionError::LocalError, QStringLiteral("no random bytes for the key"),
             EndReason::Local);
        return;
    }
    m_request.key = *key;
    const bool defaultPort = url.port() == -1 || url.port() == (secure ? 443 : 80);
    QString hostHeader = url.host(QUrl::FullyEncoded);
    if (hostHeader.contains(QLatin1Char(':')))
        hostHeader = QLatin1Char('[') + hostHeader + QLatin1Char(']'); // IPv6 literal
    if (!defaultPort)
        hostHeader += QLatin1Char(':') + QString::number(m_port);
    m_request.host = hostHeader.toStdString();
    QString resource = url.path(QUrl::FullyEncoded);
    if (resource.isEmpty())
        resource = QStringLiteral("/");
    if (url.hasQuery())
        resource += QLatin1Char('?') + url.query(QUrl::FullyEncoded);
    m_request.resource = resource.toStdString();
    m_request.origin = m_options.origin.toStdString();
    for (const QByteArray &protocolName : m_options.subprotocols)
        m_request.subprotocols.push_back(protocolName.toStdString());
    if (m_options.offerDeflate) {
        m_deflateOffer = protocol::DeflateOffer{false, false, std::nullopt, true, std::nullopt};
        m_request.extensions.push_back(protocol::toExtension(*m_deflateOffer));
    }
    // URL userinfo becomes Basic authentication, as browsers and curl do.
    if (!url.userName().isEmpty()) {
        const QByteArray credentials
            = (url.userName() + QLatin1Char(':') + url.password()).toUtf8().toBase64();
        m_request.extraHeaders.push_back({"Authorization", "Basic " + credentials.toStdString()});
    }
    for (const auto &[name, value] : m_options.headers)
        m_request.extraHeaders.push_back({name.toStdString(), value.toStdString()});

    if (secure) {
        m_sslSocket = new QSslSocket(this);
        m_socket = m_sslSocket;
        QSslConfiguration configuration = m_sslSocket->sslConfiguration();
        configuration.setProtocol(QSsl::TlsV1_2OrLater);
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!m_options.caFile.isEmpty()) {
            const auto certificates = QSslCertificate::fromPath(m_options.caFile);
            if (certificates.isEmpty()) {
                fail(SessionError::LocalError,
                     QStringLiteral("no certificates in %1").arg(m_options.caFile),
                     EndReason::Local);
                return;
            }
            configuration.addCaCertificates(certificates);
        }
        if (!loadClientCertificate(configuration))
            return;
        m_sslSocket->setSslConfiguration(configuration);
        connect(m_sslSocket, &QSslSocket::encrypted, this, &ClientSession::handleEncrypted);
        connect(m_sslSocket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList texts;
            for (const QSslError &error : errors)
                texts << error.errorString();
            m_handshake.tls.insert(QStringLiteral("errors"), texts.join(QStringLiteral("; ")));
            if (!m_options.pinnedSha256.isEmpty()) {
                // The pin stands in for the chain and the name: exactly that certificate, or
                // nothing (handleSocketError() then says why).
                if (checkPin(texts.join(QStringLiteral("; "))).isEmpty())
                    m_sslSocket->ignoreSslErrors();
                return;
            }
            if (m_options.acceptInvalidCertificate) {
                // The per-session override: recorded, never silent.
                m_handshake.tls.insert(QStringLiteral("override"),
                                       QStringLiteral("invalid certificate accepted"));
                m_sslSocket->ignoreSslErrors();
            }
        });
    } else {
        m_socket = new QTcpSocket(this);
    }
    if (!applyProxy())
        return;
    connect(m_socket, &QTcpSocket::connected, this, &ClientSession::handleConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &ClientSession::handleReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientSession::handleDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &ClientSession::handleSocketError);

    setState(SessionState::Connecting);
    m_phaseStartNs = monotonicNs();
    m_phaseTimer.start(m_options.connectTimeoutMs);
    QHostAddress literal;
    // Through a proxy the proxy resolves the name; a literal address needs no lookup.
    if (literal.setAddress(m_host) || m_socket->proxy().type() != QNetworkProxy::NoProxy) {
        startConnect(m_host);
        return;
    }
    QHostInfo::lookupHost(m_host, this, [this](const QHostInfo &info) {
        m_handshake.lookupNs = monotonicNs() - m_phaseStartNs;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            fail(SessionError::ConnectionFailed,
                 QStringLiteral("cannot resolve %1: %2").arg(m_host, info.errorString()),
                 EndReason::Lookup);
            return;
        }
        startConnect(info.addresses().constFirst().toString());
    });
}

bool ClientSession::applyProxy()
{
    QNetworkProxy proxy(QNetworkProxy::NoProxy);
    const QString setting = m_options.proxy.trimmed();
    if (setting == QLatin1String("system")) {
        const QList<QNetworkProxy> found = QNetworkProxyFactory::systemProxyForQuery(
            QNetworkProxyQuery(m_options.url, QNetworkProxyQuery::TcpSocket));
        if (!found.isEmpty())
            proxy = found.constFirst();
    } else if (!setting.isEmpty()) {
        const QUrl url(setting, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (!url.isValid() || url.host().isEmpty() || url.port() <= 0
            || (scheme != QLatin1String("http") && scheme != QLatin1String("socks5"))) {
            fail(SessionError::InvalidUrl,
                 QStringLiteral("proxy must be http://host:port, socks5://host:port or system"),
                 EndReason::Local);
            return false;
        }
        proxy = QNetworkProxy(scheme == QLatin1String("http") ? QNetworkProxy::HttpProxy
                                                              : QNetworkProxy::Socks5Proxy,
                              url.host(), quint16(url.port()), url.userName(), url.password());
    }
    m_socket->setProxy(proxy);
    if (proxy.type() != QNetworkProxy::NoProxy) {
        m_handshake.proxy
            = QStringLiteral("%1 %2:%3")
                  .arg(proxy.type() == QNetworkProxy::HttpProxy ? QStringLiteral("http")
                                                                : QStringLiteral("socks5"))
                  .arg(proxy.hostName())
                  .arg(proxy.port());
    }
    return true;
}

bool ClientSession::loadClientCertificate(QSslConfiguration &configuration)
{
    if (m_options.certificateFile.isEmpty())
        return true;
    QFile file(m_options.certificateFile);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(SessionError::LocalError,
             QStringLiteral("cannot read %1").arg(m_options.certificateFile), EndReason::Local);
        return false;
    }
    const QString lower = m_options.certificateFile.toLower();
    if (lower.endsWith(QLatin1String(".p12")) || lower.endsWith(QLatin1String(".pfx"))) {
        QSslKey key;
        QSslCertificate certificate;
        QList<QSslCertificate> chain;
        if (!QSslCertificate::importPkcs12(&file, &key, &certificate, &chain,
                                           m_options.keyPassword)) {
            fail(SessionError::LocalError,
                 QStringLiteral("cannot read the PKCS#12 file %1 (wrong password?)")
                     .arg(m_options.certificateFile),
                 EndReason::Local);
            return false;
        }
        configuration.setLocalCertificateChain(QList<QSslCertificate>{certificate} + chain);
        configuration.setPrivateKey(key);
        return true;
    }
    const QList<QSslCertificate> certificates
        = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    QFile keyFile(m_options.keyFile.isEmpty() ? m_options.certificateFile : m_options.keyFile);
    QSslKey key;
    if (keyFile.open(QIODevice::ReadOnly)) {
        const QByteArray pem = keyFile.readAll();
        for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
            key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, m_options.keyPassword);
            if (!key.isNull())
                break;
        }
    }
    if (certificates.isEmpty() || key.isNull()) {
        fail(SessionError::LocalError,
             QStringLiteral("no certificate or private key in %1 %2")
                 .arg(m_options.certificateFile, m_options.keyFile),
             EndReason::Local);
        return false;
    }
    configuration.setLocalCertificateChain(certificates);
    configuration.setPrivateKey(key);
    m_handshake.tls.insert(QStringLiteral("clientCertificate"),
                           certificates.constFirst().subjectDisplayName());
    return true;
}

void ClientSession::startConnect(const QString &address)
{
    if (m_finished)
        return;
    m_phaseStartNs = monotonicNs();
    if (m_sslSocket)
        m_sslSocket->connectToHostEncrypted(address, m_port, m_host);
    else // Unbuffered would save a copy, but then Qt 6.4 misses the peer's FIN: buffered it is.
        m_socket->connectToHost(address, m_port);
}

void ClientSession::handleConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_handshake.connectNs = monotonicNs() - m_phaseStartNs;
    m_phaseStartNs = monotonicNs();
    if (m_sslSocket) {
        m_phaseTimer.start(m_options.tlsTimeoutMs);
        return; // the upgrade request goes out once TLS is up
    }
    handleEncrypted();
}

QString ClientSession::checkPin(const QString &setAside)
{
    if (m_options.pinnedSha256.isEmpty() || !m_sslSocket)
        return {};
    const QByteArray seen = m_sslSocket->peerCertificate().digest(QCryptographicHash::Sha256);
    if (seen == m_options.pinnedSha256) {
        m_handshake.tls.insert(QStringLiteral("pinned"),
                               setAside.isEmpty()
                                   ? QStringLiteral("matched")
                                   : QStringLiteral("matched, in place of: ") + setAside);
        return {};
    }
    m_handshake.tls.insert(QStringLiteral("pinned"), QStringLiteral("mismatch"));
    return QStringLiteral("the server's certificate (SHA-256 %1) is not the pinned one (%2)")
        .arg(fingerprintText(seen), fingerprintText(m_options.pinnedSha256));
}

void ClientSession::handleEncrypted()
{
    if (m_sslSocket) {
        // A chain that verifies does not undo a pin (checked already when errors were set
        // aside for it).
        if (!m_handshake.tls.contains(QStringLiteral("pinned"))) {
            if (const QString mismatch = checkPin(); !mismatch.isEmpty()) {
                fail(SessionError::TlsFailed, mismatch, EndReason::Tls);
                return;
            }
        }
        m_handshake.tlsNs = monotonicNs() - m_phaseStartNs;
        const QSslCipher cipher = m_sslSocket->sessionCipher();
        m_handshake.tls.insert(QStringLiteral("protocol"), cipher.protocolString());
        m_handshake.tls.insert(QStringLiteral("cipher"), cipher.name());
        const QList<QSslCertificate> chain = m_sslSocket->peerCertificateChain();
        QStringList subjects;
        for (const QSslCertificate &certificate : chain)
            subjects << certificate.subjectDisplayName();
        m_handshake.tls.insert(QStringLiteral("chain"), subjects.join(QStringLiteral(" <- ")));
        if (!chain.isEmpty()) {
            const QSslCertificate &leaf = chain.constFirst();
            QStringList names;
            for (const QString &name : leaf.subjectAlternativeNames().values())
                names << name;
            m_handshake.tls.insert(QStringLiteral("subjectAltNames"),
                                   names.join(QStringLiteral(", ")));
            m_handshake.tls.insert(QStringLiteral("expires"),
                                   leaf.expiryDate().toString(Qt::ISODate));
            m_handshake.tls.insert(QStringLiteral("sha256"),
                                   fingerprintText(leaf.digest(QCryptographicHash::Sha256)));
        }
    }
    if (canReadDirectly(m_socket) && stopReadNotifications(m_socket)) {
        // Plain TCP straight to the peer: read the descriptor ourselves (one recv per chunk,
        // no copy through Qt's buffer). Our notifier goes with the socket.
        QTcpSocket *const socket = m_socket;
        auto *notifier
            = new QSocketNotifier(socket->socketDescriptor(), QSocketNotifier::Read, socket);
        connect(notifier, &QSocketNotifier::activated, this, [this, socket] {
            if (socket == m_socket) // not one left behind by a reconnect or redirect
                handleReadyRead();
        });
        // Off once the socket leaves the connected state: its descriptor is closed, or about to
        // be, before the socket (and the notifier with it) is deleted.
        connect(socket, &QAbstractSocket::stateChanged, notifier,
                [notifier](QAbstractSocket::SocketState state) {
                    if (state != QAbstractSocket::ConnectedState)
                        notifier->setEnabled(false);
                });
    }
    setState(SessionState::Handshaking);
    m_phaseStartNs = monotonicNs();
    m_phaseTimer.start(m_options.handshakeTimeoutMs);
    m_headParser
        = std::make_unique<protocol::HttpHeadParser>(protocol::HttpHeadParser::Kind::Response);
    const std::string request = protocol::buildClientRequest(m_request);
    m_handshake.request = QByteArray::fromStdString(request);
    m_socket->write(m_handshake.request);
}

void ClientSession::handleReadyRead()
{
    // Everything readable, once per wake-up, in large reads into the thread's read buffer (no
    // allocation per read; see LentReadBuffer); timestamps are taken per read, on arrival. What
    // Qt holds comes first; then plain TCP is read from the descriptor directly.
    LentReadBuffer buffer(m_ownReadBuffer);
    const qint64 chunk = buffer.size();
    QTcpSocket *const socket = m_socket;
    bool drained = false; // a direct read took less than it could: nothing more is waiting
    while (socket == m_socket && !m_finished && !drained) {
        qint64 read = 0;
        if (canReadDirectly(socket)) {
            read = readDirectly(socket, buffer.data(), chunk);
            if (read <= 0) {
                if (read < 0) // the end of the stream, or an error: Qt reports it
                    socket->waitForReadyRead(0);
                return;
            }
            drained = read < chunk;
        } else {
            const qint64 available = std::min(socket->bytesAvailable(), chunk);
            if (available <= 0)
                return;
            read = socket->read(buffer.data(), available);
            if (read <= 0)
                return;
        }
        m_readTimeNs = monotonicNs();
        const QByteArrayView data(buffer.data(), read);
        if (m_state == SessionState::Handshaking)
            handleHandshakeBytes(data.toByteArray());
        else if (m_state == SessionState::Open || m_state == SessionState::Closing)
            feedFrames(data);
        else
            return;
    }
}

void ClientSession::handleHandshakeBytes(const QByteArray &data)
{
    if (m_collectingBody) {
        m_handshake.response += data.left(
            kMaxErrorBody - (m_handshake.response.size() - m_headParser->rawBytes().size()));
        const qsizetype body
            = m_handshake.response.size() - qsizetype(m_headParser->rawBytes().size());
        if ((m_bodyExpected >= 0 && body >= m_bodyExpected) || body >= kMaxErrorBody)
            finishHandshakeFailure();
        return;
    }
    std::size_t consumed = 0;
    const auto status = m_headParser->feed(byteSpan(data), consumed);
    if (status == protocol::HttpHeadParser::Status::NeedMore)
        return;
    m_handshake.response = QByteArray::fromStdString(m_headParser->rawBytes());
    if (status == protocol::HttpHeadParser::Status::Failed) {
        m_handshake.error = protocol::HandshakeError::MalformedHead;
        m_handshake.detail = toQString(protocol::describe(m_headParser->error()));
        fail(SessionError::HandshakeFailed, m_handshake.detail, EndReason::Handshake);
        return;
    }
    const protocol::HttpHead &head = m_headParser->head();
    m_handshake.status = head.status;
    m_handshake.upgradeNs = monotonicNs() - m_phaseStartNs;
    const protocol::ClientHandshakeResult result
        = protocol::checkServerResponse(head, m_request, m_deflateOffer);
    m_handshake.error = result.error;
    m_handshake.detail = toQString(result.detail);
    if (!result.ok()) {
        if (head.status != 101 && followRedirect(head)) {
            return;
        }
        if (head.status != 101) {
            // Keep the body (an IIS error page says what went wrong), up to a cap.
            m_collectingBody = true;
            const std::string *length = head.find("Content-Length");
            m_bodyExpected = length ? QByteArray::fromStdString(*length).toLongLong() : -1;
            handleHandshakeBytes(data.mid(qsizetype(consumed)));
            if (m_collectingBody)
                m_phaseTimer.start(1000);
            return;
        }
        fail(SessionError::HandshakeFailed,
             toQString(protocol::describe(result.error))
                 + (result.detail.empty()
                        ? QString()
                        : QStringLiteral(" (") + toQString(result.detail) + QLatin1Char(')')),
             EndReason::Handshake);
        return;
    }
    m_handshake.subprotocol = QByteArray::fromStdString(result.subprotocol.value_or(""));
    m_handshake.extensions = QByteArray::fromStdString(result.extensions);
    m_handshake.deflate = result.deflate;
    m_phaseTimer.stop();

    protocol::ReaderOptions readerOptions;
    readerOptions.decoder.role = protocol::Role::Client;
    readerOptions.decoder.maxFramePayload = m_options.maxFrameSize;
    readerOptions.decoder.maxMessageSize = m_options.maxMessageSize;
    readerOptions.assembler.maxMessageSize = m_options.maxMessageSize;
    readerOptions.assembler.maxFragments = m_options.maxFragments;
    m_receivedListener = std::make_unique<CaptureListener>(*this, true);
    m_receivedHandler = std::make_unique<FrameCapture>(m_store, capture::Direction::Received,
                                                       *m_receivedListener);
    m_reader = std::make_unique<protocol::MessageReader>(readerOptions, *m_receivedHandler);

    // Our own frames are decoded again for the capture.
    m_sentListener = std::make_unique<CaptureListener>(*this, false);
    m_sentHandler
        = std::make_unique<FrameCapture>(m_store, capture::Direction::Sent, *m_sentListener);
    m_receivedHandler->setConnection(m_connectionNumber);
    m_sentHandler->setConnection(m_connectionNumber);
    m_sentReader = makeSentFrameReader(protocol::Role::Client, *m_sentHandler, result.deflate);
    m_writer = std::make_unique<protocol::MessageWriter>(protocol::Role::Client);
    if (result.deflate) {
        m_reader->enableDeflate(*result.deflate);
        m_writer->enableDeflate(*result.deflate);
    }
    m_reconnectAttempt = 0;
    setState(SessionState::Open);
    if (m_options.pingIntervalMs > 0)
        m_pingTimer.start(m_options.pingIntervalMs);
    // Frames that came in the same segment as the 101 are not lost.
    if (consumed < std::size_t(data.size()))
        feedFrames(QByteArrayView(data).sliced(qsizetype(consumed)));
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
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
    m_sslSocket = nullptr;
    QTimer::singleShot(0, this, &ClientSession::open);
    return true;
}

void ClientSession::finishHandshakeFailure()
{
    m_collectingBody = false;
    fail(SessionError::HandshakeFailed,
         QStringLiteral("HTTP %1 instead of 101 Switching Protocols").arg(m_handshake.status),
         EndReason::Handshake);
}

void ClientSession::feedFrames(QByteArrayView data)
{
    if (!m_reader || m_reader->hasFailed())
        return;
    m_receivedHandler->setTimes(m_readTimeNs, m_readTimeNs);
    const protocol::ProtocolError error = m_reader->feed(byteSpan(data));
    if (error != protocol::ProtocolError::None) {
        m_receivedHandler->failFrame(error);
        failConnection(error);
        return;
    }
    if (m_reader->decoder().isMidFrame() && m_options.idleTimeoutMs > 0)
        m_idleTimer.start(m_options.idleTimeoutMs);
    else
        m_idleTimer.stop();
}

void ClientSession::failConnection(protocol::ProtocolError error)
{
    // RFC 6455 §7.1.7: send a close frame with the code for the violation, then close TCP.
    const std::uint16_t code = protocol::closeCodeFor(error);
    const QString detail = toQString(protocol::describe(error));
    if (!m_close.codeSent && m_writer) {
        std::vector<std::uint8_t> wire;
        const std::string reason(protocol::errorId(error));
        if (m_writer->writeClose(code, reason, wire)) {
            writeWire(wire);
            m_close.codeSent = code;
            m_close.reasonSent = QByteArray::fromStdString(reason);
        }
    }
    m_error = SessionError::PeerProtocolError;
    m_errorString = describe(m_error) + QStringLiteral(": ") + detail
                    + QStringLiteral(" (closed with %1)").arg(code);
    m_close.endedBy = EndReason::ProtocolError;
    Q_EMIT errorOccurred(m_error, m_errorString);
    if (m_socket) {
        m_socket->flush();
        m_socket->disconnectFromHost();
    }
    finish();
}

bool ClientSession::writeWire(const std::vector<std::uint8_t> &wire)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    const std::int64_t queuedNs = monotonicNs();
    // One write per call: a frame (or a fragmented message) goes out in one piece.
    const bool written = writeNow(m_socket, bytesView(wire));
    const std::int64_t writtenNs = monotonicNs();
    if (!written)
        return false;
    m_sentHandler->setTimes(queuedNs, writtenNs);
    if (const protocol::ProtocolError error = m_sentReader->feed(wire);
        error != protocol::ProtocolError::None) {
        m_sentHandler->failFrame(error);
        // A deliberately broken frame the decoder cannot follow: start afresh for the next
        // one, with the same settings (deflate included).
        m_sentReader
            = makeSentFrameReader(protocol::Role::Client, *m_sentHandler, m_handshake.deflate);
    }
    return true;
}

bool ClientSession::sendText(QByteArrayView text, std::size_t fragmentSize)
{
    return sendMessage(protocol::Opcode::Text, text, fragmentSize);
}

bool ClientSession::sendBinary(QByteArrayView data, std::size_t fragmentSize)
{
    return sendMessage(protocol::Opcode::Binary, data, fragmentSize);
}

bool ClientSession::sendMessage(protocol::Opcode opcode, QByteArrayView data,
                                std::size_t fragmentSize, bool pingBetweenFragments)
{
    if (m_state != SessionState::Open)
        return false;
    std::vector<std::uint8_t> wire;
    if (!m_writer->writeMessage(opcode, byteSpan(data), wire, fragmentSize))
        return false;
    if (!pingBetweenFragments || fragmentSize == 0)
        return writeWire(wire);
    // Split the frames apart and put a ping after each but the last. They are our own valid
    // frames (compressed ones carry RSV1), so the decoder only has to find their ends.
    protocol::DecoderOptions options;
    options.role = protocol::Role::Server;
    options.rsv1Negotiated = m_writer->isDeflateEnabled();
    options.reportMode = true;
    options.maxFramePayload = options.maxMessageSize = ~std::uint64_t{0} >> 1;
    protocol::FrameDecoder decoder(options);
    std::span<const std::uint8_t> rest(wire);
    std::size_t frameStart = 0;
    std::size_t position = 0;
    std::vector<std::uint8_t> withPings;
    for (;;) {
        const protocol::DecodeEvent event = decoder.next(rest);
        rest = rest.subspan(event.consumed);
        position += event.consumed;
        if (event.type == protocol::DecodeEventType::FrameEnd) {
            withPings.insert(withPings.end(), wire.begin() + std::ptrdiff_t(frameStart),
                             wire.begin() + std::ptrdiff_t(position));
            frameStart = position;
            if (!decoder.frame().header.fin)
                m_writer->writeControl(protocol::Opcode::Ping, {}, withPings);
        } else if (event.type == protocol::DecodeEventType::NeedMoreData
                   || event.type == protocol::DecodeEventType::Error) {
            break;
        }
    }
    if (frameStart != wire.size()) {
        qCWarning(lcSession) << "could not split our own message into frames";
        return false; // nothing goes out rather than part of a message
    }
    return writeWire(withPings);
}

bool ClientSession::sendRawFrame(const protocol::FrameHeader &header, QByteArrayView payload)
{
    if (m_state != SessionState::Open && m_state != SessionState::Closing)
        return false;
    std::vector<std::uint8_t> wire;
    if (!protocol::appendFrame(header, byteSpan(payload), wire))
        return false;
    return writeWire(wire);
}

bool ClientSession::ping(QByteArrayView payload)
{
    if (m_state != SessionState::Open)
        return false;
    std::vector<std::uint8_t> wire;
    if (!m_writer->writeControl(protocol::Opcode::Ping, byteSpan(payload), wire))
        return false;
    m_lastPingPayload = payload.toByteArray();
    m_lastPingNs = monotonicNs();
    return writeWire(wire);
}

bool ClientSession::close(std::uint16_t code, QByteArrayView reason)
{
    if (m_state != SessionState::Open)
        return false;
    std::vector<std::uint8_t> wire;
    if (!m_writer->writeClose(code, std::string_view(reason.data(), std::size_t(reason.size())),
                              wire))
        return false;
    m_close.codeSent = code;
    m_close.reasonSent = reason.toByteArray();
    m_endRequested = true;
    writeWire(wire);
    setState(SessionState::Closing);
    m_pingTimer.stop();
    m_closeTimer.start(m_options.closeTimeoutMs);
    return true;
}

void ClientSession::abort()
{
    m_endRequested = true;
    if (m_reconnectTimer.isActive()) {
        // Between two connections: the session ends now.
        m_reconnectTimer.stop();
        Q_EMIT finished();
        return;
    }
    if (m_close.endedBy == EndReason::None)
        m_close.endedBy = EndReason::LocalAbort;
    if (m_socket)
        m_socket->abort();
    finish();
}

void ClientSession::handleControlFrame(protocol::Opcode opcode,
                                       std::span<const std::uint8_t> payload)
{
    switch (opcode) {
    case protocol::Opcode::Ping:
        if (m_options.autoPong && m_state == SessionState::Open) {
            std::vector<std::uint8_t> wire;
            m_writer->writeControl(protocol::Opcode::Pong, payload, wire);
            writeWire(wire);
        }
        break;
    case protocol::Opcode::Pong:
        if (m_lastPingNs != 0 && bytesView(payload) == m_lastPingPayload) {
            Q_EMIT pongReceived(monotonicNs() - m_lastPingNs);
            m_lastPingNs = 0;
        }
        break;
    case protocol::Opcode::Close: {
        protocol::ClosePayload parsed;
        protocol::parseClosePayload(payload, parsed);
        m_close.closeFrameReceived = true;
        m_close.codeReceived = parsed.code;
        m_close.reasonReceived = QByteArray::fromStdString(parsed.reason);
        if (m_state == SessionState::Open) {
            // RFC 6455 §5.5.1: answer with the same code (1000 when none was given).
            const std::uint16_t code = parsed.code.value_or(protocol::CloseCode::Normal);
            std::vector<std::uint8_t> wire;
            if (m_writer->writeClose(code, {}, wire)) {
                m_close.codeSent = code;
                writeWire(wire);
            }
            setState(SessionState::Closing);
            m_pingTimer.stop();
        }
        // RFC 6455 §7.1.1: the server closes TCP first; we wait for that, but not forever.
        m_closeTimer.start(m_options.closeTimeoutMs);
        break;
    }
    default:
        break;
    }
}

void ClientSession::handleDisconnected()
{
    if (m_finished)
        return;
    if (m_state == SessionState::Closing && m_close.closeFrameReceived) {
        m_close.endedBy = EndReason::CloseFrame;
        finish();
        return;
    }
    if (m_state == SessionState::Handshaking && m_collectingBody) {
        finishHandshakeFailure();
        return;
    }
    fail(m_state == SessionState::Handshaking ? SessionError::HandshakeFailed
                                              : SessionError::ConnectionLost,
         QStringLiteral("the server closed the connection"), EndReason::TcpFin);
}

void ClientSession::handleSocketError()
{
    if (m_finished)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    if (error == QAbstractSocket::RemoteHostClosedError)
        return; // handled by handleDisconnected
    if (m_sslSocket
        && (error == QAbstractSocket::SslHandshakeFailedError
            || error == QAbstractSocket::SslInternalError
            || error == QAbstractSocket::SslInvalidUserDataError)) {
        const QString mismatch = checkPin();
        fail(SessionError::TlsFailed, mismatch.isEmpty() ? m_socket->errorString() : mismatch,
             EndReason::Tls);
        return;
    }
    switch (error) {
    case QAbstractSocket::ProxyAuthenticationRequiredError:
    case QAbstractSocket::ProxyConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyNotFoundError:
    case QAbstractSocket::ProxyProtocolError:
        fail(SessionError::ConnectionFailed, QStringLiteral("proxy: ") + m_socket->errorString(),
             EndReason::Proxy);
        return;
    default:
        break;
    }
    if (m_state == SessionState::Connecting) {
        fail(error == QAbstractSocket::SocketTimeoutError ? SessionError::ConnectionTimeout
                                                          : SessionError::ConnectionFailed,
             m_socket->errorString(), EndReason::Connect);
        return;
    }
    fail(SessionError::ConnectionLost, m_socket->errorString(), EndReason::Reset);
}

} // namespace framescope::session
