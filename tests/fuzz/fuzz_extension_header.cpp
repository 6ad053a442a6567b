// Sec-WebSocket-Extensions parsing: parse, format, parse again gives the same elements; every
// permessage-deflate element goes through offer parsing, negotiation and the client's check.

#include "fuzzutil.h"

#include <protocol/extensionheader.h>
#include <protocol/permessagedeflate.h>
#include <string_view>

using namespace framescope::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const ExtensionParseResult parsed = parseExtensionHeader(text);
    if (!parsed.ok())
        return 0;
    const std::string formatted = formatExtensionHeader(parsed.extensions);
    const ExtensionParseResult again = parseExtensionHeader(formatted);
    fuzzutil::check(again.ok(), "formatted header does not parse");
    fuzzutil::check(again.extensions == parsed.extensions, "format/parse round trip differs");

    const DeflateAcceptance acceptance = acceptDeflateOffers(parsed.extensions);
    if (acceptance.agreed) {
        fuzzutil::check(acceptance.agreed->serverMaxWindowBits >= kMinWindowBits
                            && acceptance.agreed->serverMaxWindowBits <= kMaxWindowBits,
                        "server window out of range");
    }
    for (const ExtensionOffer &element : parsed.extensions) {
        std::string error;
        const auto offer = parseDeflateOffer(element, error);
        if (!offer)
            continue;
        fuzzutil::check(parseDeflateOffer(toExtension(*offer), error) == offer, "offer round trip");
        // The server's answer to a single valid offer must satisfy the client that made it.
        const DeflateAcceptance single = acceptDeflateOffers({element});
        if (single.response) {
            const DeflateNegotiation negotiation = checkDeflateResponse(*single.response, *offer);
            fuzzutil::check(negotiation.agreed.has_value(), "client rejects our server's answer");
            fuzzutil::check(*negotiation.agreed == *single.agreed, "client and server disagree");
        }
    }
    return 0;
}
