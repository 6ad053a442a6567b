// The server's view of a handshake: the request head parser (whole and re-split), the
// RFC 6455 §4.2.1 checks, extension negotiation and the response builders.

#include "fuzzutil.h"

#include <protocol/handshake.h>
#include <protocol/httphead.h>

using namespace framescope::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> input(data, size);
    HttpHeadParser whole(HttpHeadParser::Kind::Request);
    std::size_t consumed = 0;
    whole.feed(input, consumed);
    fuzzutil::check(whole.rawBytes().size() <= 16 * 1024, "kept more than the cap");

    HttpHeadParser split(HttpHeadParser::Kind::Request);
    for (auto chunk : fuzzutil::chunks(input, size > 0 ? data[size - 1] : 0)) {
        std::size_t used = 0;
        split.feed(chunk, used);
    }
    fuzzutil::check(split.status() == whole.status(), "split and whole status differ");

    if (whole.status() != HttpHeadParser::Status::Complete)
        return 0;
    const ServerHandshakeResult result = checkClientRequest(whole.head());
    if (!result.ok()) {
        const std::string response = buildRejectResponse(result);
        fuzzutil::check(response.starts_with("HTTP/1.1 4"), "reject is not a 4xx");
        return 0;
    }
    const DeflateAcceptance acceptance = acceptDeflateOffers(result.extensions);
    std::string extensions;
    if (acceptance.response)
        extensions = formatExtensionHeader({*acceptance.response});
    const std::string response = buildAcceptResponse(
        result.key, result.subprotocols.empty() ? std::string() : result.subprotocols.front(),
        extensions);
    // Our own response must satisfy a client that offered what this request offered.
    HttpHeadParser reparsed(HttpHeadParser::Kind::Response);
    std::size_t used = 0;
    reparsed.feed({reinterpret_cast<const std::uint8_t *>(response.data()), response.size()}, used);
    fuzzutil::check(reparsed.status() == HttpHeadParser::Status::Complete
                        || response.size() > 16 * 1024,
                    "our 101 does not parse");
    return 0;
}
