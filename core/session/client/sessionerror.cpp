#include "sessionerror.h"

namespace framescope::session {

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
    case SessionError::TlsTimeout:
        return QStringLiteral("TLS handshake timed out");
    case SessionError::TlsFailed:
        return QStringLiteral("TLS failed");
    case SessionError::HandshakeFailed:
        return QStringLiteral("WebSocket handshake failed");
    case SessionError::HandshakeTimeout:
        return QStringLiteral("WebSocket handshake timed out");
    case SessionError::LimitExceeded:
        return QStringLiteral("the server went over this session's limits");
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

bool isRetryable(SessionError error, int httpStatus)
{
    switch (error) {
    case SessionError::InvalidUrl:
    case SessionError::LocalError:
    case SessionError::TlsFailed:
        return false;
    case SessionError::HandshakeFailed:
        return !(httpStatus >= 400 && httpStatus < 500) || httpStatus == 408 || httpStatus == 429;
    default:
        return true;
    }
}

} // namespace framescope::session
