// connect's command line: its options and what they set.

#include "cliexit.h"
#include "connectcommand.h"
#include "optionparsing.h"

#include <QFileInfo>
#include <QUrl>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <session/client/websocketurl.h>
#include <session/engine/certificatefingerprint.h>

namespace framescope::cli {

std::variant<ConnectRequest, int> parseConnectRequest(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Connect to a WebSocket server and print every frame both ways. Interactive (each line "
        "of standard input is sent as a text message, end of input closes) unless --send, "
        "--send-binary, --wait-messages or --close is given."));
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("ws://... or wss://..."));
    const QCommandLineOption send(QStringLiteral("send"),
                                  QStringLiteral("A text message to send (repeatable)."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption sendBinary(QStringLiteral("send-binary"),
                                        QStringLiteral("A binary message in hex (repeatable)."),
                                        QStringLiteral("HEX"));
    const QCommandLineOption waitMessages(
        QStringLiteral("wait-messages"),
        QStringLiteral("Stay until N messages arrived, then close."), QStringLiteral("N"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("With --wait-messages: how long to wait (default 30000)."),
        QStringLiteral("MS"));
    const QCommandLineOption closeOption(QStringLiteral("close"),
                                         QStringLiteral("Close with this code (and reason)."),
                                         QStringLiteral("CODE[:REASON]"));
    const QCommandLineOption captureOption(QStringLiteral("capture"),
                                           QStringLiteral("Record the session to a capture file."),
                                           QStringLiteral("FILE"));
    const QCommandLineOption keepSecrets(
        QStringLiteral("keep-secrets"),
        QStringLiteral("Do not redact secrets in the capture and JSON output."));
    const QCommandLineOption captureMemory(
        QStringLiteral("capture-memory"),
        QStringLiteral("Frames kept in memory, in MiB (default 256): past it the oldest go, "
                       "once recorded when --capture is given."),
        QStringLiteral("MIB"));
    const QCommandLineOption slash(
        QStringLiteral("slash"),
        QStringLiteral(
            "Interactive: lines /ping [TEXT], /close [CODE [REASON]] and /binary HEX are "
            "commands (//TEXT sends /TEXT)."));
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
    const QCommandLineOption cookie(QStringLiteral("cookie"),
                                    QStringLiteral("Send a cookie (repeatable)."),
                                    QStringLiteral("NAME=VALUE"));
    const QCommandLineOption user(QStringList{QStringLiteral("u"), QStringLiteral("user")},
                                  QStringLiteral("Basic authentication."),
                                  QStringLiteral("USER:PASSWORD"));
    const QCommandLineOption bearer(QStringLiteral("bearer"),
                                    QStringLiteral("Bearer token authentication."),
                                    QStringLiteral("TOKEN"));
    const QCommandLineOption deflate(QStringLiteral("deflate"),
                                     QStringLiteral("Offer permessage-deflate."));
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
    const QCommandLineOption certOption(
        QStringLiteral("cert"), QStringLiteral("Client certificate: PEM, or PKCS#12 (.p12/.pfx)."),
        QStringLiteral("FILE"));
    const QCommandLineOption keyOption(
        QStringLiteral("key"), QStringLiteral("The client certificate's private key (PEM)."),
        QStringLiteral("FILE"));
    const QCommandLineOption passOption(QStringLiteral("pass"),
                                        QStringLiteral("Password of the key or the PKCS#12 file."),
                                        QStringLiteral("PASSWORD"));
    const QCommandLineOption followRedirects(
        QStringList{QStringLiteral("L"), QStringLiteral("follow-redirects")},
        QStringLiteral(
            "Follow redirects (credentials never go to another host or from wss to ws)."));
    const QCommandLineOption maxRedirects(QStringLiteral("max-redirects"),
                                          QStringLiteral("At most N redirects (default 5)."),
                                          QStringLiteral("N"));
    const QCommandLineOption proxyOption(
        QStringLiteral("proxy"),
        QStringLiteral("http://[user:pass@]host:port, socks5://host:port, or system."),
        QStringLiteral("URL"));
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
    const QCommandLineOption tlsTimeout(QStringLiteral("tls-timeout"),
                                        QStringLiteral("TLS handshake timeout."),
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
    parser.addOptions(
        {send,           sendBinary,        waitMessages,     timeout,         closeOption,
         captureOption,  keepSecrets,       captureMemory,    slash,           json,
         header,         subprotocol,       origin,           cookie,          user,
         bearer,         deflate,           insecure,         cacert,          pinSha256,
         certOption,     keyOption,         passOption,       followRedirects, maxRedirects,
         proxyOption,    maxMessage,        noAutoPong,       pingInterval,    connectTimeout,
         tlsTimeout,     handshakeTimeout,  idleTimeout,      closeTimeout,    reconnect,
         reconnectDelay, reconnectMaxDelay, reconnectAttempts});
    if (const std::optional<int> exit
        = parseCommandLine(parser, QStringLiteral("connect"), arguments))
        return *exit;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usage(QStringLiteral("connect needs one URL"));

    ConnectRequest request;
    session::ClientOptions &options = request.options;
    const session::ParsedUrl url = session::parseWebSocketUrl(positional.at(0));
    if (!url.error.isEmpty())
        return usage(url.error);
    if (!url.note.isEmpty())
        std::fprintf(stderr, "note: %s\n", qPrintable(url.note));
    options.url = url.url;
    options.offerDeflate = parser.isSet(deflate);
    if (const auto error = readHeaders(parser.values(header), options.headers))
        return usage(*error);
    for (const QString &name : parser.values(subprotocol))
        options.subprotocols.append(name.toUtf8());
    options.origin = parser.value(origin).toUtf8();
    options.acceptInvalidCertificate = parser.isSet(insecure);
    options.caFile = parser.value(cacert);
    if (parser.isSet(pinSha256)) {
        const auto pin = session::parseFingerprint(parser.value(pinSha256));
        if (!pin)
            return usage(QStringLiteral("--pin-sha256 needs a SHA-256 fingerprint: 32 bytes in "
                                        "hex, with or without colons"));
        options.pinnedSha256 = *pin;
    }
    options.proxy = parser.value(proxyOption);
    options.followRedirects = parser.isSet(followRedirects);
    options.certificateFile = parser.value(certOption);
    options.keyFile = parser.value(keyOption);
    options.keyPassword = parser.value(passOption).toUtf8();
    options.autoPong = !parser.isSet(noAutoPong);
    for (const QString &value : parser.values(cookie)) {
        const qsizetype equals = value.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return usage(QStringLiteral("--cookie needs NAME=VALUE, got \"%1\"").arg(value));
        options.cookies.append({value.left(equals).toUtf8(), value.mid(equals + 1).toUtf8()});
    }
    if (parser.isSet(user)) {
        const QString value = parser.value(user);
        const qsizetype colon = value.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return usage(QStringLiteral("-u needs USER:PASSWORD"));
        options.basicAuth = QPair<QString, QString>(value.left(colon), value.mid(colon + 1));
    }
    options.bearerToken = parser.value(bearer).toUtf8();
    {
        // Bad credential values are a usage error, before any connection.
        session::ClientOptions check = options;
        if (const auto error = session::applyCredentialHelpers(check))
            return usage(*error);
    }
    const bool plain = options.url.scheme().compare(QLatin1String("ws"), Qt::CaseInsensitive) == 0;
    if (const std::optional<QString> tlsOption = firstGivenName(
            parser, {&insecure, &cacert, &pinSha256, &certOption, &keyOption, &passOption});
        tlsOption && plain && !parser.isSet(followRedirects))
        return usage(QStringLiteral("%1 has no effect on a ws:// URL (no TLS): use wss://, or -L "
                                    "where a redirect leads to wss://")
                         .arg(*tlsOption));
    for (const std::optional<QString> &error :
         {needsOneOf(parser, {&keyOption, &passOption}, {&certOption},
                     QStringLiteral("it goes with a client certificate")),
          needsOneOf(parser, {&maxRedirects}, {&followRedirects},
                     QStringLiteral("redirects are followed only with -L")),
          needsOneOf(parser, {&timeout}, {&waitMessages},
                     QStringLiteral("it is how long --wait-messages waits")),
          conflictsWith(parser, {&slash}, {&send, &sendBinary, &waitMessages, &closeOption},
                        QStringLiteral("slash commands are typed lines, and with it nothing is "
                                       "read from standard input")),
          needsOneOf(parser, {&reconnectDelay, &reconnectMaxDelay, &reconnectAttempts},
                     {&reconnect}, QStringLiteral("it sets how --reconnect tries again")),
          needsOneOf(parser, {&keepSecrets}, {&captureOption, &json},
                     QStringLiteral("secrets are redacted only in the capture and the JSON "
                                    "output"))})
        if (error)
            return usage(*error);
    options.reconnect.enabled = parser.isSet(reconnect);
    if (parser.isSet(maxMessage)) {
        bool ok = false;
        const qulonglong bytes = parser.value(maxMessage).toULongLong(&ok);
        if (!ok || bytes == 0)
            return usage(QStringLiteral("--max-message needs a positive number of bytes"));
        options.maxMessageSize = bytes;
    }
    if (const auto error
        = readIntOptions(parser, {{pingInterval, options.pingIntervalMs},
                                  {connectTimeout, options.connectTimeoutMs},
                                  {tlsTimeout, options.tlsTimeoutMs},
                                  {handshakeTimeout, options.handshakeTimeoutMs},
                                  {idleTimeout, options.idleTimeoutMs},
                                  {closeTimeout, options.closeTimeoutMs},
                                  {timeout, request.timeoutMs},
                                  {maxRedirects, options.maxRedirects},
                                  {waitMessages, request.waitMessages},
                                  {reconnectDelay, options.reconnect.initialDelayMs},
                                  {reconnectMaxDelay, options.reconnect.maxDelayMs},
                                  {reconnectAttempts, options.reconnect.maxAttempts}}))
        return usage(*error);
    if (const auto error = readMemoryOption(parser, captureMemory, request.storeLimits.memoryCap))
        return usage(*error);
    // --send and --send-binary go out in the order given on the command line.
    QStringList texts = parser.values(send);
    QStringList binaries = parser.values(sendBinary);
    for (const QString &name : parser.optionNames()) {
        if (name == QLatin1String("send")) {
            request.messages.append({protocol::Opcode::Text, texts.takeFirst().toUtf8()});
        } else if (name == QLatin1String("send-binary")) {
            const QString hexText = binaries.takeFirst();
            const QByteArray compact = hexText.toLatin1().replace(' ', "");
            if (!std::all_of(compact.cbegin(), compact.cend(),
                             [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
                return usage(
                    QStringLiteral("--send-binary needs hex digits, got \"%1\"").arg(hexText));
            if (compact.size() % 2 != 0)
                return usage(QStringLiteral("--send-binary needs two hex digits a byte: \"%1\" "
                                            "has an odd number of them (%2)")
                                 .arg(hexText)
                                 .arg(compact.size()));
            const QByteArray decoded = QByteArray::fromHex(compact);
            request.messages.append({protocol::Opcode::Binary, decoded});
        }
    }
    if (parser.isSet(closeOption)) {
        std::uint16_t code = 0;
        if (const auto error = readClose(parser.value(closeOption), code, request.closeReason))
            return usage(*error);
        request.closeCode = code;
    }
    request.capturePath = parser.value(captureOption);
    // Found out now, not after the session: a recording that cannot be made is no recording.
    if (!request.capturePath.isEmpty())
        if (const auto error = checkOutputFile(QStringLiteral("capture"), request.capturePath))
            return usage(*error);
    request.keepSecrets = parser.isSet(keepSecrets);
    request.json = parser.isSet(json);
    request.slashCommands = parser.isSet(slash);
    return request;
}

} // namespace framescope::cli
