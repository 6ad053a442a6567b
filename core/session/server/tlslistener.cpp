#include "tlslistener.h"

#include <QPointer>
#include <QSslSocket>
#include <QTimer>

namespace framescope::session {

namespace {

// Every TLS connection starts with a handshake record (RFC 8446 §5.1, content type 22).
constexpr char kTlsHandshakeRecord = 0x16;

} // namespace

QString peerOf(const QAbstractSocket &socket)
{
    const QHostAddress address = socket.peerAddress();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    return host + QLatin1Char(':') + QString::number(socket.peerPort());
}

TlsListener::TlsListener(const QSslConfiguration &configuration, int handshakeTimeoutMs,
                         QObject *parent)
    : QTcpServer(parent)
    , m_configuration(configuration)
    , m_handshakeTimeoutMs(handshakeTimeoutMs)
{}

void TlsListener::incomingConnection(qintptr descriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(m_configuration);
    // The client's last fatal alert says why it gave up (an untrusted certificate, a version).
    connect(socket, &QSslSocket::alertReceived, socket,
            [socket](QSsl::AlertLevel level, QSsl::AlertType, const QString &text) {
                if (level == QSsl::AlertLevel::Fatal)
                    socket->setProperty("framescopeAlert", text);
            });
    connect(socket, &QAbstractSocket::errorOccurred, this, [this, socket] {
        QString reason = QStringLiteral("TLS handshake failed: %1").arg(socket->errorString());
        const QString alert = socket->property("framescopeAlert").toString();
        if (!alert.isEmpty())
            reason += QStringLiteral(" (the client's alert: %1)").arg(alert);
        fail(socket, reason);
    });
    connect(socket, &QSslSocket::encrypted, this, [this, socket] {
        socket->disconnect(this);
        if (QTimer *timer = socket->findChild<QTimer *>(QStringLiteral("handshakeTimer")))
            delete timer;
        addPendingConnection(socket); // emits pendingConnectionAvailable()
    });
    connect(socket, &QIODevice::readyRead, this, [this, socket] { firstBytes(socket); });
    if (m_handshakeTimeoutMs > 0) {
        auto *timer = new QTimer(socket);
        timer->setObjectName(QStringLiteral("handshakeTimer"));
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this, [this, socket] {
            fail(socket, QStringLiteral("no TLS handshake within %1 ms").arg(m_handshakeTimeoutMs));
        });
        timer->start(m_handshakeTimeoutMs);
    }
}

// Before the handshake starts: a client that speaks plain text (ws:// to this wss:// port) is
// told so in HTTP, which it understands, instead of a TLS alert it cannot read.
void TlsListener::firstBytes(QSslSocket *socket)
{
    disconnect(socket, &QIODevice::readyRead, this, nullptr);
    char first = 0;
    if (socket->peek(&first, 1) == 1 && first != kTlsHandshakeRecord) {
        const QByteArray body = "This port speaks TLS: use wss:// (or https://).\n";
        socket->write("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: "
                      + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->flush();
        fail(socket, QStringLiteral("the client spoke plain text, not TLS (ws:// to this wss:// "
                                    "port?); answered 400"));
        return;
    }
    socket->startServerEncryption();
}

void TlsListener::fail(QSslSocket *socket, const QString &reason)
{
    socket->disconnect(this);
    Q_EMIT dropped(peerOf(*socket), reason);
    // Closed once back in the event loop: a handshake that fails in its first step reports it
    // from inside the TLS backend, which still uses the connection's state when we return.
    QMetaObject::invokeMethod(
        socket,
        [socket] {
            socket->disconnectFromHost(); // what was written goes first
            connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
            if (socket->state() == QAbstractSocket::UnconnectedState)
                socket->deleteLater();
            else
                QTimer::singleShot(1000, socket, [socket] { socket->abort(); });
        },
        Qt::QueuedConnection);
}

} // namespace framescope::session
