// serve's command line: its options and what they set.

#include "cliexit.h"
#include "optionparsing.h"
#include "servecommand.h"

#include <cstdio>

namespace framescope::cli {

std::variant<ServeRequest, int> parseServeRequest(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The built-in WebSocket server on loopback: echoes every message byte for byte and "
        "misbehaves on request, until Ctrl-C (its clients then get 1001)."));
    const QCommandLineOption host(
        QStringLiteral("host"),
        QStringLiteral("Listen on this address (repeatable; default 127.0.0.1 and ::1)."),
        QStringLiteral("ADDRESS"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("The port (default: any free one)."),
                                  QStringLiteral("PORT"));
    const QCommandLineOption allowOrigin(
        QStringLiteral("allow-origin"),
        QStringLiteral("Accept this browser Origin too (repeatable; * for any)."),
        QStringLiteral("ORIGIN"));
    const QCommandLineOption allowHost(
        QStringLiteral("allow-host"),
        QStringLiteral("Accept this Host name too (repeatable; * for any; IP addresses and "
                       "localhost always are)."),
        QStringLiteral("NAME"));
    const QCommandLineOption maxConnections(
        QStringLiteral("max-connections"),
        QStringLiteral("At most N connections at once (default 1000)."), QStringLiteral("N"));
    const QCommandLineOption busyPoll(
        QStringLiteral("busy-poll"),
        QStringLiteral("After handling messages, watch the sockets for up to US microseconds "
                       "before sleeping (default 50; 0: off)."),
        QStringLiteral("US"));
    const QCommandLineOption deflate(QStringLiteral("deflate"),
                                     QStringLiteral("Accept permessage-deflate."));
    const QCommandLineOption tls(
        QStringLiteral("tls"),
        QStringLiteral("wss:// (the kept self-signed certificate, or --cert and --key)."));
    const QCommandLineOption certOption(QStringLiteral("cert"),
                                        QStringLiteral("The server certificate (PEM)."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption keyOption(
        QStringLiteral("key"), QStringLiteral("Its private key (PEM)."), QStringLiteral("FILE"));
    const QCommandLineOption passOption(
        QStringLiteral("pass"), QStringLiteral("The key's password."), QStringLiteral("PASSWORD"));
    const QCommandLineOption captureOption(
        QStringLiteral("capture"), QStringLiteral("Record every connection to a capture file."),
        QStringLiteral("FILE"));
    const QCommandLineOption captureMemory(
        QStringLiteral("capture-memory"),
        QStringLiteral("Frames kept in memory for all connections, in MiB (default 256): past it "
                       "the oldest go, once recorded when --capture is given."),
        QStringLiteral("MIB"));
    const QCommandLineOption keepSecrets(QStringLiteral("keep-secrets"),
                                         QStringLiteral("Do not redact secrets in the capture."));
    const QCommandLineOption noEcho(QStringLiteral("no-echo"),
                                    QStringLiteral("Do not echo messages."));
    const QCommandLineOption noAutoPong(QStringLiteral("no-auto-pong"),
                                        QStringLiteral("Do not answer pings."));
    const QCommandLineOption delay(QStringLiteral("delay"),
                                   QStringLiteral("Delay each reply by MS milliseconds."),
                                   QStringLiteral("MS"));
    const QCommandLineOption fragment(QStringLiteral("fragment"),
                                      QStringLiteral("Send replies in frames of at most N bytes."),
                                      QStringLiteral("N"));
    const QCommandLineOption pingInterval(QStringLiteral("ping-interval"),
                                          QStringLiteral("Ping each client every MS milliseconds."),
                                          QStringLiteral("MS"));
    const QCommandLineOption pushInterval(
        QStringLiteral("push-interval"),
        QStringLiteral("Push a text message every MS milliseconds."), QStringLiteral("MS"));
    const QCommandLineOption pushText(
        QStringLiteral("push-text"),
        QStringLiteral("The pushed text (default \"push\"; a counter is added)."),
        QStringLiteral("TEXT"));
    const QCommandLineOption closeAfterMessages(
        QStringLiteral("close-after-messages"),
        QStringLiteral("Close after the Nth message (code from --close)."), QStringLiteral("N"));
    const QCommandLineOption closeAfter(
        QStringLiteral("close-after"),
        QStringLiteral("Close MS milliseconds after the upgrade (code from --close)."),
        QStringLiteral("MS"));
    const QCommandLineOption closeOption(QStringLiteral("close"),
                                         QStringLiteral("The code (and reason) for those closes."),
                                         QStringLiteral("CODE[:REASON]"));
    const QCommandLineOption idleTimeout(
        QStringLiteral("idle-timeout"),
        QStringLiteral("Close (1001) a client that sends nothing for MS milliseconds."),
        QStringLiteral("MS"));
    const QCommandLineOption refuse(
        QStringLiteral("refuse"),
        QStringLiteral("Refuse every upgrade with this status (-H adds headers)."),
        QStringLiteral("STATUS"));
    const QCommandLineOption refuseBody(QStringLiteral("refuse-body"),
                                        QStringLiteral("The body of the refusal."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption header(QStringList{QStringLiteral("H"), QStringLiteral("header")},
                                    QStringLiteral("A header of the refusal (repeatable)."),
                                    QStringLiteral("NAME: VALUE"));
    const QCommandLineOption emulate(
        QStringLiteral("emulate"),
        QStringLiteral("Answer like IIS: iis-101-no-accept, iis-400, iis-401, iis-403, iis-404, "
                       "iis-500 or iis-503."),
        QStringLiteral("NAME"));
    const QCommandLineOption requireSubprotocol(
        QStringLiteral("require-subprotocol"),
        QStringLiteral("Refuse clients that do not offer this subprotocol; choose it."),
        QStringLiteral("NAME"));
    const QCommandLineOption requireAuth(
        QStringLiteral("require-auth"),
        QStringLiteral("Refuse (401) upgrades without an Authorization header."));
    const QCommandLineOption echoHeaders(
        QStringLiteral("echo-headers"),
        QStringLiteral("Send the request head back as the first message."));
    parser.addOptions({host,           port,
                       allowOrigin,    allowHost,
                       maxConnections, busyPoll,
                       deflate,        tls,
                       certOption,     keyOption,
                       passOption,     captureOption,
                       keepSecrets,    captureMemory,
                       noEcho,         noAutoPong,
                       delay,          fragment,
                       pingInterval,   pushInterval,
                       pushText,       closeAfterMessages,
                       closeAfter,     closeOption,
                       idleTimeout,    refuse,
                       refuseBody,     header,
                       emulate,        requireSubprotocol,
                       requireAuth,    echoHeaders});
    if (const std::optional<int> exit
        = parseCommandLine(parser, QStringLiteral("serve"), arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("serve takes no arguments, got \"%1\"")
                         .arg(parser.positionalArguments().constFirst()));

    ServeRequest request;
    session::LocalServerOptions &options = request.options;
    session::ServerBehaviour &behaviour = options.behaviour;
    if (parser.isSet(host)) {
        options.addresses.clear();
        for (const QString &value : parser.values(host)) {
            QHostAddress address;
            if (value == QLatin1String("localhost"))
                address = QHostAddress::LocalHost;
            else if (!address.setAddress(value))
                return usage(QStringLiteral("--host needs an IP address, got \"%1\"").arg(value));
            if (!address.isLoopback())
                std::fprintf(stderr,
                             "warning: listening on %s makes the server reachable from other "
                             "machines\n",
                             qPrintable(value));
            options.addresses.append(address);
        }
    }
    if (parser.isSet(port)) {
        bool ok = false;
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value > 65535)
            return usage(QStringLiteral("--port needs a number from 0 to 65535"));
        options.port = quint16(value);
    }
    options.allowedOrigins = parser.values(allowOrigin);
    options.allowedHosts = parser.values(allowHost);
    options.deflate = parser.isSet(deflate);
    options.tls = parser.isSet(tls);
    request.certificateFile = parser.value(certOption);
    request.keyFile = parser.value(keyOption);
    request.keyPassword = parser.value(passOption).toUtf8();
    if (request.certificateFile.isEmpty() != request.keyFile.isEmpty())
        return usage(QStringLiteral("--cert and --key go together"));
    if (!request.certificateFile.isEmpty() && !options.tls)
        return usage(QStringLiteral("--cert and --key need --tls"));
    request.capturePath = parser.value(captureOption);
    if (!request.capturePath.isEmpty())
        if (const auto error = checkOutputFile(QStringLiteral("capture"), request.capturePath))
            return usage(*error);
    request.keepSecrets = parser.isSet(keepSecrets);
    behaviour.echo = !parser.isSet(noEcho);
    behaviour.answerPings = !parser.isSet(noAutoPong);
    behaviour.requireAuthorization = parser.isSet(requireAuth);
    behaviour.echoRequestHeaders = parser.isSet(echoHeaders);
    behaviour.echoSecrets = request.keepSecrets;
    behaviour.requiredSubprotocol = parser.value(requireSubprotocol).toUtf8();
    if (parser.isSet(pushText))
        behaviour.pushText = parser.value(pushText).toUtf8();
    int fragmentSize = 0;
    if (const auto error
        = readIntOptions(parser, {{delay, behaviour.replyDelayMs},
                                  {fragment, fragmentSize},
                                  {pingInterval, behaviour.pingIntervalMs},
                                  {pushInterval, behaviour.pushIntervalMs},
                                  {closeAfterMessages, behaviour.closeAfterMessages},
                                  {closeAfter, behaviour.closeAfterMs},
                                  {idleTimeout, options.idleTimeoutMs},
                                  {maxConnections, options.maxConnections},
                                  {busyPoll, options.busyPollUs}}))
        return usage(*error);
    // Without --capture nothing here reads the frames: the store keeps only its smallest size
    // (a server at 300 MB with nobody connected kept 256 MiB of frames nobody would see).
    if (request.capturePath.isEmpty())
        options.captureMemoryCap = std::size_t{8} << 20;
    if (const auto error = readMemoryOption(parser, captureMemory, options.captureMemoryCap))
        return usage(*error);
    if (options.maxConnections == 0)
        return usage(QStringLiteral("--max-connections needs at least 1"));
    behaviour.fragmentSize = std::size_t(fragmentSize);
    if (parser.isSet(closeOption)) {
        if (const auto error
            = readClose(parser.value(closeOption), behaviour.closeCode, behaviour.closeReason))
            return usage(*error);
    }
    if (parser.isSet(emulate) && parser.isSet(refuse))
        return usage(QStringLiteral("--emulate and --refuse are alternatives"));
    // Options that only mean something with another are not silently ignored.
    for (const std::optional<QString> &error :
         {conflictsWith(parser,
                        {&deflate, &noEcho, &noAutoPong, &delay, &fragment, &pingInterval,
                         &pushInterval, &pushText, &closeAfterMessages, &closeAfter, &closeOption,
                         &idleTimeout, &requireSubprotocol, &requireAuth, &echoHeaders},
                        {&emulate, &refuse},
                        QStringLiteral("every upgrade is refused, so no connection opens")),
          needsOneOf(parser, {&refuseBody, &header}, {&refuse},
                     QStringLiteral("it shapes a --refuse answer (the --emulate answers are "
                                    "fixed)")),
          needsOneOf(parser, {&closeOption}, {&closeAfterMessages, &closeAfter},
                     QStringLiteral("it is the code of those closes")),
          needsOneOf(parser, {&pushText}, {&pushInterval},
                     QStringLiteral("it is the text pushed every --push-interval")),
          needsOneOf(parser, {&passOption}, {&keyOption},
                     QStringLiteral("it is the password of the --key file")),
          needsOneOf(parser, {&keepSecrets}, {&captureOption, &echoHeaders},
                     QStringLiteral("secrets are redacted only in the capture and the echoed "
                                    "request head"))})
        if (error)
            return usage(*error);
    for (const auto &[option, value] :
         {std::pair{&closeAfterMessages, behaviour.closeAfterMessages},
          std::pair{&closeAfter, behaviour.closeAfterMs}, std::pair{&fragment, fragmentSize}})
        if (parser.isSet(*option) && value == 0)
            return usage(QStringLiteral("--%1 needs 1 or more (leave it out for %2)")
                             .arg(option->names().constLast(),
                                  option == &fragment ? QStringLiteral("whole messages")
                                                      : QStringLiteral("no such close")));
    if (parser.isSet(emulate)) {
        behaviour.refuse = session::iisEmulation(parser.value(emulate));
        if (!behaviour.refuse)
            return usage(QStringLiteral("--emulate takes one of %1")
                             .arg(session::iisEmulationNames().join(QStringLiteral(", "))));
    }
    if (parser.isSet(refuse)) {
        bool ok = false;
        const int status = parser.value(refuse).toInt(&ok);
        if (!ok || status < 100 || status > 599 || status == 101)
            return usage(QStringLiteral("--refuse needs an HTTP status from 100 to 599 other than "
                                        "101, not \"%1\"")
                             .arg(parser.value(refuse)));
        if (parser.isSet(refuseBody) && session::statusHasNoBody(status))
            return usage(
                QStringLiteral("a %1 answer has no body (RFC 9110): leave out --refuse-body")
                    .arg(status));
        session::ServerRefusal refusal;
        refusal.status = status;
        refusal.body = parser.value(refuseBody).toUtf8();
        if (const auto error = readHeaders(parser.values(header), refusal.headers))
            return usage(*error);
        behaviour.refuse = refusal;
    }
    return request;
}

} // namespace framescope::cli
