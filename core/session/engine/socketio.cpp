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
    const QByteArrayView parts[2] = {first, second};
    return writeNow(socket, std::span<const QByteArrayView>(parts, second.isEmpty() ? 1 : 2));
}

bool writeNow(QTcpSocket *socket, std::span<const QByteArrayView> parts)
{
    std::size_t first = 0;     // the first part not wholly sent
    qsizetype sentOfFirst = 0; // how much of it was
    if (canWriteDirectly(socket)) {
        iovec vectors[kMaxWriteParts];
        std::size_t count = 0;
        for (const QByteArrayView part : parts.first(std::min(parts.size(), kMaxWriteParts)))
            vectors[count++] = {const_cast<char *>(part.data()), std::size_t(part.size())};
        msghdr message{};
        message.msg_iov = vectors;
        message.msg_iovlen = count;
        ssize_t sent
            = ::sendmsg(int(socket->socketDescriptor()), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
        // On EAGAIN the rest is queued below; on a real error Qt's own write reports it.
        while (sent > 0 && first < parts.size()) {
            const qsizetype take = std::min<qsizetype>(sent, parts[first].size());
            sent -= take;
            if (take < parts[first].size()) {
                sentOfFirst = take;
                break;
            }
            ++first;
        }
    }
    for (std::size_t i = first; i < parts.size(); ++i) {
        const QByteArrayView rest = i == first ? parts[i].sliced(sentOfFirst) : parts[i];
        if (!rest.isEmpty() && socket->write(rest.data(), rest.size()) != rest.size())
            return false;
    }
    return true;
}

} // namespace framescope::session
