#pragma once

#include "clientoptions.h"
#include "handshakerecord.h"
#include "sessionerror.h"

#include <QHostAddress>
#include <QNetworkProxy>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <session/engine/closeinfo.h>

namespace framescope::session {

class QtConnector;
class TcpConnector;
class Transport;

// Connects a client session: resolves the host name and tries its addresses as RFC 8305 (Happy
// Eyeballs) says: address families interleaved, the first family the resolver gave first; a new
// attempt when the last has not connected within kAttemptDelayMs or has failed; the first TCP
// connection wins and the others are cancelled. Plain ws:// goes through TcpConnector (a
// descriptor of our own); TLS, proxies (which resolve the name themselves) and the portable
// build through QtConnector, whose TLS handshake follows on the winner only.
//
// After start(): lookedUp() (when a name was resolved), tcpConnected(), then ready() with the
// transport; or failed(), once.
class Dialer : public QObject
{
    Q_OBJECT

public:
    // RFC 8305 §5: the recommended Connection Attempt Delay.
    static constexpr int kAttemptDelayMs = 250;

    Dialer(const ClientOptions &options, HandshakeRecord &handshake, QObject *parent = nullptr);
    ~Dialer() override;

    // `secure`: wss://. Why not, when the TLS files do not load.
    std::optional<QString> prepare(bool secure, const QNetworkProxy &proxy);
    void start(const QString &host, quint16 port);
    // The same with the addresses given (in the order to try them), without a lookup.
    void startWithAddresses(const QList<QHostAddress> &addresses, const QString &host,
                            quint16 port);
    // TCP is up and the TLS handshake is under way.
    bool isNegotiatingTls() const;
    // The address the connection went to (once tcpConnected() was said).
    QString connectedAddress() const { return m_connectedAddress; }
    // Gives up: nothing more is said.
    void cancel();

    // RFC 8305 §4: families interleaved, starting with the first one given.
    static QList<QHostAddress> interleaved(const QList<QHostAddress> &addresses);

Q_SIGNALS:
    void lookedUp();
    void tcpConnected();
    void ready(framescope::session::Transport *transport);
    void failed(framescope::session::SessionError error, const QString &detail,
                framescope::session::EndReason endedBy);

private:
    struct Attempt
    {
        QString address;
        TcpConnector *tcp = nullptr;
        QtConnector *qt = nullptr;
    };

    void startNextAttempt();
    void attemptFailed(QObject *connector, const QString &error);
    void won(QObject *connector);
    void dropAttempts(QObject *except);

    const ClientOptions &m_options;
    HandshakeRecord &m_handshake;
    bool m_secure = false;
    bool m_direct = false;
    QNetworkProxy m_proxy;
    QString m_host;
    quint16 m_port = 0;
    QStringList m_pending; // addresses not tried yet, in order
    QList<Attempt> m_attempts;
    QStringList m_errors;
    QTimer m_attemptDelay;
    QtConnector *m_winner = nullptr; // through Qt: negotiating TLS, then ready
    QString m_connectedAddress;
    quint64 m_lookup = 0; // a lookup answered after cancel() is ignored
};

} // namespace framescope::session
