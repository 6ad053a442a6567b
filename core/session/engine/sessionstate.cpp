#include "sessionstate.h"

namespace framescope::session {

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
