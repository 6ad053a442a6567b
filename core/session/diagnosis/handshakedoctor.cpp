#include "handshakedoctor.h"

#include "doctorparts.h"

#include <QRegularExpression>
#include <algorithm>
#include <protocol/httphead.h>

namespace framescope::session {

QString doctor::setting(Setting setting, HandshakeDoctor::Audience audience)
{
    const bool cli = audience == HandshakeDoctor::Audience::CommandLine;
    const auto tab = [](const char *control) {
        return QStringLiteral("%1 (Connection tab)").arg(QLatin1String(control));
    };
    switch (setting) {
    case Setting::CaFile:
        return cli ? QStringLiteral("--cacert FILE") : tab("TLS CA file");
    case Setting::Pin:
        return cli ? QStringLiteral("--pin-sha256") : tab("TLS pin");
    case Setting::Insecure:
        return cli ? QStringLiteral("--insecure") : tab("\"Accept an invalid certificate\"");
    case Setting::ClientCertificate:
        return cli ? QStringLiteral("--cert client.pem --key client.key (--pass if the key is "
                                    "encrypted), or --cert client.p12 --pass PASSWORD")
                   : QStringLiteral("Client certificate (Connection tab): a PEM certificate and "
                                    "its key file, or a PKCS#12 file and its password");
    case Setting::ClientKey:
        return cli ? QStringLiteral("--key") : QStringLiteral("the key file given");
    case Setting::Subprotocol:
        return cli ? QStringLiteral("--subprotocol NAME") : tab("Subprotocols");
    case Setting::Cookie:
        return cli ? QStringLiteral("--cookie") : tab("Cookies");
    case Setting::Origin:
        return cli ? QStringLiteral("--origin") : tab("Origin");
    case Setting::Authorization:
        return cli ? QStringLiteral("-H \"Authorization: Bearer …\"") : tab("Authorization");
    case Setting::HostHeader:
        return cli ? QStringLiteral("-H \"Host: NAME\"") : tab("a Host line in Headers");
    case Setting::Proxy:
        return cli ? QStringLiteral("--proxy http://USER:PASSWORD@HOST:PORT")
                   : QStringLiteral("Proxy (Connection tab): http://USER:PASSWORD@HOST:PORT");
    case Setting::FollowRedirects:
        return cli ? QStringLiteral("-L") : tab("\"Follow redirects\"");
    case Setting::Deflate:
        return cli ? QStringLiteral("--deflate") : tab("\"Offer permessage-deflate\"");
    case Setting::TlsTimeout:
        return cli ? QStringLiteral("--tls-timeout")
                   : QStringLiteral("framescope-cli's --tls-timeout");
    }
    return {};
}

namespace {

using namespace doctor;

struct Parsed
{
    protocol::HttpHead head;
    bool ok = false;
    QByteArray body;
};

Parsed parseResponse(const QByteArray &response)
{
    Parsed parsed;
    protocol::HttpHeadParser parser(protocol::HttpHeadParser::Kind::Response);
    std::size_t consumed = 0;
    parser.feed({reinterpret_cast<const std::uint8_t *>(response.constData()),
                 std::size_t(response.size())},
                consumed);
    parsed.ok = parser.status() == protocol::HttpHeadParser::Status::Complete;
    if (parsed.ok) {
        parsed.head = parser.head();
        parsed.body = response.mid(qsizetype(consumed));
    }
    return parsed;
}

// nginx, Go's servers and framescope serve --tls answer a plain request on their TLS port so.
bool plainHttpToTlsPort(int status, const QByteArray &body, bool secure)
{
    return !secure && status == 400
           && (body.contains("plain HTTP request was sent to HTTPS port")
               || body.contains("HTTP request to an HTTPS server")
               || body.contains("This port speaks TLS"));
}

// What to try for an answer other than 101 that has no finding of its own: what the status and
// the body say, the path and the proxies when they say nothing.
QString unexpectedStatusFix(int status, const protocol::HttpHead &head, const QByteArray &body,
                            HandshakeDoctor::Audience audience)
{
    const QString retryAfter = header(head, "Retry-After");
    if (status >= 400 && status < 500 && body.contains("subprotocol"))
        return QStringLiteral("The server requires a subprotocol (its answer names it): offer "
                              "it with %1.")
            .arg(setting(Setting::Subprotocol, audience));
    if ((status == 429 || status == 503) && !retryAfter.isEmpty())
        return QStringLiteral("The server is busy or limits the rate: try again later (it asks "
                              "for Retry-After: %1).")
            .arg(retryAfter);
    if (status == 429)
        return QStringLiteral("The server limits the rate of requests: try again later, and less "
                              "often.");
    if (status == 503)
        return QStringLiteral("The server, or on IIS its application pool, is not available: "
                              "start it, or try again later.");
    if (status >= 500)
        return QStringLiteral("The server failed while handling the upgrade: its log (on IIS, "
                              "the detailed error page) says why.");
    return QStringLiteral("The request did not reach a WebSocket endpoint: check the path, and "
                          "that every proxy on the way passes Upgrade and Connection.");
}

} // namespace

QString describe(Finding::Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    }
    return {};
}

ServerFingerprint HandshakeDoctor::fingerprint(const QByteArray &responseHead)
{
    ServerFingerprint print;
    const Parsed parsed = parseResponse(responseHead);
    if (!parsed.ok)
        return print;
    print.server = header(parsed.head, "Server");
    print.poweredBy = header(parsed.head, "X-Powered-By");
    print.aspNetVersion = header(parsed.head, "X-AspNet-Version");
    static const QRegularExpression iis(QStringLiteral("Microsoft-IIS/(\\d+)\\.(\\d+)"));
    if (const auto match = iis.match(print.server); match.hasMatch()) {
        print.iis = true;
        print.iisMajor = match.captured(1).toInt();
        print.iisMinor = match.captured(2).toInt();
    }
    print.httpSys = print.server.contains(QStringLiteral("Microsoft-HTTPAPI"));
    print.aspNet
        = print.poweredBy.contains(QStringLiteral("ASP.NET")) || !print.aspNetVersion.isEmpty();
    print.kestrel = print.server.contains(QStringLiteral("Kestrel"));
    print.arr = print.poweredBy.contains(QStringLiteral("ARR"))
                || !header(parsed.head, "X-ARR-SSL").isEmpty();
    return print;
}

QString HandshakeDoctor::iisErrorLine(const QByteArray &body)
{
    static const QRegularExpression line(
        QStringLiteral("HTTP Error (\\d{3}(?:\\.\\d+)?)\\s*-\\s*([^<\\r\\n]+)"));
    const auto match = line.match(QString::fromUtf8(body));
    return match.hasMatch() ? QStringLiteral("HTTP Error %1 - %2")
                                  .arg(match.captured(1), match.captured(2).trimmed())
                            : QString();
}

QString HandshakeDoctor::summarizeBody(const QByteArray &body, int maxLength)
{
    QString text = QString::fromUtf8(body);
    static const QRegularExpression scripts(QStringLiteral("<(script|style)[^>]*>.*?</\\1>"),
                                            QRegularExpression::DotMatchesEverythingOption
                                                | QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression tags(QStringLiteral("<[^>]*>"));
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    text.remove(scripts);
    text.replace(tags, QStringLiteral(" "));
    text = text.replace(spaces, QStringLiteral(" ")).trimmed();
    if (text.size() > maxLength)
        text = text.left(maxLength - 1) + QStringLiteral("…");
    return text;
}

HandshakeDoctor::Input HandshakeDoctor::inputFor(const ClientSnapshot &session)
{
    Input input;
    input.url = session.options.url;
    input.handshake = session.handshake;
    input.error = session.error;
    input.errorString = session.errorString;
    input.offeredSubprotocols = session.options.subprotocols;
    input.offeredDeflate = session.options.offerDeflate;
    input.clientCertificate = !session.options.certificateFile.isEmpty();
    input.close = session.close;
    return input;
}

QList<Finding> HandshakeDoctor::examine(const Input &input)
{
    QList<Finding> findings = findAll(input);
    std::stable_sort(findings.begin(), findings.end(), [](const Finding &a, const Finding &b) {
        return int(a.severity) > int(b.severity);
    });
    return findings;
}

QList<Finding> HandshakeDoctor::findAll(const Input &input)
{
    QList<Finding> findings;
    const HandshakeRecord &h = input.handshake;

    // No HTTP answer at all: the connection itself failed, or was never tried.
    switch (input.error) {
    case SessionError::InvalidUrl:
        findings << finding(Severity::Error, "invalid-url",
                            QStringLiteral("The URL cannot be connected to"), input.errorString,
                            QStringLiteral("A WebSocket URL is ws://HOST[:PORT]/PATH, or wss:// "
                                           "for TLS (ws://127.0.0.1:8080/chat)."));
        return findings;
    case SessionError::ConnectionFailed:
        if (input.close.endedBy == EndReason::Proxy) {
            const bool authentication = input.errorString.contains(QLatin1String("407"));
            findings << finding(
                Severity::Error, authentication ? "proxy-authentication" : "proxy-failed",
                authentication ? QStringLiteral("The proxy needs authentication (407)")
                               : QStringLiteral("The proxy could not open the tunnel"),
                input.errorString,
                authentication
                    ? QStringLiteral("Give the proxy's user and password in the proxy URL: "
                                     "%1 (they are sent with the first CONNECT).")
                          .arg(setting(Setting::Proxy, input))
                    : QStringLiteral("Check the proxy's address and port, and that it allows "
                                     "CONNECT to this host and port."));
            return findings;
        }
        findings << finding(
            Severity::Error, "connection-failed", QStringLiteral("The TCP connection failed"),
            input.errorString,
            QStringLiteral("Check the host name and port, that the server is running, and that no "
                           "firewall blocks the port."));
        return findings;
    case SessionError::ConnectionTimeout:
        findings << finding(
            Severity::Error, "connection-timeout", QStringLiteral("The TCP connection timed out"),
            input.errorString,
            QStringLiteral("A firewall may drop the packets silently, or the address is not "
                           "reachable from here."));
        return findings;
    case SessionError::TlsTimeout:
        findings << finding(
            Severity::Error, "tls-timeout", QStringLiteral("The TLS handshake did not finish"),
            input.errorString,
            QStringLiteral("The server may be overloaded (%1 gives it longer), or the "
                           "port may not speak TLS: try ws:// instead: %2")
                .arg(setting(Setting::TlsTimeout, input),
                     withScheme(input.url, QStringLiteral("ws"))));
        return findings;
    case SessionError::TlsFailed:
        if (h.tls.value(QStringLiteral("pinned")) == QLatin1String("mismatch")) {
            findings << finding(
                Severity::Error, "tls-pin-mismatch",
                QStringLiteral("The server's certificate is not the pinned one"), input.errorString,
                QStringLiteral(
                    "If the certificate was replaced on purpose (the built-in server makes a new "
                    "one when its file is gone), pin the new fingerprint; if not, something "
                    "between here and the server may be intercepting TLS."));
            return findings;
        }
        findings << tlsFailureFinding(input);
        return findings;
    default:
        break;
    }

    const bool secure = input.url.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0;
    const Parsed parsed = parseResponse(h.response);
    if (!parsed.ok) {
        if (!secure && startsWithTlsRecord(h.response)) {
            findings << finding(
                Severity::Error, "tls-port", QStringLiteral("This port speaks TLS: use wss://"),
                QStringLiteral("the server answered the HTTP request with a TLS %1 record "
                               "(%2)")
                    .arg(h.response[0] == 0x15 ? QStringLiteral("alert")
                                               : QStringLiteral("handshake"),
                         QString::fromLatin1(h.response.left(7).toHex(' '))),
                QStringLiteral("Use wss:// instead: %1")
                    .arg(withScheme(input.url, QStringLiteral("wss"))));
        } else if (input.error == SessionError::HandshakeTimeout) {
            findings << finding(
                Severity::Error, "no-http-response",
                QStringLiteral("No HTTP response to the upgrade"), input.errorString,
                secure ? QStringLiteral("The port may not speak HTTP (wrong port), or a proxy "
                                        "holds the request.")
                       : QStringLiteral("The port may not speak HTTP (a wrong port), or a proxy "
                                        "holds the request; if it expects TLS, use wss:// "
                                        "instead: %1")
                             .arg(withScheme(input.url, QStringLiteral("wss"))));
        } else if (h.response.isEmpty()
                   && (input.error == SessionError::HandshakeFailed
                       || input.error == SessionError::ConnectionLost)) {
            findings << closedWithoutAnswer(input, secure);
        } else if (!h.response.isEmpty()) {
            findings << finding(
                Severity::Error, "malformed-response",
                QStringLiteral("The response is not valid HTTP"), h.detail,
                QStringLiteral("Something other than an HTTP server answered on this port."));
        }
        return findings;
    }

    const protocol::HttpHead &head = parsed.head;
    const ServerFingerprint print = fingerprint(h.response);
    const int status = head.status;

    // Who answered.
    if (print.iis) {
        if (print.iisMajor < 8) {
            findings << finding(
                Severity::Error, "iis-too-old",
                QStringLiteral("IIS %1.%2 cannot upgrade to WebSocket")
                    .arg(print.iisMajor)
                    .arg(print.iisMinor),
                print.server,
                QStringLiteral(
                    "WebSocket needs IIS 8.0 or later (Windows Server 2012 / Windows 8)."));
        } else {
            findings << finding(
                Severity::Info, "server-iis",
                QStringLiteral("The server is IIS %1.%2").arg(print.iisMajor).arg(print.iisMinor),
                print.server, {});
        }
    }
    if (print.httpSys) {
        findings << finding(
            Severity::Warning, "http-sys-answered",
            QStringLiteral(
                "http.sys answered (Microsoft-HTTPAPI/2.0): the request never reached a site"),
            print.server,
            QStringLiteral("Check the site bindings (host name, port, certificate) and that the "
                           "application pool is running."));
    }
    if (print.aspNet) {
        findings << finding(
            Severity::Info, "server-aspnet", QStringLiteral("The application is ASP.NET"),
            (print.poweredBy + QLatin1Char(' ') + print.aspNetVersion).trimmed(), {});
    }
    if (print.kestrel)
        findings << finding(Severity::Info, "server-kestrel",
                            QStringLiteral("The server is Kestrel (ASP.NET Core)"), print.server,
                            {});
    if (print.arr) {
        findings << finding(Severity::Info, "server-arr",
                            QStringLiteral("An ARR reverse proxy is in the path"), print.poweredBy,
                            {});
    }
    const QString path = input.url.path();
    if (path.contains(QStringLiteral("signalr"), Qt::CaseInsensitive)
        || path.endsWith(QStringLiteral("hub"), Qt::CaseInsensitive)) {
        findings << finding(
            Severity::Info, "signalr-endpoint",
            QStringLiteral("This looks like a SignalR endpoint"), path,
            QStringLiteral(
                "SignalR expects a negotiate request first and a handshake message "
                "{\"protocol\":\"json\",\"version\":1} ending with the 0x1E record separator."));
    }

    if (status != 101) {
        const QString iisLine = iisErrorLine(parsed.body);
        const QString summary = iisLine.isEmpty() ? summarizeBody(parsed.body) : iisLine;
        QString title
            = QStringLiteral("The server answered %1 %2 instead of 101 Switching Protocols")
                  .arg(status)
                  .arg(QString::fromStdString(head.reason));
        QString fix;
        const char *id = "unexpected-status";
        switch (status) {
        case 401: {
            id = "authentication-required";
            const QString schemes = header(head, "WWW-Authenticate");
            const bool windows = schemes.contains(QStringLiteral("NTLM"))
                                 || schemes.contains(QStringLiteral("Negotiate"));
            title = windows ? QStringLiteral(
                        "The upgrade needs Windows Authentication (NTLM / Negotiate)")
                            : QStringLiteral("The upgrade needs authentication");
            // NTLM and Negotiate take a challenge and an answer over several requests on one
            // connection, which Framescope does not speak: what works instead.
            fix = windows
                      ? QStringLiteral(
                            "The site uses Windows Authentication, which Framescope cannot answer "
                            "(NTLM and Negotiate take several round trips): allow anonymous access "
                            "to the WebSocket path in IIS, %1or send the session cookie of a "
                            "browser signed in to the site (%2).")
                            .arg(schemes.contains(QStringLiteral("Basic"))
                                     ? QStringLiteral("send Basic credentials (it offers "
                                                      "Basic too: ws://user:password@host/), ")
                                     : QString(),
                                 setting(Setting::Cookie, input))
                      : QStringLiteral("Send credentials: %1, Basic in the URL "
                                       "(ws://user:password@host/), or a cookie (%2).")
                            .arg(setting(Setting::Authorization, input),
                                 setting(Setting::Cookie, input));
            findings << finding(Severity::Error, id, title,
                                QStringLiteral("WWW-Authenticate: ") + schemes, fix);
            break;
        }
        case 403:
            // The body often says which check refused: the Host name (a guard against DNS
            // rebinding) is not the Origin.
            if (summary.contains(QLatin1String("Host "), Qt::CaseSensitive)
                && !summary.contains(QLatin1String("Origin"), Qt::CaseInsensitive))
                findings << finding(
                    Severity::Error, "forbidden-host",
                    QStringLiteral("The server refused the Host name (403)"), summary,
                    QStringLiteral("The server accepts only some Host names: connect by IP "
                                   "address or by a name it allows, or send one with %1 "
                                   "(framescope serve accepts more with --allow-host).")
                        .arg(setting(Setting::HostHeader, input)));
            else
                findings << finding(
                    Severity::Error, "forbidden",
                    QStringLiteral("The server refused the upgrade (403)"), summary,
                    QStringLiteral(
                        "Servers often refuse a foreign Origin: set one the server allows with "
                        "%1, or check authorization rules for this path.")
                        .arg(setting(Setting::Origin, input)));
            break;
        case 426:
            findings << finding(
                Severity::Error, "upgrade-required",
                QStringLiteral("The server wants another WebSocket version (426)"),
                QStringLiteral("Sec-WebSocket-Version: ") + header(head, "Sec-WebSocket-Version"),
                QStringLiteral(
                    "Framescope speaks version 13 (RFC 6455); the server may be very old."));
            break;
        case 301:
        case 302:
        case 303:
        case 307:
        case 308: {
            // Where it points decides the advice: to TLS from a plain URL, the server wants
            // wss://; elsewhere, following it is enough.
            const QString location = header(head, "Location");
            const QString scheme = input.url.resolved(QUrl(location)).scheme().toLower();
            const bool toTls = (scheme == QLatin1String("https") || scheme == QLatin1String("wss"))
                               && input.url.scheme().toLower() == QLatin1String("ws");
            // Redirects were being followed and this one was one too many: following is not
            // the answer; where the chain goes (round in a circle, or on and on) is.
            if (const QStringList &followed = input.handshake.redirects; !followed.isEmpty()) {
                const QString target
                    = input.url.resolved(QUrl(location)).toString(QUrl::RemoveUserInfo);
                const bool loops
                    = std::any_of(followed.cbegin(), followed.cend(), [&](const QString &redirect) {
                          return redirect.section(QLatin1Char(' '), 1, 1) == target;
                      });
                findings << finding(
                    Severity::Error, "redirect-limit",
                    loops ? QStringLiteral("The redirects go round in a circle (%1 followed)")
                                .arg(followed.size())
                          : QStringLiteral("Too many redirects (%1 followed)").arg(followed.size()),
                    QStringLiteral("Location: ") + location,
                    loops ? QStringLiteral("The server sends the client back where it has been: "
                                           "check its redirect rules (a rewrite that matches "
                                           "its own target, http/https or host rules that "
                                           "undo each other).")
                          : QStringLiteral("Connect to the last location directly, or allow "
                                           "more: --max-redirects N (framescope-cli)."));
                break;
            }
            findings << finding(
                Severity::Error, "redirect",
                QStringLiteral("The server redirects (%1)").arg(status),
                QStringLiteral("Location: ") + location,
                (toTls ? QStringLiteral("The server wants TLS: connect with wss:// to the new "
                                        "location. ")
                       : QStringLiteral("Connect to the new location directly. "))
                    + QStringLiteral("Or follow redirects: %1.")
                          .arg(setting(Setting::FollowRedirects, input)));
            break;
        }
        case 407:
            findings << finding(Severity::Error, "proxy-authentication",
                                QStringLiteral("The proxy needs authentication (407)"),
                                QStringLiteral("Proxy-Authenticate: ")
                                    + header(head, "Proxy-Authenticate"),
                                QStringLiteral("Give the proxy credentials in the proxy URL."));
            break;
        case 502:
        case 504:
            findings << finding(
                Severity::Error, "gateway-error",
                QStringLiteral("A proxy or gateway failed (%1)").arg(status), summary,
                QStringLiteral(
                    "The proxy could not reach the WebSocket server, or it does not pass "
                    "Upgrade/Connection through (hop-by-hop headers)."));
            break;
        default:
            // nginx, Go's servers and framescope serve --tls say in words what others say with
            // a TLS alert: that finding, the most specific, first (not the answer's as well).
            if (plainHttpToTlsPort(status, parsed.body, secure))
                findings.prepend(finding(Severity::Error, "tls-port",
                                         QStringLiteral("This port speaks TLS: use wss://"),
                                         summary,
                                         QStringLiteral("Use wss:// instead: %1")
                                             .arg(withScheme(input.url, QStringLiteral("wss")))));
            else
                findings << finding(Severity::Error, id, title, summary,
                                    unexpectedStatusFix(status, head, parsed.body, input.audience));
            break;
        }
        // IIS without the WebSocket Protocol feature answers as if no upgrade was asked for.
        if (print.iis && print.iisMajor >= 8
            && (status == 400 || status == 404 || status == 500 || status == 503
                || status == 200)) {
            findings << finding(
                Severity::Warning, "iis-websocket-feature-missing",
                QStringLiteral("IIS may lack the WebSocket Protocol feature"),
                QStringLiteral("IIS answered %1 to an upgrade request").arg(status),
                QStringLiteral(
                    "Install it (Install-WindowsFeature Web-WebSockets, or Server Manager → "
                    "Web Server → Application Development → WebSocket Protocol) and enable "
                    "<webSocket> for the site."));
        }
        if (print.aspNet && status == 503) {
            findings << finding(
                Severity::Info, "aspnet-websockets-disabled",
                QStringLiteral("ASP.NET answered 503 to the upgrade"), summary,
                QStringLiteral("WebSockets may be disabled for the app, or the app pool stopped."));
        }
        return findings;
    }

    // A 101: look at what it says.
    switch (h.error) {
    case protocol::HandshakeError::MissingAccept:
        findings << finding(
            Severity::Error, "missing-accept", QStringLiteral("101 without Sec-WebSocket-Accept"),
            QStringLiteral("the response has no Sec-WebSocket-Accept header"),
            print.iis
                ? QStringLiteral(
                    "This is how IIS answers when the WebSocket Protocol feature is not "
                    "installed: install Web-WebSockets and enable <webSocket>.")
                : QStringLiteral("The server (or a proxy) does not implement RFC 6455 §4.2.2."));
        if (print.iis) {
            findings << finding(Severity::Warning, "iis-websocket-feature-missing",
                                QStringLiteral("IIS may lack the WebSocket Protocol feature"),
                                QStringLiteral("101 without Sec-WebSocket-Accept"),
                                QStringLiteral("Install-WindowsFeature Web-WebSockets, then enable "
                                               "<webSocket> for the site."));
        }
        break;
    case protocol::HandshakeError::WrongAccept:
        findings << finding(
            Severity::Error, "wrong-accept",
            QStringLiteral("Sec-WebSocket-Accept does not match the key"), h.detail,
            print.iis ? QStringLiteral(
                "IIS can rewrite Sec-WebSocket-Key before the application sees it; "
                "let IIS's WebSocket module do the upgrade, or compare the key the "
                "application received (the local server can echo request headers).")
                      : QStringLiteral(
                          "The server computes the accept value wrongly, or a proxy changed "
                          "the key: base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))."));
        break;
    case protocol::HandshakeError::MissingUpgrade:
    case protocol::HandshakeError::MissingConnection:
        findings << finding(Severity::Error, "missing-upgrade-headers",
                            QStringLiteral("101 without Upgrade: websocket / Connection: Upgrade"),
                            h.detail,
                            QStringLiteral("A proxy may strip hop-by-hop headers; the server must "
                                           "send both (RFC 6455 §4.2.2)."));
        break;
    case protocol::HandshakeError::SubprotocolNotOffered:
        findings << finding(Severity::Error, "subprotocol-not-offered",
                            QStringLiteral("The server chose a subprotocol that was not offered"),
                            h.detail,
                            QStringLiteral("Offer it with %1, or fix the server's selection.")
                                .arg(setting(Setting::Subprotocol, input)));
        break;
    case protocol::HandshakeError::ExtensionNotOffered:
    case protocol::HandshakeError::InvalidExtensionHeader:
        findings << finding(
            Severity::Error, "bad-extension-answer",
            QStringLiteral(
                "The server answered with an extension that was not offered or is malformed"),
            h.detail, QStringLiteral("Fix the server's Sec-WebSocket-Extensions answer."));
        break;
    default:
        break;
    }
    if (h.error == protocol::HandshakeError::None) {
        if (!input.offeredSubprotocols.isEmpty() && h.subprotocol.isEmpty()) {
            findings << finding(
                Severity::Warning, "subprotocol-not-echoed",
                QStringLiteral("A subprotocol was asked for but the server did not select one"),
                QStringLiteral("offered: ")
                    + QString::fromUtf8(input.offeredSubprotocols.join(", ")),
                QStringLiteral(
                    "Browsers fail such a connection. Make the server echo one of the offered "
                    "subprotocols in Sec-WebSocket-Protocol."));
        }
        if (print.arr && h.deflate) {
            findings << finding(
                Severity::Warning, "arr-deflate", QStringLiteral("permessage-deflate through ARR"),
                QStringLiteral("ARR 3.0 does not support WebSocket compression"),
                QStringLiteral("If the connection breaks after the first compressed frame, connect "
                               "again without %1.")
                    .arg(setting(Setting::Deflate, input)));
        }
    }
    return findings;
}

} // namespace framescope::session
