#pragma once

#include <capture/capturefile.h>
#include <cstdint>
#include <protocol/httphead.h>
#include <string>

namespace framescope::replay {

// One connection of a capture as its upgrade was recorded. A client's first connection has it
// in the session line; a client's later ones (after reconnects) and every connection of the
// built-in server in their handshake events.
struct CapturedConnection
{
    std::string request;  // the request head
    std::string response; // the answer's head (a refusal's capped body after it)
    std::string url;
    std::int64_t openedNs = 0; // when the 101 came or went (0: unknown)
};

// A capture made by the built-in server (its session line's "role").
bool isServerCapture(const capture::SessionInfo &session);

CapturedConnection capturedConnection(const capture::CaptureReadResult &capture,
                                      std::uint32_t connection);

// A recorded HTTP head parsed: completed when the recording cut it short, without the body
// that may follow it. `size` gets the head's size in bytes (0 for none).
protocol::HttpHead parseRecordedHead(std::string text, protocol::HttpHeadParser::Kind kind,
                                     std::size_t *size = nullptr);

} // namespace framescope::replay
