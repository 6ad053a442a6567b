#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <protocol/handshake.h>
#include <protocol/permessagedeflate.h>

namespace framescope::session {

// The exact bytes of the opening handshake and the time each phase took.
struct HandshakeRecord
{
    QByteArray request;
    QByteArray response; // the head, plus a capped body for a non-101 answer
    int status = 0;
    std::int64_t lookupNs = 0;
    std::int64_t connectNs = 0;
    std::int64_t tlsNs = 0;
    std::int64_t upgradeNs = 0;
    // When the 101 arrived (monotonic, the clock of the frames' times); 0 until it did.
    std::int64_t openedNs = 0;
    protocol::HandshakeError error = protocol::HandshakeError::None;
    QString detail;
    QByteArray subprotocol;
    QByteArray extensions;
    std::optional<protocol::DeflateParameters> deflate;
    QMap<QString, QString> tls; // protocol, cipher, subject, SANs, expiry, fingerprints, overrides
    QString proxy;              // "http host:port" or "socks5 host:port" when one was used
    // The TCP connection's ends, "address:port" ("[::1]:port" for IPv6): ours (the port the
    // system chose) and the peer's (the address the name resolved to, or the proxy's).
    QString local;
    QString peer;
    QStringList redirects;  // "302 wss://next/..." for each redirect followed
    QStringList reconnects; // "attempt 2 after 1000 ms: <why the previous one ended>"
};

} // namespace framescope::session
