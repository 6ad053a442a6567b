#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <cstdint>
#include <optional>
#include <protocol/permessagedeflate.h>

namespace framescope::session {

// Reconnecting after a connection ended without being asked to: the delay doubles from
// initialDelayMs up to maxDelayMs (each with up to 20% random jitter) and starts again from
// initialDelayMs once a connection opened.
struct ReconnectPolicy
{
    bool enabled = false;
    int initialDelayMs = 500;
    int maxDelayMs = 30000;
    int maxAttempts = 10; // in a row, without a steady connection in between; 0 = no limit
    // A connection that stayed open this long starts the count and the backoff again; one that
    // a server drops sooner (accepts, then closes at once) does not, so that such a server is
    // not reconnected to for ever.
    int steadyMs = 5000;
};

// The delay before reconnect attempt `attempt` (1 for the first); `unitRandom` in [0, 1) adds
// jitter.
int reconnectDelayMs(const ReconnectPolicy &policy, int attempt, double unitRandom);

struct ClientOptions;

// Turns the credential helpers (cookies, Basic, Bearer) into request headers, first in the
// list, and clears them. Returns an error message for a value that cannot go into a header, for
// an extra header that cannot be sent (headerProblem()) or for two helpers that both set
// Authorization (URL user info counts as one).
std::optional<QString> applyCredentialHelpers(ClientOptions &options);

// Why a header cannot go on the wire as given: a name that is not an HTTP token, or a value with
// a line break or another control character (a line break would start a header of its own).
std::optional<QString> headerProblem(QByteArrayView name, QByteArrayView value);

struct ClientOptions
{
    QUrl url;
    QList<QPair<QByteArray, QByteArray>> headers; // extra request headers, in order
    QByteArray origin;
    QList<QByteArray> subprotocols;

    // Credential helpers, sent as Cookie and Authorization headers (never across hosts on a
    // redirect, and redacted in exports like any such header).
    QList<QPair<QByteArray, QByteArray>> cookies;     // name, value
    std::optional<QPair<QString, QString>> basicAuth; // user, password
    QByteArray bearerToken;
    ReconnectPolicy reconnect;
    bool offerDeflate = false;
    // The permessage-deflate offer's parameters (RFC 7692 §7.1) when offerDeflate: by default
    // client_max_window_bits without a value (the server may choose), nothing else.
    protocol::DeflateOffer deflateOffer{false, false, std::nullopt, true, std::nullopt};

    std::uint64_t maxFrameSize = std::uint64_t{64} << 20;
    std::uint64_t maxMessageSize = std::uint64_t{64} << 20;
    std::uint32_t maxFragments = 131072;

    // Time limits; 0 means none, for each of them.
    int connectTimeoutMs = 10000;
    int tlsTimeoutMs = 10000;
    int handshakeTimeoutMs = 10000;
    int idleTimeoutMs = 30000; // mid-frame stall
    int closeTimeoutMs = 5000; // waiting for the peer's close frame, then abort

    // Redirects are not followed unless asked; when they are, at most maxRedirects, and
    // Authorization, Cookie and URL credentials never go to another host or from wss to ws.
    bool followRedirects = false;
    int maxRedirects = 5;

    // Scripted sessions: close (with closeCode and closeReason) as soon as this many messages
    // arrived, counted over every connection of the session, as each completes; no reconnect
    // follows. 0: never.
    std::uint64_t closeAfterMessages = 0;
    std::uint16_t closeCode = 1000;
    QByteArray closeReason;

    bool autoPong = true;
    int pingIntervalMs = 0; // keep-alive pings; 0 = off

    // No proxy by default; "system" uses the system's proxy settings; otherwise
    // http://[user:password@]host:port (HTTP CONNECT) or socks5://[user:password@]host:port.
    QString proxy;

    QString caFile;                        // extra trusted CA certificates (PEM)
    QString certificateFile;               // client certificate: PEM, or PKCS#12 (.p12/.pfx)
    QString keyFile;                       // its private key (PEM), unless in the PKCS#12 file
    QByteArray keyPassword;                // for an encrypted key or a PKCS#12 file
    bool acceptInvalidCertificate = false; // per-session override, recorded in the capture
    // The SHA-256 of the one certificate to trust (32 bytes), as the built-in server prints it:
    // that certificate is accepted even self-signed, any other fails, even a valid one and even
    // with acceptInvalidCertificate. Empty: no pin.
    QByteArray pinnedSha256;
};

} // namespace framescope::session
