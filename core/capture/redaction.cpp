#include "redaction.h"

#include <algorithm>
#include <array>
#include <protocol/httphead.h>

namespace framescope::capture {

namespace {

using protocol::equalsIgnoringCase;

std::string lowered(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    return out;
}

} // namespace

bool isSecretHeader(std::string_view name, const RedactionOptions &options)
{
    static constexpr std::array<std::string_view, 4> kHeaders
        = {"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"};
    for (std::string_view secret : kHeaders) {
        if (equalsIgnoringCase(name, secret))
            return true;
    }
    // The protocol's own fields with such words in their names carry no secret (a nonce and its
    // answer, authentication challenges the Doctor reads).
    static constexpr std::array<std::string_view, 4> kNotSecret
        = {"Sec-WebSocket-Key", "Sec-WebSocket-Accept", "WWW-Authenticate", "Proxy-Authenticate"};
    for (std::string_view plain : kNotSecret) {
        if (equalsIgnoringCase(name, plain))
            return false;
    }
    // Custom headers that carry credentials (X-Auth-Token, X-Api-Key, X-Session-Id, ...).
    const std::string lower = lowered(name);
    for (std::string_view part :
         {"token", "secret", "key", "auth", "password", "session", "signature"}) {
        if (lower.find(part) != std::string::npos)
            return true;
    }
    for (const std::string &extra : options.extraHeaders) {
        if (equalsIgnoringCase(name, extra))
            return true;
    }
    return false;
}

bool isSecretQueryParameter(std::string_view name, const RedactionOptions &options)
{
    const std::string lower = lowered(name);
    // Names that carry credentials in WebSocket URLs (SignalR's access_token, API keys, signed
    // URLs); anything containing "token", "secret" or "password" counts too.
    static constexpr std::array<std::string_view, 14> kExact
        = {"auth",      "authorization", "key", "apikey",  "api_key",   "api-key", "sig",
           "signature", "code",          "jwt", "session", "sessionid", "sid",     "bearer"};
    if (std::find(kExact.begin(), kExact.end(), lower) != kExact.end())
        return true;
    for (std::string_view part : {"token", "secret", "password", "passwd"}) {
        if (lower.find(part) != std::string::npos)
            return true;
    }
    for (const std::string &extra : options.extraQueryParameters) {
        if (equalsIgnoringCase(name, extra))
            return true;
    }
    return false;
}

std::string redactHttpHead(std::string_view head, const RedactionOptions &options)
{
    if (options.keepSecrets)
        return std::string(head);
    std::string out;
    out.reserve(head.size());
    bool firstLine = true;
    while (!head.empty()) {
        const std::size_t newline = head.find('\n');
        const std::string_view line
            = head.substr(0, newline == std::string_view::npos ? head.size() : newline + 1);
        head.remove_prefix(line.size());
        const std::size_t colon = line.find(':');
        if (firstLine) {
            // The request line's target may carry a token in its query.
            const std::size_t space1 = line.find(' ');
            const std::size_t space2
                = space1 == std::string_view::npos ? space1 : line.find(' ', space1 + 1);
            if (space2 != std::string_view::npos && line.substr(0, 5) != "HTTP/") {
                out += line.substr(0, space1 + 1);
                out += redactUrl(line.substr(space1 + 1, space2 - space1 - 1), options);
                out += line.substr(space2);
            } else {
                out += line;
            }
            firstLine = false;
        } else if (colon != std::string_view::npos
                   && isSecretHeader(line.substr(0, colon), options)) {
            out += line.substr(0, colon + 1);
            out += ' ';
            out += kRedacted;
            out += line.ends_with("\r\n") ? "\r\n" : line.ends_with('\n') ? "\n" : "";
        } else {
            out += line;
        }
    }
    return out;
}

std::string redactUrl(std::string_view url, const RedactionOptions &options)
{
    if (options.keepSecrets)
        return std::string(url);
    std::string out;
    // scheme://userinfo@host...
    const std::size_t schemeEnd = url.find("://");
    std::size_t authorityStart = schemeEnd == std::string_view::npos ? 0 : schemeEnd + 3;
    if (schemeEnd != std::string_view::npos) {
        const std::size_t authorityEnd = url.find_first_of("/?#", authorityStart);
        const std::string_view authority = url.substr(
            authorityStart, authorityEnd == std::string_view::npos ? std::string_view::npos
                                                                   : authorityEnd - authorityStart);
        const std::size_t at = authority.rfind('@');
        out += url.substr(0, authorityStart);
        if (at != std::string_view::npos) {
            out += kRedacted;
            out += '@';
            authorityStart += at + 1;
        }
    }
    std::string_view rest = url.substr(authorityStart);
    const std::size_t query = rest.find('?');
    if (query == std::string_view::npos) {
        out += rest;
        return out;
    }
    out += rest.substr(0, query + 1);
    rest.remove_prefix(query + 1);
    const std::size_t hash = rest.find('#');
    const std::string_view fragment
        = hash == std::string_view::npos ? std::string_view() : rest.substr(hash);
    rest = rest.substr(0, hash);
    bool first = true;
    while (true) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        if (!first)
            out += '&';
        first = false;
        const std::size_t equals = pair.find('=');
        if (equals != std::string_view::npos
            && isSecretQueryParameter(pair.substr(0, equals), options)) {
            out += pair.substr(0, equals + 1);
            out += kRedacted;
        } else {
            out += pair;
        }
        if (amp == std::string_view::npos)
            break;
        rest.remove_prefix(amp + 1);
    }
    out += fragment;
    return out;
}

} // namespace framescope::capture
