#include "closeframe.h"

#include "utf8validator.h"

namespace framescope::protocol {

bool isValidWireCloseCode(std::uint16_t code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
           || (code >= 3000 && code <= 4999);
}

ProtocolError parseClosePayload(std::span<const std::uint8_t> payload, ClosePayload &out)
{
    out = {};
    if (payload.empty())
        return ProtocolError::None;
    // RFC 6455 §5.5.1: a body, if present, starts with a 2-byte code.
    if (payload.size() == 1)
        return ProtocolError::InvalidClosePayload;
    const auto code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    out.code = code;
    const auto reason = payload.subspan(2);
    out.reason.assign(reason.begin(), reason.end());
    if (!isValidWireCloseCode(code))
        return ProtocolError::InvalidCloseCode;
    if (!isValidUtf8(reason))
        return ProtocolError::InvalidCloseReason;
    return ProtocolError::None;
}

std::optional<std::vector<std::uint8_t>> buildClosePayload(std::uint16_t code,
                                                           std::string_view reason)
{
    const auto *bytes = reinterpret_cast<const std::uint8_t *>(reason.data());
    if (!isValidWireCloseCode(code) || reason.size() > kMaxCloseReasonBytes
        || !isValidUtf8({bytes, reason.size()})) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> payload;
    payload.reserve(2 + reason.size());
    payload.push_back(static_cast<std::uint8_t>(code >> 8));
    payload.push_back(static_cast<std::uint8_t>(code));
    payload.insert(payload.end(), bytes, bytes + reason.size());
    return payload;
}

} // namespace framescope::protocol
