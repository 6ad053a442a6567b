#pragma once

#include "clientoptions.h"

#include <QNetworkProxy>
#include <QString>
#include <optional>
#include <protocol/handshake.h>
#include <protocol/permessagedeflate.h>
#include <variant>

namespace framescope::session {

// The opening handshake's request for `options` (a ws:// or wss:// URL whose credential helpers
// were applied): Host, the resource, a fresh key, Origin, subprotocols, the permessage-deflate
// offer (set in `deflateOffer`), URL user info as Basic authentication, the extra headers.
// Fails only without random bytes for the key.
std::optional<protocol::ClientRequest>
buildUpgradeRequest(const ClientOptions &options,
                    std::optional<protocol::DeflateOffer> &deflateOffer);

// The proxy the options ask for: none, the system's ("system"), or http:// / socks5:// with
// optional credentials. A string when the setting is not one of those.
std::variant<QNetworkProxy, QString> proxyFor(const ClientOptions &options);

// "http host:port" or "socks5 host:port", as the handshake record keeps it; empty for none.
QString describeProxy(const QNetworkProxy &proxy);

} // namespace framescope::session
