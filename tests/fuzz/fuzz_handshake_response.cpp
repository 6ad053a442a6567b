// The client's view of a handshake: the response head parser (whole and re-split) and the
// RFC 6455 §4.1 checks, with and without a permessage-deflate offer.

#include "fuzzutil.h"

#include <protocol/handshake.h>
#include <protocol/httphead.h>

using namespace framescope::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> input(data, size);
    HttpHeadParser whole(HttpHeadParser::Kind::Response);
    std::size_t wholeConsumed = 0;
    whole.feed(input, wholeConsumed);
    fuzzutil::check(wholeConsumed <= size, "consumed more than given");
    fuzzutil::check(whole.rawBytes().size() <= 16 * 1024, "kept more than the cap");

    HttpHeadParser split(HttpHeadParser::Kind::Response);
    std::size_t total = 0;
    for (auto chunk : fuzzutil::chunks(input, size > 0 ? data[0] : 0)) {
        std::size_t consumed = 0;
        const auto before = split.status();
        split.feed(chunk, consumed);
        if (before == HttpHeadParser::Status::NeedMore)
            total += consumed;
    }
    fuzzutil::check(split.status() == whole.status(), "split and whole status differ");
    fuzzutil::check(split.error() == whole.error(), "split and whole error differ");
    if (whole.status() == HttpHeadParser::Status::Complete) {
        fuzzutil::check(total == wholeConsumed, "split and whole consumed differ");
        ClientRequest request;
        request.host = "localhost";
        request.key = "dGhlIHNhbXBsZSBub25jZQ==";
        request.subprotocols = {"chat", "json"};
        const auto plain = checkServerResponse(whole.head(), request, std::nullopt);
        const auto offered = checkServerResponse(
            whole.head(), request, DeflateOffer{false, false, std::nullopt, true, std::nullopt});
        if (offered.deflate) {
            // 8 is accepted from a server (RFC 7692 §7.1.2.2); the client then sends uncompressed.
            fuzzutil::check(offered.deflate->clientMaxWindowBits >= 8
                                && offered.deflate->clientMaxWindowBits <= kMaxWindowBits,
                            "client window out of 8..15");
            fuzzutil::check(offered.deflate->serverMaxWindowBits >= 8, "window < 8");
        }
        (void)plain;
    }
    return 0;
}
