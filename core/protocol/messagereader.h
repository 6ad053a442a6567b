#pragma once

#include "framedecoder.h"
#include "messageassembler.h"
#include "messagehandler.h"
#include "permessagedeflate.h"

#include <cstdint>
#include <span>
#include <vector>

namespace framescope::protocol {

struct ReaderOptions
{
    DecoderOptions decoder;
    AssemblerOptions assembler;
};

// One direction of a connection as received: the frame decoder, unmasking and the message
// assembler in one pipeline. After a fatal violation it stays failed; error() gives the
// violation and closeCodeFor(error()) the code to fail the connection with. After a close frame
// has been received, further bytes are ignored (RFC 6455 §5.5.1).
class MessageReader
{
public:
    MessageReader(const ReaderOptions &options, MessageHandler &handler);

    // permessage-deflate was negotiated: RSV1 becomes legal and compressed messages are inflated.
    void enableDeflate(const DeflateParameters &parameters);

    ProtocolError feed(std::span<const std::uint8_t> bytes);

    bool hasFailed() const { return m_error != ProtocolError::None; }
    ProtocolError error() const { return m_error; }
    bool isCloseReceived() const { return m_closeReceived; }
    const FrameDecoder &decoder() const { return m_decoder; }

private:
    ProtocolError handlePayload(const DecodeEvent &event);

    FrameDecoder m_decoder;
    MessageAssembler m_assembler;
    MessageHandler &m_handler;
    std::vector<std::uint8_t> m_unmasked; // reused scratch buffer, never per frame
    ProtocolError m_error = ProtocolError::None;
    bool m_closeReceived = false;
};

} // namespace framescope::protocol
