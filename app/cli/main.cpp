// framescope-cli: the command-line client. Commands that need the network client and the local
// server arrive with them; `demo` runs a full conversation through the codec in-process.

#include "connectcommand.h"
#include "frameprinter.h"
#include "servecommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <capture/capturefile.h>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <protocol/closeframe.h>
#include <protocol/frameheader.h>
#include <protocol/protocolerror.h>
#include <session/engine/certificatefingerprint.h>
#include <session/server/localserver.h>
#include <teaching/echodemo.h>
#include <teaching/echodemoreport.h>

namespace {

constexpr int Success = ExitSuccess;
constexpr int DemoFailed = ExitFailedCheck;
constexpr int UsageError = ExitUsage;

namespace capture = framescope::capture;

int printDemo(const framescope::teaching::EchoDemoResult &result, bool json)
{
    const std::string text = json ? framescope::teaching::echoDemoJson(result) + '\n'
                                  : framescope::teaching::formatEchoDemo(result);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return result.ok() ? Success : DemoFailed;
}

} // namespace

namespace {

int usage(const QString &message)
{
    std::fprintf(stderr, "framescope-cli: %s (try --help)\n", qPrintable(message));
    return UsageError;
}

std::optional<int> positiveInt(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    if (!parser.isSet(option))
        return std::nullopt;
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < 0)
        return -1;
    return value;
}

int inspect(const QString &path, bool json)
{
    const capture::CaptureReadResult read = capture::readCaptureFile(path.toStdString());
    QTextStream out(stdout);
    if (!read.ok() && read.frames.empty() && read.events.empty()) {
        std::fprintf(stderr, "framescope-cli: %s: %s\n", qPrintable(path), read.error.c_str());
        return UsageError;
    }
    // Several connections (a server's capture, or a client that reconnected): each line names
    // its connection.
    const bool showConnection
        = std::any_of(read.frames.cbegin(), read.frames.cend(),
                      [](const capture::CapturedFrame &f) { return f.record.connection != 0; })
          || std::any_of(read.events.cbegin(), read.events.cend(),
                         [](const capture::CaptureEvent &e) { return e.connection != 0; });
    if (json)
        out << QString::fromStdString(capture::sessionLine(read.session)) << '\n';
    else
        out << formatSession(read.session) << '\n';
    // Frames and events in time order, as the file has them (an event first on a tie).
    std::int64_t origin = 0;
    if (!read.frames.empty() || !read.events.empty())
        origin = std::min(read.frames.empty() ? INT64_MAX : read.frames.front().record.startNs,
                          read.events.empty() ? INT64_MAX : read.events.front().timeNs);
    auto nextEvent = read.events.cbegin();
    const auto printEvent = [&](const capture::CaptureEvent &event) {
        if (json)
            out << QString::fromStdString(capture::eventLine(event)) << '\n';
        else
            out << formatEvent(event, origin, showConnection) << '\n';
    };
    for (const capture::CapturedFrame &frame : read.frames) {
        for (; nextEvent != read.events.cend() && nextEvent->timeNs <= frame.record.startNs;
             ++nextEvent)
            printEvent(*nextEvent);
        if (json)
            out << QString::fromStdString(capture::frameLine(
                frame.id, frame.record, frame.payloadEvicted ? nullptr : &frame.payload))
                << '\n';
        else
            out << formatFrame(frame.record, frame.payload, origin, showConnection) << '\n';
    }
    for (; nextEvent != read.events.cend(); ++nextEvent)
        printEvent(*nextEvent);
    out.flush();
    if (read.truncated) // on stderr: --json output stays JSON lines
        std::fprintf(stderr,
                     "framescope-cli: %s: the last line was cut off (recording "
                     "interrupted); the lines before it are shown\n",
                     qPrintable(path));
    if (!read.ok()) {
        std::fprintf(stderr, "framescope-cli: %s: %s\n", qPrintable(path), read.error.c_str());
        return DemoFailed;
    }
    return Success;
}

std::atomic<int> g_stopSignal{0};

struct IntOption
{
    const QCommandLineOption &option;
    int &target;
};

// Sets the target of each option given; the usage error for a value that is not a number >= 0.
std::optional<QString> readIntOptions(const QCommandLineParser &parser,
                                      std::initializer_list<IntOption> options)
{
    for (const IntOption &entry : options) {
        if (const auto value = positiveInt(parser, entry.option)) {
            if (*value < 0)
                return QStringLiteral("--%1 needs a number").arg(entry.option.names().constFirst());
            entry.target = *value;
        }
    }
    return std::nullopt;
}

// "Name: value" lines (-H); the usage error for one without a name.
std::optional<QString> readHeaders(const QStringList &lines,
                                   QList<QPair<QByteArray, QByteArray>> &headers)
{
    for (const QString &line : lines) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return QStringLiteral("-H needs \"Name: value\", got \"%1\"").arg(line);
        headers.append(
            {line.left(colon).trimmed().toUtf8(), line.mid(colon + 1).trimmed().toUtf8()});
    }
    return std::nullopt;
}

// --close CODE[:REASON]; the usage error for a code or reason that may not be sent.
std::optional<QString> readClose(const QString &value, std::uint16_t &code, QByteArray &reason)
{
    const qsizetype colon = value.indexOf(QLatin1Char(':'));
    bool ok = false;
    const uint number = (colon < 0 ? value : value.left(colon)).toUInt(&ok);
    if (!ok || number > 65535)
        return QStringLiteral("--close needs CODE[:REASON]");
    reason = colon < 0 ? QByteArray() : value.mid(colon + 1).toUtf8();
    if (!framescope::protocol::buildClosePayload(std::uint16_t(number), reason.toStdString()))
        return QStringLiteral("close code %1 may not be sent (or the reason is over 123 bytes)")
            .arg(number);
    code = std::uint16_t(number);
    return std::nullopt;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // The libraries' warnings in the same words as the tool's own (QT_MESSAGE_PATTERN wins).
    qSetMessagePattern(QStringLiteral("%{if-warning}warning: %{endif}%{if-critical}error: "
                                      "%{endif}%{if-fatal}error: %{endif}%{message}"));
    QCoreApplication::setApplicationName(QStringLiteral("framescope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FRAMESCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Framescope command-line client.\n\nCommands:\n"
        "  connect URL    connect to a WebSocket server; interactive (stdin lines are sent) "
        "unless\n"
        "                 --send, --send-binary, --wait-messages or --close is given\n"
        "  inspect FILE   print a capture file\n"
        "  serve          the built-in echo server on loopback, until Ctrl-C\n"
        "  demo           a full WebSocket conversation through the codec, printed frame by "
        "frame\n\n"
        "Exit codes: 0 success, 1 failed check, 2 usage error, 3 handshake failure, 4 TLS "
        "failure,\n"
        "5 connection failure, 6 peer protocol violation, 7 timeout."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("connect, inspect or demo"));
    const QCommandLineOption deflate(QStringLiteral("deflate"),
                                     QStringLiteral("Offer permessage-deflate."));
    const QCommandLineOption fragment(
        QStringLiteral("fragment"),
        QStringLiteral("demo: split messages into frames of at most N bytes."),
        QStringLiteral("N"));
    const QCommandLineOption send(QStringLiteral("send"),
                                  QStringLiteral("A text message to send (repeatable)."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption sendBinary(QStringLiteral("send-binary"),
                                        QStringLiteral("A binary message in hex (repeatable)."),
                                        QStringLiteral("HEX"));
    const QCommandLineOption waitMessages(
        QStringLiteral("wait-messages"),
        QStringLiteral("Stay until N messages arrived, then close."), QStringLiteral("N"));
    const QCommandLineOption closeOption(QStringLiteral("close"),
                                         QStringLiteral("Close with this code (and reason)."),
                                         QStringLiteral("CODE[:REASON]"));
    const QCommandLineOption captureOption(QStringLiteral("capture"),
                                           QStringLiteral("Record the session to a capture file."),
                                           QStringLiteral("FILE"));
    const QCommandLineOption keepSecrets(
        QStringLiteral("keep-secrets"),
        QStringLiteral("Do not redact secrets in the capture and JSON output."));
    const QCommandLineOption json(
        QStringLiteral("json"),
        QStringLiteral("One JSON object per event (the capture file's lines)."));
    const QCommandLineOption header(QStringList{QStringLiteral("H"), QStringLiteral("header")},
                                    QStringLiteral("An extra request header (repeatable)."),
                                    QStringLiteral("NAME: VALUE"));
    const QCommandLineOption subprotocol(QStringLiteral("subprotocol"),
                                         QStringLiteral("Offer a subprotocol (repeatable)."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption origin(QStringLiteral("origin"), QStringLiteral("The Origin header."),
                                    QStringLiteral("ORIGIN"));
    const QCommandLineOption insecure(
        QStringLiteral("insecure"),
        QStringLiteral("Accept an invalid TLS certificate for this session (recorded)."));
    const QCommandLineOption cacert(QStringLiteral("cacert"),
                                    QStringLiteral("Trust the CA certificates in this PEM file."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption pinSha256(
        QStringLiteral("pin-sha256"),
        QStringLiteral("Trust exactly the certificate with this SHA-256 fingerprint (as serve "
                       "--tls prints it), even self-signed; any other fails."),
        QStringLiteral("FINGERPRINT"));
    const QCommandLineOption followRedirects(
        QStringList{QStringLiteral("L"), QStringLiteral("follow-redirects")},
        QStringLiteral(
            "Follow redirects (credentials never go to another host or from wss to ws)."));
    const QCommandLineOption maxRedirects(QStringLiteral("max-redirects"),
                                          QStringLiteral("At most N redirects (default 5)."),
                                          QStringLiteral("N"));
    const QCommandLineOption serveHost(
        QStringLiteral("host"),
        QStringLiteral("serve: listen on this address (repeatable; default 127.0.0.1 and ::1)."),
        QStringLiteral("ADDRESS"));
    const QCommandLineOption servePort(QStringLiteral("port"),
                                       QStringLiteral("serve: the port (default: any free one)."),
                                       QStringLiteral("PORT"));
    const QCommandLineOption allowOrigin(
        QStringLiteral("allow-origin"),
        QStringLiteral("serve: accept this browser Origin too (repeatable; * for any)."),
        QStringLiteral("ORIGIN"));
    const QCommandLineOption cookie(QStringLiteral("cookie"),
                                    QStringLiteral("Send a cookie (repeatable)."),
                                    QStringLiteral("NAME=VALUE"));
    const QCommandLineOption user(QStringList{QStringLiteral("u"), QStringLiteral("user")},
                                  QStringLiteral("Basic authentication."),
                                  QStringLiteral("USER:PASSWORD"));
    const QCommandLineOption bearer(QStringLiteral("bearer"),
                                    QStringLiteral("Bearer token authentication."),
                                    QStringLiteral("TOKEN"));
    const QCommandLineOption reconnect(
        QStringLiteral("reconnect"),
        QStringLiteral("Reconnect with backoff when the connection ends unasked."));
    const QCommandLineOption reconnectDelay(
        QStringLiteral("reconnect-delay"),
        QStringLiteral("First reconnect delay (default 500; doubles each time)."),
        QStringLiteral("MS"));
    const QCommandLineOption reconnectMaxDelay(QStringLiteral("reconnect-max-delay"),
                                               QStringLiteral("Longest delay (default 30000)."),
                                               QStringLiteral("MS"));
    const QCommandLineOption reconnectAttempts(
        QStringLiteral("reconnect-attempts"),
        QStringLiteral("Give up after N attempts in a row (default 10; 0 = never)."),
        QStringLiteral("N"));
    const QCommandLineOption tls(
        QStringLiteral("tls"), QStringLiteral("serve: wss:// (the kept self-signed certificate, or "
                                              "--cert and --key)."));
    const QCommandLineOption noEcho(QStringLiteral("no-echo"),
                                    QStringLiteral("serve: do not echo messages."));
    const QCommandLineOption delay(QStringLiteral("delay"),
                                   QStringLiteral("serve: delay each reply by MS milliseconds."),
                                   QStringLiteral("MS"));
    const QCommandLineOption pushInterval(
        QStringLiteral("push-interval"),
        QStringLiteral("serve: push a text message every MS milliseconds."), QStringLiteral("MS"));
    const QCommandLineOption pushText(QStringLiteral("push-text"),
                                      QStringLiteral("serve: the pushed text (default \"push\"; a "
                                                     "counter is added)."),
                                      QStringLiteral("TEXT"));
    const QCommandLineOption closeAfterMessages(
        QStringLiteral("close-after-messages"),
        QStringLiteral("serve: close after the Nth message (code from --close)."),
        QStringLiteral("N"));
    const QCommandLineOption closeAfter(
        QStringLiteral("close-after"),
        QStringLiteral("serve: close MS milliseconds after the upgrade (code from --close)."),
        QStringLiteral("MS"));
    const QCommandLineOption refuse(
        QStringLiteral("refuse"),
        QStringLiteral("serve: refuse every upgrade with this status (-H adds headers)."),
        QStringLiteral("STATUS"));
    const QCommandLineOption refuseBody(QStringLiteral("refuse-body"),
                                        QStringLiteral("serve: the body of the refusal."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption emulate(
        QStringLiteral("emulate"),
        QStringLiteral("serve: answer like IIS: iis-101-no-accept, iis-400, iis-401, iis-403, "
                       "iis-404, iis-500 or iis-503."),
        QStringLiteral("NAME"));
    const QCommandLineOption requireSubprotocol(
        QStringLiteral("require-subprotocol"),
        QStringLiteral("serve: refuse clients that do not offer this subprotocol; choose it."),
        QStringLiteral("NAME"));
    const QCommandLineOption requireAuth(
        QStringLiteral("require-auth"),
        QStringLiteral("serve: refuse (401) upgrades without an Authorization header."));
    const QCommandLineOption echoHeaders(
        QStringLiteral("echo-headers"),
        QStringLiteral("serve: send the request head back as the first message."));
    const QCommandLineOption maxConnections(
        QStringLiteral("max-connections"),
        QStringLiteral("serve: at most N connections at once (default 1000)."),
        QStringLiteral("N"));
    const QCommandLineOption busyPoll(
        QStringLiteral("busy-poll"),
        QStringLiteral("serve: after handling messages, watch the sockets for up to US "
                       "microseconds before sleeping (default 50; 0: off)."),
        QStringLiteral("US"));
    const QCommandLineOption proxyOption(
        QStringLiteral("proxy"),
        QStringLiteral("http://[user:pass@]host:port, socks5://host:port, or system."),
        QStringLiteral("URL"));
    const QCommandLineOption certOption(
        QStringLiteral("cert"), QStringLiteral("Client certificate: PEM, or PKCS#12 (.p12/.pfx)."),
        QStringLiteral("FILE"));
    const QCommandLineOption keyOption(
        QStringLiteral("key"), QStringLiteral("The client certificate's private key (PEM)."),
        QStringLiteral("FILE"));
    const QCommandLineOption passOption(QStringLiteral("pass"),
                                        QStringLiteral("Password of the key or the PKCS#12 file."),
                                        QStringLiteral("PASSWORD"));
    const QCommandLineOption maxMessage(QStringLiteral("max-message"),
                                        QStringLiteral("Message size limit in bytes."),
                                        QStringLiteral("BYTES"));
    const QCommandLineOption noAutoPong(QStringLiteral("no-auto-pong"),
                                        QStringLiteral("Do not answer pings."));
    const QCommandLineOption pingInterval(
        QStringLiteral("ping-interval"),
        QStringLiteral("Send a keep-alive ping every MS milliseconds."), QStringLiteral("MS"));
    const QCommandLineOption connectTimeout(QStringLiteral("connect-timeout"),
                                            QStringLiteral("TCP connect timeout."),
                                            QStringLiteral("MS"));
    const QCommandLineOption handshakeTimeout(QStringLiteral("handshake-timeout"),
                                              QStringLiteral("HTTP upgrade timeout."),
                                              QStringLiteral("MS"));
    const QCommandLineOption idleTimeout(QStringLiteral("idle-timeout"),
                                         QStringLiteral("Mid-frame stall timeout."),
                                         QStringLiteral("MS"));
    const QCommandLineOption closeTimeout(QStringLiteral("close-timeout"),
                                          QStringLiteral("Closing handshake timeout."),
                                          QStringLiteral("MS"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("With --wait-messages: how long to wait (default 30000)."),
        QStringLiteral("MS"));
    parser.addOptions({deflate,
                       fragment,
                       send,
                       sendBinary,
                       waitMessages,
                       closeOption,
                       captureOption,
                       keepSecrets,
                       json,
                       header,
                       subprotocol,
                       origin,
                       insecure,
                       cacert,
                       pinSha256,
                       followRedirects,
                       maxRedirects,
                       serveHost,
                       servePort,
                       allowOrigin,
                       cookie,
                       user,
                       bearer,
                       reconnect,
                       reconnectDelay,
                       reconnectMaxDelay,
                       reconnectAttempts,
                       tls,
                       noEcho,
                       delay,
                       pushInterval,
                       pushText,
                       closeAfterMessages,
                       closeAfter,
                       refuse,
                       refuseBody,
                       emulate,
                       requireSubprotocol,
                       requireAuth,
                       echoHeaders,
                       maxConnections,
                       busyPoll,
                       proxyOption,
                       certOption,
                       keyOption,
                       passOption,
                       maxMessage,
                       noAutoPong,
                       pingInterval,
                       connectTimeout,
                       handshakeTimeout,
                       idleTimeout,
                       closeTimeout,
                       timeout});
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0);
    if (command == QLatin1String("demo")) {
        framescope::teaching::EchoDemoOptions options;
        options.offerDeflate = parser.isSet(deflate);
        if (parser.isSet(fragment)) {
            bool ok = false;
            const qulonglong size = parser.value(fragment).toULongLong(&ok);
            if (!ok || size == 0)
                return usage(QStringLiteral("--fragment needs a positive number of bytes"));
            options.fragmentSize = std::size_t(size);
        }
        if (parser.isSet(send)) {
            options.textMessages.clear();
            for (const QString &text : parser.values(send))
                options.textMessages.push_back(text.toStdString());
        }
        return printDemo(framescope::teaching::runEchoDemo(options), parser.isSet(json));
    }
    if (command == QLatin1String("inspect")) {
        if (positional.size() != 2)
            return usage(QStringLiteral("inspect needs one capture file"));
        return inspect(positional.at(1), parser.isSet(json));
    }
    if (command == QLatin1String("serve")) {
        framescope::cli::ServeRequest request;
        framescope::session::LocalServerOptions &options = request.options;
        framescope::session::ServerBehaviour &behaviour = options.behaviour;
        if (parser.isSet(serveHost)) {
            options.addresses.clear();
            for (const QString &value : parser.values(serveHost)) {
                QHostAddress address;
                if (value == QLatin1String("localhost"))
                    address = QHostAddress::LocalHost;
                else if (!address.setAddress(value))
                    return usage(
                        QStringLiteral("--host needs an IP address, got \"%1\"").arg(value));
                if (!address.isLoopback())
                    std::fprintf(stderr,
                                 "warning: listening on %s makes the server reachable from other "
                                 "machines\n",
                                 qPrintable(value));
                options.addresses.append(address);
            }
        }
        if (parser.isSet(servePort)) {
            bool ok = false;
            const uint value = parser.value(servePort).toUInt(&ok);
            if (!ok || value > 65535)
                return usage(QStringLiteral("--port needs a number from 0 to 65535"));
            options.port = quint16(value);
        }
        options.allowedOrigins = parser.values(allowOrigin);
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
        request.keepSecrets = parser.isSet(keepSecrets);
        behaviour.echo = !parser.isSet(noEcho);
        behaviour.answerPings = !parser.isSet(noAutoPong);
        behaviour.requireAuthorization = parser.isSet(requireAuth);
        behaviour.echoRequestHeaders = parser.isSet(echoHeaders);
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
        behaviour.fragmentSize = std::size_t(fragmentSize);
        if (parser.isSet(closeOption)) {
            if (const auto error
                = readClose(parser.value(closeOption), behaviour.closeCode, behaviour.closeReason))
                return usage(*error);
        }
        if (parser.isSet(emulate) && parser.isSet(refuse))
            return usage(QStringLiteral("--emulate and --refuse are alternatives"));
        if (parser.isSet(emulate)) {
            behaviour.refuse = framescope::session::iisEmulation(parser.value(emulate));
            if (!behaviour.refuse)
                return usage(
                    QStringLiteral("--emulate takes one of %1")
                        .arg(framescope::session::iisEmulationNames().join(QStringLiteral(", "))));
        }
        if (parser.isSet(refuse)) {
            bool ok = false;
            const int status = parser.value(refuse).toInt(&ok);
            if (!ok || status < 100 || status > 599 || status == 101)
                return usage(
                    QStringLiteral("--refuse needs an HTTP status from 100 to 599, not 101"));
            framescope::session::ServerRefusal refusal;
            refusal.status = status;
            refusal.body = parser.value(refuseBody).toUtf8();
            if (const auto error = readHeaders(parser.values(header), refusal.headers))
                return usage(*error);
            behaviour.refuse = refusal;
        }
        // Caught from before "listening" is printed: whoever starts serve may stop it as soon
        // as it reads that line, and still gets the clean 1001 stop.
        std::signal(SIGINT, [](int signal) { g_stopSignal = signal; });
        std::signal(SIGTERM, [](int signal) { g_stopSignal = signal; });
        framescope::cli::ServeCommand serveCommand(request);
        const int failed = serveCommand.start();
        if (failed >= 0)
            return failed;
        QObject::connect(&serveCommand, &framescope::cli::ServeCommand::done, &app,
                         [](int code) { QCoreApplication::exit(code); });
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &serveCommand, [&serveCommand, &poll] {
            if (g_stopSignal == 0)
                return;
            poll.stop();
            serveCommand.stop();
        });
        poll.start(50);
        return app.exec();
    }
    if (command != QLatin1String("connect"))
        return usage(QStringLiteral("unknown or missing command"));
    if (positional.size() != 2)
        return usage(QStringLiteral("connect needs one URL"));

    ConnectRequest request;
    request.options.url = QUrl(positional.at(1), QUrl::StrictMode);
    request.options.offerDeflate = parser.isSet(deflate);
    if (const auto error = readHeaders(parser.values(header), request.options.headers))
        return usage(*error);
    for (const QString &name : parser.values(subprotocol))
        request.options.subprotocols.append(name.toUtf8());
    request.options.origin = parser.value(origin).toUtf8();
    request.options.acceptInvalidCertificate = parser.isSet(insecure);
    request.options.caFile = parser.value(cacert);
    if (parser.isSet(pinSha256)) {
        const auto pin = framescope::session::parseFingerprint(parser.value(pinSha256));
        if (!pin)
            return usage(QStringLiteral("--pin-sha256 needs a SHA-256 fingerprint: 32 bytes in "
                                        "hex, with or without colons"));
        request.options.pinnedSha256 = *pin;
    }
    request.options.proxy = parser.value(proxyOption);
    request.options.followRedirects = parser.isSet(followRedirects);
    request.options.certificateFile = parser.value(certOption);
    request.options.keyFile = parser.value(keyOption);
    request.options.keyPassword = parser.value(passOption).toUtf8();
    request.options.autoPong = !parser.isSet(noAutoPong);
    for (const QString &value : parser.values(cookie)) {
        const qsizetype equals = value.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return usage(QStringLiteral("--cookie needs NAME=VALUE, got \"%1\"").arg(value));
        request.options.cookies.append(
            {value.left(equals).toUtf8(), value.mid(equals + 1).toUtf8()});
    }
    if (parser.isSet(user)) {
        const QString value = parser.value(user);
        const qsizetype colon = value.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return usage(QStringLiteral("-u needs USER:PASSWORD"));
        request.options.basicAuth
            = QPair<QString, QString>(value.left(colon), value.mid(colon + 1));
    }
    request.options.bearerToken = parser.value(bearer).toUtf8();
    {
        // Bad credential values are a usage error, before any connection.
        framescope::session::ClientOptions check = request.options;
        if (const auto error = framescope::session::applyCredentialHelpers(check))
            return usage(*error);
    }
    request.options.reconnect.enabled = parser.isSet(reconnect);
    if (parser.isSet(maxMessage)) {
        bool ok = false;
        const qulonglong bytes = parser.value(maxMessage).toULongLong(&ok);
        if (!ok || bytes == 0)
            return usage(QStringLiteral("--max-message needs a positive number of bytes"));
        request.options.maxMessageSize = bytes;
    }
    if (const auto error
        = readIntOptions(parser, {{pingInterval, request.options.pingIntervalMs},
                                  {connectTimeout, request.options.connectTimeoutMs},
                                  {handshakeTimeout, request.options.handshakeTimeoutMs},
                                  {idleTimeout, request.options.idleTimeoutMs},
                                  {closeTimeout, request.options.closeTimeoutMs},
                                  {timeout, request.timeoutMs},
                                  {maxRedirects, request.options.maxRedirects},
                                  {reconnectDelay, request.options.reconnect.initialDelayMs},
                                  {reconnectMaxDelay, request.options.reconnect.maxDelayMs},
                                  {reconnectAttempts, request.options.reconnect.maxAttempts}}))
        return usage(*error);
    if (const auto value = positiveInt(parser, waitMessages)) {
        if (*value < 0)
            return usage(QStringLiteral("--wait-messages needs a number"));
        request.waitMessages = *value;
    }
    for (const QString &text : parser.values(send))
        request.texts.append(text.toUtf8());
    for (const QString &hexText : parser.values(sendBinary)) {
        const QByteArray compact = hexText.toLatin1().replace(' ', "");
        const auto decoded = QByteArray::fromHex(compact);
        if (compact.size() % 2 != 0 || decoded.toHex() != compact.toLower())
            return usage(QStringLiteral("--send-binary needs hex digits, got \"%1\"").arg(hexText));
        request.binaries.append(decoded);
    }
    if (parser.isSet(closeOption)) {
        std::uint16_t code = 0;
        if (const auto error = readClose(parser.value(closeOption), code, request.closeReason))
            return usage(*error);
        request.closeCode = code;
    }
    request.capturePath = parser.value(captureOption);
    request.keepSecrets = parser.isSet(keepSecrets);
    request.json = parser.isSet(json);

    ConnectCommand connectCommand(request);
    QObject::connect(&connectCommand, &ConnectCommand::done, &app,
                     [](int code) { QCoreApplication::exit(code); });
    QTimer::singleShot(0, &connectCommand, &ConnectCommand::start);
    return app.exec();
}
