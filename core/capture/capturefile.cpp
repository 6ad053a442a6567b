#include "capturefile.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <ostream>
#include <platform/durablefile.h>
#include <protocol/base64.h>
#include <protocol/protocolerror.h>
#include <protocol/utf8validator.h>

namespace framescope::capture {

using nlohmann::json;

namespace {

std::string hex(const protocol::MaskKey &key)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t byte : key) {
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0F];
    }
    return out;
}

std::optional<protocol::MaskKey> parseMaskKey(const std::string &text)
{
    if (text.size() != 8)
        return std::nullopt;
    protocol::MaskKey key{};
    for (std::size_t i = 0; i < 4; ++i) {
        unsigned value = 0;
        for (std::size_t j = 0; j < 2; ++j) {
            const char c = text[2 * i + j];
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                value |= unsigned(c - 'a' + 10);
            else
                return std::nullopt;
        }
        key[i] = std::uint8_t(value);
    }
    return key;
}

const char *lengthFormName(protocol::LengthForm form)
{
    switch (form) {
    case protocol::LengthForm::Extended16:
        return "16";
    case protocol::LengthForm::Extended64:
        return "64";
    default:
        return "7";
    }
}

std::optional<protocol::LengthForm> lengthFormFromName(const std::string &name)
{
    if (name == "7")
        return protocol::LengthForm::Short7;
    if (name == "16")
        return protocol::LengthForm::Extended16;
    if (name == "64")
        return protocol::LengthForm::Extended64;
    return std::nullopt;
}

std::map<std::string, std::string>
redactedOptions(const std::map<std::string, std::string> &options,
                const RedactionOptions &redaction)
{
    std::map<std::string, std::string> out;
    for (const auto &[name, value] : options) {
        // Header options are "header:Name"; the URL and proxy may carry credentials.
        const bool secretHeader
            = name.starts_with("header:") && isSecretHeader(name.substr(7), redaction);
        const bool secretName = isSecretQueryParameter(name, redaction);
        if (!redaction.keepSecrets && (secretHeader || secretName))
            out[name] = std::string(kRedacted);
        else if (name == "url" || name == "proxy")
            out[name] = redactUrl(value, redaction);
        else
            out[name] = value;
    }
    return out;
}

} // namespace

std::string sessionLine(const SessionInfo &session, const RedactionOptions &redaction)
{
    json line;
    line["format"] = kCaptureFormat;
    line["version"] = kCaptureVersion;
    line["tool"] = session.tool;
    line["session"] = {
        {"url", redactUrl(session.url, redaction)},
        {"startedAtUnixMs", session.startedAtUnixMs},
        {"subprotocol", session.subprotocol},
        {"extensions", session.extensions},
        {"options", redactedOptions(session.options, redaction)},
    };
    line["handshake"] = {
        {"request", redactHttpHead(session.handshakeRequest, redaction)},
        {"response", redactHttpHead(session.handshakeResponse, redaction)},
    };
    if (!session.phasesNs.empty())
        line["handshake"]["phasesNs"] = session.phasesNs;
    if (session.openedNs != 0)
        line["handshake"]["openedNs"] = session.openedNs;
    line["tls"] = session.tls;
    return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string frameLine(std::uint64_t id, const FrameRecord &record,
                      const std::vector<std::uint8_t> *payload)
{
    json line;
    line["type"] = "frame";
    line["id"] = id;
    line["dir"] = record.has(FrameRecord::Sent) ? "sent" : "received";
    if (record.connection != 0)
        line["conn"] = record.connection;
    line["startNs"] = record.startNs;
    line["endNs"] = record.endNs;
    line["fin"] = record.has(FrameRecord::Fin);
    line["rsv1"] = record.has(FrameRecord::Rsv1);
    line["rsv2"] = record.has(FrameRecord::Rsv2);
    line["rsv3"] = record.has(FrameRecord::Rsv3);
    line["opcode"] = record.opcode;
    line["masked"] = record.has(FrameRecord::Masked);
    if (record.has(FrameRecord::Masked))
        line["maskKey"] = hex(record.maskKey);
    line["length"] = record.payloadLength;
    line["lengthForm"] = lengthFormName(record.lengthForm);
    line["headerSize"] = record.headerSize;
    line["compressed"] = record.has(FrameRecord::Compressed);
    line["stored"] = payload ? std::uint64_t(payload->size()) : std::uint64_t(record.storedLength);
    json violations = json::array();
    for (std::uint32_t bits = record.violations; bits != 0; bits &= bits - 1)
        violations.push_back(
            protocol::errorId(static_cast<protocol::ProtocolError>(std::countr_zero(bits))));
    line["violations"] = violations;
    if (!payload) {
        line["payloadEvicted"] = true;
    } else if (protocol::isValidUtf8(*payload)) {
        line["text"] = std::string(payload->begin(), payload->end());
    } else {
        line["base64"] = protocol::base64Encode(*payload);
    }
    return line.dump();
}

std::string eventLine(const CaptureEvent &event)
{
    json line;
    line["type"] = "event";
    line["timeNs"] = event.timeNs;
    line["event"] = eventKindName(event.kind);
    if (event.connection != 0)
        line["conn"] = event.connection;
    if (event.code)
        line["code"] = *event.code;
    if (!event.reason.empty())
        line["reason"] = event.reason;
    if (!event.detail.empty())
        line["detail"] = event.detail;
    return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

void writeCapture(std::ostream &out, const SessionInfo &session, const FrameStore &store,
                  const std::vector<CaptureEvent> &events, const RedactionOptions &redaction)
{
    out << sessionLine(session, redaction) << '\n';
    std::vector<std::uint8_t> payload;
    auto nextEvent = events.begin();
    const std::uint64_t end = store.endId().value;
    for (std::uint64_t id = store.firstId().value; id < end; ++id) {
        const std::optional<FrameRecord> record = store.record({id});
        if (!record)
            continue; // evicted while exporting
        while (nextEvent != events.end() && nextEvent->timeNs < record->endNs)
            out << eventLine(*nextEvent++) << '\n';
        const bool kept = !record->has(FrameRecord::PayloadDropped) && store.payload({id}, payload);
        out << frameLine(id, *record, kept ? &payload : nullptr) << '\n';
    }
    for (; nextEvent != events.end(); ++nextEvent)
        out << eventLine(*nextEvent) << '\n';
}

std::string writeFileAtomically(const std::string &path, std::string_view content)
{
    // A name of its own beside the target (same file system, so the rename is one step).
    const std::string temporary
        = path + ".tmp-"
          + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    platform::DurableFile file;
    std::string error = file.open(temporary);
    if (error.empty())
        error = file.append(content);
    if (error.empty())
        error = file.sync();
    if (const std::string closed = file.close(); error.empty())
        error = closed;
    if (error.empty())
        error = platform::replaceFile(temporary, path);
    if (!error.empty()) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
    }
    return error;
}

namespace {

// Reads one frame line; returns an error text or empty.
std::string parseFrame(const json &line, CapturedFrame &frame)
{
    FrameRecord &r = frame.record;
    const std::string dir = line.at("dir").get<std::string>();
    if (dir != "sent" && dir != "received")
        return "dir must be sent or received";
    r.set(FrameRecord::Sent, dir == "sent");
    r.connection = line.value("conn", std::uint32_t{0});
    frame.id = line.value("id", std::uint64_t{0});
    r.startNs = line.at("startNs").get<std::int64_t>();
    r.endNs = line.at("endNs").get<std::int64_t>();
    r.set(FrameRecord::Fin, line.at("fin").get<bool>());
    r.set(FrameRecord::Rsv1, line.at("rsv1").get<bool>());
    r.set(FrameRecord::Rsv2, line.at("rsv2").get<bool>());
    r.set(FrameRecord::Rsv3, line.at("rsv3").get<bool>());
    const int opcode = line.at("opcode").get<int>();
    if (opcode < 0 || opcode > 15)
        return "opcode out of range";
    r.opcode = std::uint8_t(opcode);
    r.set(FrameRecord::Masked, line.at("masked").get<bool>());
    if (r.has(FrameRecord::Masked)) {
        const auto key = parseMaskKey(line.at("maskKey").get<std::string>());
        if (!key)
            return "maskKey must be 8 hex digits";
        r.maskKey = *key;
    }
    // Read as unsigned, a negative number would wrap around.
    if (!line.at("length").is_number_unsigned())
        return "length must be a whole number, 0 or more";
    r.payloadLength = line.at("length").get<std::uint64_t>();
    const auto form = lengthFormFromName(line.at("lengthForm").get<std::string>());
    if (!form)
        return "lengthForm must be 7, 16 or 64";
    r.lengthForm = *form;
    const int headerSize = line.at("headerSize").get<int>();
    if (headerSize < 2 || headerSize > 14)
        return "headerSize out of range";
    r.headerSize = std::uint8_t(headerSize);
    r.set(FrameRecord::Compressed, line.at("compressed").get<bool>());
    for (const json &id : line.at("violations")) {
        const auto error = protocol::errorFromId(id.get<std::string>());
        if (!error)
            return "unknown violation " + id.get<std::string>();
        r.violations |= 1u << static_cast<unsigned>(*error);
    }
    if (line.contains("text")) {
        const std::string text = line["text"].get<std::string>();
        frame.payload.assign(text.begin(), text.end());
    } else if (line.contains("base64")) {
        const auto decoded = protocol::base64Decode(line["base64"].get<std::string>());
        if (!decoded)
            return "base64 payload does not decode";
        frame.payload = *decoded;
    } else {
        frame.payloadEvicted = line.value("payloadEvicted", false);
        if (!frame.payloadEvicted)
            return "frame without payload";
    }
    if (!line.at("stored").is_number_unsigned())
        return "stored must be a whole number, 0 or more";
    r.storedLength = std::uint32_t(frame.payload.size());
    if (!frame.payloadEvicted && line.at("stored").get<std::uint64_t>() != frame.payload.size())
        return "stored size does not match the payload";
    if (frame.payloadEvicted) {
        r.storedLength = line.at("stored").get<std::uint32_t>();
        r.set(FrameRecord::PayloadDropped);
    }
    return {};
}

} // namespace

CaptureReadResult readCapture(std::istream &in)
{
    CaptureReadResult result;
    std::string text;
    std::size_t lineNumber = 0;
    auto fail = [&result, &lineNumber](const std::string &what) {
        result.error = "line " + std::to_string(lineNumber) + ": " + what;
        return result;
    };
    while (std::getline(in, text)) {
        ++lineNumber;
        const bool lastLineCut = in.eof(); // no newline after it: written while crashing
        if (text.empty())
            continue;
        json line = json::parse(text, nullptr, false);
        if (line.is_discarded() || !line.is_object()) {
            if (lastLineCut && lineNumber > 1) {
                result.truncated = true;
                break;
            }
            return fail("not a JSON object");
        }
        try {
            if (lineNumber == 1) {
                if (line.value("format", "") != kCaptureFormat)
                    return fail("not a Framescope capture");
                if (line.at("version").get<int>() > kCaptureVersion)
                    return fail("capture version " + std::to_string(line["version"].get<int>())
                                + " is newer than this Framescope reads");
                SessionInfo &s = result.session;
                s.tool = line.value("tool", "");
                const json &session = line.at("session");
                s.url = session.value("url", "");
                s.startedAtUnixMs = session.value("startedAtUnixMs", std::int64_t{0});
                s.subprotocol = session.value("subprotocol", "");
                s.extensions = session.value("extensions", "");
                s.options = session.value("options", std::map<std::string, std::string>{});
                s.handshakeRequest = line.at("handshake").value("request", "");
                s.handshakeResponse = line.at("handshake").value("response", "");
                s.phasesNs
                    = line.at("handshake").value("phasesNs", std::map<std::string, std::int64_t>{});
                s.openedNs = line.at("handshake").value("openedNs", std::int64_t{0});
                s.tls = line.value("tls", std::map<std::string, std::string>{});
                continue;
            }
            const std::string type = line.at("type").get<std::string>();
            if (type == "frame") {
                CapturedFrame frame;
                if (const std::string error = parseFrame(line, frame); !error.empty())
                    return fail(error);
                result.frames.push_back(std::move(frame));
            } else if (type == "event") {
                CaptureEvent event;
                event.timeNs = line.at("timeNs").get<std::int64_t>();
                const std::string kind = line.at("event").get<std::string>();
                const std::optional<EventKind> known = eventKindFromName(kind);
                if (!known)
                    return fail("unknown event kind " + kind);
                event.kind = *known;
                if (line.contains("code"))
                    event.code = line["code"].get<std::uint16_t>();
                event.reason = line.value("reason", "");
                event.detail = line.value("detail", "");
                event.connection = line.value("conn", std::uint32_t{0});
                result.events.push_back(std::move(event));
            } else {
                return fail("unknown line type " + type);
            }
        } catch (const json::exception &e) {
            return fail(std::string("bad field: ") + e.what());
        }
    }
    if (lineNumber == 0)
        result.error = "empty file";
    return result;
}

CaptureReadResult readCaptureFile(const std::string &path)
{
    CaptureReadResult result;
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) { // opens, and reads as an empty file
        result.error = "a folder, not a capture file";
        return result;
    }
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        result.error = errno != 0 ? std::strerror(errno) : "cannot be opened";
        return result;
    }
    return readCapture(in);
}

void importFrames(const std::vector<CapturedFrame> &frames, FrameStore &store)
{
    for (const CapturedFrame &frame : frames) {
        store.beginFrame();
        store.appendPayload(frame.payload);
        store.finishFrame(frame.record, frame.record.endNs);
    }
}

// ---- journal ----

CaptureJournal::~CaptureJournal()
{
    if (m_file.isOpen())
        flush(true);
}

std::string CaptureJournal::partialPath(const std::string &path)
{
    return path + ".partial";
}

std::string CaptureJournal::open(const std::string &path, const SessionInfo &session,
                                 const RedactionOptions &redaction, std::int64_t flushIntervalNs)
{
    m_path = path;
    m_flushIntervalNs = flushIntervalNs;
    if (std::string error = m_file.open(partialPath(path)); !error.empty())
        return error;
    m_buffer = sessionLine(session, redaction) + '\n';
    return flush(true);
}

void CaptureJournal::addFrame(std::uint64_t id, const FrameRecord &record,
                              const std::vector<std::uint8_t> *payload)
{
    m_buffer += frameLine(id, record, payload);
    m_buffer += '\n';
    ++m_lines;
}

void CaptureJournal::addEvent(const CaptureEvent &event)
{
    m_buffer += eventLine(event);
    m_buffer += '\n';
    ++m_lines;
}

void CaptureJournal::addLine(std::string_view line)
{
    m_buffer += line;
    m_buffer += '\n';
    ++m_lines;
}

void CaptureJournal::addLateLine(std::string_view line, std::int64_t timeNs, bool event)
{
    if (m_lateBytes + line.size() <= kMaxLateBytes) {
        m_late.push_back({m_lines, timeNs, event, std::string(line)});
        m_lateBytes += line.size();
    }
    addLine(line);
}

std::string CaptureJournal::flushIfDue(std::int64_t nowNs)
{
    constexpr std::size_t kWriteAtBytes = std::size_t{4} << 20;
    if (nowNs - m_lastFlushNs < m_flushIntervalNs)
        return m_buffer.size() >= kWriteAtBytes ? flush(false) : std::string();
    m_lastFlushNs = nowNs;
    return flush(true);
}

std::string CaptureJournal::flush(bool sync)
{
    if (!m_file.isOpen())
        return "journal is not open";
    std::size_t written = 0;
    const std::string error = m_file.append(m_buffer, &written);
    m_buffer.erase(0, written); // what did not go in is tried again on the next flush
    if (!error.empty())
        return error;
    return sync ? m_file.sync() : std::string();
}

namespace {

// A journal line's time, read without parsing the line: a frame's "endNs", else an event's
// "timeNs". (A payload or a detail holding those words has its quotes escaped.)
std::optional<std::pair<std::int64_t, bool>> lineTime(std::string_view line)
{
    for (const auto &[key, event] : {std::pair{std::string_view("\"endNs\":"), false},
                                     std::pair{std::string_view("\"timeNs\":"), true}}) {
        const std::size_t at = line.find(key);
        if (at == std::string_view::npos)
            continue;
        std::int64_t value = 0;
        const char *first = line.data() + at + key.size();
        if (std::from_chars(first, line.data() + line.size(), value).ec != std::errc())
            return std::nullopt;
        return std::pair{value, event};
    }
    return std::nullopt;
}

} // namespace

// Copies the journal `from` to `to` with each late line moved back to its place: before the
// first line after it in time (frames before events at the same time; among late lines, the
// order they came in).
std::string CaptureJournal::putLateLinesInPlace(const std::string &from, const std::string &to)
{
    auto earlier = [](const LateLine &a, const LateLine &b) {
        if (a.timeNs != b.timeNs)
            return a.timeNs < b.timeNs;
        return !a.event && b.event;
    };
    std::vector<std::uint64_t> skipped; // journal indexes of the late lines, in order
    skipped.reserve(m_late.size());
    for (const LateLine &line : m_late)
        skipped.push_back(line.index);
    std::stable_sort(m_late.begin(), m_late.end(), earlier);

    std::ifstream in(from, std::ios::binary);
    if (!in)
        return "cannot read " + from + " to put its late lines in place";
    platform::DurableFile out;
    if (std::string error = out.open(to); !error.empty())
        return error;
    std::string line;
    std::string pending;
    auto late = m_late.begin();
    auto skip = skipped.begin();
    std::uint64_t index = 0;
    bool first = true;
    auto write = [&](std::string_view text) -> std::string {
        pending += text;
        pending += '\n';
        if (pending.size() < (std::size_t{1} << 20))
            return {};
        std::string error = out.append(pending);
        pending.clear();
        return error;
    };
    while (std::getline(in, line)) {
        if (first) { // the session line
            first = false;
            if (std::string error = write(line); !error.empty())
                return error;
            continue;
        }
        const std::uint64_t at = index++;
        if (skip != skipped.end() && *skip == at) {
            ++skip;
            continue;
        }
        if (const auto time = lineTime(line)) {
            const LateLine here{0, time->first, time->second, {}};
            for (; late != m_late.end() && earlier(*late, here); ++late)
                if (std::string error = write(late->text); !error.empty())
                    return error;
        }
        if (std::string error = write(line); !error.empty())
            return error;
    }
    for (; late != m_late.end(); ++late)
        if (std::string error = write(late->text); !error.empty())
            return error;
    if (std::string error = out.append(pending); !error.empty())
        return error;
    if (std::string error = out.sync(); !error.empty())
        return error;
    if (std::string error = out.close(); !error.empty())
        return error;
    std::error_code ignored;
    std::filesystem::remove(from, ignored);
    return {};
}

std::string CaptureJournal::finish()
{
    if (const std::string error = flush(true); !error.empty())
        return error;
    if (std::string error = m_file.close(); !error.empty())
        return error;
    if (!m_late.empty()) {
        const std::string sorted = m_path + ".sorting";
        if (std::string error = putLateLinesInPlace(partialPath(m_path), sorted); !error.empty())
            return error;
        m_late.clear();
        return platform::replaceFile(sorted, m_path);
    }
    return platform::replaceFile(partialPath(m_path), m_path);
}

} // namespace framescope::capture
