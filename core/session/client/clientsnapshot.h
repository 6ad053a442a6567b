#pragma once

#include "clientoptions.h"
#include "handshakerecord.h"
#include "sessionerror.h"

#include <QString>
#include <cstdint>
#include <session/engine/closeinfo.h>
#include <session/engine/sessionstate.h>

namespace framescope::session {

// A client session as a front end sees it, copied at one moment: safe to read on any thread
// (SessionManager keeps one per session, fresh after every change).
struct ClientSnapshot
{
    ClientOptions options; // as in use: after redirects, credential helpers applied
    HandshakeRecord handshake;
    CloseInfo close;
    SessionState state = SessionState::Idle;
    SessionError error = SessionError::None;
    QString errorString;
    std::uint64_t messagesReceived = 0;
    std::uint32_t connectionNumber = 0; // 0, then 1, 2, ... after reconnects
    bool direct = false;                // read and written on a descriptor of its own
};

} // namespace framescope::session
