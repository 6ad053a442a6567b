#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>
#include <span>

class QTcpSocket;

namespace framescope::session {

// Writes to a connected socket without waiting for the event loop: on a plain TCP socket whose
// Qt write buffer is empty the bytes go to the kernel now (no copy into QTcpSocket's buffer, no
// extra poll round), and whatever the kernel does not take is queued on the socket, in order.
// TLS sockets, and sockets whose proxy is not explicitly NoProxy, always go through Qt's
// write(). `second` follows `first` in the same sendmsg (a frame header and a payload kept
// elsewhere, without a copy to join them). Returns false when Qt refused the rest.
bool writeNow(QTcpSocket *socket, QByteArrayView first, QByteArrayView second = {});
// The same for any number of parts, in one sendmsg (of the first kMaxWriteParts; the rest, if
// any, is queued after what it took).
constexpr std::size_t kMaxWriteParts = 256;
bool writeNow(QTcpSocket *socket, std::span<const QByteArrayView> parts);

// True when the descriptor may be read directly instead of through Qt: plain TCP, connected,
// no proxy engine, and nothing left in Qt's read buffer (which comes first).
bool canReadDirectly(QTcpSocket *socket);

// Stops Qt's event loop from watching the socket for reads, for a caller that watches the
// descriptor itself (epoll) and reads it directly while canReadDirectly() holds. Qt still writes,
// and still reads when asked (waitForReadyRead(): the end of the stream and errors are left for
// Qt to read and report). False when Qt's notifier was not found: then Qt keeps notifying too,
// which costs time but stays correct.
bool stopReadNotifications(QTcpSocket *socket);

// Reads up to `size` bytes from the descriptor, without Qt (canReadDirectly() must hold): the
// bytes read, 0 when none are waiting, or -1 at the end of the stream or an error. Those are
// left for Qt to read again and report: the caller calls waitForReadyRead(0) when it is ready
// for the socket to close (after sending what it owes), so the socket closes the usual way.
qint64 readDirectly(QTcpSocket *socket, char *into, qint64 size);

// A large read buffer lent to one reader at a time on each thread: idle sessions and connections
// hold none, and a read can take much of what the socket holds (large reads make fewer window
// updates, which the receiving side pays for; a reader may read less). A reader that finds it
// lent out (a nested event loop inside another's read) gets `own` instead, sized alike.
class LentReadBuffer
{
public:
    static constexpr qsizetype kSize = qsizetype{2} << 20;

    explicit LentReadBuffer(QByteArray &own);
    ~LentReadBuffer();
    LentReadBuffer(const LentReadBuffer &) = delete;
    LentReadBuffer &operator=(const LentReadBuffer &) = delete;

    char *data() { return m_bytes.data(); }
    qsizetype size() const { return m_bytes.size(); }

private:
    QByteArray &m_bytes;
    bool m_lent = false;
};

} // namespace framescope::session
