#include "echodemoreport.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <protocol/frameheader.h>
#include <sstream>

namespace framescope::teaching {

namespace {

std::string hex(const std::vector<std::uint8_t> &bytes, std::size_t limit, bool spaced)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    const std::size_t shown = std::min(bytes.size(), limit);
    for (std::size_t i = 0; i < shown; ++i) {
        if (spaced && i > 0)
            text += ' ';
        text += kDigits[bytes[i] >> 4];
        text += kDigits[bytes[i] & 0xF];
    }
    if (bytes.size() > limit)
        text += spaced ? " …" : "";
    return text;
}

std::string preview(const EchoDemoStep &step)
{
    const auto &payload = step.payload;
    const std::uint8_t opcode = step.frame->header.opcode;
    if (opcode == 0x8 && payload.size() >= 2) {
        const int code = (payload[0] << 8) | payload[1];
        return "code " + std::to_string(code) + " \""
               + std::string(payload.begin() + 2, payload.end()) + '"';
    }
    // The demo's own messages: text, pings and pongs print as they are (compressed ones do not).
    const bool printable
        = !step.frame->header.rsv1 && (opcode == 0x1 || opcode == 0x9 || opcode == 0xA);
    if (printable)
        return '"' + std::string(payload.begin(), payload.end()) + '"';
    return hex(payload, 16, true);
}

std::string_view kindName(EchoDemoStep::Kind kind)
{
    switch (kind) {
    case EchoDemoStep::Kind::Note:
        return "note";
    case EchoDemoStep::Kind::Message:
        return "message";
    case EchoDemoStep::Kind::Frame:
        return "frame";
    case EchoDemoStep::Kind::HandshakeRequest:
    case EchoDemoStep::Kind::HandshakeResponse:
        return "handshake";
    }
    return "note";
}

} // namespace

std::string formatEchoDemo(const EchoDemoResult &result)
{
    std::ostringstream out;
    out << "Framescope echo round trip (client and echo server in one process, joined by a byte "
           "pipe)\n\n";
    for (const EchoDemoStep &step : result.steps) {
        const char *arrow = step.fromClient ? "C→S" : "S→C";
        switch (step.kind) {
        case EchoDemoStep::Kind::HandshakeRequest:
        case EchoDemoStep::Kind::HandshakeResponse: {
            out << arrow << "  handshake\n";
            std::string_view head = step.text;
            while (!head.empty() && (head.back() == '\r' || head.back() == '\n'))
                head.remove_suffix(1);
            for (std::size_t start = 0; start <= head.size();) {
                const std::size_t end = std::min(head.find("\r\n", start), head.size());
                out << "       " << head.substr(start, end - start) << '\n';
                start = end + 2;
            }
            break;
        }
        case EchoDemoStep::Kind::Frame:
            out << arrow << "  " << protocol::describeHeader(step.frame->header) << "  "
                << preview(step) << '\n'
                << "       wire " << hex(step.wire, 24, true) << '\n';
            break;
        case EchoDemoStep::Kind::Message:
            out << "       " << step.text << '\n';
            break;
        case EchoDemoStep::Kind::Note:
            out << "  --   " << step.text << '\n';
            break;
        }
    }
    out << '\n';
    if (result.ok())
        out << "OK: " << result.messagesEchoed
            << (result.messagesEchoed == 1 ? " message" : " messages")
            << " echoed byte for byte, ping answered, closed cleanly.\n";
    else
        out << "FAILED: " << result.error << '\n';
    return out.str();
}

std::string echoDemoJson(const EchoDemoResult &result)
{
    using nlohmann::json;
    json steps = json::array();
    for (const EchoDemoStep &step : result.steps) {
        json object;
        object["direction"] = step.fromClient ? "client-to-server" : "server-to-client";
        object["type"] = kindName(step.kind);
        if (step.frame) {
            const protocol::FrameHeader &h = step.frame->header;
            object["fin"] = h.fin;
            object["rsv1"] = h.rsv1;
            object["rsv2"] = h.rsv2;
            object["rsv3"] = h.rsv3;
            object["opcode"] = int(h.opcode);
            object["masked"] = h.masked;
            if (h.masked)
                object["maskKey"] = hex({h.maskKey.begin(), h.maskKey.end()}, 4, false);
            object["payloadLength"] = h.payloadLength;
            object["headerSize"] = int(step.frame->headerSize);
            object["wire"] = hex(step.wire, step.wire.size(), false);
        } else {
            object["text"] = step.text;
        }
        steps.push_back(std::move(object));
    }
    json root;
    root["steps"] = std::move(steps);
    root["messagesEchoed"] = result.messagesEchoed;
    root["closedCleanly"] = result.closedCleanly;
    root["ok"] = result.ok();
    if (!result.ok())
        root["error"] = result.error;
    return root.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace framescope::teaching
