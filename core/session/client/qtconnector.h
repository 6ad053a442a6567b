#pragma once

#include "clientoptions.h"
#include "handshakerecord.h"
#include "sessionerror.h"

#include <QNetworkProxy>
#include <QObject>
#include <QSslError>
#include <session/engine/closeinfo.h>

class QTcpSocket;
class QSslSocket;

namespace framescope::session {

// Opens a connection through Qt's sockets: wss:// (TLS verified as the options say, with the
// pin and the recorded override), proxies, and every connection of the portable build. The TLS
// details go into `handshake.tls` as they are learned. After start(), tcpConnected() (then, for
// wss://, TLS) and ready(), or failed(), once.
class QtConnector : public QObject
{
    Q_OBJECT

public:
    QtConnector(const ClientOptions &options, HandshakeRecord &handshake,
                QObject *parent = nullptr);
    ~QtConnector() override;

    // Makes the socket; why not when the TLS files do not load.
    std::optional<QString> prepare(bool secure, const QNetworkProxy &proxy);
    // `peerName`: the name the certificate must hold (the URL's host).
    void start(const QString &address, quint16 port, const QString &peerName);
    // TCP is up and the TLS handshake is under way.
    bool isNegotiatingTls() const;
    // Hands the socket over once ready() was said; nothing more is said after.
    QTcpSocket *takeSocket();
    // Gives up: the socket goes, and nothing more is said.
    void cancel();

Q_SIGNALS:
    void tcpConnected();
    // Ready for the upgrade request (after TLS for wss://): takeSocket().
    void ready();
    void failed(framescope::session::SessionError error, const QString &detail,
                framescope::session::EndReason endedBy);

private:
    void handleEncrypted();
    void handleSslErrors(const QList<QSslError> &errors);
    void handleSocketError();

    const ClientOptions &m_options;
    HandshakeRecord &m_handshake;
    QTcpSocket *m_socket = nullptr;
    QSslSocket *m_sslSocket = nullptr; // the same object for wss://
    bool m_tcpConnected = false;       // for wss://: TLS is being negotiated
};

} // namespace framescope::session
