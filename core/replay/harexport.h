#pragma once

#include <QByteArray>
#include <capture/capturefile.h>

namespace framescope::replay {

// A capture as a HAR 1.2 file in the form Chrome's DevTools write for WebSockets: one entry per
// connection (the upgrade request and its 101, `_resourceType` "websocket") with its text and
// binary messages in `_webSocketMessages` (type "send" for the client's, "receive" for the
// server's; `time` in seconds since 1970; binary data in base64). Secret headers and URL parts
// are redacted unless the options keep them. Other tools (browsers' DevTools, HAR viewers,
// proxies) open it.
QByteArray harFromCapture(const capture::CaptureReadResult &capture,
                          const capture::RedactionOptions &redaction = {});

} // namespace framescope::replay
