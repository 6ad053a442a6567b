#include "capturedescription.h"

#include <algorithm>
#include <capture/redaction.h>
#include <session/engine/certificatefingerprint.h>

namespace framescope::session {

capture::SessionInfo describeClientSession(const ClientSnapshot &session,
                                           std::int64_t startedAtUnixMs, const std::string &tool)
{
    const ClientOptions &options = session.options;
    const HandshakeRecord &handshake = session.handshake;
    capture::SessionInfo info;
    info.url = options.url.toString().toStdString();
    info.tool = tool;
    info.startedAtUnixMs = startedAtUnixMs;
    info.openedNs = handshake.openedNs;
    info.handshakeRequest = handshake.request.toStdString();
    info.handshakeResponse = handshake.response.toStdString();
    info.subprotocol = handshake.subprotocol.toStdString();
    info.extensions = handshake.extensions.toStdString();
    for (const auto &[name, value] : options.headers)
        info.options["header:" + name.toStdString()] = value.toStdString();
    if (!options.origin.isEmpty())
        info.options["origin"] = options.origin.toStdString();
    if (options.acceptInvalidCertificate)
        info.options["insecure"] = "true";
    if (!options.pinnedSha256.isEmpty())
        info.options["pin-sha256"] = fingerprintText(options.pinnedSha256).toStdString();
    for (auto it = handshake.tls.cbegin(); it != handshake.tls.cend(); ++it)
        info.tls[it.key().toStdString()] = it.value().toStdString();
    for (const auto &[phase, ns] : {std::pair{"lookup", handshake.lookupNs},
                                    {"connect", handshake.connectNs},
                                    {"tls", handshake.tlsNs},
                                    {"upgrade", handshake.upgradeNs}}) {
        if (ns > 0)
            info.phasesNs[phase] = ns;
    }
    return info;
}

capture::SessionInfo describeServer(const LocalServerOptions &options, const QString &url,
                                    const QString &sha256Fingerprint, std::int64_t startedAtUnixMs,
                                    const std::string &tool)
{
    capture::SessionInfo info;
    info.url = url.toStdString();
    info.tool = tool;
    info.startedAtUnixMs = startedAtUnixMs;
    const ServerBehaviour &b = options.behaviour;
    auto &out = info.options;
    out["role"] = "server";
    out["deflate"] = options.deflate ? "true" : "false";
    out["tls"] = options.tls ? "true" : "false";
    out["echo"] = b.echo ? "true" : "false";
    const auto number = [&out](const char *name, long long value) {
        if (value != 0)
            out[name] = std::to_string(value);
    };
    number("replyDelayMs", b.replyDelayMs);
    number("fragmentSize", static_cast<long long>(b.fragmentSize));
    number("pingIntervalMs", b.pingIntervalMs);
    number("pushIntervalMs", b.pushIntervalMs);
    number("closeAfterMessages", b.closeAfterMessages);
    number("closeAfterMs", b.closeAfterMs);
    number("idleTimeoutMs", options.idleTimeoutMs);
    if (b.closeAfterMessages != 0 || b.closeAfterMs != 0)
        out["closeCode"] = std::to_string(b.closeCode);
    if (b.refuse)
        out["refuse"] = std::to_string(b.refuse->status)
                        + (b.refuse->upgradeWithoutAccept ? " without Sec-WebSocket-Accept" : "");
    if (!b.requiredSubprotocol.isEmpty())
        out["requireSubprotocol"] = b.requiredSubprotocol.toStdString();
    if (b.requireAuthorization)
        out["requireAuthorization"] = "true";
    if (b.echoRequestHeaders)
        out["echoRequestHeaders"] = "true";
    if (!b.answerPings)
        out["answerPings"] = "false";
    if (options.tls && !sha256Fingerprint.isEmpty())
        info.tls["sha256"] = sha256Fingerprint.toStdString();
    return info;
}

capture::CaptureEvent findingEvent(const Finding &finding, std::int64_t timeNs)
{
    capture::CaptureEvent event;
    event.timeNs = timeNs;
    event.kind = capture::EventKind::Diagnosis;
    event.reason = finding.title.toStdString();
    event.detail
        = (describe(finding.severity) + QStringLiteral(" ") + finding.id + QStringLiteral(": ")
           + finding.detail
           + (finding.fix.isEmpty() ? QString() : QStringLiteral(" | fix: ") + finding.fix))
              .toStdString();
    return event;
}

std::vector<capture::CaptureEvent> serverHandshakeEvents(const ServerConnectionInfo &info,
                                                         const capture::RedactionOptions &redaction)
{
    capture::CaptureEvent request;
    request.timeNs = info.requestNs;
    request.connection = std::uint32_t(info.id);
    request.kind = capture::EventKind::HandshakeRequest;
    request.reason = info.peer.toStdString();
    request.detail = capture::redactHttpHead(info.request.toStdString(), redaction);
    capture::CaptureEvent response = request;
    response.kind = info.status == 101 && info.close.endedBy != EndReason::Refused
                        ? capture::EventKind::HandshakeResponse
                        : capture::EventKind::HandshakeRefused;
    response.timeNs = info.openedNs;
    response.code = std::uint16_t(info.status);
    response.reason.clear();
    response.detail = capture::redactHttpHead(info.response.toStdString(), redaction);
    return {request, response};
}

std::vector<capture::CaptureEvent> clientHandshakeEvents(const ClientSnapshot &session,
                                                         const capture::RedactionOptions &redaction,
                                                         std::int64_t timeNs)
{
    capture::CaptureEvent request;
    request.timeNs = timeNs;
    request.connection = session.connectionNumber;
    request.kind = capture::EventKind::HandshakeRequest;
    request.reason = capture::redactUrl(session.options.url.toString().toStdString(), redaction);
    request.detail = capture::redactHttpHead(session.handshake.request.toStdString(), redaction);
    capture::CaptureEvent response = request;
    response.kind = capture::EventKind::HandshakeResponse;
    response.reason.clear();
    response.code = std::uint16_t(session.handshake.status);
    response.detail = capture::redactHttpHead(session.handshake.response.toStdString(), redaction);
    return {request, response};
}

std::vector<capture::CaptureEvent> closeEvents(const CloseInfo &close, std::int64_t timeNs,
                                               std::uint32_t connection)
{
    std::vector<capture::CaptureEvent> events;
    capture::CaptureEvent event;
    event.connection = connection;
    if (close.codeSent) {
        event.kind = capture::EventKind::CloseSent;
        event.timeNs = close.sentNs > 0 ? std::min(close.sentNs, timeNs) : timeNs;
        event.code = close.codeSent;
        event.reason = close.reasonSent.toStdString();
        events.push_back(event);
    }
    if (close.closeFrameReceived) {
        event.kind = capture::EventKind::CloseReceived;
        event.timeNs = close.receivedNs > 0 ? std::min(close.receivedNs, timeNs) : timeNs;
        event.code = close.codeReceived;
        event.reason = close.reasonReceived.toStdString();
        events.push_back(event);
    }
    // In time order: the peer's close first when it began the closing handshake.
    std::stable_sort(events.begin(), events.end(),
                     [](const auto &a, const auto &b) { return a.timeNs < b.timeNs; });
    event.timeNs = timeNs;
    event.kind = capture::EventKind::Ended;
    event.code.reset();
    event.reason.clear();
    event.detail = std::string(capture::endReasonName(close.endedBy));
    events.push_back(event);
    return events;
}

} // namespace framescope::session
