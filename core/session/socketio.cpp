#include "socketio.h"

#include <QNetworkProxy>
#include <QSslSocket>
#include <QTcpSocket>
#include <sys/socket.h>

namespace framescope::session {

namespace {

// Bytes written to the descriptor reach the peer only when no proxy engine sits in between.
// (Only an explicit NoProxy counts: asking about the default proxy can query the system's proxy
// configuration on every write.)
bool connectsDirectly(const QTcpSocket *socket)
{
    return socket->proxy().type() == QNetworkProxy::NoProxy;
}

} // namespace

bool writeNow(QTcpSocket *socket, const char *data, qint64 size)
{
    const auto *tls = qobject_cast<QSslSocket *>(socket);
    const bool plain = !tls || tls->mode() == QSslSocket::UnencryptedMode;
    if (plain && socket->bytesToWrite() == 0 && socket->state() == QAbstractSocket::ConnectedState
        && socket->socketDescriptor() >= 0 && connectsDirectly(socket)) {
        const ssize_t sent = ::send(int(socket->socketDescriptor()), data, std::size_t(size),
                                    MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) {
            data += sent;
            size -= sent;
        }
        // On EAGAIN the rest is queued below; on a real error Qt's own write reports it.
    }
    return size == 0 || socket->write(data, size) == size;
}

} // namespace framescope::session
