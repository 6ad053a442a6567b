#include "protocolerror.h"

#include <bit>

namespace framescope::protocol {

namespace {

struct ErrorInfo
{
    std::uint16_t closeCode;
    std::string_view id;
    std::string_view text;
};

constexpr ErrorInfo kErrors[kProtocolErrorCount] = {
    {1000, "none", "no error"},
    {1002, "reserved-bits", "RSV bit set without a negotiated extension"},
    {1002, "unexpected-compressed-bit", "RSV1 on a control or continuation frame"},
    {1002, "reserved-opcode", "reserved opcode"},
    {1002, "fragmented-control", "control frame with FIN=0"},
    {1002, "control-too-long", "control frame longer than 125 bytes"},
    {1002, "unmasked-client-frame", "client frame is not masked"},
    {1002, "masked-server-frame", "server frame is masked"},
    {1002, "length-top-bit", "64-bit payload length with the most significant bit set"},
    {1002, "non-minimal-length", "payload length not in its minimal encoding"},
    {1009, "frame-too-big", "frame larger than the frame limit"},
    {1009, "message-too-big", "message larger than the message limit"},
    {1009, "too-many-fragments", "more fragments than the per-message limit"},
    {1002, "unexpected-continuation", "continuation frame without a message to continue"},
    {1002, "expected-continuation", "new data frame before the previous message finished"},
    {1007, "invalid-utf8", "text is not valid UTF-8"},
    {1002, "invalid-close-payload", "close frame payload of 1 byte"},
    {1002, "invalid-close-code", "close code that may not be sent on the wire"},
    {1007, "invalid-close-reason", "close reason is not valid UTF-8"},
    {1007, "invalid-compressed-data", "compressed payload is not a valid DEFLATE stream"},
};

const ErrorInfo &info(ProtocolError error)
{
    const auto index = static_cast<std::size_t>(error);
    return index < std::size(kErrors) ? kErrors[index] : kErrors[0];
}

} // namespace

std::uint16_t closeCodeFor(ProtocolError error)
{
    return info(error).closeCode;
}

std::string_view errorId(ProtocolError error)
{
    return info(error).id;
}

std::optional<ProtocolError> errorFromId(std::string_view id)
{
    for (int i = 1; i < kProtocolErrorCount; ++i) {
        if (kErrors[i].id == id)
            return static_cast<ProtocolError>(i);
    }
    return std::nullopt;
}

std::string_view describe(ProtocolError error)
{
    return info(error).text;
}

ProtocolError ViolationSet::first() const
{
    if (m_bits == 0)
        return ProtocolError::None;
    return static_cast<ProtocolError>(std::countr_zero(m_bits));
}

} // namespace framescope::protocol
