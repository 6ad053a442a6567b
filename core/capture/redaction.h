#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace framescope::capture {

inline constexpr std::string_view kRedacted = "[redacted]";

// What every export hides unless told to keep secrets: the values of Authorization,
// Proxy-Authorization, Cookie and Set-Cookie (and any extra header names), URL userinfo, and the
// values of token-like query parameters (and any extra parameter names).
struct RedactionOptions
{
    bool keepSecrets = false;
    std::vector<std::string> extraHeaders;
    std::vector<std::string> extraQueryParameters;
};

bool isSecretHeader(std::string_view name, const RedactionOptions &options = {});
bool isSecretQueryParameter(std::string_view name, const RedactionOptions &options = {});

// An HTTP head (request or response), line by line, with secret header values replaced.
std::string redactHttpHead(std::string_view head, const RedactionOptions &options = {});

// A URL with userinfo and secret query parameter values replaced.
std::string redactUrl(std::string_view url, const RedactionOptions &options = {});

} // namespace framescope::capture
