#pragma once

#include <QMetaType>
#include <QString>

namespace framescope::session {

// What went wrong in a client session, one value per kind of failure; the CLI maps each to a
// documented exit code.
enum class SessionError {
    None,
    InvalidUrl,
    ConnectionFailed, // refused, unreachable, name lookup failed
    ConnectionTimeout,
    TlsFailed,       // certificate or TLS handshake problem
    TlsTimeout,      // the TLS handshake did not finish in time
    HandshakeFailed, // the HTTP upgrade did not succeed
    HandshakeTimeout,
    PeerProtocolError, // the server broke RFC 6455 / RFC 7692; we failed the connection
    LimitExceeded,     // the server sent more than this session's limits allow (1009)
    IdleTimeout,       // the peer stalled in the middle of a frame
    CloseTimeout,      // the peer never answered our close frame
    ConnectionLost,    // TCP ended without a closing handshake
    LocalError,        // we could not do what was asked (no randomness, bad request)
};

QString describe(SessionError error);

// Whether an ended connection is worth trying again: not for a bad URL, a local error, a
// certificate problem or an HTTP answer that will not change (a 4xx other than 408 and 429).
bool isRetryable(SessionError error, int httpStatus);

} // namespace framescope::session

Q_DECLARE_METATYPE(framescope::session::SessionError)
