#pragma once

#include <cstdint>
#include <optional>
#include <protocol/framedecoder.h>
#include <protocol/permessagedeflate.h>
#include <string>
#include <vector>

namespace framescope::teaching {

using protocol::DecodedFrame;
using protocol::DeflateParameters;

// A whole WebSocket conversation between a client endpoint and an echo server endpoint, both
// built from this codec and joined by an in-memory byte pipe: the opening handshake, messages
// (fragmented and compressed on request), a ping and the closing handshake. Every byte that
// crosses the pipe is recorded, so the conversation can be shown frame by frame, mask keys and
// all. It is the codec's end-to-end self-check and the teaching demo behind `framescope-cli
// demo` (the seed of the teaching mode on the roadmap); the network client and server build the
// same conversation over TCP.
struct EchoDemoOptions
{
    std::vector<std::string> textMessages{"Hello, Framescope!", "κόσμε — UTF-8 survives the trip"};
    std::vector<std::vector<std::uint8_t>> binaryMessages{{0x00, 0x01, 0xFE, 0xFF}};
    std::size_t fragmentSize = 0; // 0: one frame per message
    bool offerDeflate = false;    // permessage-deflate offer from the client
    std::string pingPayload = "are you there?";
    std::uint16_t closeCode = 1000;
    std::string closeReason = "demo finished";
};

struct EchoDemoStep
{
    enum class Kind : std::uint8_t { HandshakeRequest, HandshakeResponse, Frame, Message, Note };
    Kind kind = Kind::Note;
    bool fromClient = true;
    std::string text;                  // handshake head, message text, or a note
    std::vector<std::uint8_t> wire;    // the frame exactly as it crossed the pipe
    std::optional<DecodedFrame> frame; // parsed header for Frame steps
    std::vector<std::uint8_t> payload; // unmasked payload of the frame (still compressed)
};

struct EchoDemoResult
{
    std::vector<EchoDemoStep> steps;
    std::optional<DeflateParameters> deflate;
    std::size_t messagesEchoed = 0;
    bool closedCleanly = false;
    std::string error; // empty when every message came back byte for byte
    bool ok() const { return error.empty(); }
};

EchoDemoResult runEchoDemo(const EchoDemoOptions &options = {});

} // namespace framescope::teaching
