#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace framescope::protocol {

struct ExtensionParameter
{
    std::string name;
    std::optional<std::string> value; // unquoted
    friend bool operator==(const ExtensionParameter &, const ExtensionParameter &) = default;
};

struct ExtensionOffer
{
    std::string name;
    std::vector<ExtensionParameter> parameters;
    friend bool operator==(const ExtensionOffer &, const ExtensionOffer &) = default;
};

struct ExtensionParseResult
{
    std::vector<ExtensionOffer> extensions;
    std::string error; // empty on success
    bool ok() const { return error.empty(); }
};

// Parses a Sec-WebSocket-Extensions value (RFC 6455 §9.1) in linear time. Several header lines
// are joined with ", " by the caller. A quoted value must be a token once unquoted (§9.1).
ExtensionParseResult parseExtensionHeader(std::string_view value);

// Formats extensions back into a header value: "name; p; q=v, other".
std::string formatExtensionHeader(const std::vector<ExtensionOffer> &extensions);

// RFC 7230 §3.2.6 token characters.
bool isTokenChar(char c);
bool isToken(std::string_view text);

} // namespace framescope::protocol
