#pragma once

#include "protocolerror.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace framescope::protocol {

namespace CloseCode {
inline constexpr std::uint16_t Normal = 1000;
inline constexpr std::uint16_t GoingAway = 1001;
inline constexpr std::uint16_t ProtocolError = 1002;
inline constexpr std::uint16_t UnsupportedData = 1003;
inline constexpr std::uint16_t NoStatusReceived = 1005; // never on the wire
inline constexpr std::uint16_t AbnormalClosure = 1006;  // never on the wire
inline constexpr std::uint16_t InvalidPayload = 1007;
inline constexpr std::uint16_t PolicyViolation = 1008;
inline constexpr std::uint16_t MessageTooBig = 1009;
inline constexpr std::uint16_t MandatoryExtension = 1010;
inline constexpr std::uint16_t InternalError = 1011;
inline constexpr std::uint16_t TlsHandshake = 1015; // never on the wire
} // namespace CloseCode

inline constexpr std::size_t kMaxCloseReasonBytes = 123; // 125 minus the 2-byte code

// RFC 6455 §7.4.1 and the IANA registry: 1000-1003, 1007-1014 and 3000-4999 may appear on the
// wire. Everything else (0-999, 1004-1006, 1015, 1016-2999, 5000+) is a protocol error.
bool isValidWireCloseCode(std::uint16_t code);

struct ClosePayload
{
    std::optional<std::uint16_t> code; // absent for an empty close body (reported as 1005)
    std::string reason;
};

// Parses and validates a received close frame payload (RFC 6455 §5.5.1, §7.4).
// On error, `out` holds what could be read (the code, the raw reason bytes).
ProtocolError parseClosePayload(std::span<const std::uint8_t> payload, ClosePayload &out);

// Builds a close payload Framescope may send: a valid wire code and a UTF-8 reason of at most
// 123 bytes. Returns nothing otherwise (1005, 1006 and 1015 are never sent). Deliberately
// broken close frames are written with the raw frame encoder instead.
std::optional<std::vector<std::uint8_t>> buildClosePayload(std::uint16_t code,
                                                           std::string_view reason = {});

} // namespace framescope::protocol
