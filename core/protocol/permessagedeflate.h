#pragma once

#include "extensionheader.h"

#include <optional>
#include <string>
#include <vector>

namespace framescope::protocol {

inline constexpr std::string_view kPerMessageDeflate = "permessage-deflate";
// zlib's raw deflate cannot use a 256-byte window, so Framescope compresses with 9 to 15
// (RFC 7692 allows 8: a client's offer of 8 is declined; a server's answer of 8 is accepted,
// and the client then sends uncompressed).
inline constexpr int kMinWindowBits = 9;
inline constexpr int kMaxWindowBits = 15;

// What both ends agreed on (RFC 7692 §7.1).
struct DeflateParameters
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = kMaxWindowBits;
    int clientMaxWindowBits = kMaxWindowBits;
    friend bool operator==(const DeflateParameters &, const DeflateParameters &) = default;
};

// One permessage-deflate offer, as a client sends it.
struct DeflateOffer
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    std::optional<int> serverMaxWindowBits;
    bool clientMaxWindowBits = false; // the parameter is present
    std::optional<int> clientMaxWindowBitsValue;
    friend bool operator==(const DeflateOffer &, const DeflateOffer &) = default;
};

ExtensionOffer toExtension(const DeflateOffer &offer);

// Reads the parameters of one permessage-deflate element of an offer. Unknown, duplicate or
// badly valued parameters make it invalid (RFC 7692 §7.1: the server declines such an offer).
std::optional<DeflateOffer> parseDeflateOffer(const ExtensionOffer &element, std::string &error);

// The server's own preferences.
struct DeflateServerConfig
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = kMaxWindowBits;
    int clientMaxWindowBits = kMaxWindowBits;
};

struct DeflateAcceptance
{
    std::optional<DeflateParameters> agreed; // none: every offer declined (or none made)
    std::optional<ExtensionOffer> response;  // the element for Sec-WebSocket-Extensions
    std::vector<std::string> declined;       // why offers were declined, for the inspector
};

// Server side: picks the first acceptable permessage-deflate offer among `offers` (all the
// client's extensions, in order) and builds the response element.
DeflateAcceptance acceptDeflateOffers(const std::vector<ExtensionOffer> &offers,
                                      const DeflateServerConfig &config = {});

struct DeflateNegotiation
{
    std::optional<DeflateParameters> agreed;
    std::string error; // non-empty: the client must fail the connection (RFC 7692 §7.1)
};

// Client side: checks the server's permessage-deflate response element against what was offered.
DeflateNegotiation checkDeflateResponse(const ExtensionOffer &response,
                                        const DeflateOffer &offered);

} // namespace framescope::protocol
