#pragma once

#include <QHostAddress>
#include <QObject>
#include <platform/socketcalls.h>

class QSocketNotifier;

namespace framescope::session {

// Opens a TCP connection on a descriptor of our own (platform::hasDirectSockets()), so that a
// DescriptorTransport can take it over: non-blocking connect, then a notifier says when it is
// done. Either connected() or failed() follows start(), once; the descriptor then belongs to
// whoever took it from connected().
class TcpConnector : public QObject
{
    Q_OBJECT

public:
    explicit TcpConnector(QObject *parent = nullptr);
    ~TcpConnector() override;

    void start(const QHostAddress &address, quint16 port);
    // Gives up: the descriptor (if any) is closed, and nothing more is said.
    void cancel();

Q_SIGNALS:
    void connected(framescope::platform::SocketHandle socket);
    void failed(const QString &error);

private:
    void handleWritable();
    void release();

    platform::SocketHandle m_socket = platform::kInvalidSocket;
    QSocketNotifier *m_notifier = nullptr;
    quint64 m_attempt = 0; // a failure said later is said only for the attempt it belongs to
};

} // namespace framescope::session
