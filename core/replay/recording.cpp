#include "recording.h"

#include "capturedconnection.h"
#include "messageassembler.h"

#include <QFile>
#include <algorithm>
#include <cmath>
#include <deque>
#include <nlohmann/json.hpp>
#include <protocol/closeframe.h>
#include <protocol/httphead.h>
#include <set>

namespace framescope::replay {

using nlohmann::json;

namespace {

QByteArray bytesOf(const std::vector<std::uint8_t> &bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

// The header lines of a request head as it was recorded.
QList<QPair<QByteArray, QByteArray>> headersOf(const std::string &head)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    for (const protocol::HttpHeader &header :
         parseRecordedHead(head, protocol::HttpHeadParser::Kind::Request).headers)
        headers.append(
            {QByteArray::fromStdString(header.name), QByteArray::fromStdString(header.value)});
    return headers;
}

QString connectionList(const std::set<std::uint32_t> &connections)
{
    QStringList names;
    for (std::uint32_t c : connections)
        names << QString::number(c);
    return names.join(QStringLiteral(", "));
}

} // namespace

namespace {

// Times beyond this are broken, not recorded (a replay at the recorded pace would wait them out).
constexpr std::int64_t kLongestRecordingNs = std::int64_t{30} * 86'400 * 1'000'000'000;

// A recording without a message either way (a HAR entry with none, a capture of pings only
// still has frames) would pass any replay: refused.
RecordingRead &refuseEmpty(RecordingRead &read)
{
    const Recording &r = read.recording;
    if (read.ok() && r.clientMessages.empty() && r.serverMessages.empty())
        read.error = QStringLiteral("nothing to replay: the recording has no messages");
    return read;
}

} // namespace

void takeRequestHeaders(const QList<QPair<QByteArray, QByteArray>> &all, Recording &into)
{
    static const char *const kMadeByTheHandshake[] = {"Host",
                                                      "Upgrade",
                                                      "Connection",
                                                      "Sec-WebSocket-Key",
                                                      "Sec-WebSocket-Version",
                                                      "Sec-WebSocket-Extensions",
                                                      "Content-Length"};
    for (const auto &[name, value] : all) {
        if (name.startsWith(':')) // HTTP/2 pseudo-headers in a browser's HAR
            continue;
        if (std::any_of(
                std::begin(kMadeByTheHandshake), std::end(kMadeByTheHandshake),
                [&](const char *made) { return name.compare(made, Qt::CaseInsensitive) == 0; }))
            continue;
        if (name.compare("Sec-WebSocket-Protocol", Qt::CaseInsensitive) == 0) {
            for (const QByteArray &protocol : value.split(','))
                if (!protocol.trimmed().isEmpty())
                    into.subprotocols.append(protocol.trimmed());
            continue;
        }
        if (value.contains(
                QByteArray(capture::kRedacted.data(), qsizetype(capture::kRedacted.size())))) {
            into.redactedHeaders.append(QString::fromLatin1(name));
            continue;
        }
        into.headers.append({name, value});
    }
}

RecordingRead recordingFromCapture(const capture::CaptureReadResult &capture,
                                   std::optional<int> connection)
{
    RecordingRead out;
    Recording &r = out.recording;
    r.source = QStringLiteral("capture");
    const bool server = isServerCapture(capture.session);

    std::set<std::uint32_t> connections;
    for (const capture::CapturedFrame &frame : capture.frames)
        connections.insert(frame.record.connection);
    if (connections.empty()) {
        out.error = QStringLiteral("the capture has no frames to replay");
        return out;
    }
    const std::uint32_t chosen
        = connection ? std::uint32_t(*connection) : capture.frames.front().record.connection;
    if (connection && (*connection < 0 || !connections.contains(chosen))) {
        out.error = QStringLiteral("the capture has no connection %1 (its connections: %2)")
                        .arg(*connection)
                        .arg(connectionList(connections));
        return out;
    }
    if (connections.size() > 1) {
        r.notes << QStringLiteral("the capture has connections %1: connection %2 is replayed")
                       .arg(connectionList(connections))
                       .arg(chosen);
        for (const std::uint32_t each : connections)
            r.choices << int(each);
    }
    r.chosen = int(chosen);

    const CapturedConnection upgrade = capturedConnection(capture, chosen);
    std::int64_t openedNs = upgrade.openedNs;
    r.url = QString::fromStdString(upgrade.url);
    takeRequestHeaders(headersOf(upgrade.request), r);

    const capture::Direction clientSide
        = server ? capture::Direction::Received : capture::Direction::Sent;
    MessageAssembler fromClient;
    MessageAssembler fromServer;
    std::deque<QByteArray> unansweredPings; // the server's, in order
    bool serverClosed = false;
    for (const capture::CapturedFrame &frame : capture.frames) {
        const capture::FrameRecord &record = frame.record;
        if (record.connection != chosen)
            continue;
        if (openedNs == 0)
            openedNs = record.startNs; // older captures: from the first frame
        const std::int64_t atNs = std::max<std::int64_t>(0, record.endNs - openedNs);
        if (atNs > kLongestRecordingNs) {
            out.error = QStringLiteral("frame %1 is stamped %2 days after the connection opened: "
                                       "the capture's times are broken")
                            .arg(frame.id)
                            .arg(double(atNs) / 86'400e9, 0, 'f', 0);
            return out;
        }
        if (frame.payloadEvicted || record.has(capture::FrameRecord::PayloadDropped)) {
            out.error = QStringLiteral("frame %1's payload is not in the capture (the memory cap "
                                       "evicted it): the capture cannot be replayed")
                            .arg(frame.id);
            return out;
        }
        const QByteArray payload = bytesOf(frame.payload);
        const std::uint8_t opcode = record.opcode;
        if (record.has(capture::FrameRecord::Compressed))
            r.deflate = true;
        RecordedMessage message;
        if (record.direction() == clientSide) {
            RecordedFrame sent{record.header(), payload, atNs,
                               record.has(capture::FrameRecord::Compressed), false};
            if (opcode == 0xA && !unansweredPings.empty() && unansweredPings.front() == payload) {
                unansweredPings.pop_front();
                sent.answer = true;
            } else if (opcode == 0x8 && !serverClosed && !r.clientCloseCode) {
                protocol::ClosePayload close;
                const std::vector<std::uint8_t> bytes(payload.cbegin(), payload.cend());
                protocol::parseClosePayload(bytes, close);
                r.clientCloseCode = close.code.value_or(1000);
                r.clientCloseReason = QByteArray::fromStdString(close.reason);
                r.clientCloseAtNs = atNs;
            }
            r.clientFrames.push_back(std::move(sent));
            // A message is due when its first frame was (add() keeps that frame's time).
            if (fromClient.add(opcode, record.has(capture::FrameRecord::Fin), payload,
                               record.payloadLength, atNs, message))
                r.clientMessages.push_back(std::move(message));
        } else {
            if (opcode == 0x9)
                unansweredPings.push_back(payload);
            else if (opcode == 0x8)
                serverClosed = true;
            if (fromServer.add(opcode, record.has(capture::FrameRecord::Fin), payload,
                               record.payloadLength, atNs, message)) {
                message.atNs = atNs; // a reply is complete with its last frame
                r.serverMessages.push_back(std::move(message));
            }
        }
    }
    r.serverClosed = serverClosed;
    if (!r.deflate)
        r.deflate
            = !server && chosen == 0
              && protocol::listContainsToken(capture.session.extensions, "permessage-deflate");
    return refuseEmpty(out);
}

RecordingRead recordingFromHar(const QByteArray &bytes, std::optional<int> entry)
{
    RecordingRead out;
    Recording &r = out.recording;
    r.source = QStringLiteral("HAR");
    const json har = json::parse(bytes.cbegin(), bytes.cend(), nullptr, false);
    if (har.is_discarded() || !har.is_object()) {
        out.error = QStringLiteral("not a HAR file: not a JSON document");
        return out;
    }
    const json *entries = nullptr;
    if (const auto log = har.find("log"); log != har.end() && log->is_object())
        if (const auto found = log->find("entries"); found != log->end() && found->is_array())
            entries = &*found;
    if (!entries) {
        out.error = QStringLiteral("not a HAR file: no log.entries");
        return out;
    }
    std::vector<const json *> sockets;
    for (const json &e : *entries)
        if (e.is_object() && e.contains("_webSocketMessages") && e["_webSocketMessages"].is_array())
            sockets.push_back(&e);
    if (sockets.empty()) {
        out.error = QStringLiteral(
            "the HAR file has no WebSocket entry (_webSocketMessages): in the browser's DevTools, "
            "keep the Network panel open while the page talks, then save all as HAR (with "
            "content)");
        return out;
    }
    const int index = entry.value_or(0);
    if (index < 0 || index >= int(sockets.size())) {
        out.error = QStringLiteral("the HAR file has %1 WebSocket entries (0 to %2), not %3")
                        .arg(sockets.size())
                        .arg(sockets.size() - 1)
                        .arg(index);
        return out;
    }
    if (sockets.size() > 1) {
        r.notes << QStringLiteral("the HAR file has %1 WebSocket entries: entry %2 is replayed")
                       .arg(sockets.size())
                       .arg(index);
        for (int each = 0; each < int(sockets.size()); ++each)
            r.choices << each;
    }
    r.chosen = index;
    const json &e = *sockets[std::size_t(index)];
    try {
        const json &request = e.at("request");
        r.url = QString::fromStdString(request.value("url", ""));
        // Some browsers list the upgrade under its http(s):// URL.
        if (r.url.startsWith(QLatin1String("http://"))
            || r.url.startsWith(QLatin1String("https://")))
            r.url.replace(0, 4, QStringLiteral("ws"));
        QList<QPair<QByteArray, QByteArray>> headers;
        for (const json &h : request.value("headers", json::array()))
            headers.append({QByteArray::fromStdString(h.value("name", "")),
                            QByteArray::fromStdString(h.value("value", ""))});
        takeRequestHeaders(headers, r);
        if (const auto response = e.find("response"); response != e.end())
            for (const json &h : response->value("headers", json::array()))
                if (QByteArray::fromStdString(h.value("name", ""))
                            .compare("Sec-WebSocket-Extensions", Qt::CaseInsensitive)
                        == 0
                    && protocol::listContainsToken(h.value("value", ""), "permessage-deflate"))
                    r.deflate = true;
        const json &messages = e.at("_webSocketMessages");
        double firstTime = 0;
        bool first = true;
        int controls = 0;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const json &m = messages[i];
            // What is wrong with message i, named.
            const auto bad = [&](const QString &what) {
                out.error = QStringLiteral("WebSocket entry %1, message %2 of "
                                           "_webSocketMessages: %3")
                                .arg(index)
                                .arg(i)
                                .arg(what);
                return out;
            };
            if (!m.is_object())
                return bad(QStringLiteral("not an object"));
            const auto field = m.find("type");
            if (field == m.end() || !field->is_string())
                return bad(QStringLiteral("no \"type\" (\"send\" or \"receive\")"));
            const std::string type = field->get<std::string>();
            if (type != "send" && type != "receive")
                return bad(QStringLiteral("\"type\" is \"%1\", not \"send\" or \"receive\"")
                               .arg(QString::fromStdString(type)));
            const auto opcodeField = m.find("opcode");
            if (opcodeField != m.end() && !opcodeField->is_number_integer())
                return bad(QStringLiteral("\"opcode\" is not a number"));
            const int opcode = opcodeField == m.end() ? 1 : opcodeField->get<int>();
            if (opcode != 1 && opcode != 2) { // close, ping, pong: not messages
                ++controls;
                continue;
            }
            const auto timeField = m.find("time");
            if (timeField == m.end() || !timeField->is_number())
                return bad(QStringLiteral("\"time\" (seconds) is missing or not a number"));
            const auto dataField = m.find("data");
            if (dataField != m.end() && !dataField->is_string())
                return bad(QStringLiteral("\"data\" is not a string"));
            const double time = timeField->get<double>();
            if (first) {
                firstTime = time;
                first = false;
            }
            RecordedMessage message;
            message.binary = opcode == 2;
            const std::string data
                = dataField == m.end() ? std::string() : dataField->get<std::string>();
            if (message.binary) {
                auto decoded = QByteArray::fromBase64Encoding(
                    QByteArray::fromStdString(data), QByteArray::AbortOnBase64DecodingErrors);
                if (!decoded)
                    return bad(QStringLiteral("binary \"data\" (opcode 2) is not base64"));
                message.data = *decoded;
            } else {
                message.data = QByteArray::fromStdString(data);
            }
            // Seconds as a double: microseconds are what it holds exactly.
            const double seconds = time - firstTime;
            if (!(seconds <= double(kLongestRecordingNs) / 1e9))
                return bad(QStringLiteral("a message is stamped %1 s after the first: the times "
                                          "are broken")
                               .arg(seconds, 0, 'g', 6));
            message.atNs = std::max<std::int64_t>(0, std::llround(seconds * 1e6) * 1000);
            (type == "send" ? r.clientMessages : r.serverMessages).push_back(std::move(message));
        }
        if (controls > 0)
            r.notes << QStringLiteral("%1 of the entry's _webSocketMessages %2 not text or binary "
                                      "(close, ping or pong) and %3 left out")
                           .arg(controls)
                           .arg(controls == 1 ? QStringLiteral("was") : QStringLiteral("were"))
                           .arg(controls == 1 ? QStringLiteral("is") : QStringLiteral("are"));
    } catch (const json::exception &) {
        out.error
            = QStringLiteral("WebSocket entry %1 of the HAR file is not as Chrome writes it (its "
                             "request, url and headers)")
                  .arg(index);
    }
    return refuseEmpty(out);
}

RecordingRead readRecording(const QString &path, std::optional<int> connection)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        RecordingRead out;
        out.error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
        return out;
    }
    // A capture is read frame by frame; a HAR file is one JSON document, read whole.
    constexpr qint64 kMaxHarBytes = qint64{1} << 30;
    const QByteArray start = file.peek(256);
    if (start.contains("\"framescope-capture\"")) {
        file.close();
        const capture::CaptureReadResult capture = capture::readCaptureFile(path.toStdString());
        if (!capture.ok() && capture.frames.empty()) {
            RecordingRead out;
            out.error = QString::fromStdString(capture.error);
            return out;
        }
        RecordingRead out = recordingFromCapture(capture, connection);
        if (!capture.ok() && out.ok())
            out.recording.notes << QStringLiteral("the capture is cut short: %1")
                                       .arg(QString::fromStdString(capture.error));
        else if (capture.truncated && out.ok())
            out.recording.notes << QStringLiteral("the capture's last line was cut off (the "
                                                  "recording was interrupted): the rest is "
                                                  "replayed");
        return out;
    }
    if (file.size() == 0) {
        RecordingRead out;
        out.error = QStringLiteral("the file is empty");
        return out;
    }
    // Not a capture, and not what a HAR file is either: said as neither, not as a broken HAR.
    if (const QByteArray first = start.trimmed(); !first.startsWith('{')) {
        RecordingRead out;
        out.error = QStringLiteral("neither a Framescope capture (its first line is the session "
                                   "line) nor a HAR file (one JSON document)");
        return out;
    }
    if (file.size() > kMaxHarBytes) {
        RecordingRead out;
        out.error = QStringLiteral("%1 is not a capture, and too large for a HAR file (over 1 GiB)")
                        .arg(path);
        return out;
    }
    return recordingFromHar(file.readAll(), connection);
}

} // namespace framescope::replay
