#pragma once

#include <QSslConfiguration>
#include <QTcpServer>

class QSslSocket;

namespace framescope::session {

// The wss:// listener: each accepted socket does its TLS handshake here and becomes a pending
// connection once encrypted. Unlike QSslServer (Qt 6.4), which drops a client that does not
// speak TLS without a word, every client that fails is reported (dropped()): plain HTTP (ws://
// to this port) gets a 400 that says to use wss://, a failed handshake is reported with the
// client's alert, and a handshake that does not finish in time is ended.
class TlsListener : public QTcpServer
{
    Q_OBJECT

public:
    TlsListener(const QSslConfiguration &configuration, int handshakeTimeoutMs,
                QObject *parent = nullptr);

Q_SIGNALS:
    // `peer` is address:port.
    void dropped(const QString &peer, const QString &reason);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void firstBytes(QSslSocket *socket);
    void fail(QSslSocket *socket, const QString &reason);

    QSslConfiguration m_configuration;
    int m_handshakeTimeoutMs;
};

// "address:port" of a socket's peer ("[::1]:port" for IPv6).
QString peerOf(const QAbstractSocket &socket);

} // namespace framescope::session
