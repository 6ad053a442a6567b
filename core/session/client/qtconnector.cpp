#include "qtconnector.h"

#include "clienttls.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

namespace framescope::session {

namespace {

const auto kClosedDuringTls
    = QStringLiteral("the server closed the connection during the TLS handshake");

} // namespace

QtConnector::QtConnector(const ClientOptions &options, HandshakeRecord &handshake, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_handshake(handshake)
{}

QtConnector::~QtConnector()
{
    cancel();
}

std::optional<QString> QtConnector::prepare(bool secure, const QNetworkProxy &proxy)
{
    if (!secure) {
        m_socket = new QTcpSocket(this);
    } else {
        m_sslSocket = new QSslSocket(this);
        m_socket = m_sslSocket;
        QSslConfiguration configuration = m_sslSocket->sslConfiguration();
        if (std::optional<QString> error
            = configureClientTls(m_options, configuration, m_handshake.tls))
            return error;
        m_sslSocket->setSslConfiguration(configuration);
        connect(m_sslSocket, &QSslSocket::encrypted, this, &QtConnector::handleEncrypted);
        connect(m_sslSocket, &QSslSocket::sslErrors, this, &QtConnector::handleSslErrors);
        // The alert a server ends TLS with says why (certificate_required: it wants a client
        // certificate). In the socket's own context, as it outlives this connector: a TLS 1.3
        // server judges the client's certificate after the client's side of the handshake is
        // done, so its alert comes once the session reads the answer to its request. The record
        // belongs to the session, which owns the socket from then on.
        connect(m_sslSocket, &QSslSocket::alertReceived, m_sslSocket,
                [tls = &m_handshake.tls](QSsl::AlertLevel level, QSsl::AlertType type) {
                    if (level == QSsl::AlertLevel::Fatal)
                        tls->insert(QStringLiteral("alert"), describeTlsAlert(type));
                });
    }
    // Only an explicit NoProxy keeps Qt from asking the system's proxy settings.
    m_socket->setProxy(proxy);
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        m_tcpConnected = true;
        Q_EMIT tcpConnected();
        if (!m_sslSocket)
            Q_EMIT ready(); // wss:// waits for TLS
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, &QtConnector::handleSocketError);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        if (m_sslSocket && m_tcpConnected)
            Q_EMIT failed(SessionError::TlsFailed, kClosedDuringTls, EndReason::TcpFin);
        else
            Q_EMIT failed(SessionError::ConnectionFailed, QStringLiteral("the connection closed"),
                          EndReason::TcpFin);
    });
    return std::nullopt;
}

void QtConnector::start(const QString &address, quint16 port, const QString &peerName)
{
    if (m_sslSocket)
        m_sslSocket->connectToHostEncrypted(address, port, peerName);
    else
        m_socket->connectToHost(address, port);
}

bool QtConnector::isNegotiatingTls() const
{
    return m_sslSocket && m_sslSocket->state() == QAbstractSocket::ConnectedState;
}

QTcpSocket *QtConnector::takeSocket()
{
    QTcpSocket *socket = m_socket;
    if (socket)
        socket->disconnect(this);
    m_socket = nullptr;
    m_sslSocket = nullptr;
    return socket;
}

void QtConnector::cancel()
{
    if (QTcpSocket *socket = takeSocket()) {
        socket->abort();
        socket->deleteLater();
    }
}

void QtConnector::handleEncrypted()
{
    // A chain that verifies does not undo a pin (checked already when errors were set aside
    // for it).
    if (!m_handshake.tls.contains(QStringLiteral("pinned"))) {
        if (const QString mismatch
            = checkPinnedCertificate(*m_sslSocket, m_options.pinnedSha256, m_handshake.tls);
            !mismatch.isEmpty()) {
            Q_EMIT failed(SessionError::TlsFailed, mismatch, EndReason::Tls);
            return;
        }
    }
    recordTlsSession(*m_sslSocket, m_handshake.tls);
    Q_EMIT ready();
}

void QtConnector::handleSslErrors(const QList<QSslError> &errors)
{
    QStringList texts;
    for (const QSslError &error : errors)
        texts << error.errorString();
    const QString joined = texts.join(QStringLiteral("; "));
    m_handshake.tls.insert(QStringLiteral("errors"), joined);
    // Said even when the handshake goes no further: a name mismatch is about these names.
    recordPeerCertificate(m_sslSocket->peerCertificate(), m_handshake.tls);
    if (!m_options.pinnedSha256.isEmpty()) {
        // The pin stands in for the chain and the name: exactly that certificate, or nothing
        // (handleSocketError() then says why).
        if (checkPinnedCertificate(*m_sslSocket, m_options.pinnedSha256, m_handshake.tls, joined)
                .isEmpty())
            m_sslSocket->ignoreSslErrors();
        return;
    }
    if (m_options.acceptInvalidCertificate) {
        // The per-session override: recorded, never silent.
        m_handshake.tls.insert(QStringLiteral("override"),
                               QStringLiteral("invalid certificate accepted"));
        m_sslSocket->ignoreSslErrors();
    }
}

void QtConnector::handleSocketError()
{
    if (!m_socket)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    if (m_sslSocket
        && (error == QAbstractSocket::SslHandshakeFailedError
            || error == QAbstractSocket::SslInternalError
            || error == QAbstractSocket::SslInvalidUserDataError)) {
        const QString mismatch
            = checkPinnedCertificate(*m_sslSocket, m_options.pinnedSha256, m_handshake.tls);
        Q_EMIT failed(SessionError::TlsFailed,
                      mismatch.isEmpty() ? m_socket->errorString() : mismatch, EndReason::Tls);
        return;
    }
    // TCP is up, TLS is not: the server ended it without an alert (Qt's own servers do when a
    // client certificate they require is missing; a plain server may on a ClientHello).
    if (m_sslSocket && m_tcpConnected && error == QAbstractSocket::RemoteHostClosedError) {
        Q_EMIT failed(SessionError::TlsFailed, kClosedDuringTls, EndReason::TcpFin);
        return;
    }
    switch (error) {
    case QAbstractSocket::ProxyAuthenticationRequiredError: {
        // Said as what it is: the proxy answered 407, and the credentials were missing or wrong.
        const QNetworkProxy proxy = m_socket->proxy();
        Q_EMIT failed(SessionError::ConnectionFailed,
                      proxy.user().isEmpty()
                          ? QStringLiteral("proxy: 407 Proxy Authentication Required: the proxy "
                                           "asks for credentials and none were given")
                          : QStringLiteral("proxy: 407 Proxy Authentication Required: the proxy "
                                           "refused the credentials for user \"%1\"")
                                .arg(proxy.user()),
                      EndReason::Proxy);
        return;
    }
    case QAbstractSocket::ProxyConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyNotFoundError:
    case QAbstractSocket::ProxyProtocolError:
        Q_EMIT failed(SessionError::ConnectionFailed,
                      QStringLiteral("proxy: ") + m_socket->errorString(), EndReason::Proxy);
        return;
    default:
        break;
    }
    Q_EMIT failed(error == QAbstractSocket::SocketTimeoutError ? SessionError::ConnectionTimeout
                                                               : SessionError::ConnectionFailed,
                  m_socket->errorString(), EndReason::Connect);
}

} // namespace framescope::session
