#include "socketio.h"

#include <QNetworkProxy>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>
#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>

namespace framescope::session {

namespace {

// The descriptor talks to the peer itself: plain TCP (no TLS), connected, and no proxy engine
// in between. (Only an explicit NoProxy counts: asking about the default proxy can query the
// system's proxy configuration on every call.)
bool isDirectToPeer(QTcpSocket *socket)
{
    const auto *tls = qobject_cast<QSslSocket *>(socket);
    const bool plain = !tls || tls->mode() == QSslSocket::UnencryptedMode;
    return plain && socket->state() == QAbstractSocket::ConnectedState
           && socket->socketDescriptor() >= 0 && socket->proxy().type() == QNetworkProxy::NoProxy;
}

// Bytes may bypass Qt's write buffer when nothing is queued there before them.
bool canWriteDirectly(QTcpSocket *socket)
{
    return socket->bytesToWrite() == 0 && isDirectToPeer(socket);
}

} // namespace

bool canReadDirectly(QTcpSocket *socket)
{
    return socket->bytesAvailable() == 0 && isDirectToPeer(socket);
}

namespace {

struct ThreadReadBuffer
{
    QByteArray bytes;
    bool lent = false;
};

thread_local ThreadReadBuffer t_readBuffer;

QByteArray &sized(QByteArray &bytes)
{
    if (bytes.size() < LentReadBuffer::kSize)
        bytes.resize(LentReadBuffer::kSize);
    return bytes;
}

} // namespace

LentReadBuffer::LentReadBuffer(QByteArray &own)
    : m_bytes(sized(t_readBuffer.lent ? own : t_readBuffer.bytes))
    , m_lent(!t_readBuffer.lent)
{
    if (m_lent)
        t_readBuffer.lent = true;
}

LentReadBuffer::~LentReadBuffer()
{
    if (m_lent)
        t_readBuffer.lent = false;
    else
        m_bytes = QByteArray(); // the reader's own: not kept
}

bool stopReadNotifications(QTcpSocket *socket)
{
    // Qt's socket engine keeps its read notifier among the socket's children.
    bool stopped = false;
    const auto notifiers = socket->findChildren<QSocketNotifier *>();
    for (QSocketNotifier *notifier : notifiers) {
        if (notifier->type() == QSocketNotifier::Read
            && notifier->socket() == socket->socketDescriptor()) {
            notifier->setEnabled(false);
            stopped = true;
        }
    }
    return stopped;
}

qint64 readDirectly(QTcpSocket *socket, char *into, qint64 size)
{
    const ssize_t read
        = ::recv(int(socket->socketDescriptor()), into, std::size_t(size), MSG_DONTWAIT);
    if (read > 0)
        return read;
    return read == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ? -1 : 0;
}

bool writeNow(QTcpSocket *socket, QByteArrayView first, QByteArrayView second)
{
    if (canWriteDirectly(socket)) {
        iovec parts[2] = {{const_cast<char *>(first.data()), std::size_t(first.size())},
                          {const_cast<char *>(second.data()), std::size_t(second.size())}};
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = second.isEmpty() ? 1 : 2;
        const ssize_t sent
            = ::sendmsg(int(socket->socketDescriptor()), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
        // On EAGAIN the rest is queued below; on a real error Qt's own write reports it.
        if (sent > 0) {
            const qsizetype fromFirst = std::min<qsizetype>(sent, first.size());
            first = first.sliced(fromFirst);
            second = second.sliced(std::min<qsizetype>(sent - fromFirst, second.size()));
        }
    }
    for (const QByteArrayView rest : {first, second}) {
        if (!rest.isEmpty() && socket->write(rest.data(), rest.size()) != rest.size())
            return false;
    }
    return true;
}

} // namespace framescope::session
