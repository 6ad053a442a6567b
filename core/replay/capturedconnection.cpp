#include "capturedconnection.h"

#include <QUrl>

namespace framescope::replay {

namespace {

// `url` with the path and query of the request's target ("GET /path?query HTTP/1.1"; unchanged
// when the request has none).
std::string withRequestTarget(const std::string &url, const std::string &request)
{
    const QString target = QString::fromStdString(
        parseRecordedHead(request, protocol::HttpHeadParser::Kind::Request).target);
    if (!target.startsWith(QLatin1Char('/')))
        return url;
    QUrl result(QString::fromStdString(url));
    const qsizetype query = target.indexOf(QLatin1Char('?'));
    result.setPath(target.left(query), QUrl::TolerantMode);
    result.setQuery(query < 0 ? QString() : target.mid(query + 1), QUrl::TolerantMode);
    return result.isValid() ? result.toString().toStdString() : url;
}

} // namespace

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
    // The server's URL is where it listened: the path and query are the client's request's.
    if (server)
        out.url = withRequestTarget(out.url, out.request);
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
