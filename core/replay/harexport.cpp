#include "harexport.h"

#include "capturedconnection.h"
#include "messageassembler.h"

#include <QDateTime>
#include <QUrl>
#include <QUrlQuery>
#include <capture/redaction.h>
#include <nlohmann/json.hpp>
#include <protocol/httphead.h>
#include <set>

namespace framescope::replay {

using nlohmann::ordered_json;

namespace {

struct Head
{
    protocol::HttpHead head;
    std::size_t size = 0;
};

Head parseHead(const std::string &text, protocol::HttpHeadParser::Kind kind)
{
    Head out;
    out.head = parseRecordedHead(text, kind, &out.size);
    return out;
}

ordered_json headerList(const protocol::HttpHead &head)
{
    ordered_json list = ordered_json::array();
    for (const protocol::HttpHeader &header : head.headers)
        list.push_back({{"name", header.name}, {"value", header.value}});
    return list;
}

std::string isoTime(std::int64_t unixMs)
{
    return QDateTime::fromMSecsSinceEpoch(unixMs, Qt::UTC)
        .toString(Qt::ISODateWithMs)
        .toStdString();
}

double milliseconds(const std::map<std::string, std::int64_t> &phases, const char *name)
{
    const auto found = phases.find(name);
    return found == phases.end() ? -1.0 : double(found->second) / 1e6;
}

} // namespace

QByteArray harFromCapture(const capture::CaptureReadResult &capture,
                          const capture::RedactionOptions &redaction)
{
    const capture::SessionInfo &session = capture.session;
    const bool server = isServerCapture(session);
    std::set<std::uint32_t> connections;
    for (const capture::CapturedFrame &frame : capture.frames)
        connections.insert(frame.record.connection);
    for (const capture::CaptureEvent &event : capture.events)
        if (event.kind == capture::EventKind::HandshakeRequest || !server)
            connections.insert(event.connection);
    if (connections.empty())
        connections.insert(0);

    std::int64_t phasesNs = 0;
    for (const auto &[phase, ns] : session.phasesNs)
        phasesNs += ns;
    // The monotonic time of the session's wall-clock start: the first connection opened after
    // its phases; without that (server captures, older files), the first frame stands for it.
    std::int64_t anchorNs = session.openedNs - phasesNs;
    if (session.openedNs == 0 && !capture.frames.empty())
        anchorNs = capture.frames.front().record.startNs;
    const auto unixSeconds = [&](std::int64_t ns) {
        return double(session.startedAtUnixMs) / 1e3 + double(ns - anchorNs) / 1e9;
    };

    ordered_json entries = ordered_json::array();
    for (const std::uint32_t connection : connections) {
        const CapturedConnection upgrade = capturedConnection(capture, connection);
        const capture::Direction clientSide
            = server ? capture::Direction::Received : capture::Direction::Sent;
        ordered_json messages = ordered_json::array();
        MessageAssembler fromClient;
        MessageAssembler fromServer;
        for (const capture::CapturedFrame &frame : capture.frames) {
            if (frame.record.connection != connection)
                continue;
            const bool fromTheClient = frame.record.direction() == clientSide;
            RecordedMessage message;
            const QByteArray payload(reinterpret_cast<const char *>(frame.payload.data()),
                                     qsizetype(frame.payload.size()));
            if (!(fromTheClient ? fromClient : fromServer)
                     .add(frame.record.opcode, frame.record.has(capture::FrameRecord::Fin), payload,
                          frame.record.payloadLength, frame.record.endNs, message))
                continue;
            messages.push_back({{"type", fromTheClient ? "send" : "receive"},
                                {"time", unixSeconds(frame.record.endNs)},
                                {"opcode", message.binary ? 2 : 1},
                                {"data", message.binary ? message.data.toBase64().toStdString()
                                                        : message.data.toStdString()}});
        }
        const Head requestHead = parseHead(capture::redactHttpHead(upgrade.request, redaction),
                                           protocol::HttpHeadParser::Kind::Request);
        const Head responseHead = parseHead(capture::redactHttpHead(upgrade.response, redaction),
                                            protocol::HttpHeadParser::Kind::Response);
        const std::string shownUrl = capture::redactUrl(upgrade.url, redaction);
        ordered_json query = ordered_json::array();
        for (const auto &[name, value] :
             QUrlQuery(QUrl(QString::fromStdString(shownUrl))).queryItems(QUrl::FullyDecoded))
            query.push_back({{"name", name.toStdString()}, {"value", value.toStdString()}});
        const int status = responseHead.head.status;
        ordered_json entry;
        entry["startedDateTime"] = isoTime(session.startedAtUnixMs);
        entry["time"] = double(phasesNs) / 1e6;
        entry["request"] = {{"method", requestHead.head.method.empty() ? std::string("GET")
                                                                       : requestHead.head.method},
                            {"url", shownUrl},
                            {"httpVersion", "HTTP/1.1"},
                            {"headers", headerList(requestHead.head)},
                            {"queryString", query},
                            {"cookies", ordered_json::array()},
                            {"headersSize", requestHead.size == 0 ? -1 : int(requestHead.size)},
                            {"bodySize", 0}};
        entry["response"] = {{"status", status},
                             {"statusText", responseHead.head.reason},
                             {"httpVersion", "HTTP/1.1"},
                             {"headers", headerList(responseHead.head)},
                             {"cookies", ordered_json::array()},
                             {"content", {{"size", 0}, {"mimeType", "x-unknown"}}},
                             {"redirectURL", ""},
                             {"headersSize", responseHead.size == 0 ? -1 : int(responseHead.size)},
                             {"bodySize", 0}};
        entry["cache"] = ordered_json::object();
        const bool first = !server && connection == 0;
        entry["timings"]
            = {{"blocked", -1},
               {"dns", first ? milliseconds(session.phasesNs, "lookup") : -1.0},
               {"connect", first ? milliseconds(session.phasesNs, "connect") : -1.0},
               {"ssl", first ? milliseconds(session.phasesNs, "tls") : -1.0},
               {"send", 0},
               {"wait", first ? std::max(0.0, milliseconds(session.phasesNs, "upgrade")) : 0.0},
               {"receive", 0}};
        entry["_resourceType"] = "websocket";
        entry["_webSocketMessages"] = messages;
        entries.push_back(std::move(entry));
    }
    ordered_json har;
    har["log"] = {{"version", "1.2"},
                  {"creator", {{"name", "Framescope"}, {"version", "0.1.0"}}},
                  {"pages", ordered_json::array()},
                  {"entries", entries}};
    return QByteArray::fromStdString(
        har.dump(2, ' ', false, ordered_json::error_handler_t::replace));
}

} // namespace framescope::replay
