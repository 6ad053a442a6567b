#pragma once

#include "frameheader.h"
#include "messagehandler.h"
#include "messageinflater.h"
#include "utf8validator.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace framescope::protocol {

struct AssemblerOptions
{
    std::uint64_t maxMessageSize = 64ull << 20; // after inflating
    std::uint32_t maxFragments = 131072;        // empty fragments count
    bool reportMode = false;
};

// The RFC 6455 §5.4 continuation state machine over decoded frames: control frames between
// fragments, UTF-8 checked incrementally across fragments (failing at the first bad byte),
// permessage-deflate inflation, and the message and fragment limits.
class MessageAssembler
{
public:
    MessageAssembler(const AssemblerOptions &options, MessageHandler &handler);
    ~MessageAssembler();

    // Inflate compressed messages from now on, with the peer's window and takeover settings.
    void enableInflate(int windowBits, bool noContextTakeover);

    ProtocolError beginFrame(const FrameHeader &header);
    ProtocolError payload(std::span<const std::uint8_t> unmasked);
    ProtocolError endFrame();

    bool isInMessage() const { return m_inMessage; }

private:
    ProtocolError deliver(std::span<const std::uint8_t> data);
    ProtocolError report(ProtocolError error);
    ProtocolError inflateFailed(ProtocolError error);

    AssemblerOptions m_options;
    MessageHandler &m_handler;
    std::unique_ptr<MessageInflater> m_inflater;
    Utf8Validator m_utf8;

    bool m_inMessage = false;
    bool m_messageIsText = false;
    bool m_messageCompressed = false;
    // Report mode: each kind of violation is reported once per message; a message whose
    // compressed data is corrupt is not inflated further.
    bool m_skipUtf8 = false;
    bool m_reportedTooBig = false;
    bool m_inflateFailed = false;
    std::uint32_t m_fragments = 0;
    std::uint64_t m_messageSize = 0;

    enum class FrameKind : std::uint8_t { Data, Control, Ignored };
    FrameKind m_frameKind = FrameKind::Data;
    bool m_frameFin = false;
    std::uint8_t m_controlOpcode = 0;
    std::uint8_t m_controlSize = 0;
    std::array<std::uint8_t, kMaxControlPayload> m_control{};
};

} // namespace framescope::protocol
