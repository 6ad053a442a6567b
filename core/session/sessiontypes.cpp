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
