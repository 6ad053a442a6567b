#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace framescope::protocol {

// Standard base64 with padding (RFC 4648 §4), done by OpenSSL.
std::string base64Encode(std::span<const std::uint8_t> bytes);
// Nothing when `text` is not padded base64.
std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text);

} // namespace framescope::protocol
