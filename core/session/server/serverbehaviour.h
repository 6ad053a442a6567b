#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QStringList>
#include <optional>

namespace framescope::session {

// An answer to the opening handshake other than 101: a status with headers and a body, or a
// 101 that lacks Sec-WebSocket-Accept (what IIS sends without its WebSocket feature).
struct ServerRefusal
{
    int status = 503;
    QByteArray reason; // the reason phrase; empty: the usual one for the status
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool upgradeWithoutAccept = false;
};

// Ready-made IIS and http.sys answers, by name: iis-101-no-accept, iis-400, iis-401, iis-403,
// iis-404, iis-500, iis-503 (see docs/cli.md, serve).
QStringList iisEmulationNames();
std::optional<ServerRefusal> iisEmulation(const QString &name);

// What the server does besides echoing; the same for every connection of a server.
struct ServerBehaviour
{
    bool echo = true;             // echo each message byte for byte (text stays text)
    int replyDelayMs = 0;         // delay each reply, keeping their order
    std::size_t fragmentSize = 0; // cut replies and pushes into frames of at most N bytes
    int pingIntervalMs = 0;       // ping each client periodically
    int pushIntervalMs = 0;       // send pushText + " " + a counter periodically
    QByteArray pushText = "push";
    int closeAfterMessages = 0;     // close after the Nth message received (0: never)
    int closeAfterMs = 0;           // close T ms after the upgrade (0: never)
    std::uint16_t closeCode = 1000; // for the two closes above
    QByteArray closeReason;
    std::optional<ServerRefusal> refuse; // refuse every handshake this way
    QByteArray requiredSubprotocol;      // refuse (400) clients that do not offer it; chosen
    bool requireAuthorization = false;   // 401 with WWW-Authenticate: Basic without one
    bool echoRequestHeaders = false;     // the request head as the first (text) message
    bool echoSecrets = false; // ...with credentials in clear (else redacted, as captures are)
    bool answerPings = true;             // false: pings go unanswered
};

// The reason phrase a refusal sends with `status` when none is given.
QByteArray reasonPhrase(int status);

// 1xx, 204 and 304 answers carry no body (RFC 9110 §6.4.1).
bool statusHasNoBody(int status);

} // namespace framescope::session
