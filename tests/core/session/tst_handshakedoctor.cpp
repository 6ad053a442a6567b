// The Handshake Doctor on the failure modes of ../shared/IIS-NOTES.md and the general ones:
// canned responses in, the expected findings out.

#include <QTest>
#include <session/diagnosis/handshakedoctor.h>

using namespace framescope;
using namespace framescope::session;

Q_DECLARE_METATYPE(framescope::session::HandshakeDoctor::Input)

namespace {

HandshakeDoctor::Input input(const QByteArray &response,
                             protocol::HandshakeError error = protocol::HandshakeError::None,
                             SessionError sessionError = SessionError::HandshakeFailed)
{
    HandshakeDoctor::Input in;
    in.url = QUrl(QStringLiteral("ws://server.example/socket"));
    in.handshake.response = response;
    in.handshake.error = error;
    in.error = sessionError;
    return in;
}

QStringList ids(const QList<Finding> &findings)
{
    QStringList out;
    for (const Finding &finding : findings)
        out << finding.id;
    return out;
}

const QByteArray kIisDetailedError
    = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nServer: Microsoft-IIS/10.0\r\n"
      "X-Powered-By: ASP.NET\r\n\r\n<!DOCTYPE html><html><head><title>IIS 10.0 Detailed Error - "
      "404.0 - Not Found</title>"
      "<style>body{}</style></head><body><div id=\"content\"><div class=\"content-container\">"
      "<h3>HTTP Error 404.0 - Not Found</h3><h4>The resource you are looking for has been "
      "removed.</h4></div></div></body></html>";

} // namespace

class tst_HandshakeDoctor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findings_data();
    void findings();
    void tlsAdvice_data();
    void tlsAdvice();
    void fingerprints();
    void iisErrorLineAndBodySummary();
};

void tst_HandshakeDoctor::findings_data()
{
    QTest::addColumn<HandshakeDoctor::Input>("in");
    QTest::addColumn<QStringList>("expected"); // ids that must be present
    QTest::addColumn<QString>("mentions"); // text some finding's title, detail or fix must contain

    QTest::newRow("IIS 101 without Accept: feature not installed")
        << input("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                 "Upgrade\r\nServer: Microsoft-IIS/10.0\r\n\r\n",
                 protocol::HandshakeError::MissingAccept)
        << QStringList{QStringLiteral("server-iis"), QStringLiteral("missing-accept"),
                       QStringLiteral("iis-websocket-feature-missing")}
        << QStringLiteral("Web-WebSockets");
    QTest::newRow("IIS 7.5 cannot upgrade")
        << input("HTTP/1.1 302 Found\r\nServer: Microsoft-IIS/7.5\r\nLocation: /login\r\n\r\n")
        << QStringList{QStringLiteral("iis-too-old"), QStringLiteral("redirect")}
        << QStringLiteral("IIS 8.0");
    QTest::newRow("a redirect: follow it")
        << input("HTTP/1.1 302 Found\r\nLocation: ws://other.example/socket\r\n\r\n")
        << QStringList{QStringLiteral("redirect")} << QStringLiteral("-L");
    {
        HandshakeDoctor::Input toTls
            = input("HTTP/1.1 301 Moved Permanently\r\nLocation: https://server.example/socket"
                    "\r\n\r\n");
        toTls.url = QUrl(QStringLiteral("ws://server.example/socket"));
        QTest::newRow("a redirect to TLS: use wss://")
            << toTls << QStringList{QStringLiteral("redirect")}
            << QStringLiteral("The server wants TLS: connect with wss://");
    }
    {
        // Following redirects (-L) already, and this one was over the limit: no "-L" advice.
        HandshakeDoctor::Input circle
            = input("HTTP/1.1 301 Moved Permanently\r\nLocation: /loop\r\n\r\n");
        circle.url = QUrl(QStringLiteral("ws://server.example/loop"));
        circle.handshake.redirects = {QStringLiteral("301 ws://server.example/loop"),
                                      QStringLiteral("301 ws://server.example/loop")};
        QTest::newRow("redirects in a circle")
            << circle << QStringList{QStringLiteral("redirect-limit")}
            << QStringLiteral("go round in a circle (2 followed)");
        HandshakeDoctor::Input chain
            = input("HTTP/1.1 302 Found\r\nLocation: ws://server.example/6\r\n\r\n");
        chain.url = QUrl(QStringLiteral("ws://server.example/5"));
        for (int step = 1; step <= 5; ++step)
            chain.handshake.redirects << QStringLiteral("302 ws://server.example/%1").arg(step);
        QTest::newRow("too many redirects")
            << chain << QStringList{QStringLiteral("redirect-limit")}
            << QStringLiteral("--max-redirects");
    }
    // An answer whose status or body says why gets that advice, not "check the path".
    QTest::newRow("a subprotocol required (not the path)")
        << input("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nThis server "
                 "requires the subprotocol chat.")
        << QStringList{QStringLiteral("unexpected-status")} << QStringLiteral("--subprotocol");
    QTest::newRow("rate limited (not the path)")
        << input("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\n\r\n")
        << QStringList{QStringLiteral("unexpected-status")}
        << QStringLiteral("try again later (it asks for Retry-After: 5)");
    QTest::newRow("unavailable (not the path)")
        << input("HTTP/1.1 503 Service Unavailable\r\n\r\n")
        << QStringList{QStringLiteral("unexpected-status")} << QStringLiteral("application pool");
    QTest::newRow("a server error (not the path)")
        << input("HTTP/1.1 500 Internal Server Error\r\n\r\n")
        << QStringList{QStringLiteral("unexpected-status")} << QStringLiteral("its log");
    QTest::newRow("plain HTTP to a TLS port (not the path)")
        << input("HTTP/1.1 400 Bad Request\r\n\r\nThis port speaks TLS: use wss://")
        << QStringList{QStringLiteral("tls-port")} << QStringLiteral("Use wss:// instead: wss://");
    QTest::newRow("IIS detailed 404 page")
        << input(kIisDetailedError)
        << QStringList{QStringLiteral("unexpected-status"),
                       QStringLiteral("iis-websocket-feature-missing"),
                       QStringLiteral("server-aspnet")}
        << QStringLiteral("HTTP Error 404.0 - Not Found");
    QTest::newRow("401 Windows Authentication")
        << input("HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-IIS/8.5\r\nWWW-Authenticate: "
                 "Negotiate\r\nWWW-Authenticate: NTLM\r\n\r\n")
        << QStringList{QStringLiteral("authentication-required")}
        << QStringLiteral("which Framescope cannot answer (NTLM and Negotiate take several round "
                          "trips): allow anonymous access to the WebSocket path in IIS, or send "
                          "the session cookie");
    QTest::newRow("401 Windows Authentication and Basic")
        << input("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nWWW-Authenticate: "
                 "Basic realm=\"site\"\r\n\r\n")
        << QStringList{QStringLiteral("authentication-required")}
        << QStringLiteral("send Basic credentials (it offers Basic too");
    QTest::newRow("401 bearer") << input(
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n\r\n")
                                << QStringList{QStringLiteral("authentication-required")}
                                << QStringLiteral("Authorization: Bearer");
    QTest::newRow("403 origin") << input(
        "HTTP/1.1 403 Forbidden\r\nServer: Microsoft-IIS/8.5\r\n\r\n")
                                << QStringList{QStringLiteral("forbidden")}
                                << QStringLiteral("Origin");
    QTest::newRow("426 version") << input(
        "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 8\r\n\r\n")
                                 << QStringList{QStringLiteral("upgrade-required")}
                                 << QStringLiteral("Sec-WebSocket-Version: 8");
    QTest::newRow("http.sys answered")
        << input("HTTP/1.1 400 Bad Request\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n")
        << QStringList{QStringLiteral("http-sys-answered")} << QStringLiteral("bindings");
    QTest::newRow("ASP.NET 503") << input(
        "HTTP/1.1 503 Service Unavailable\r\nX-Powered-By: ASP.NET\r\n\r\n")
                                 << QStringList{QStringLiteral("aspnet-websockets-disabled")}
                                 << QStringLiteral("app pool");
    QTest::newRow("407 proxy") << input("HTTP/1.1 407 Proxy Authentication "
                                        "Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n\r\n")
                               << QStringList{QStringLiteral("proxy-authentication")}
                               << QStringLiteral("Basic realm");
    QTest::newRow("502 gateway") << input("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                                 << QStringList{QStringLiteral("gateway-error")}
                                 << QStringLiteral("hop-by-hop");
    QTest::newRow("wrong accept") << input(
        "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
        "x\r\nServer: Microsoft-IIS/10.0\r\n\r\n",
        protocol::HandshakeError::WrongAccept)
                                  << QStringList{QStringLiteral("wrong-accept")}
                                  << QStringLiteral("rewrite Sec-WebSocket-Key");
    QTest::newRow("subprotocol chosen but not offered")
        << input("HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                 protocol::HandshakeError::SubprotocolNotOffered)
        << QStringList{QStringLiteral("subprotocol-not-offered")}
        << QStringLiteral("--subprotocol");

    HandshakeDoctor::Input notEchoed = input(
        "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nServer: Kestrel\r\n\r\n",
        protocol::HandshakeError::None, SessionError::None);
    notEchoed.offeredSubprotocols = {"json", "messagepack"};
    QTest::newRow("subprotocol asked, not echoed (Kestrel)")
        << notEchoed
        << QStringList{QStringLiteral("subprotocol-not-echoed"), QStringLiteral("server-kestrel")}
        << QStringLiteral("json, messagepack");

    HandshakeDoctor::Input arr = input("HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: "
                                       "Upgrade\r\nX-Powered-By: ARR/3.0\r\n\r\n",
                                       protocol::HandshakeError::None, SessionError::None);
    arr.handshake.deflate = protocol::DeflateParameters{};
    QTest::newRow("ARR with deflate")
        << arr << QStringList{QStringLiteral("server-arr"), QStringLiteral("arr-deflate")}
        << QStringLiteral("without --deflate");

    HandshakeDoctor::Input signalr = input("HTTP/1.1 404 Not Found\r\n\r\n");
    signalr.url = QUrl(QStringLiteral("wss://app.example/chathub"));
    QTest::newRow("SignalR hub") << signalr << QStringList{QStringLiteral("signalr-endpoint")}
                                 << QStringLiteral("0x1E");

    HandshakeDoctor::Input expired
        = input({}, protocol::HandshakeError::None, SessionError::TlsFailed);
    expired.handshake.tls.insert(QStringLiteral("errors"),
                                 QStringLiteral("The certificate has expired"));
    QTest::newRow("TLS expired") << expired << QStringList{QStringLiteral("tls-failed")}
                                 << QStringLiteral("renew");
    HandshakeDoctor::Input wrongName
        = input({}, protocol::HandshakeError::None, SessionError::TlsFailed);
    wrongName.handshake.tls.insert(
        QStringLiteral("errors"),
        QStringLiteral("The host name did not match any of the valid hosts"));
    wrongName.handshake.tls.insert(QStringLiteral("subjectAltNames"),
                                   QStringLiteral("DNS:other.example, DNS:www.other.example"));
    wrongName.handshake.tls.insert(QStringLiteral("subject"), QStringLiteral("other.example"));
    QTest::newRow("TLS wrong host names what the certificate holds")
        << wrongName << QStringList{QStringLiteral("tls-failed")}
        << QStringLiteral("DNS:other.example, DNS:www.other.example (CN other.example)");
    HandshakeDoctor::Input notPinned
        = input({}, protocol::HandshakeError::None, SessionError::TlsFailed);
    notPinned.handshake.tls.insert(QStringLiteral("errors"),
                                   QStringLiteral("The certificate is self-signed, and untrusted"));
    notPinned.handshake.tls.insert(QStringLiteral("pinned"), QStringLiteral("mismatch"));
    QTest::newRow("TLS not the pinned certificate")
        << notPinned << QStringList{QStringLiteral("tls-pin-mismatch")}
        << QStringLiteral("intercepting");
    HandshakeDoctor::Input refused
        = input({}, protocol::HandshakeError::None, SessionError::ConnectionFailed);
    refused.errorString = QStringLiteral("Connection refused");
    QTest::newRow("refused") << refused << QStringList{QStringLiteral("connection-failed")}
                             << QStringLiteral("firewall");
    QTest::newRow("timed out") << input({}, protocol::HandshakeError::None,
                                        SessionError::ConnectionTimeout)
                               << QStringList{QStringLiteral("connection-timeout")}
                               << QStringLiteral("firewall");
    QTest::newRow("no HTTP answer")
        << input({}, protocol::HandshakeError::None, SessionError::HandshakeTimeout)
        << QStringList{QStringLiteral("no-http-response")} << QStringLiteral("wss://");
}

void tst_HandshakeDoctor::findings()
{
    QFETCH(HandshakeDoctor::Input, in);
    QFETCH(QStringList, expected);
    QFETCH(QString, mentions);
    const QList<Finding> found = HandshakeDoctor::examine(in);
    const QStringList foundIds = ids(found);
    for (const QString &id : expected)
        QVERIFY2(foundIds.contains(id), qPrintable(id + QStringLiteral(" missing from ")
                                                   + foundIds.join(QLatin1Char(','))));
    bool mentioned = false;
    for (const Finding &finding : found)
        mentioned = mentioned || (finding.title + finding.detail + finding.fix).contains(mentions);
    QVERIFY2(mentioned, qPrintable(mentions));
    // Each thing said once: no two findings of the same title or advice.
    for (qsizetype i = 0; i < found.size(); ++i)
        for (qsizetype j = i + 1; j < found.size(); ++j)
            QVERIFY2(found[i].title != found[j].title
                         && (found[i].fix.isEmpty() || found[i].fix != found[j].fix)
                         && !(found[i].id == QStringLiteral("tls-port")
                              && found[j].id == QStringLiteral("unexpected-status")),
                     qPrintable(found[i].id + QStringLiteral(" and ") + found[j].id));
    // Errors first, then warnings, then notes: what broke the upgrade is read first.
    for (qsizetype i = 1; i < found.size(); ++i)
        QVERIFY2(found[i - 1].severity >= found[i].severity,
                 qPrintable(found[i - 1].id + QStringLiteral(" before ") + found[i].id));
    if (QByteArray(QTest::currentDataTag()).contains("(not the path)"))
        for (const Finding &finding : found)
            QVERIFY2(!finding.fix.contains(QStringLiteral("check the path")),
                     qPrintable(finding.fix));
    // Over the redirect limit, following redirects is not the advice.
    if (foundIds.contains(QStringLiteral("redirect-limit"))) {
        QVERIFY(!foundIds.contains(QStringLiteral("redirect")));
        for (const Finding &finding : found)
            QVERIFY2(!finding.fix.contains(QStringLiteral("-L")), qPrintable(finding.fix));
    }
    // A redirect elsewhere than to TLS gets no advice to switch to wss://.
    for (const Finding &finding : found)
        if (finding.id == QStringLiteral("redirect") && !mentions.contains(QStringLiteral("TLS")))
            QVERIFY2(!finding.fix.contains(QStringLiteral("wss://")), qPrintable(finding.fix));
    for (const Finding &finding : found) {
        QVERIFY(!finding.title.isEmpty());
        if (finding.severity == Finding::Severity::Error)
            QVERIFY2(!finding.fix.isEmpty(),
                     qPrintable(finding.id)); // every error comes with a fix
    }
}

namespace {

HandshakeDoctor::Input tlsFailure(const char *errorString, const char *alert = nullptr,
                                  bool clientCertificate = false)
{
    HandshakeDoctor::Input in = input({}, protocol::HandshakeError::None, SessionError::TlsFailed);
    in.url = QUrl(QStringLiteral("wss://server.example:8443/socket"));
    in.errorString = QString::fromLatin1(errorString);
    in.close.endedBy = EndReason::Tls;
    if (alert)
        in.handshake.tls.insert(QStringLiteral("alert"), QString::fromLatin1(alert));
    in.clientCertificate = clientCertificate;
    return in;
}

} // namespace

// TLS advice names what to do, and never a cure for another disease: no --cacert or --insecure
// for a server that wants a client certificate, no certificate advice for a port without TLS.
void tst_HandshakeDoctor::tlsAdvice_data()
{
    QTest::addColumn<HandshakeDoctor::Input>("in");
    QTest::addColumn<QString>("id");       // a finding with this id is there
    QTest::addColumn<QString>("mentions"); // and its title, detail or fix says this
    QTest::addColumn<QString>("never");    // no finding says this

    const char *tls13Alert = "TLS failed: Error while reading: error:0A00045C:SSL "
                             "routines::tlsv13 alert certificate required";
    QTest::newRow("TLS 1.3: certificate_required, none given")
        << tlsFailure(tls13Alert, "certificate_required (116)")
        << QStringLiteral("tls-client-certificate-required")
        << QStringLiteral("--cert client.pem --key client.key") << QStringLiteral("--insecure");
    QTest::newRow("TLS 1.2: handshake_failure, none given")
        << tlsFailure("TLS failed: Error during SSL handshake: error:0A000410:SSL "
                      "routines::sslv3 alert handshake failure",
                      "handshake_failure (40)")
        << QStringLiteral("tls-client-certificate-required") << QStringLiteral("--pass PASSWORD")
        << QStringLiteral("--cacert");
    HandshakeDoctor::Input insecure = tlsFailure(tls13Alert, "certificate_required (116)");
    insecure.handshake.tls.insert(QStringLiteral("errors"),
                                  QStringLiteral("The certificate is self-signed, and untrusted"));
    insecure.handshake.tls.insert(QStringLiteral("override"),
                                  QStringLiteral("invalid certificate accepted"));
    QTest::newRow("certificate_required with --insecure")
        << insecure << QStringLiteral("tls-client-certificate-required")
        << QStringLiteral("certificate_required (116)") << QStringLiteral("self-signed: trust it");
    QTest::newRow("certificate_required with one given")
        << tlsFailure(tls13Alert, "certificate_required (116)", true)
        << QStringLiteral("tls-client-certificate-rejected")
        << QStringLiteral("tls.clientCertificate") << QStringLiteral("--insecure");
    QTest::newRow("unknown_ca for the one given")
        << tlsFailure("TLS failed: tlsv1 alert unknown ca", "unknown_ca (48)", true)
        << QStringLiteral("tls-client-certificate-rejected") << QStringLiteral("unknown_ca (48)")
        << QStringLiteral("--insecure");
    HandshakeDoctor::Input closed
        = tlsFailure("TLS failed: the server closed the connection during the TLS handshake");
    closed.close.endedBy = EndReason::TcpFin;
    QTest::newRow("closed during the handshake, none given")
        << closed << QStringLiteral("tls-closed-during-handshake")
        << QStringLiteral("--cert client.pem --key client.key") << QStringLiteral("--insecure");
    QTest::newRow("wss:// to a plain port")
        << tlsFailure("TLS failed: Error during SSL handshake: error:0A00010B:SSL "
                      "routines::wrong version number")
        << QStringLiteral("tls-plain-port") << QStringLiteral("ws://server.example:8443/socket")
        << QStringLiteral("--cacert");

    HandshakeDoctor::Input afterTls
        = input({}, protocol::HandshakeError::None, SessionError::HandshakeFailed);
    afterTls.url = QUrl(QStringLiteral("wss://server.example/socket"));
    afterTls.errorString = QStringLiteral("WebSocket handshake failed: the server closed the "
                                          "connection");
    afterTls.handshake.tls.insert(QStringLiteral("protocol"), QStringLiteral("TLSv1.3"));
    QTest::newRow("wss://: closed right after TLS, none given")
        << afterTls << QStringLiteral("tls-client-certificate-required")
        << QStringLiteral("--cert client.pem --key client.key") << QStringLiteral("--insecure");

    QTest::newRow("ws:// answered with a TLS alert")
        << input(QByteArray::fromHex("15030300020246"), protocol::HandshakeError::MalformedHead)
        << QStringLiteral("tls-port") << QStringLiteral("wss://server.example/socket")
        << QStringLiteral("--cacert");
    QTest::newRow("ws:// answered with a TLS handshake record")
        << input(QByteArray::fromHex("160303007a020000760303"),
                 protocol::HandshakeError::MalformedHead)
        << QStringLiteral("tls-port") << QStringLiteral("This port speaks TLS: use wss://")
        << QStringLiteral("--insecure");
    HandshakeDoctor::Input silent
        = input({}, protocol::HandshakeError::None, SessionError::HandshakeFailed);
    QTest::newRow("ws:// closed without a word")
        << silent << QStringLiteral("closed-without-answer")
        << QStringLiteral("wss://server.example/socket") << QStringLiteral("--insecure");
    QTest::newRow("ws:// to nginx's TLS port")
        << input("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n"
                 "<html><body><center>The plain HTTP request was sent to HTTPS port</center>"
                 "</body></html>")
        << QStringLiteral("tls-port") << QStringLiteral("wss://server.example/socket")
        << QStringLiteral("--insecure");
    QTest::newRow("ws:// no answer in time")
        << input({}, protocol::HandshakeError::None, SessionError::HandshakeTimeout)
        << QStringLiteral("no-http-response") << QStringLiteral("wss://server.example/socket")
        << QStringLiteral("--insecure");

    HandshakeDoctor::Input badUrl
        = input({}, protocol::HandshakeError::None, SessionError::InvalidUrl);
    badUrl.url = QUrl(QStringLiteral("ftp://127.0.0.1:9591/"));
    badUrl.errorString = QStringLiteral("invalid URL: the scheme is not ws or wss");
    QTest::newRow("not a WebSocket URL")
        << badUrl << QStringLiteral("invalid-url") << QStringLiteral("ws://HOST[:PORT]/PATH")
        << QStringLiteral("--insecure");

    // The same advice for the desktop application names its controls, not the command line's
    // options.
    HandshakeDoctor::Input selfSigned = tlsFailure("TLS failed: certificate verify failed");
    selfSigned.handshake.tls.insert(
        QStringLiteral("errors"), QStringLiteral("The certificate is self-signed, and untrusted"));
    QTest::newRow("self-signed, command line")
        << selfSigned << QStringLiteral("tls-failed")
        << QStringLiteral("trust it with --cacert FILE or pin its fingerprint with --pin-sha256, "
                          "or accept it for this session only with --insecure")
        << QStringLiteral("Connection tab");
    selfSigned.audience = HandshakeDoctor::Audience::Desktop;
    QTest::newRow("self-signed, desktop")
        << selfSigned << QStringLiteral("tls-failed")
        << QStringLiteral("trust it with TLS CA file (Connection tab) or pin its fingerprint with "
                          "TLS pin (Connection tab), or accept it for this session only with "
                          "\"Accept an invalid certificate\" (Connection tab)")
        << QStringLiteral("--");
    HandshakeDoctor::Input wantsCertificate = tlsFailure(tls13Alert, "certificate_required (116)");
    wantsCertificate.audience = HandshakeDoctor::Audience::Desktop;
    QTest::newRow("certificate_required, none given, desktop")
        << wantsCertificate << QStringLiteral("tls-client-certificate-required")
        << QStringLiteral("Client certificate (Connection tab)") << QStringLiteral("--");
}

void tst_HandshakeDoctor::tlsAdvice()
{
    QFETCH(HandshakeDoctor::Input, in);
    QFETCH(QString, id);
    QFETCH(QString, mentions);
    QFETCH(QString, never);
    const QList<Finding> found = HandshakeDoctor::examine(in);
    QString all;
    for (const Finding &finding : found)
        all += finding.id + QStringLiteral(": ") + finding.title + QStringLiteral(" | ")
               + finding.detail + QStringLiteral(" | ") + finding.fix + QLatin1Char('\n');
    const auto it = std::find_if(found.cbegin(), found.cend(),
                                 [&](const Finding &finding) { return finding.id == id; });
    QVERIFY2(it != found.cend(), qPrintable(id + QStringLiteral(" missing from:\n") + all));
    QVERIFY2((it->title + it->detail + it->fix).contains(mentions), qPrintable(all));
    QVERIFY2(!all.contains(never), qPrintable(all));
    QCOMPARE(it->severity, Finding::Severity::Error);
    QVERIFY(!it->fix.isEmpty());
}

void tst_HandshakeDoctor::fingerprints()
{
    const ServerFingerprint iis = HandshakeDoctor::fingerprint(kIisDetailedError);
    QVERIFY(iis.iis);
    QCOMPARE(iis.iisMajor, 10);
    QVERIFY(iis.aspNet);
    QVERIFY(!iis.httpSys);
    const ServerFingerprint sys = HandshakeDoctor::fingerprint(
        "HTTP/1.1 503 Service Unavailable\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n");
    QVERIFY(sys.httpSys);
    QVERIFY(!sys.iis);
    QVERIFY(HandshakeDoctor::fingerprint("HTTP/1.1 101 S\r\nX-AspNet-Version: 4.0.30319\r\n\r\n")
                .aspNet);
    QVERIFY(HandshakeDoctor::fingerprint("HTTP/1.1 101 S\r\nServer: Kestrel\r\n\r\n").kestrel);
}

void tst_HandshakeDoctor::iisErrorLineAndBodySummary()
{
    QCOMPARE(HandshakeDoctor::iisErrorLine(kIisDetailedError),
             QStringLiteral("HTTP Error 404.0 - Not Found"));
    QCOMPARE(HandshakeDoctor::iisErrorLine("<h3>HTTP Error 503. The service is unavailable.</h3>"),
             QString());
    QCOMPARE(HandshakeDoctor::iisErrorLine("<h3>HTTP Error 500.19 - Internal Server Error</h3>"),
             QStringLiteral("HTTP Error 500.19 - Internal Server Error"));
    QCOMPARE(HandshakeDoctor::summarizeBody(
                 "<html><style>x{}</style><p>Hello   <b>there</b></p></html>"),
             QStringLiteral("Hello there"));
    QCOMPARE(HandshakeDoctor::summarizeBody(QByteArray(500, 'a'), 10).size(), 10);
}

QTEST_GUILESS_MAIN(tst_HandshakeDoctor)
#include "tst_handshakedoctor.moc"
