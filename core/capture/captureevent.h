#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace framescope::capture {

// What a capture's event line records. Each value has one stable name (the file's "event"
// field); docs/capture-format.md lists them.
enum class EventKind : std::uint8_t {
    HandshakeRequest,  // the server's: a client's request head (reason: the peer's address)
    HandshakeResponse, // the server's: the 101 it sent
    HandshakeRefused,  // the server's: the refusal it sent (code: the HTTP status)
    Redirect,          // the client followed a redirect (code: the status; detail: where to)
    CloseSent,
    CloseReceived,
    Ended,     // the connection is over (detail: the EndReason's name)
    Error,     // what went wrong, in words
    Reconnect, // the client starts another connection (detail: attempt, delay, why)
    Diagnosis, // a Handshake Doctor finding (reason: the title; detail: severity, id, what, fix)
    Dropped,   // frames the recording could not keep (detail: how many, and why)
};

inline constexpr int kEventKindCount = 11;

std::string_view eventKindName(EventKind kind);
std::optional<EventKind> eventKindFromName(std::string_view name);

// Who or what ended a connection. Each value has one stable name (the "ended" event's detail).
enum class EndReason : std::uint8_t {
    None,          // not ended (yet)
    CloseFrame,    // the closing handshake, both ways
    TcpFin,        // the peer closed TCP without (finishing) the closing handshake
    Reset,         // the connection was reset or broke
    Timeout,       // a time limit passed (connect, TLS, handshake, mid-frame, close)
    Tls,           // the TLS handshake failed
    ProtocolError, // we failed the connection for a protocol violation
    Local,         // we could not start (bad URL, options, files)
    Lookup,        // the host name did not resolve
    Connect,       // TCP could not connect
    Proxy,         // the proxy refused or failed
    Handshake,     // the HTTP upgrade did not succeed
    Refused,       // the server refused the upgrade (the server's view)
    LocalAbort,    // we dropped the connection without a closing handshake, as asked
    Limit,         // the peer went over our limits (frame, message, fragments): closed with 1009
};

inline constexpr int kEndReasonCount = 15;

std::string_view endReasonName(EndReason reason);
std::optional<EndReason> endReasonFromName(std::string_view name);

// Something that is not a frame: close codes both ways, who ended the connection, errors.
struct CaptureEvent
{
    std::int64_t timeNs = 0;
    EventKind kind = EventKind::Error;
    std::optional<std::uint16_t> code;
    std::string reason;
    std::string detail;           // for Ended: endReasonName(); otherwise words
    std::uint32_t connection = 0; // as FrameRecord::connection
    friend bool operator==(const CaptureEvent &, const CaptureEvent &) = default;
};

} // namespace framescope::capture
