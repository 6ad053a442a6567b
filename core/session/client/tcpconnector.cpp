#include "tcpconnector.h"

#include <QSocketNotifier>
#include <QTimer>

namespace framescope::session {

TcpConnector::TcpConnector(QObject *parent)
    : QObject(parent)
{}

TcpConnector::~TcpConnector()
{
    cancel();
}

void TcpConnector::start(const QHostAddress &address, quint16 port)
{
    cancel();
    platform::Endpoint endpoint;
    endpoint.port = port;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        endpoint.ipv6 = true;
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::copy(std::begin(bytes.c), std::end(bytes.c), endpoint.address.begin());
        endpoint.scopeId = address.scopeId().toUInt();
    } else {
        const quint32 ipv4 = address.toIPv4Address();
        endpoint.address = {std::uint8_t(ipv4 >> 24), std::uint8_t(ipv4 >> 16),
                            std::uint8_t(ipv4 >> 8), std::uint8_t(ipv4)};
    }
    const platform::ConnectStart started = platform::startConnect(endpoint);
    if (started.socket == platform::kInvalidSocket) {
        // Said from the event loop, as a socket would: the caller is not inside start() then.
        const QString error = QString::fromStdString(platform::errorText(started.error));
        const quint64 attempt = m_attempt;
        QTimer::singleShot(0, this, [this, error, attempt] {
            if (attempt == m_attempt)
                Q_EMIT failed(error);
        });
        return;
    }
    m_socket = started.socket;
    m_notifier = new QSocketNotifier(m_socket, QSocketNotifier::Write, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &TcpConnector::handleWritable);
}

void TcpConnector::handleWritable()
{
    const int error = platform::connectResult(m_socket);
    const platform::SocketHandle socket = m_socket;
    m_socket = platform::kInvalidSocket;
    m_notifier->setEnabled(false);
    m_notifier->deleteLater();
    m_notifier = nullptr;
    if (error != 0) {
        platform::closeSocket(socket);
        Q_EMIT failed(QString::fromStdString(platform::errorText(error)));
        return;
    }
    Q_EMIT connected(socket);
}

void TcpConnector::cancel()
{
    ++m_attempt;
    if (m_notifier) {
        m_notifier->setEnabled(false);
        m_notifier->deleteLater();
        m_notifier = nullptr;
    }
    if (m_socket != platform::kInvalidSocket) {
        platform::closeSocket(m_socket);
        m_socket = platform::kInvalidSocket;
    }
}

} // namespace framescope::session
