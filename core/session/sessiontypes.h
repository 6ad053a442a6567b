#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QUrl>
#include <cstdint>
#include <optional>

namespace framescope::session {

// Monotonic nanoseconds, the clock every capture timestamp uses.
std::int64_t monotonicNs();

enum class SessionState { Idle, Connecting, Handshaking, Open, Closing, Closed };

// What went wrong, one value per kind of failure; the CLI maps each to a documented exit code.
enum class SessionError {
    None,
    InvalidUrl,
    ConnectionFailed, // refused, unreachable, name lookup failed
    ConnectionTimeout,
    TlsFailed,       // certificate or TLS handshake problem
    HandshakeFailed, // the HTTP upgrade did not succeed
    HandshakeTimeout,
    PeerProtocolError, // the server broke RFC 6455 / RFC 7692; we failed the connection
    IdleTimeout,       // the peer stalled in the middle of a frame
    CloseTimeout,      // the peer never answered our close frame
    ConnectionLost,    // TCP ended without a closing handshake
    LocalError,        // we could not do what was asked (no randomness, bad request)
};

QString describe(SessionError error);

// Where a redirect leads: Location resolved against the request URL, http(s) mapped to ws(s).
// Invalid when Location is missing or not a ws/wss/http/https URL.
QUrl redirectTarget(const QUrl &from, const QByteArray &location);

// True when following from -> to must drop credentials: another host, or wss to ws.
bool redirectDropsCredentials(const QUrl &from, const QUrl &to);

// The extra headers that may follow a redirect (credential headers dropped when needed).
QList<QPair<QByteArray, QByteArray>>
headersForRedirect(const QUrl &from, const QUrl &to,
                   const QList<QPair<QByteArray, QByteArray>> &headers);
QString describe(SessionState state);

// Reconnecting after a connection ended without being asked to: the delay doubles from
// initialDelayMs up to maxDelayMs (each with up to 20% random jitter) and starts again from
// initialDelayMs once a connection opened.
struct ReconnectPolicy
{
    bool enabled = false;
    int initialDelayMs = 500;
    int maxDelayMs = 30000;
    int maxAttempts = 10; // in a row, without a connection opening in between; 0 = no limit
};

// The delay before reconnect attempt `attempt` (1 for the first); `unitRandom` in [0, 1) adds
// jitter.
int reconnectDelayMs(const ReconnectPolicy &policy, int attempt, double unitRandom);

// Whether an ended connection is worth trying again: not for a bad URL, a local error, a
// certificate problem or an HTTP answer that will not change (a 4xx other than 408 and 429).
bool isRetryable(SessionError error, int httpStatus);

// A SHA-256 certificate fingerprint as the built-in server prints it and a client pins it:
// "AB:CD:..." (32 bytes in upper-case hex, colon-separated).
QString fingerprintText(const QByteArray &sha256);
// The 32 bytes of a fingerprint given as "AB:CD:..." or as plain hex; nothing when it is not one.
std::optional<QByteArray> parseFingerprint(const QString &text);

struct ClientOptions;

// Turns the credential helpers (cookies, Basic, Bearer) into request headers, first in the
// list, and clears them. Returns an error message for a value that cannot go into a header or
// for two helpers that both set Authorization (URL user info counts as one).
std::optional<QString> applyCredentialHelpers(ClientOptions &options);

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

    std::uint64_t maxFrameSize = std::uint64_t{64} << 20;
    std::uint64_t maxMessageSize = std::uint64_t{64} << 20;
    std::uint32_t maxFragments = 131072;

    int connectTimeoutMs = 10000;
    int tlsTimeoutMs = 10000;
    int handshakeTimeoutMs = 10000;
    int idleTimeoutMs = 30000; // mid-frame stall
    int closeTimeoutMs = 5000; // waiting for the peer's close frame, then abort

    // Redirects are not followed unless asked; when they are, at most maxRedirects, and
    // Authorization, Cookie and URL credentials never go to another host or from wss to ws.
    bool followRedirects = false;
    int maxRedirects = 5;

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

// How the connection ended, both ways.
struct CloseInfo
{
    std::optional<std::uint16_t> codeSent;
    QByteArray reasonSent;
    std::optional<std::uint16_t> codeReceived;
    QByteArray reasonReceived;
    bool closeFrameReceived = false;
    QString endedBy; // "close-frame", "tcp-fin", "reset", "timeout", "tls", "protocol-error"
};

} // namespace framescope::session

Q_DECLARE_METATYPE(framescope::session::SessionState)
Q_DECLARE_METATYPE(framescope::session::SessionError)
