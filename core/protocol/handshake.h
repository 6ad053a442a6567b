#pragma once

#include "extensionheader.h"
#include "httphead.h"
#include "permessagedeflate.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace framescope::protocol {

inline constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// RFC 6455 §4.2.2: base64(SHA-1(key + GUID)), with OpenSSL.
std::string computeAcceptKey(std::string_view key);

// RFC 6455 §4.1: 16 random bytes (OpenSSL RAND_bytes), base64. Nothing if no randomness.
std::optional<std::string> generateClientKey();

// True if `key` is base64 of exactly 16 bytes (RFC 6455 §4.2.1, item 5).
bool isValidClientKey(std::string_view key);

struct ClientRequest
{
    std::string host;     // Host value, with the port when it is not the scheme's default
    std::string resource; // path and query, "/" at least
    std::string key;      // Sec-WebSocket-Key
    std::string origin;   // empty: no Origin header
    std::vector<std::string> subprotocols;
    std::vector<ExtensionOffer> extensions; // e.g. toExtension(DeflateOffer{})
    std::vector<HttpHeader> extraHeaders;   // sent in order, after the WebSocket fields
};

// The GET upgrade request, byte for byte as it goes on the wire.
std::string buildClientRequest(const ClientRequest &request);

enum class HandshakeError : std::uint8_t {
    None,
    MalformedHead,          // see the HttpHeadError
    UnexpectedStatus,       // client: not 101
    MissingUpgrade,         // no "Upgrade: websocket"
    MissingConnection,      // no "Connection: Upgrade"
    MissingAccept,          // client: 101 without Sec-WebSocket-Accept
    WrongAccept,            // client: Accept does not match the key
    SubprotocolNotOffered,  // client: the server picked one we did not offer
    ExtensionNotOffered,    // client: the server answered with an extension we did not offer
    InvalidExtensionHeader, // Sec-WebSocket-Extensions does not parse, or bad deflate params
    BadMethod,              // server: not GET
    BadHttpVersion,         // server: below HTTP/1.1
    MissingHost,            // server: no Host
    MissingKey,             // server: no or malformed Sec-WebSocket-Key
    UnsupportedVersion,     // server: Sec-WebSocket-Version is not 13 (426)
};

std::string_view describe(HandshakeError error);

struct ClientHandshakeResult
{
    HandshakeError error = HandshakeError::None;
    std::string detail; // what exactly was wrong, for people
    std::optional<std::string> subprotocol;
    std::optional<DeflateParameters> deflate;
    std::string extensions; // the raw Sec-WebSocket-Extensions answer
    bool ok() const { return error == HandshakeError::None; }
};

// Client side of RFC 6455 §4.1: checks the server's response head against our request.
// `deflateOffer` is what we offered for permessage-deflate, if anything.
ClientHandshakeResult checkServerResponse(const HttpHead &response, const ClientRequest &request,
                                          const std::optional<DeflateOffer> &deflateOffer);

struct ServerHandshakeResult
{
    HandshakeError error = HandshakeError::None;
    std::string detail;
    int status = 101; // 101, or 400 / 426 on failure
    std::string key;
    std::vector<std::string> subprotocols;  // offered, in order
    std::vector<ExtensionOffer> extensions; // offered, in order
    bool ok() const { return error == HandshakeError::None; }
};

// Server side of RFC 6455 §4.2.1: checks a client's upgrade request.
ServerHandshakeResult checkClientRequest(const HttpHead &request);

// The 101 response: Accept for the key, the chosen subprotocol and extensions, extra headers.
std::string buildAcceptResponse(std::string_view key, std::string_view subprotocol = {},
                                std::string_view extensions = {},
                                const std::vector<HttpHeader> &extraHeaders = {});

// A refusal: 400, 403, 426 (with Sec-WebSocket-Version: 13) or any other status. `body` is
// left out for 1xx, 204 and 304, which have none.
std::string buildRejectResponse(int status, std::string_view reason,
                                const std::vector<HttpHeader> &headers = {},
                                std::string_view body = {});

// The response for a failed check: 426 for a version mismatch, otherwise 400.
std::string buildRejectResponse(const ServerHandshakeResult &result);

} // namespace framescope::protocol
