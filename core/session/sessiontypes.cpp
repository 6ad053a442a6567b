#include "sessiontypes.h"

#include <chrono>

namespace framescope::session {

std::int64_t monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString describe(SessionError error)
{
    switch (error) {
    case SessionError::None:
        return QStringLiteral("no error");
    case SessionError::InvalidUrl:
        return QStringLiteral("invalid URL");
    case SessionError::ConnectionFailed:
        return QStringLiteral("connection failed");
    case SessionError::ConnectionTimeout:
        return QStringLiteral("connection timed out");
    case SessionError::TlsFailed:
        return QStringLiteral("TLS failed");
    case SessionError::HandshakeFailed:
        return QStringLiteral("WebSocket handshake failed");
    case SessionError::HandshakeTimeout:
        return QStringLiteral("WebSocket handshake timed out");
    case SessionError::PeerProtocolError:
        return QStringLiteral("the peer broke the WebSocket protocol");
    case SessionError::IdleTimeout:
        return QStringLiteral("the peer stalled in the middle of a frame");
    case SessionError::CloseTimeout:
        return QStringLiteral("the peer did not answer the close frame");
    case SessionError::ConnectionLost:
        return QStringLiteral("the connection ended without a closing handshake");
    case SessionError::LocalError:
        return QStringLiteral("local error");
    }
    return QStringLiteral("unknown error");
}

QUrl redirectTarget(const QUrl &from, const QByteArray &location)
{
    if (location.trimmed().isEmpty())
        return {};
    QUrl target = from.resolved(QUrl(QString::fromUtf8(location.trimmed())));
    const QString scheme = target.scheme().toLower();
    if (scheme == QLatin1String("http"))
        target.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        target.setScheme(QStringLiteral("wss"));
    else if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return {};
    return target.isValid() && !target.host().isEmpty() ? target : QUrl();
}

bool redirectDropsCredentials(const QUrl &from, const QUrl &to)
{
    const bool otherHost = from.host().compare(to.host(), Qt::CaseInsensitive) != 0;
    const bool downgrade
        = from.scheme() == QLatin1String("wss") && to.scheme() == QLatin1String("ws");
    return otherHost || downgrade;
}

QList<QPair<QByteArray, QByteArray>>
headersForRedirect(const QUrl &from, const QUrl &to,
                   const QList<QPair<QByteArray, QByteArray>> &headers)
{
    if (!redirectDropsCredentials(from, to))
        return headers;
    QList<QPair<QByteArray, QByteArray>> kept;
    for (const auto &header : headers) {
        const QByteArray name = header.first.toLower();
        if (name != "authorization" && name != "cookie" && name != "proxy-authorization")
            kept.append(header);
    }
    return kept;
}

QString describe(SessionState state)
{
    switch (state) {
    case SessionState::Idle:
        return QStringLiteral("idle");
    case SessionState::Connecting:
        return QStringLiteral("connecting");
    case SessionState::Handshaking:
        return QStringLiteral("handshaking");
    case SessionState::Open:
        return QStringLiteral("open");
    case SessionState::Closing:
        return QStringLiteral("closing");
    case SessionState::Closed:
        return QStringLiteral("closed");
    }
    return QStringLiteral("unknown");
}

} // namespace framescope::session
