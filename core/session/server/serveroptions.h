#pragma once

#include "serverbehaviour.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <protocol/permessagedeflate.h>
#include <session/engine/closeinfo.h>
#include <session/engine/sessionstate.h>

namespace framescope::session {

struct LocalServerOptions
{
    // Loopback only unless asked otherwise.
    QList<QHostAddress> addresses{QHostAddress::LocalHost, QHostAddress::LocalHostIPv6};
    quint16 port = 0; // 0: any free port (the same one on every address when possible)
    bool deflate = true;
    protocol::DeflateServerConfig deflateConfig;
    // Origins allowed besides localhost ones; "*" allows all. Compared as serialized origins
    // (RFC 6454: case, a default port and a trailing slash do not matter). Requests without
    // Origin (non-browser clients) are always allowed.
    QStringList allowedOrigins;
    // Host names accepted besides localhost and any IP address ("*": any name). Compared in
    // lower case without a trailing dot.
    QStringList allowedHosts;
    int maxConnections = 1000;
    int handshakeTimeoutMs = 10000;
    int closeTimeoutMs = 5000;
    int idleTimeoutMs = 0;         // no bytes from a client for this long: close with 1001 (0: off)
    int midFrameTimeoutMs = 30000; // a client stalling inside a frame: close with 1002
    std::uint64_t maxMessageSize = std::uint64_t{64} << 20;
    std::uint32_t maxFragments = 131072;
    std::size_t captureMemoryCap = std::size_t{256} << 20; // all connections together
    // After handling reads, watch the sockets this long before the thread sleeps (see
    // ReadinessSpinner): halves round trips at a fast pace; an idle server never spins. 0: off.
    int busyPollUs = 50;

    // wss://: a certificate and key in PEM (both set by the caller, e.g. from
    // loadOrCreateServerCertificate()).
    bool tls = false;
    QSslCertificate certificate{};
    QSslKey key{};

    ServerBehaviour behaviour;
};

// What the server keeps about one connection (its frames are in the capture, by connection id).
struct ServerConnectionInfo
{
    quint64 id = 0;
    SessionState state = SessionState::Handshaking;
    QString peer; // address:port
    QByteArray request;
    QByteArray response; // the head sent back (101 or a refusal)
    int status = 0;
    std::int64_t requestNs = 0; // monotonic: the read that completed the request head
    std::int64_t openedNs = 0;  // the handshake answered (the 101, or a refusal)
    std::int64_t closedNs = 0;
    CloseInfo close;
};

} // namespace framescope::session
