#pragma once

#include <QMetaType>
#include <QString>

namespace framescope::session {

// Where a connection is, for either role: a client session, or a server's connection.
enum class SessionState { Idle, Connecting, Handshaking, Open, Closing, Closed };

QString describe(SessionState state);

} // namespace framescope::session

Q_DECLARE_METATYPE(framescope::session::SessionState)
