#include "qtsockettransport.h"

#include "clock.h"
#include "readbuffer.h"

#include <QTcpSocket>
#include <QTimer>

namespace framescope::session {

QtSocketTransport::QtSocketTransport(QTcpSocket *socket, qsizetype readChunk, QObject *parent)
    : Transport(readChunk, parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::readyRead, this, &QtSocketTransport::readAvailable);
    connect(m_socket, &QTcpSocket::bytesWritten, this,
            [this](qint64 bytes) { handed(std::size_t(bytes), monotonicNs()); });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            m_socketError = m_socket->errorString();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &QtSocketTransport::handleDisconnected);
    // Bytes Qt read before we took over (they came with the last of the handshake).
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &QtSocketTransport::readAvailable);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QTimer::singleShot(0, this, &QtSocketTransport::handleDisconnected);
}

QtSocketTransport::~QtSocketTransport()
{
    m_socket->disconnect(this);
}

QString QtSocketTransport::peerName() const
{
    return endpointName(m_socket->peerAddress(), m_socket->peerPort());
}

QString QtSocketTransport::localName() const
{
    return endpointName(m_socket->localAddress(), m_socket->localPort());
}

void QtSocketTransport::readAvailable()
{
    if (m_state == State::Closed)
        return;
    cork(); // replies made while reading go out together
    {
        LentReadBuffer buffer(m_ownReadBuffer);
        const qint64 chunk = std::min<qint64>(readChunk(), buffer.size());
        while (m_state != State::Closed) {
            const qint64 available = std::min(m_socket->bytesAvailable(), chunk);
            if (available <= 0)
                break;
            const qint64 read = m_socket->read(buffer.data(), available);
            if (read <= 0 || !deliver(QByteArrayView(buffer.data(), read), monotonicNs()))
                break;
        }
    }
    uncork();
}

std::ptrdiff_t QtSocketTransport::sendNow(std::span<const platform::ConstBuffer> buffers)
{
    std::ptrdiff_t taken = 0;
    for (const platform::ConstBuffer &buffer : buffers) {
        const qint64 written
            = m_socket->write(static_cast<const char *>(buffer.data), qint64(buffer.size));
        if (written != qint64(buffer.size)) {
            // Qt takes everything while connected: it refused because the socket is gone.
            handleDisconnected();
            return -1;
        }
        taken += written;
    }
    return taken;
}

void QtSocketTransport::closeNow(bool reset)
{
    // Qt has no RST of its own; abort() closes at once, dropping what it holds.
    if (reset || m_socket->state() != QAbstractSocket::ConnectedState)
        m_socket->abort();
    else
        m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        handleDisconnected();
}

void QtSocketTransport::handleDisconnected()
{
    if (m_state == State::Closed)
        return;
    const bool byPeer = m_state == State::Open && m_socketError.isEmpty();
    closed(m_socketError, byPeer);
}

} // namespace framescope::session
