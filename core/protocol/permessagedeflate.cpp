#include "permessagedeflate.h"

#include <algorithm>
#include <charconv>

namespace framescope::protocol {

namespace {

constexpr std::string_view kServerNoContextTakeover = "server_no_context_takeover";
constexpr std::string_view kClientNoContextTakeover = "client_no_context_takeover";
constexpr std::string_view kServerMaxWindowBits = "server_max_window_bits";
constexpr std::string_view kClientMaxWindowBits = "client_max_window_bits";

// RFC 7692 §7.1.2: a decimal integer 8 to 15 without leading zeros.
std::optional<int> parseWindowBits(const std::optional<std::string> &value)
{
    if (!value || value->empty() || value->size() > 2 || (*value)[0] == '0')
        return std::nullopt;
    int bits = 0;
    const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), bits);
    if (ec != std::errc{} || end != value->data() + value->size() || bits < 8 || bits > 15)
        return std::nullopt;
    return bits;
}

// Parameters common to offers and responses; `isResponse` changes what a value may look like.
struct ParsedParameters
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    std::optional<int> serverMaxWindowBits;
    bool clientMaxWindowBits = false;
    std::optional<int> clientMaxWindowBitsValue;
};

std::optional<ParsedParameters> parseParameters(const ExtensionOffer &element, bool isResponse,
                                                std::string &error)
{
    ParsedParameters parsed;
    bool seen[4] = {};
    for (const ExtensionParameter &parameter : element.parameters) {
        int index = -1;
        if (parameter.name == kServerNoContextTakeover)
            index = 0;
        else if (parameter.name == kClientNoContextTakeover)
            index = 1;
        else if (parameter.name == kServerMaxWindowBits)
            index = 2;
        else if (parameter.name == kClientMaxWindowBits)
            index = 3;
        if (index < 0) {
            error = "unknown parameter " + parameter.name;
            return std::nullopt;
        }
        if (seen[index]) {
            error = "duplicate parameter " + parameter.name;
            return std::nullopt;
        }
        seen[index] = true;
        switch (index) {
        case 0:
        case 1:
            if (parameter.value) {
                error = parameter.name + " takes no value";
                return std::nullopt;
            }
            (index == 0 ? parsed.serverNoContextTakeover : parsed.clientNoContextTakeover) = true;
            break;
        case 2:
            parsed.serverMaxWindowBits = parseWindowBits(parameter.value);
            if (!parsed.serverMaxWindowBits) {
                error = "invalid server_max_window_bits value";
                return std::nullopt;
            }
            break;
        case 3:
            parsed.clientMaxWindowBits = true;
            // RFC 7692 §7.1.2.2: in an offer the value is optional; in a response it is required.
            if (parameter.value || isResponse) {
                parsed.clientMaxWindowBitsValue = parseWindowBits(parameter.value);
                if (!parsed.clientMaxWindowBitsValue) {
                    error = "invalid client_max_window_bits value";
                    return std::nullopt;
                }
            }
            break;
        }
    }
    return parsed;
}

} // namespace

ExtensionOffer toExtension(const DeflateOffer &offer)
{
    ExtensionOffer element;
    element.name = kPerMessageDeflate;
    if (offer.serverNoContextTakeover)
        element.parameters.push_back({std::string(kServerNoContextTakeover), std::nullopt});
    if (offer.clientNoContextTakeover)
        element.parameters.push_back({std::string(kClientNoContextTakeover), std::nullopt});
    if (offer.serverMaxWindowBits) {
        element.parameters.push_back(
            {std::string(kServerMaxWindowBits), std::to_string(*offer.serverMaxWindowBits)});
    }
    if (offer.clientMaxWindowBits) {
        std::optional<std::string> value;
        if (offer.clientMaxWindowBitsValue)
            value = std::to_string(*offer.clientMaxWindowBitsValue);
        element.parameters.push_back({std::string(kClientMaxWindowBits), value});
    }
    return element;
}

std::optional<DeflateOffer> parseDeflateOffer(const ExtensionOffer &element, std::string &error)
{
    if (element.name != kPerMessageDeflate) {
        error = "not a permessage-deflate element";
        return std::nullopt;
    }
    const auto parsed = parseParameters(element, false, error);
    if (!parsed)
        return std::nullopt;
    DeflateOffer offer;
    offer.serverNoContextTakeover = parsed->serverNoContextTakeover;
    offer.clientNoContextTakeover = parsed->clientNoContextTakeover;
    offer.serverMaxWindowBits = parsed->serverMaxWindowBits;
    offer.clientMaxWindowBits = parsed->clientMaxWindowBits;
    offer.clientMaxWindowBitsValue = parsed->clientMaxWindowBitsValue;
    return offer;
}

DeflateAcceptance acceptDeflateOffers(const std::vector<ExtensionOffer> &offers,
                                      const DeflateServerConfig &config)
{
    DeflateAcceptance acceptance;
    for (const ExtensionOffer &element : offers) {
        if (element.name != kPerMessageDeflate)
            continue;
        std::string error;
        const auto offer = parseDeflateOffer(element, error);
        if (!offer) {
            acceptance.declined.push_back(error);
            continue;
        }
        DeflateParameters agreed;
        ExtensionOffer response;
        response.name = kPerMessageDeflate;

        // RFC 7692 §7.1.1.1: an offered server_no_context_takeover must be accepted as is.
        agreed.serverNoContextTakeover
            = offer->serverNoContextTakeover || config.serverNoContextTakeover;
        if (agreed.serverNoContextTakeover)
            response.parameters.push_back({std::string(kServerNoContextTakeover), std::nullopt});
        agreed.clientNoContextTakeover
            = offer->clientNoContextTakeover || config.clientNoContextTakeover;
        if (agreed.clientNoContextTakeover)
            response.parameters.push_back({std::string(kClientNoContextTakeover), std::nullopt});

        // RFC 7692 §7.1.2.1: accepting a server_max_window_bits offer means answering with the
        // same or a smaller value.
        int serverBits = std::clamp(config.serverMaxWindowBits, kMinWindowBits, kMaxWindowBits);
        if (offer->serverMaxWindowBits) {
            if (*offer->serverMaxWindowBits < kMinWindowBits) {
                acceptance.declined.push_back("server_max_window_bits=8 is not supported by zlib");
                continue;
            }
            serverBits = std::min(serverBits, *offer->serverMaxWindowBits);
        }
        agreed.serverMaxWindowBits = serverBits;
        if (offer->serverMaxWindowBits || serverBits < kMaxWindowBits) {
            response.parameters.push_back(
                {std::string(kServerMaxWindowBits), std::to_string(serverBits)});
        }

        // RFC 7692 §7.1.2.2: client_max_window_bits may only be answered when offered.
        int clientBits = offer->clientMaxWindowBitsValue.value_or(kMaxWindowBits);
        if (offer->clientMaxWindowBits) {
            const int wanted
                = std::clamp(config.clientMaxWindowBits, kMinWindowBits, kMaxWindowBits);
            if (wanted < clientBits) {
                clientBits = wanted;
                response.parameters.push_back(
                    {std::string(kClientMaxWindowBits), std::to_string(clientBits)});
            }
        }
        agreed.clientMaxWindowBits = clientBits;

        acceptance.agreed = agreed;
        acceptance.response = std::move(response);
        return acceptance;
    }
    return acceptance;
}

DeflateNegotiation checkDeflateResponse(const ExtensionOffer &response, const DeflateOffer &offered)
{
    DeflateNegotiation negotiation;
    if (response.name != kPerMessageDeflate) {
        negotiation.error = "not a permessage-deflate element";
        return negotiation;
    }
    const auto parsed = parseParameters(response, true, negotiation.error);
    if (!parsed)
        return negotiation;

    DeflateParameters agreed;
    agreed.serverNoContextTakeover = parsed->serverNoContextTakeover;
    agreed.clientNoContextTakeover
        = parsed->clientNoContextTakeover || offered.clientNoContextTakeover;
    if (offered.serverNoContextTakeover && !parsed->serverNoContextTakeover) {
        negotiation.error = "server_no_context_takeover was offered but not accepted";
        return negotiation;
    }
    if (parsed->serverMaxWindowBits) {
        if (offered.serverMaxWindowBits
            && *parsed->serverMaxWindowBits > *offered.serverMaxWindowBits) {
            negotiation.error = "server_max_window_bits is larger than offered";
            return negotiation;
        }
        agreed.serverMaxWindowBits = *parsed->serverMaxWindowBits;
    } else if (offered.serverMaxWindowBits) {
        negotiation.error = "server_max_window_bits was offered but not accepted";
        return negotiation;
    }
    if (parsed->clientMaxWindowBits) {
        if (!offered.clientMaxWindowBits) {
            negotiation.error = "client_max_window_bits in the response was not offered";
            return negotiation;
        }
        const int bits = *parsed->clientMaxWindowBitsValue;
        if (offered.clientMaxWindowBitsValue && bits > *offered.clientMaxWindowBitsValue) {
            negotiation.error = "client_max_window_bits is larger than offered";
            return negotiation;
        }
        // 8 is valid (RFC 7692 §7.1.2.2) though zlib cannot compress within it: the writer then
        // sends uncompressed messages, which the extension allows.
        agreed.clientMaxWindowBits = bits;
    } else if (offered.clientMaxWindowBitsValue) {
        agreed.clientMaxWindowBits = *offered.clientMaxWindowBitsValue;
    }
    negotiation.agreed = agreed;
    return negotiation;
}

} // namespace framescope::protocol
