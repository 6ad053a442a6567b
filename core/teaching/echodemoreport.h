#pragma once

#include "echodemo.h"

#include <string>

namespace framescope::teaching {

// The demo for people: each handshake head, each frame's header, payload preview and wire bytes,
// each message, and the verdict on the last line ("OK: ..." or "FAILED: ...").
std::string formatEchoDemo(const EchoDemoResult &result);

// The demo as one JSON object: every step (frames with all their header fields and wire bytes in
// hex), messagesEchoed, closedCleanly, ok and, when not ok, error.
std::string echoDemoJson(const EchoDemoResult &result);

} // namespace framescope::teaching
