#include "testutil.h"

#include <QTest>
#include <protocol/handshake.h>
#include <protocol/httphead.h>

using namespace framescope::protocol;
using namespace testutil;

Q_DECLARE_METATYPE(framescope::protocol::HandshakeError)

namespace {

HttpHead parseHead(HttpHeadParser::Kind kind, std::string_view text)
{
    HttpHeadParser parser(kind);
    std::size_t consumed = 0;
    parser.feed(bytesOf(text), consumed);
    return parser.head();
}

ClientRequest sampleRequest()
{
    ClientRequest request;
    request.host = "server.example.com";
    request.resource = "/chat";
    request.key = "dGhlIHNhbXBsZSBub25jZQ==";
    request.origin = "http://example.com";
    request.subprotocols = {"chat", "superchat"};
    return request;
}

std::string response101(std::string_view extra = {})
{
    std::string text
        = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
    text += extra;
    text += "\r\n";
    return text;
}

} // namespace

class tst_Handshake : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptKeyRfcVector();
    void clientKeysAreRandomAndValid();
    void clientRequestBytes();
    void responseParserReturnsConsumedBytes();
    void responseParserAnyChunking();
    void headLimits();
    void hugeHeaderLineStopsAtTheCap();
    void malformedHeads_data();
    void malformedHeads();
    void clientChecks_data();
    void clientChecks();
    void serverChecks_data();
    void serverChecks();
    void serverResponses();
};

void tst_Handshake::acceptKeyRfcVector()
{
    // RFC 6455 §1.3.
    QCOMPARE(computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
             std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

void tst_Handshake::clientKeysAreRandomAndValid()
{
    const auto a = generateClientKey();
    const auto b = generateClientKey();
    QVERIFY(a && b);
    QVERIFY(*a != *b);
    QVERIFY(isValidClientKey(*a));
    QVERIFY(isValidClientKey("dGhlIHNhbXBsZSBub25jZQ=="));
    QVERIFY(!isValidClientKey("dGhlIHNhbXBsZQ=="));         // 10 bytes
    QVERIFY(!isValidClientKey("dGhlIHNhbXBsZSBub25jZQ="));  // truncated
    QVERIFY(!isValidClientKey("dGhlIHNhbXBsZSBub25j*Q==")); // not base64
}

void tst_Handshake::clientRequestBytes()
{
    ClientRequest request = sampleRequest();
    request.extensions
        = {toExtension(DeflateOffer{false, false, std::nullopt, true, std::nullopt})};
    request.extraHeaders = {{"Cookie", "a=1"}, {"X-Trace", "z"}, {"Authorization", "Bearer t"}};
    const std::string expected
        = "GET /chat HTTP/1.1\r\n"
          "Host: server.example.com\r\n"
          "Upgrade: websocket\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n"
          "Origin: http://example.com\r\n"
          "Sec-WebSocket-Protocol: chat, superchat\r\n"
          "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
          "Cookie: a=1\r\n"
          "X-Trace: z\r\n"
          "Authorization: Bearer t\r\n"
          "\r\n";
    QCOMPARE(buildClientRequest(request), expected);
}

void tst_Handshake::responseParserReturnsConsumedBytes()
{
    // The 101 and the first frames in one segment: nothing after the head is lost.
    const std::string head = response101();
    const Bytes segment = concat({bytesOf(head), hex("81 05 48 65 6c 6c 6f 89 00")});
    HttpHeadParser parser(HttpHeadParser::Kind::Response);
    std::size_t consumed = 0;
    QCOMPARE(parser.feed(segment, consumed), HttpHeadParser::Status::Complete);
    QCOMPARE(consumed, head.size());
    QCOMPARE(parser.rawBytes(), head);
    QCOMPARE(parser.head().status, 101);
    QCOMPARE(parser.head().headers.size(), std::size_t(3));

    ReaderOptions options;
    ReadResult result;
    readInto(result, options, std::span(segment).subspan(consumed));
    QCOMPARE(result.handler.messages.size(), std::size_t(1));
    QCOMPARE(result.handler.controls.size(), std::size_t(1));
}

void tst_Handshake::responseParserAnyChunking()
{
    const std::string head = response101("Sec-WebSocket-Protocol: chat\r\n");
    const Bytes segment = concat({bytesOf(head), hex("81 00")});
    for (std::size_t split = 0; split <= segment.size(); ++split) {
        HttpHeadParser parser(HttpHeadParser::Kind::Response);
        std::size_t first = 0;
        std::size_t second = 0;
        parser.feed(std::span(segment).first(split), first);
        parser.feed(std::span(segment).subspan(split), second);
        QCOMPARE(parser.status(), HttpHeadParser::Status::Complete);
        QCOMPARE(split <= head.size() ? first + second : first, head.size());
        QCOMPARE(*parser.head().find("sec-websocket-protocol"), std::string("chat"));
    }
}

void tst_Handshake::headLimits()
{
    auto headWithLines = [](int lines) {
        std::string text = "HTTP/1.1 101 Switching Protocols\r\n";
        for (int i = 0; i < lines; ++i)
            text += "X-Line-" + std::to_string(i) + ": v\r\n";
        return text + "\r\n";
    };
    HttpHeadParser atLimit(HttpHeadParser::Kind::Response);
    std::size_t consumed = 0;
    QCOMPARE(atLimit.feed(bytesOf(headWithLines(100)), consumed), HttpHeadParser::Status::Complete);
    HttpHeadParser overLimit(HttpHeadParser::Kind::Response);
    QCOMPARE(overLimit.feed(bytesOf(headWithLines(101)), consumed), HttpHeadParser::Status::Failed);
    QCOMPARE(overLimit.error(), HttpHeadError::TooManyHeaders);

    // 16 KiB in all, the terminator included.
    std::string exact = "HTTP/1.1 101 OK\r\nX-Pad: ";
    exact += std::string(16 * 1024 - exact.size() - 4, 'a') + "\r\n\r\n";
    QCOMPARE(exact.size(), std::size_t(16 * 1024));
    HttpHeadParser fits(HttpHeadParser::Kind::Response);
    QCOMPARE(fits.feed(bytesOf(exact), consumed), HttpHeadParser::Status::Complete);
    std::string tooBig = exact;
    tooBig.insert(20, "a");
    HttpHeadParser fails(HttpHeadParser::Kind::Response);
    QCOMPARE(fails.feed(bytesOf(tooBig), consumed), HttpHeadParser::Status::Failed);
    QCOMPARE(fails.error(), HttpHeadError::TooLarge);
}

void tst_Handshake::hugeHeaderLineStopsAtTheCap()
{
    // A 20 MB header line, fed 64 KiB at a time: fails at the cap and keeps no more than it.
    HttpHeadParser parser(HttpHeadParser::Kind::Response);
    std::size_t consumed = 0;
    parser.feed(bytesOf("HTTP/1.1 101 Switching Protocols\r\nX-Huge: "), consumed);
    const Bytes block = filled(64 * 1024, 'x');
    int fed = 0;
    while (parser.status() == HttpHeadParser::Status::NeedMore && fed < 320) {
        parser.feed(block, consumed);
        ++fed;
    }
    QCOMPARE(parser.status(), HttpHeadParser::Status::Failed);
    QCOMPARE(parser.error(), HttpHeadError::TooLarge);
    QCOMPARE(fed, 1);
    QVERIFY(parser.rawBytes().size() <= 16 * 1024);
}

void tst_Handshake::malformedHeads_data()
{
    QTest::addColumn<bool>("request");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("error");
    QTest::newRow("not http") << false << QByteArray("SSH-2.0-OpenSSH\r\n\r\n")
                              << int(HttpHeadError::BadStartLine);
    QTest::newRow("status not a number")
        << false << QByteArray("HTTP/1.1 1x1 Nope\r\n\r\n") << int(HttpHeadError::BadStartLine);
    QTest::newRow("obsolete folding")
        << false << QByteArray("HTTP/1.1 101 S\r\nUpgrade: websocket\r\n  more\r\n\r\n")
        << int(HttpHeadError::BadHeaderLine);
    QTest::newRow("space before colon")
        << false << QByteArray("HTTP/1.1 101 S\r\nUpgrade : websocket\r\n\r\n")
        << int(HttpHeadError::BadHeaderLine);
    QTest::newRow("no colon") << false << QByteArray("HTTP/1.1 101 S\r\nUpgrade websocket\r\n\r\n")
                              << int(HttpHeadError::BadHeaderLine);
    QTest::newRow("request without version")
        << true << QByteArray("GET /\r\n\r\n") << int(HttpHeadError::BadStartLine);
    QTest::newRow("request with spaces in target")
        << true << QByteArray("GET / x HTTP/1.1\r\n\r\n") << int(HttpHeadError::BadStartLine);
    QTest::newRow("bare LF accepted")
        << false << QByteArray("HTTP/1.1 101 S\nUpgrade: websocket\n\n")
        << int(HttpHeadError::None);
}

void tst_Handshake::malformedHeads()
{
    QFETCH(bool, request);
    QFETCH(QByteArray, text);
    QFETCH(int, error);
    HttpHeadParser parser(request ? HttpHeadParser::Kind::Request : HttpHeadParser::Kind::Response);
    std::size_t consumed = 0;
    parser.feed(bytesOf(text.toStdString()), consumed);
    QCOMPARE(int(parser.error()), error);
}

void tst_Handshake::clientChecks_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<bool>("offerDeflate");
    QTest::addColumn<HandshakeError>("error");
    QTest::addColumn<QByteArray>("subprotocol");

    const std::string accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
    QTest::newRow("valid") << QByteArray::fromStdString(response101()) << false
                           << HandshakeError::None << QByteArray();
    QTest::newRow("valid, tokens in other case and lists") << QByteArray::fromStdString(
        "HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n" + accept
        + "\r\n") << false << HandshakeError::None << QByteArray();
    QTest::newRow("subprotocol echoed")
        << QByteArray::fromStdString(response101("Sec-WebSocket-Protocol: chat\r\n")) << false
        << HandshakeError::None << QByteArray("chat");
    QTest::newRow("subprotocol not offered")
        << QByteArray::fromStdString(response101("Sec-WebSocket-Protocol: mqtt\r\n")) << false
        << HandshakeError::SubprotocolNotOffered << QByteArray();
    QTest::newRow("IIS without the WebSocket feature: 101 without Accept")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                      "Upgrade\r\nServer: Microsoft-IIS/10.0\r\n\r\n")
        << false << HandshakeError::MissingAccept << QByteArray();
    QTest::newRow("wrong accept") << QByteArray(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")
                                  << false << HandshakeError::WrongAccept << QByteArray();
    QTest::newRow("404") << QByteArray("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                         << false << HandshakeError::UnexpectedStatus << QByteArray();
    QTest::newRow("no upgrade") << QByteArray::fromStdString(
        "HTTP/1.1 101 S\r\nConnection: Upgrade\r\n" + accept + "\r\n")
                                << false << HandshakeError::MissingUpgrade << QByteArray();
    QTest::newRow("no connection")
        << QByteArray::fromStdString("HTTP/1.1 101 S\r\nUpgrade: websocket\r\n" + accept + "\r\n")
        << false << HandshakeError::MissingConnection << QByteArray();
    QTest::newRow("extension not offered")
        << QByteArray::fromStdString(
               response101("Sec-WebSocket-Extensions: permessage-deflate\r\n"))
        << false << HandshakeError::ExtensionNotOffered << QByteArray();
    QTest::newRow("unknown extension")
        << QByteArray::fromStdString(
               response101("Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"))
        << true << HandshakeError::ExtensionNotOffered << QByteArray();
    QTest::newRow("deflate accepted") << QByteArray::fromStdString(
        response101("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n"))
                                      << true << HandshakeError::None << QByteArray();
    QTest::newRow("deflate twice") << QByteArray::fromStdString(
        response101("Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n"))
                                   << true << HandshakeError::ExtensionNotOffered << QByteArray();
    QTest::newRow("deflate duplicate parameter")
        << QByteArray::fromStdString(
               response101("Sec-WebSocket-Extensions: permessage-deflate; "
                           "server_no_context_takeover; server_no_context_takeover\r\n"))
        << true << HandshakeError::InvalidExtensionHeader << QByteArray();
    QTest::newRow("deflate unterminated quote")
        << QByteArray::fromStdString(response101(
               "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"10\r\n"))
        << true << HandshakeError::InvalidExtensionHeader << QByteArray();
}

void tst_Handshake::clientChecks()
{
    QFETCH(QByteArray, response);
    QFETCH(bool, offerDeflate);
    QFETCH(HandshakeError, error);
    QFETCH(QByteArray, subprotocol);
    std::optional<DeflateOffer> offer;
    if (offerDeflate)
        offer = DeflateOffer{false, false, std::nullopt, true, std::nullopt};
    const ClientHandshakeResult result = checkServerResponse(
        parseHead(HttpHeadParser::Kind::Response, response.toStdString()), sampleRequest(), offer);
    QCOMPARE(describe(result.error), describe(error));
    if (!subprotocol.isEmpty())
        QCOMPARE(result.subprotocol.value_or(""), subprotocol.toStdString());
    if (error == HandshakeError::None && offerDeflate)
        QCOMPARE(result.deflate->serverMaxWindowBits, 10);
}

void tst_Handshake::serverChecks_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<HandshakeError>("error");
    QTest::addColumn<int>("status");
    const QByteArray base = "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    const QByteArray key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const QByteArray version = "Sec-WebSocket-Version: 13\r\n";
    QTest::newRow("valid") << "GET /chat HTTP/1.1\r\n" + base + key + version + "\r\n"
                           << HandshakeError::None << 101;
    QTest::newRow("POST") << "POST /chat HTTP/1.1\r\n" + base + key + version + "\r\n"
                          << HandshakeError::BadMethod << 400;
    QTest::newRow("HTTP/1.0") << "GET /chat HTTP/1.0\r\n" + base + key + version + "\r\n"
                              << HandshakeError::BadHttpVersion << 400;
    QTest::newRow("no Host")
        << QByteArray("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n") + key
               + version + "\r\n"
        << HandshakeError::MissingHost << 400;
    QTest::newRow("no key") << "GET / HTTP/1.1\r\n" + base + version + "\r\n"
                            << HandshakeError::MissingKey << 400;
    QTest::newRow("short key") << "GET / HTTP/1.1\r\n" + base + "Sec-WebSocket-Key: c2hvcnQ=\r\n"
                                      + version + "\r\n"
                               << HandshakeError::MissingKey << 400;
    QTest::newRow("version 8") << "GET / HTTP/1.1\r\n" + base + key
                                      + "Sec-WebSocket-Version: 8\r\n\r\n"
                               << HandshakeError::UnsupportedVersion << 426;
    QTest::newRow("no version") << "GET / HTTP/1.1\r\n" + base + key + "\r\n"
                                << HandshakeError::UnsupportedVersion << 426;
    QTest::newRow("unterminated quoted extension parameter")
        << "GET / HTTP/1.1\r\n" + base + key + version
               + "Sec-WebSocket-Extensions: permessage-deflate; x=\"abc\r\n\r\n"
        << HandshakeError::InvalidExtensionHeader << 400;
    QByteArray spaces = "Sec-WebSocket-Protocol: " + QByteArray(15000, ' ') + "\r\n";
    QTest::newRow("protocol of spaces")
        << "GET / HTTP/1.1\r\n" + base + key + version + spaces + "\r\n"
        << HandshakeError::None << 101;
}

void tst_Handshake::serverChecks()
{
    QFETCH(QByteArray, request);
    QFETCH(HandshakeError, error);
    QFETCH(int, status);
    HttpHeadParser parser(HttpHeadParser::Kind::Request);
    std::size_t consumed = 0;
    QCOMPARE(parser.feed(bytesOf(request.toStdString()), consumed),
             HttpHeadParser::Status::Complete);
    const ServerHandshakeResult result = checkClientRequest(parser.head());
    QCOMPARE(describe(result.error), describe(error));
    QCOMPARE(result.status, status);
    if (status == 426) {
        const HttpHead response
            = parseHead(HttpHeadParser::Kind::Response, buildRejectResponse(result));
        QCOMPARE(response.status, 426);
        QCOMPARE(*response.find("Sec-WebSocket-Version"), std::string("13"));
    }
    if (error == HandshakeError::None)
        QVERIFY(result.subprotocols.empty());
}

void tst_Handshake::serverResponses()
{
    // What our server sends passes our client's checks, subprotocol and deflate included.
    const std::string request
        = "GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
          "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    const ServerHandshakeResult checked
        = checkClientRequest(parseHead(HttpHeadParser::Kind::Request, request));
    QVERIFY(checked.ok());
    QCOMPARE(checked.subprotocols, (std::vector<std::string>{"chat", "superchat"}));
    DeflateServerConfig config;
    config.clientMaxWindowBits = 12;
    const DeflateAcceptance acceptance = acceptDeflateOffers(checked.extensions, config);
    QVERIFY(acceptance.agreed);
    const std::string response = buildAcceptResponse(checked.key, "superchat",
                                                     formatExtensionHeader({*acceptance.response}),
                                                     {{"Server", "Framescope"}});
    const ClientHandshakeResult client
        = checkServerResponse(parseHead(HttpHeadParser::Kind::Response, response), sampleRequest(),
                              DeflateOffer{false, false, std::nullopt, true, std::nullopt});
    QVERIFY2(client.ok(), client.detail.c_str());
    QCOMPARE(client.subprotocol.value_or(""), std::string("superchat"));
    QCOMPARE(client.deflate->clientMaxWindowBits, 12);
    QCOMPARE(*client.deflate, *acceptance.agreed);

    const std::string forbidden
        = buildRejectResponse(403, "Forbidden", {{"Content-Type", "text/plain"}}, "origin\n");
    const HttpHead head = parseHead(HttpHeadParser::Kind::Response, forbidden);
    QCOMPARE(head.status, 403);
    QCOMPARE(*head.find("Content-Length"), std::string("7"));
    QVERIFY(forbidden.ends_with("\r\n\r\norigin\n"));
}

QTEST_GUILESS_MAIN(tst_Handshake)
#include "tst_handshake.moc"
