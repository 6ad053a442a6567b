#pragma once

#include <capture/capturefile.h>
#include <session/client/clientsnapshot.h>
#include <session/diagnosis/handshakedoctor.h>
#include <session/server/serveroptions.h>
#include <string>
#include <vector>

// What a capture file says about a session, built the same way for every front end: the session
// line of a client's or the built-in server's capture, and the events a connection leaves.
namespace framescope::session {

// A client session's capture header: URL, the exact heads, what was negotiated, options (extra
// headers, Origin, overrides), TLS details, phase times. `tool`: "framescope-cli 0.1.0".
capture::SessionInfo describeClientSession(const ClientSnapshot &session,
                                           std::int64_t startedAtUnixMs, const std::string &tool);

// The built-in server's capture header: its URL, behaviours as options ("role":"server"),
// its certificate's fingerprint for wss.
capture::SessionInfo describeServer(const LocalServerOptions &options, const QString &url,
                                    const QString &sha256Fingerprint, std::int64_t startedAtUnixMs,
                                    const std::string &tool);

// A Handshake Doctor finding as a "diagnosis" event.
capture::CaptureEvent findingEvent(const Finding &finding, std::int64_t timeNs);

// One of the server's connections: its request and the answer (101 or refusal), at the server's
// own times, heads redacted as asked.
std::vector<capture::CaptureEvent>
serverHandshakeEvents(const ServerConnectionInfo &info, const capture::RedactionOptions &redaction);

// A client's later connection (after a reconnect): its request and the answer, heads redacted
// as asked, at `timeNs` (the session line holds the first connection's).
std::vector<capture::CaptureEvent> clientHandshakeEvents(const ClientSnapshot &session,
                                                         const capture::RedactionOptions &redaction,
                                                         std::int64_t timeNs);

// How a connection ended: close-sent and close-received at the times the frames went and came,
// in time order, then ended at `timeNs`.
std::vector<capture::CaptureEvent> closeEvents(const CloseInfo &close, std::int64_t timeNs,
                                               std::uint32_t connection);

} // namespace framescope::session
