#include "capturedconnection.h"

namespace framescope::replay {

bool isServerCapture(const capture::SessionInfo &session)
{
    const auto role = session.options.find("role");
    return role != session.options.end() && role->second == "server";
}

CapturedConnection capturedConnection(const capture::CaptureReadResult &capture,
                                      std::uint32_t connection)
{
    const bool server = isServerCapture(capture.session);
    CapturedConnection out;
    out.url = capture.session.url;
    if (!server && connection == 0) {
        out.request = capture.session.handshakeRequest;
        out.response = capture.session.handshakeResponse;
        out.openedNs = capture.session.openedNs;
    }
    for (const capture::CaptureEvent &event : capture.events) {
        if (event.connection != connection)
            continue;
        if (event.kind == capture::EventKind::HandshakeRequest && out.request.empty()) {
            out.request = event.detail;
            // A client's later connection: its URL (the server's is the session's).
            if (!server && !event.reason.empty())
                out.url = event.reason;
        } else if ((event.kind == capture::EventKind::HandshakeResponse
                    || event.kind == capture::EventKind::HandshakeRefused)
                   && out.response.empty()) {
            out.response = event.detail;
            if (out.openedNs == 0 && event.kind == capture::EventKind::HandshakeResponse)
                out.openedNs = event.timeNs;
        }
    }
    return out;
}

protocol::HttpHead parseRecordedHead(std::string text, protocol::HttpHeadParser::Kind kind,
                                     std::size_t *size)
{
    if (size)
        *size = 0;
    if (text.empty())
        return {};
    const std::size_t end = text.find("\r\n\r\n");
    if (end == std::string::npos)
        text += text.ends_with("\r\n") ? "\r\n" : "\r\n\r\n";
    else
        text.resize(end + 4); // a refusal's body follows the head
    if (size)
        *size = text.size();
    protocol::HttpHeadParser parser(kind);
    std::size_t consumed = 0;
    parser.feed({reinterpret_cast<const std::uint8_t *>(text.data()), text.size()}, consumed);
    return parser.head();
}

} // namespace framescope::replay
