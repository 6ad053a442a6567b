#include "dialer.h"

#include "qtconnector.h"
#include "tcpconnector.h"

#include <QHostInfo>
#include <QTcpSocket>
#include <platform/socketcalls.h>
#include <session/engine/descriptortransport.h>
#include <session/engine/qtsockettransport.h>
#include <session/engine/readbuffer.h>

namespace framescope::session {

namespace {

QString withPort(const QString &address, quint16 port)
{
    const QString host = address.contains(QLatin1Char(':'))
                             ? QLatin1Char('[') + address + QLatin1Char(']')
                             : address;
    return host + QLatin1Char(':') + QString::number(port);
}

} // namespace

Dialer::Dialer(const ClientOptions &options, HandshakeRecord &handshake, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_handshake(handshake)
{
    m_attemptDelay.setSingleShot(true);
    // A coarse timer may fire up to 5% early; the delay is a lower bound (RFC 8305 §5).
    m_attemptDelay.setTimerType(Qt::PreciseTimer);
    connect(&m_attemptDelay, &QTimer::timeout, this, &Dialer::startNextAttempt);
}

Dialer::~Dialer()
{
    cancel();
}

std::optional<QString> Dialer::prepare(bool secure, const QNetworkProxy &proxy)
{
    m_secure = secure;
    m_proxy = proxy;
    m_direct = !secure && proxy.type() == QNetworkProxy::NoProxy && platform::hasDirectSockets();
    if (m_direct)
        return std::nullopt;
    // Loads the TLS files once, before any attempt: a bad file is said now.
    QtConnector probe(m_options, m_handshake);
    return probe.prepare(secure, proxy);
}

QList<QHostAddress> Dialer::interleaved(const QList<QHostAddress> &addresses)
{
    if (addresses.isEmpty())
        return {};
    const auto family = addresses.constFirst().protocol();
    QList<QHostAddress> first;
    QList<QHostAddress> other;
    for (const QHostAddress &address : addresses)
        (address.protocol() == family ? first : other).append(address);
    QList<QHostAddress> out;
    for (qsizetype i = 0; i < std::max(first.size(), other.size()); ++i) {
        if (i < first.size())
            out.append(first[i]);
        if (i < other.size())
            out.append(other[i]);
    }
    return out;
}

void Dialer::start(const QString &host, quint16 port)
{
    cancel();
    m_host = host;
    m_port = port;
    QHostAddress literal;
    // Through a proxy the proxy resolves the name; a literal address needs no lookup.
    if (literal.setAddress(host) || m_proxy.type() != QNetworkProxy::NoProxy) {
        m_pending = {host};
        startNextAttempt();
        return;
    }
    const quint64 lookup = ++m_lookup;
    QHostInfo::lookupHost(host, this, [this, lookup](const QHostInfo &info) {
        if (lookup != m_lookup)
            return;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            Q_EMIT failed(SessionError::ConnectionFailed,
                          QStringLiteral("cannot resolve %1: %2").arg(m_host, info.errorString()),
                          EndReason::Lookup);
            return;
        }
        Q_EMIT lookedUp();
        startWithAddresses(info.addresses(), m_host, m_port);
    });
}

void Dialer::startWithAddresses(const QList<QHostAddress> &addresses, const QString &host,
                                quint16 port)
{
    m_host = host;
    m_port = port;
    m_pending.clear();
    for (const QHostAddress &address : interleaved(addresses))
        m_pending.append(address.toString());
    startNextAttempt();
}

void Dialer::startNextAttempt()
{
    if (m_pending.isEmpty())
        return;
    Attempt attempt;
    attempt.address = m_pending.takeFirst();
    if (m_direct) {
        attempt.tcp = new TcpConnector(this);
        TcpConnector *tcp = attempt.tcp;
        connect(tcp, &TcpConnector::connected, this, [this, tcp](platform::SocketHandle socket) {
            won(tcp);
            tcp->deleteLater();
            Q_EMIT tcpConnected();
            Q_EMIT ready(new DescriptorTransport(socket, nullptr, LentReadBuffer::kSize));
        });
        connect(tcp, &TcpConnector::failed, this,
                [this, tcp](const QString &error) { attemptFailed(tcp, error); });
        m_attempts.append(attempt);
        tcp->start(QHostAddress(attempt.address), m_port);
    } else {
        attempt.qt = new QtConnector(m_options, m_handshake, this);
        QtConnector *qt = attempt.qt;
        if (const std::optional<QString> error = qt->prepare(m_secure, m_proxy)) {
            delete qt;
            Q_EMIT failed(SessionError::LocalError, *error, EndReason::Local);
            return;
        }
        connect(qt, &QtConnector::tcpConnected, this, [this, qt] {
            won(qt);
            m_winner = qt;
            Q_EMIT tcpConnected();
        });
        connect(qt, &QtConnector::ready, this, [this, qt] {
            QTcpSocket *socket = qt->takeSocket();
            m_winner = nullptr;
            qt->deleteLater();
            Q_EMIT ready(new QtSocketTransport(socket, LentReadBuffer::kSize));
        });
        connect(qt, &QtConnector::failed, this,
                [this, qt](SessionError error, const QString &detail, EndReason endedBy) {
                    // Before TCP connected, another address may still do; after it, TLS failed.
                    if (qt != m_winner && error == SessionError::ConnectionFailed
                        && endedBy == EndReason::Connect) {
                        attemptFailed(qt, detail);
                        return;
                    }
                    dropAttempts(nullptr);
                    Q_EMIT failed(error, detail, endedBy);
                });
        m_attempts.append(attempt);
        qt->start(attempt.address, m_port, m_host);
    }
    // RFC 8305 §5: the next address after the attempt delay, unless this one is done sooner.
    if (!m_pending.isEmpty())
        m_attemptDelay.start(kAttemptDelayMs);
}

void Dialer::attemptFailed(QObject *connector, const QString &error)
{
    for (qsizetype i = 0; i < m_attempts.size(); ++i) {
        if (m_attempts[i].tcp == connector || m_attempts[i].qt == connector) {
            m_errors.append(withPort(m_attempts[i].address, m_port) + QStringLiteral(": ") + error);
            m_attempts.removeAt(i);
            break;
        }
    }
    connector->deleteLater();
    if (!m_pending.isEmpty()) {
        m_attemptDelay.stop();
        startNextAttempt();
        return;
    }
    if (!m_attempts.isEmpty())
        return; // another one is still under way
    // One address: its error as it is; several: each one's.
    const QString detail = m_errors.size() == 1 ? error : m_errors.join(QStringLiteral("; "));
    Q_EMIT failed(SessionError::ConnectionFailed, detail, EndReason::Connect);
}

void Dialer::won(QObject *connector)
{
    m_attemptDelay.stop();
    m_pending.clear();
    for (const Attempt &attempt : std::as_const(m_attempts))
        if (attempt.tcp == connector || attempt.qt == connector)
            m_connectedAddress = attempt.address;
    dropAttempts(connector);
}

// Cancels every attempt but `except` (deleted later: this may run inside their signals).
void Dialer::dropAttempts(QObject *except)
{
    for (const Attempt &attempt : std::as_const(m_attempts)) {
        if (attempt.tcp && attempt.tcp != except) {
            attempt.tcp->cancel();
            attempt.tcp->disconnect(this);
            attempt.tcp->deleteLater();
        }
        if (attempt.qt && attempt.qt != except) {
            attempt.qt->cancel();
            attempt.qt->disconnect(this);
            attempt.qt->deleteLater();
        }
    }
    m_attempts.clear();
}

bool Dialer::isNegotiatingTls() const
{
    return m_winner && m_winner->isNegotiatingTls();
}

void Dialer::cancel()
{
    ++m_lookup;
    m_attemptDelay.stop();
    m_pending.clear();
    m_errors.clear();
    dropAttempts(nullptr);
    if (m_winner) {
        m_winner->cancel();
        m_winner->disconnect(this);
        m_winner->deleteLater();
        m_winner = nullptr;
    }
}

} // namespace framescope::session
