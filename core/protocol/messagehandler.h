#pragma once

#include "framedecoder.h"
#include "protocolerror.h"

#include <cstdint>
#include <span>

namespace framescope::protocol {

// Receives what a MessageReader decodes, in wire order. Data arrives unmasked and inflated, in
// pieces that are only valid during the call: the handler copies what it keeps.
class MessageHandler
{
public:
    virtual ~MessageHandler() = default;

    virtual void frameStarted(const DecodedFrame &) {}
    virtual void frameFinished() {}
    virtual void messageStarted(Opcode /*opcode*/, bool /*compressed*/) {}
    virtual void messageData(std::span<const std::uint8_t> data) = 0;
    // Where the reader may unmask the next at most `size` payload bytes of the current frame,
    // so that they are copied once, into the handler's storage; a span shorter than `size` takes
    // that many. Empty: the reader unmasks into its own buffer. What the reader delivers from
    // this memory (messageData) is this span itself.
    virtual std::span<std::uint8_t> payloadTarget(std::size_t /*size*/) { return {}; }
    virtual void messageFinished() = 0;
    // Ping, pong or close, with the whole payload. A close payload has been validated.
    virtual void controlFrameReceived(Opcode opcode, std::span<const std::uint8_t> payload) = 0;
    // Report mode only: a violation that did not stop decoding.
    virtual void violationFound(ProtocolError) {}
};

} // namespace framescope::protocol
