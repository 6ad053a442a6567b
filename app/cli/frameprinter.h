#pragma once

#include <QString>
#include <capture/capturefile.h>
#include <capture/framerecord.h>
#include <vector>

// One line per frame for people: time since `originNs`, direction, header, and a payload preview.
// With `showConnection` (a capture holding several connections), the connection number follows
// the time.
QString formatFrame(const framescope::capture::FrameRecord &record,
                    const std::vector<std::uint8_t> &payload, std::int64_t originNs,
                    bool showConnection = false);

// An event of a capture in the same columns: its kind, close code and reason, and its detail;
// a detail of several lines (a handshake head) continues on lines of its own, indented.
QString formatEvent(const framescope::capture::CaptureEvent &event, std::int64_t originNs,
                    bool showConnection = false);
