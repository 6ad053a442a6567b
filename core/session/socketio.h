#pragma once

#include <QByteArrayView>
#include <QtGlobal>

class QTcpSocket;

namespace framescope::session {

// Writes to a connected socket without waiting for the event loop: on a plain TCP socket whose
// Qt write buffer is empty the bytes go to the kernel now (no copy into QTcpSocket's buffer, no
// extra poll round), and whatever the kernel does not take is queued on the socket, in order.
// TLS sockets, and sockets whose proxy is not explicitly NoProxy, always go through Qt's
// write(). `second` follows `first` in the same sendmsg (a frame header and a payload kept
// elsewhere, without a copy to join them). Returns false when Qt refused the rest.
bool writeNow(QTcpSocket *socket, QByteArrayView first, QByteArrayView second = {});

// True when the descriptor may be read directly instead of through Qt: plain TCP, connected,
// no proxy engine, and nothing left in Qt's read buffer (which comes first).
bool canReadDirectly(QTcpSocket *socket);

} // namespace framescope::session
