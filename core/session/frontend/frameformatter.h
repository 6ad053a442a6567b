#pragma once

#include <QString>
#include <capture/capturefile.h>
#include <capture/framerecord.h>
#include <span>
#include <vector>

namespace framescope::session {

// Frames and capture events as text for people, the same in every front end (the CLI now, the
// GUI's log later): one line per frame, peer text escaped.

// Text from a peer or a file made safe for a terminal: control characters (C0, DEL, C1) and
// the bidirectional overrides and isolates show as escapes (\n, \r, \t, \xNN, \u{NNNN}), so
// a peer can neither break a line in two nor drive the terminal nor reorder what is shown. With
// `keepLineBreaks`, "\r\n" and "\n" stay line breaks (an HTTP head, a page).
QString printable(QStringView text, bool keepLineBreaks = false);

// The first lines of an inspected capture: what it is of, when, how long each phase of the
// connection took, what was negotiated, TLS, options, then the handshake heads indented.
QString formatSession(const capture::SessionInfo &session);

// How much of a payload a frame's line shows (fetch this much: FrameStore::payloadPrefix()).
inline constexpr std::size_t kPreviewBytes = 80;

// One line per frame for people: its time since `originNs` (endNs: when it was complete on the
// wire, or handed to the kernel), direction, header, and a preview of the
// payload from its first bytes (`payloadPrefix`, of the record's storedLength in all): text, a
// close code and reason, or hex. With `showConnection` (a capture holding several connections),
// the connection number follows the time.
QString formatFrame(const capture::FrameRecord &record, std::span<const std::uint8_t> payloadPrefix,
                    std::int64_t originNs, bool showConnection = false);

// An event of a capture in the same columns: its kind, close code and reason, and its detail;
// a detail of several lines (a handshake head) continues on lines of its own, indented.
QString formatEvent(const capture::CaptureEvent &event, std::int64_t originNs,
                    bool showConnection = false);

} // namespace framescope::session
