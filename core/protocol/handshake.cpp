#include "handshake.h"

#include "base64.h"
#include "masking.h"

#include <array>
#include <openssl/evp.h>
#include <openssl/sha.h>

namespace framescope::protocol {

namespace {

void appendHeader(std::string &out, std::string_view name, std::string_view value)
{
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

std::string join(const std::vector<std::string> &items)
{
    std::string out;
    for (const std::string &item : items) {
        if (!out.empty())
            out += ", ";
        out += item;
    }
    return out;
}

} // namespace

std::string computeAcceptKey(std::string_view key)
{
    std::string input(key);
    input += kWebSocketGuid;
    std::array<std::uint8_t, SHA_DIGEST_LENGTH> digest{};
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha1(), nullptr);
    return base64Encode({digest.data(), length});
}

std::optional<std::string> generateClientKey()
{
    std::array<std::uint8_t, 16> nonce{};
    if (!randomBytes(nonce))
        return std::nullopt;
    return base64Encode(nonce);
}

bool isValidClientKey(std::string_view key)
{
    // RFC 6455 §4.2.1: base64 of exactly 16 bytes.
    const auto decoded = base64Decode(key);
    return decoded && decoded->size() == 16;
}

std::string buildClientRequest(const ClientRequest &request)
{
    std::string out;
    out.reserve(256);
    out += "GET ";
    out += request.resource.empty() ? std::string_view("/") : std::string_view(request.resource);
    out += " HTTP/1.1\r\n";
    appendHeader(out, "Host", request.host);
    appendHeader(out, "Upgrade", "websocket");
    appendHeader(out, "Connection", "Upgrade");
    appendHeader(out, "Sec-WebSocket-Key", request.key);
    appendHeader(out, "Sec-WebSocket-Version", "13");
    if (!request.origin.empty())
        appendHeader(out, "Origin", request.origin);
    if (!request.subprotocols.empty())
        appendHeader(out, "Sec-WebSocket-Protocol", join(request.subprotocols));
    if (!request.extensions.empty())
        appendHeader(out, "Sec-WebSocket-Extensions", formatExtensionHeader(request.extensions));
    for (const HttpHeader &header : request.extraHeaders)
        appendHeader(out, header.name, header.value);
    out += "\r\n";
    return out;
}

std::string_view describe(HandshakeError error)
{
    switch (error) {
    case HandshakeError::None:
        return "no error";
    case HandshakeError::MalformedHead:
        return "malformed HTTP head";
    case HandshakeError::UnexpectedStatus:
        return "the server did not answer 101 Switching Protocols";
    case HandshakeError::MissingUpgrade:
        return "Upgrade: websocket is missing";
    case HandshakeError::MissingConnection:
        return "Connection: Upgrade is missing";
    case HandshakeError::MissingAccept:
        return "Sec-WebSocket-Accept is missing";
    case HandshakeError::WrongAccept:
        return "Sec-WebSocket-Accept does not match the key";
    case HandshakeError::SubprotocolNotOffered:
        return "the server selected a subprotocol that was not offered";
    case HandshakeError::ExtensionNotOffered:
        return "the server accepted an extension that was not offered";
    case HandshakeError::InvalidExtensionHeader:
        return "invalid Sec-WebSocket-Extensions";
    case HandshakeError::BadMethod:
        return "the upgrade request is not a GET";
    case HandshakeError::BadHttpVersion:
        return "the upgrade request is not HTTP/1.1 or later";
    case HandshakeError::MissingHost:
        return "Host is missing";
    case HandshakeError::MissingKey:
        return "Sec-WebSocket-Key is missing or not 16 bytes in base64";
    case HandshakeError::UnsupportedVersion:
        return "Sec-WebSocket-Version is not 13";
    }
    return "unknown error";
}

ClientHandshakeResult checkServerResponse(const HttpHead &response, const ClientRequest &request,
                                          const std::optional<DeflateOffer> &deflateOffer)
{
    ClientHandshakeResult result;
    auto fail = [&result](HandshakeError error, std::string detail) {
        result.error = error;
        result.detail = std::move(detail);
        return result;
    };
    // RFC 6455 §4.1, the client's checks in the order the RFC lists them.
    if (response.status != 101)
        return fail(HandshakeError::UnexpectedStatus,
                    "status " + std::to_string(response.status) + " " + response.reason);
    const auto upgrade = response.joined("Upgrade");
    if (!upgrade || !listContainsToken(*upgrade, "websocket"))
        return fail(HandshakeError::MissingUpgrade, upgrade ? "Upgrade: " + *upgrade : "");
    const auto connection = response.joined("Connection");
    if (!connection || !listContainsToken(*connection, "upgrade"))
        return fail(HandshakeError::MissingConnection,
                    connection ? "Connection: " + *connection : "");
    const std::string *accept = response.find("Sec-WebSocket-Accept");
    if (!accept)
        return fail(HandshakeError::MissingAccept, {});
    const std::string expected = computeAcceptKey(request.key);
    if (*accept != expected)
        return fail(HandshakeError::WrongAccept, "expected " + expected + ", got " + *accept);

    if (const auto protocol = response.joined("Sec-WebSocket-Protocol")) {
        bool offered = false;
        for (const std::string &candidate : request.subprotocols)
            offered = offered || candidate == *protocol;
        if (!offered)
            return fail(HandshakeError::SubprotocolNotOffered,
                        "Sec-WebSocket-Protocol: " + *protocol);
        result.subprotocol = *protocol;
    }

    if (const auto extensions = response.joined("Sec-WebSocket-Extensions")) {
        result.extensions = *extensions;
        const ExtensionParseResult parsed = parseExtensionHeader(*extensions);
        if (!parsed.ok())
            return fail(HandshakeError::InvalidExtensionHeader, parsed.error);
        for (const ExtensionOffer &extension : parsed.extensions) {
            // RFC 6455 §4.1 item 5: an extension not requested fails the connection.
            if (extension.name != kPerMessageDeflate || !deflateOffer || result.deflate)
                return fail(HandshakeError::ExtensionNotOffered, extension.name);
            const DeflateNegotiation negotiation = checkDeflateResponse(extension, *deflateOffer);
            if (!negotiation.agreed)
                return fail(HandshakeError::InvalidExtensionHeader, negotiation.error);
            result.deflate = negotiation.agreed;
        }
    }
    return result;
}

ServerHandshakeResult checkClientRequest(const HttpHead &request)
{
    ServerHandshakeResult result;
    auto fail = [&result](HandshakeError error, std::string detail, int status = 400) {
        result.error = error;
        result.detail = std::move(detail);
        result.status = status;
        return result;
    };
    // RFC 6455 §4.2.1, in the RFC's order.
    if (request.method != "GET")
        return fail(HandshakeError::BadMethod, request.method);
    if (request.version < std::string_view("HTTP/1.1"))
        return fail(HandshakeError::BadHttpVersion, request.version);
    if (!request.find("Host"))
        return fail(HandshakeError::MissingHost, {});
    const auto upgrade = request.joined("Upgrade");
    if (!upgrade || !listContainsToken(*upgrade, "websocket"))
        return fail(HandshakeError::MissingUpgrade, upgrade ? *upgrade : "");
    const auto connection = request.joined("Connection");
    if (!connection || !listContainsToken(*connection, "upgrade"))
        return fail(HandshakeError::MissingConnection, connection ? *connection : "");
    const std::string *key = request.find("Sec-WebSocket-Key");
    if (!key || request.count("Sec-WebSocket-Key") != 1 || !isValidClientKey(*key))
        return fail(HandshakeError::MissingKey, key ? *key : "");
    const auto version = request.joined("Sec-WebSocket-Version");
    if (!version || *version != "13")
        return fail(HandshakeError::UnsupportedVersion, version ? *version : "", 426);
    result.key = *key;

    if (const auto protocols = request.joined("Sec-WebSocket-Protocol")) {
        for (std::string_view item : splitCommaList(*protocols))
            result.subprotocols.emplace_back(item);
    }
    if (const auto extensions = request.joined("Sec-WebSocket-Extensions")) {
        ExtensionParseResult parsed = parseExtensionHeader(*extensions);
        if (!parsed.ok())
            return fail(HandshakeError::InvalidExtensionHeader, parsed.error);
        result.extensions = std::move(parsed.extensions);
    }
    return result;
}

std::string buildAcceptResponse(std::string_view key, std::string_view subprotocol,
                                std::string_view extensions,
                                const std::vector<HttpHeader> &extraHeaders)
{
    std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
    appendHeader(out, "Upgrade", "websocket");
    appendHeader(out, "Connection", "Upgrade");
    appendHeader(out, "Sec-WebSocket-Accept", computeAcceptKey(key));
    if (!subprotocol.empty())
        appendHeader(out, "Sec-WebSocket-Protocol", subprotocol);
    if (!extensions.empty())
        appendHeader(out, "Sec-WebSocket-Extensions", extensions);
    for (const HttpHeader &header : extraHeaders)
        appendHeader(out, header.name, header.value);
    out += "\r\n";
    return out;
}

std::string buildRejectResponse(int status, std::string_view reason,
                                const std::vector<HttpHeader> &headers, std::string_view body)
{
    std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
    out += reason;
    out += "\r\n";
    for (const HttpHeader &header : headers)
        appendHeader(out, header.name, header.value);
    // 1xx, 204 and 304 have no body and no Content-Length (RFC 9110 §6.4.1, §8.6).
    const bool bodiless = (status >= 100 && status < 200) || status == 204 || status == 304;
    if (!bodiless)
        appendHeader(out, "Content-Length", std::to_string(body.size()));
    appendHeader(out, "Connection", "close");
    out += "\r\n";
    if (!bodiless)
        out += body;
    return out;
}

std::string buildRejectResponse(const ServerHandshakeResult &result)
{
    if (result.status == 426) {
        // RFC 6455 §4.4: tell the client which versions we speak.
        return buildRejectResponse(426, "Upgrade Required", {{"Sec-WebSocket-Version", "13"}},
                                   "Only WebSocket version 13 is supported.\n");
    }
    std::string body(describe(result.error));
    body += '\n';
    return buildRejectResponse(400, "Bad Request", {{"Content-Type", "text/plain"}}, body);
}

} // namespace framescope::protocol
