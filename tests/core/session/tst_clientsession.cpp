// ClientSession against Qt's own QWebSocketServer (an independent implementation) and against
// hostile raw-TCP servers that break the protocol on purpose. For every failure: the close code on
// the wire, the error reported, and that what arrived before is still in the capture.

#include "hostileserver.h"
#include "wiresniffer.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <capture/framestore.h>
#include <platform/socketcalls.h>
#include <protocol/messagewriter.h>
#include <session/client/clientsession.h>
#include <session/client/redirects.h>
#include <session/engine/certificatefingerprint.h>
#include <session/engine/clock.h>
#include <session/server/localserverthread.h>
#include <sys/socket.h>

using namespace framescope;
using namespace framescope::session;
using Bytes = std::vector<std::uint8_t>;

namespace {

QByteArray frame(std::uint8_t opcode, QByteArray payload, bool fin = true, bool rsv1 = false)
{
    protocol::FrameHeader header;
    header.opcode = opcode;
    header.fin = fin;
    header.rsv1 = rsv1;
    header.payloadLength = std::uint64_t(payload.size());
    std::vector<std::uint8_t> wire;
    protocol::appendFrame(
        header,
        {reinterpret_cast<const std::uint8_t *>(payload.data()), std::size_t(payload.size())},
        wire);
    return QByteArray(reinterpret_cast<const char *>(wire.data()), qsizetype(wire.size()));
}

QByteArray payloadOf(const capture::FrameStore &store, std::uint64_t id)
{
    std::vector<std::uint8_t> out;
    store.payload({id}, out);
    return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size()));
}

// Received data frames in the capture, as (opcode, payload).
QList<QPair<int, QByteArray>> receivedFrames(const capture::FrameStore &store)
{
    QList<QPair<int, QByteArray>> frames;
    for (std::uint64_t id = store.firstId().value; id < store.endId().value; ++id) {
        const auto record = store.record({id});
        if (record && record->direction() == capture::Direction::Received)
            frames.append({record->opcode, payloadOf(store, id)});
    }
    return frames;
}

bool waitFinished(ClientSession &session, int ms = 5000)
{
    if (session.state() == SessionState::Closed)
        return true;
    QSignalSpy spy(&session, &ClientSession::finished);
    return spy.wait(ms);
}

bool waitOpen(ClientSession &session)
{
    if (session.state() == SessionState::Open)
        return true;
    QSignalSpy spy(&session, &ClientSession::stateChanged);
    return QTest::qWaitFor(
               [&] {
                   return session.state() == SessionState::Open
                          || session.state() == SessionState::Closed;
               },
               5000)
           && session.state() == SessionState::Open;
}

// A session open to the built-in server, which runs on a thread of its own (and echoes).
struct SessionToOwnThreadServer
{
    LocalServerThread server{LocalServerOptions{}};
    capture::FrameStore store;
    std::unique_ptr<ClientSession> session;

    bool open()
    {
        if (!server.start().isEmpty())
            return false;
        ClientOptions options;
        options.url = QUrl(server.urls().first());
        session = std::make_unique<ClientSession>(options, store);
        session->open();
        return waitOpen(*session);
    }
};

} // namespace

class tst_ClientSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripWithQWebSocketServer();
    void aGivenHostReplacesTheDefault();
    void rawFramesOnTheWireAsRecorded();
    void framesInTheSameSegmentAsThe101();
    void hostileServers_data();
    void hostileServers();
    void wrongAcceptFailsTheHandshake();
    void badSubprotocolAndExtensionAnswers_data();
    void badSubprotocolAndExtensionAnswers();
    void iisErrorPageIsKept();
    void hugeHeaderLine();
    void stallInTheMiddleOfAHeader();
    void serverThatNeverAnswersOurClose();
    void connectionRefused();
    void ipv6Loopback();
    void redirectRules();
    void redirectsAreNotFollowedByDefault();
    void redirectSameHostKeepsCredentials();
    void redirectToAnotherHostDropsCredentials();
    void redirectLoopIsBounded();
    void invalidUrl();
    void credentialHelpersBecomeHeaders();
    void credentialHelpersAreDroppedOnACrossHostRedirect();
    void badCredentialHelpersAreRefused_data();
    void badCredentialHelpersAreRefused();
    void reconnectDelaysDoubleUpToTheCap();
    void reconnectsAfterTheServerDrops();
    void reconnectGivesUpAfterMaxAttempts();
    void aServerThatDropsEveryConnectionIsGivenUpOn();
    void aSteadyConnectionStartsTheCountAgain();
    void aReconnectWaitsTheWholeDelay();
    void noReconnectForAnAnswerThatWillNotChange();
    void abortBetweenReconnectsEndsTheSession();
    void connectionLostMidFrameKeepsWhatArrived_data();
    void connectionLostMidFrameKeepsWhatArrived();
    void sendingWhileAFrameArrivesKeepsBothWhole();
    void framesAreStoredInTheOrderTheyHappened();
    void everyAnsweredPingIsTimed();
};

void tst_ClientSession::roundTripWithQWebSocketServer()
{
    QWebSocketServer server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QList<QWebSocket *> peers;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        QWebSocket *peer = server.nextPendingConnection();
        peers << peer;
        connect(peer, &QWebSocket::textMessageReceived, peer,
                [peer](const QString &text) { peer->sendTextMessage(text); });
        connect(peer, &QWebSocket::binaryMessageReceived, peer,
                [peer](const QByteArray &data) { peer->sendBinaryMessage(data); });
    });

    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/echo?room=1").arg(server.serverPort()));
    options.headers = {{"X-First", "1"}, {"X-Second", "2"}};
    ClientSession session(options, store);
    QSignalSpy captured(&session, &ClientSession::framesCaptured);
    QSignalSpy pongs(&session, &ClientSession::pongReceived);
    session.open();
    QVERIFY(waitOpen(session));
    QCOMPARE(session.handshake().status, 101);
    QVERIFY(session.handshake().request.contains("GET /echo?room=1 HTTP/1.1\r\n"));
    QVERIFY(session.handshake().request.indexOf("X-First: 1")
            < session.handshake().request.indexOf("X-Second: 2"));

    const QByteArray big(200000, 'z');
    QVERIFY(session.sendText("Hello, Qt"));
    QVERIFY(session.sendBinary(QByteArray("\x00\x01\xff", 3)));
    QVERIFY(session.sendMessage(protocol::Opcode::Text, big, 4096,
                                true)); // fragments with pings between
    QVERIFY(session.ping("rtt"));
    QVERIFY(QTest::qWaitFor([&] { return session.messagesReceived() == 3 && pongs.count() >= 1; },
                            5000));
    QVERIFY(pongs.first().first().toLongLong() > 0);

    const auto received = receivedFrames(store);
    QList<QByteArray> texts;
    for (const auto &[opcode, payload] : received) {
        if (opcode == 1 || opcode == 0)
            texts << payload;
    }
    QVERIFY(texts.contains("Hello, Qt"));
    QVERIFY(received.contains(QPair<int, QByteArray>(2, QByteArray("\x00\x01\xff", 3))));
    // Sent frames are masked and recorded with their keys; received ones are not masked.
    int sentFragments = 0;
    for (std::uint64_t id = 0; id < store.endId().value; ++id) {
        const auto record = store.record({id});
        QCOMPARE(record->has(capture::FrameRecord::Masked),
                 record->direction() == capture::Direction::Sent);
        QVERIFY(record->endNs >= record->startNs);
        if (record->direction() == capture::Direction::Sent && record->payloadLength == 4096)
            ++sentFragments;
    }
    QCOMPARE(sentFragments, 48); // 200000 / 4096, rounded down
    QVERIFY(captured.count() >= 1);

    QVERIFY(session.close(1000, "done"));
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::None);
    QVERIFY(session.closeInfo().closeFrameReceived);
    QCOMPARE(session.closeInfo().codeReceived.value_or(0), std::uint16_t(1000));
    QCOMPARE(session.closeInfo().endedBy, framescope::capture::EndReason::CloseFrame);
    qDeleteAll(peers);
}

// What sendRawFrame() puts on the wire, rules broken on purpose, is what the capture records;
// tshark, an independent dissector, is the witness.
void tst_ClientSession::rawFramesOnTheWireAsRecorded()
{
    WireSniffer sniffer;
    if (!sniffer.available())
        QSKIP("tshark is not installed (scripts/framescope.sh test installs it)");
    HostileServer server([](const std::string &key) { return HostileServer::acceptFor(key); });
    if (const QString why = sniffer.start({server.port()}); !why.isEmpty()) {
        if (why.startsWith(QStringLiteral("permission")))
            QSKIP(qPrintable(why));
        QFAIL(qPrintable(why));
    }
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.closeTimeoutMs = 300; // this server never answers the close
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));

    const auto raw = [](std::uint8_t opcode, bool fin, std::uint32_t key,
                        protocol::LengthForm form = protocol::LengthForm::Minimal) {
        protocol::FrameHeader header;
        header.opcode = opcode;
        header.fin = fin;
        header.masked = key != 0;
        header.maskKey = {std::uint8_t(key >> 24), std::uint8_t(key >> 16), std::uint8_t(key >> 8),
                          std::uint8_t(key)};
        header.lengthForm = form;
        return header;
    };
    protocol::FrameHeader reserved = raw(3, true, 0x01020304);
    reserved.rsv1 = reserved.rsv2 = reserved.rsv3 = true;
    const QList<QPair<protocol::FrameHeader, QByteArray>> frames = {
        {reserved, "rsv"},                                                     // RSV, opcode 3
        {raw(1, true, 0xaabbccdd, protocol::LengthForm::Extended16), "short"}, // non-minimal
        {raw(2, true, 0x11223344, protocol::LengthForm::Extended64),
         QByteArray::fromHex("0001")},             // 64-bit form
        {raw(9, false, 0x55667788), "split ping"}, // FIN=0 control
        {raw(1, true, 0), "bare"},                 // unmasked
        {raw(0, true, 0x99aabbcc), "orphan"},      // lone continuation
    };
    for (const auto &[header, payload] : frames) {
        protocol::FrameHeader sized = header;
        sized.payloadLength = std::uint64_t(payload.size());
        QVERIFY(session.sendRawFrame(sized, payload));
    }
    session.close(1000);
    QVERIFY(waitFinished(session));
    const QList<WireConnection> wire = sniffer.stopAndDissect();
    QCOMPARE(wire.size(), 1);

    QList<WireFrame> sent;
    for (std::uint64_t id = store.firstId().value; id < store.endId().value; ++id) {
        const auto record = store.record({id});
        if (record && record->has(capture::FrameRecord::Sent))
            sent << WireFrame::of(*record);
    }
    QCOMPARE(sent, wire[0].fromClient);
    QCOMPARE(sent.size(), frames.size() + 1); // and the close
    QCOMPARE(sent[0].rsv, 7);
    QCOMPARE(sent[0].opcode, 3);
    QCOMPARE(sent[1].lengthBits, 16);
    QCOMPARE(sent[2].lengthBits, 64);
    QVERIFY(!sent[3].fin);
    QCOMPARE(sent[2].length, quint64(2));
    QVERIFY(!sent[4].masked);
}

void tst_ClientSession::framesInTheSameSegmentAsThe101()
{
    HostileServer server([](const std::string &key) {
        return HostileServer::acceptFor(key) + frame(1, "first") + frame(2, "second")
               + frame(9, "ping!");
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    ClientSession session(options, store);
    session.open();
    QVERIFY(QTest::qWaitFor([&] { return session.messagesReceived() == 2; }, 5000));
    const auto received = receivedFrames(store);
    QCOMPARE(received.value(0).second, QByteArray("first"));
    QCOMPARE(received.value(1).second, QByteArray("second"));
    // The automatic pong went back with the same payload.
    QVERIFY(QTest::qWaitFor([&] { return server.received().size() >= 2 + 4 + 5; }, 5000));
    QCOMPARE(quint8(server.received().at(0)), quint8(0x8A));
}

void tst_ClientSession::hostileServers_data()
{
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<int>("messagesKept");
    QTest::addColumn<bool>("deflate");

    QTest::newRow("reserved opcode") << frame(1, "kept") + frame(3, "x") << 1002 << 1 << false;
    QTest::newRow("rsv bits") << frame(1, "kept") + frame(0x41 & 0x0F, "x", true, true) << 1002 << 1
                              << false;
    QTest::newRow("fragmented ping") << frame(9, "x", false) << 1002 << 0 << false;
    QTest::newRow("ping of 126") << frame(9, QByteArray(126, 'p')) << 1002 << 0 << false;
    QTest::newRow("masked server frame")
        << QByteArray::fromHex("818537fa213d7f9f4d5158") << 1002 << 0 << false;
    QTest::newRow("invalid utf-8")
        << frame(1, "kept") + frame(1, "\xce\xba\xed\xa0\x80") << 1007 << 1 << false;
    QTest::newRow("bad close code") << frame(8, QByteArray::fromHex("03ed")) << 1002 << 0 << false;
    QTest::newRow("one-byte close") << frame(8, "x") << 1002 << 0 << false;
    QTest::newRow("orphan continuation") << frame(0, "x") << 1002 << 0 << false;
    QTest::newRow("huge declared length, no body")
        << frame(1, "kept") + QByteArray::fromHex("827f000000ff00000000") << 1009 << 1 << false;
    QByteArray fragments = frame(1, "a", false);
    for (int i = 0; i < 200; ++i)
        fragments += frame(0, "", false);
    QTest::newRow("never-ending fragments") << fragments << 1009 << 0 << false;
    QTest::newRow("corrupt deflate data")
        << frame(1, QByteArray::fromHex("ffffff"), true, true) << 1007 << 0 << true;
}

void tst_ClientSession::hostileServers()
{
    QFETCH(QByteArray, frames);
    QFETCH(int, closeCode);
    QFETCH(int, messagesKept);
    QFETCH(bool, deflate);
    HostileServer server([&](const std::string &key) {
        QByteArray response = HostileServer::acceptFor(key);
        if (deflate)
            response.insert(response.size() - 2,
                            "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        return response + frames;
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.offerDeflate = deflate;
    options.maxFragments = 100;
    options.maxMessageSize = 1 << 20;
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    // Going over our limits (1009) is said as such, not as breaking the protocol.
    QCOMPARE(session.error(),
             closeCode == 1009 ? SessionError::LimitExceeded : SessionError::PeerProtocolError);
    QCOMPARE(session.closeInfo().endedBy,
             closeCode == 1009 ? capture::EndReason::Limit : capture::EndReason::ProtocolError);
    QCOMPARE(int(session.closeInfo().codeSent.value_or(0)), closeCode);
    QCOMPARE(int(session.messagesReceived()), messagesKept);
    if (messagesKept > 0)
        QCOMPARE(receivedFrames(store).value(0).second, QByteArray("kept"));
    // The close code is on the wire, as the server received it.
    QVERIFY(QTest::qWaitFor([&] { return server.closeCodeFromClient() == closeCode; }, 5000));
    // The capture holds our close frame with that code, after the frames received before it;
    // a frame that broke the rules in its payload is there too, marked with the violation.
    bool closeCaptured = false;
    bool violationCaptured = false;
    for (std::uint64_t id = store.firstId().value; id < store.endId().value; ++id) {
        const auto record = store.record({id});
        if (record->direction() == capture::Direction::Sent && record->opcode == 8)
            closeCaptured = payloadOf(store, id).startsWith(QByteArray(1, char(closeCode >> 8))
                                                            + char(closeCode & 0xFF));
        if (record->direction() == capture::Direction::Received && record->violations != 0)
            violationCaptured = true;
    }
    QVERIFY(closeCaptured);
    if (closeCode == 1007)
        QVERIFY(violationCaptured);
}

void tst_ClientSession::wrongAcceptFailsTheHandshake()
{
    HostileServer server([](const std::string &) {
        return QByteArray(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::HandshakeFailed);
    QCOMPARE(session.handshake().error, protocol::HandshakeError::WrongAccept);
    QVERIFY(session.errorString().contains(QStringLiteral("does not match")));
}

void tst_ClientSession::badSubprotocolAndExtensionAnswers_data()
{
    QTest::addColumn<QByteArrayList>("offeredSubprotocols");
    QTest::addColumn<bool>("offerDeflate");
    QTest::addColumn<QByteArray>("answerHeaders");
    QTest::addColumn<protocol::HandshakeError>("expected");
    const QByteArrayList none;
    QTest::newRow("subprotocol when none was offered")
        << none << false << QByteArray("Sec-WebSocket-Protocol: chat\r\n")
        << protocol::HandshakeError::SubprotocolNotOffered;
    QTest::newRow("another subprotocol than offered")
        << QByteArrayList{"chat", "v2.chat"} << false
        << QByteArray("Sec-WebSocket-Protocol: superchat\r\n")
        << protocol::HandshakeError::SubprotocolNotOffered;
    QTest::newRow("two subprotocols") << QByteArrayList{"chat", "v2.chat"} << false
                                      << QByteArray("Sec-WebSocket-Protocol: chat, v2.chat\r\n")
                                      << protocol::HandshakeError::SubprotocolNotOffered;
    QTest::newRow("deflate when not offered")
        << none << false << QByteArray("Sec-WebSocket-Extensions: permessage-deflate\r\n")
        << protocol::HandshakeError::ExtensionNotOffered;
    QTest::newRow("unknown extension")
        << none << true << QByteArray("Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n")
        << protocol::HandshakeError::ExtensionNotOffered;
    QTest::newRow("window bits out of range")
        << none << true
        << QByteArray("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7\r\n")
        << protocol::HandshakeError::InvalidExtensionHeader;
    QTest::newRow("duplicate parameter")
        << none << true
        << QByteArray("Sec-WebSocket-Extensions: permessage-deflate; "
                      "server_no_context_takeover; server_no_context_takeover\r\n")
        << protocol::HandshakeError::InvalidExtensionHeader;
    QTest::newRow("unterminated quoted parameter")
        << none << true
        << QByteArray(
               "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\r\n")
        << protocol::HandshakeError::InvalidExtensionHeader;
    QTest::newRow("deflate answered twice")
        << none << true
        << QByteArray("Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n")
        << protocol::HandshakeError::ExtensionNotOffered; // offered once, answered twice
}

void tst_ClientSession::badSubprotocolAndExtensionAnswers()
{
    QFETCH(QByteArrayList, offeredSubprotocols);
    QFETCH(bool, offerDeflate);
    QFETCH(QByteArray, answerHeaders);
    QFETCH(protocol::HandshakeError, expected);
    // A valid Accept with the bad header, and a frame right behind it that must not be taken.
    HostileServer server([&](const std::string &key) {
        QByteArray response = HostileServer::acceptFor(key);
        response.insert(response.size() - 2, answerHeaders);
        return response + QByteArray("\x81\x05hello", 7);
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.subprotocols = offeredSubprotocols;
    options.offerDeflate = offerDeflate;
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::HandshakeFailed);
    QCOMPARE(session.handshake().error, expected);
    QCOMPARE(session.handshake().status, 101);
    QCOMPARE(store.endId().value, std::uint64_t{0}); // no frame taken from a failed upgrade
    // RFC 6455 §4.1: the client fails the connection; nothing follows the request.
    QVERIFY(QTest::qWaitFor([&] { return server.clientDisconnected(); }, 5000));
    QCOMPARE(server.received(), QByteArray());
}

void tst_ClientSession::iisErrorPageIsKept()
{
    const QByteArray body = "<html><body><h3>HTTP Error 404.0 - Not Found</h3></body></html>";
    HostileServer server([&](const std::string &) {
        return "HTTP/1.1 404 Not Found\r\nServer: Microsoft-IIS/10.0\r\nContent-Type: "
               "text/html\r\nContent-Length: "
               + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::HandshakeFailed);
    QCOMPARE(session.handshake().status, 404);
    QVERIFY(session.handshake().response.endsWith(body));
    QVERIFY(session.handshake().response.contains("Server: Microsoft-IIS/10.0"));

    // Chunked (as ASP.NET Core sends its error pages): kept as the page, without the chunk
    // sizes; the last chunk ends it, whether the server keeps the connection open or not.
    const QByteArray chunked = "1a\r\n" + body.left(26) + "\r\n"
                               + QByteArray::number(body.size() - 26, 16) + ";ext=1\r\n"
                               + body.mid(26) + "\r\n0\r\n\r\n";
    HostileServer chunkedServer([&](const std::string &) {
        return "HTTP/1.1 500 Internal Server Error\r\nServer: Kestrel\r\n"
               "Transfer-Encoding: chunked\r\n\r\n"
               + chunked;
    });
    options.url = chunkedServer.url();
    ClientSession second(options, store);
    second.open();
    QVERIFY(waitFinished(second));
    QCOMPARE(second.handshake().status, 500);
    QVERIFY2(second.handshake().response.endsWith("\r\n\r\n" + body),
             second.handshake().response.constData());
}

void tst_ClientSession::hugeHeaderLine()
{
    HostileServer server([](const std::string &) {
        return QByteArray("HTTP/1.1 101 Switching Protocols\r\nX-Huge: ")
               + QByteArray(20 * 1024 * 1024, 'x');
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session, 10000));
    QCOMPARE(session.error(), SessionError::HandshakeFailed);
    QCOMPARE(session.handshake().error, protocol::HandshakeError::MalformedHead);
    QVERIFY(session.handshake().response.size() <= 16 * 1024);
}

void tst_ClientSession::stallInTheMiddleOfAHeader()
{
    HostileServer server([](const std::string &key) {
        return HostileServer::acceptFor(key) + frame(1, "kept")
               + QByteArray::fromHex("827e00"); // 16-bit length cut
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.idleTimeoutMs = 300;
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::IdleTimeout);
    QCOMPARE(session.closeInfo().endedBy, framescope::capture::EndReason::Timeout);
    QCOMPARE(receivedFrames(store).value(0).second, QByteArray("kept"));
}

void tst_ClientSession::serverThatNeverAnswersOurClose()
{
    HostileServer server([](const std::string &key) { return HostileServer::acceptFor(key); });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.closeTimeoutMs = 300;
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    QVERIFY(session.close(4000, "bye"));
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::CloseTimeout);
    QCOMPARE(server.closeCodeFromClient(), 4000);
    QVERIFY(!session.close(1000)); // nothing more to close
}

void tst_ClientSession::connectionRefused()
{
    QTcpServer placeholder;
    QVERIFY(placeholder.listen(QHostAddress::LocalHost));
    const quint16 port = placeholder.serverPort();
    placeholder.close();
    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::ConnectionFailed);
}

void tst_ClientSession::ipv6Loopback()
{
    QWebSocketServer server(QStringLiteral("echo6"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback on this machine");
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        QWebSocket *peer = server.nextPendingConnection();
        peer->setParent(&server);
        connect(peer, &QWebSocket::textMessageReceived, peer,
                [peer](const QString &text) { peer->sendTextMessage(text); });
    });
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://[::1]:%1/six").arg(server.serverPort()));
    capture::FrameStore store;
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    // RFC 6455 §4.1 / RFC 7230 §5.4: an IPv6 literal goes in brackets in Host.
    QVERIFY(session.handshake().request.contains(QByteArray("Host: [::1]:")
                                                 + QByteArray::number(server.serverPort())));
    QVERIFY(session.sendText("over IPv6"));
    QVERIFY(QTest::qWaitFor([&] { return session.messagesReceived() == 1; }, 5000));
    QVERIFY(session.close());
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::None);
}

void tst_ClientSession::redirectRules()
{
    const QUrl from(QStringLiteral("wss://a.example/hub?x=1"));
    QCOMPARE(redirectTarget(from, "/other"), QUrl(QStringLiteral("wss://a.example/other")));
    QCOMPARE(redirectTarget(from, "https://b.example/h"),
             QUrl(QStringLiteral("wss://b.example/h")));
    QCOMPARE(redirectTarget(from, "http://b.example/h"), QUrl(QStringLiteral("ws://b.example/h")));
    QVERIFY(!redirectTarget(from, "ftp://b.example/").isValid());
    QVERIFY(!redirectTarget(from, "").isValid());
    QVERIFY(!redirectDropsCredentials(from, QUrl(QStringLiteral("wss://A.example:8443/"))));
    QVERIFY(redirectDropsCredentials(from, QUrl(QStringLiteral("wss://b.example/"))));
    QVERIFY(redirectDropsCredentials(from, QUrl(QStringLiteral("ws://a.example/")))); // wss -> ws
    const QList<QPair<QByteArray, QByteArray>> headers{
        {"Authorization", "Bearer t"}, {"cookie", "c=1"}, {"X-Keep", "1"}};
    QCOMPARE(headersForRedirect(from, QUrl(QStringLiteral("ws://a.example/")), headers),
             (QList<QPair<QByteArray, QByteArray>>{{"X-Keep", "1"}}));
    QCOMPARE(headersForRedirect(from, QUrl(QStringLiteral("wss://a.example/v2")), headers),
             headers);
}

namespace {

// An echo server that remembers the request headers it was opened with.
class RecordingEchoServer : public QObject
{
public:
    explicit RecordingEchoServer(const QHostAddress &address)
        : m_server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode)
    {
        m_server.listen(address);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket *peer = m_server.nextPendingConnection();
            peer->setParent(this);
            request = peer->request();
            connect(peer, &QWebSocket::textMessageReceived, peer,
                    [peer](const QString &text) { peer->sendTextMessage(text); });
        });
    }
    QString url(const QString &host) const
    {
        return QStringLiteral("ws://%1:%2/echo").arg(host).arg(m_server.serverPort());
    }
    QNetworkRequest request;

private:
    QWebSocketServer m_server;
};

} // namespace

void tst_ClientSession::redirectsAreNotFollowedByDefault()
{
    HostileServer server([](const std::string &) {
        return QByteArray(
            "HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/next\r\nContent-Length: 0\r\n\r\n");
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::HandshakeFailed);
    QCOMPARE(session.handshake().status, 302);
    QVERIFY(session.handshake().redirects.isEmpty());
}

void tst_ClientSession::redirectSameHostKeepsCredentials()
{
    RecordingEchoServer target(QHostAddress::LocalHost);
    const QByteArray location = target.url(QStringLiteral("127.0.0.1")).toUtf8();
    HostileServer server([&](const std::string &) {
        return "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location
               + "\r\nContent-Length: 0\r\n\r\n";
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.followRedirects = true;
    options.headers = {{"Authorization", "Bearer SAME-HOST"}, {"X-Trace", "t1"}};
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    QCOMPARE(session.handshake().redirects.size(), 1);
    QCOMPARE(target.request.rawHeader("Authorization"), QByteArray("Bearer SAME-HOST"));
    QCOMPARE(target.request.rawHeader("X-Trace"), QByteArray("t1"));
    QVERIFY(session.close());
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::None);
}

void tst_ClientSession::redirectToAnotherHostDropsCredentials()
{
    RecordingEchoServer target(QHostAddress(QStringLiteral("127.0.0.2")));
    const QByteArray location = target.url(QStringLiteral("127.0.0.2")).toUtf8();
    HostileServer server([&](const std::string &) {
        return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
    });
    capture::FrameStore store;
    ClientOptions options;
    QUrl url = server.url();
    url.setUserInfo(QStringLiteral("alice:secret"));
    options.url = url;
    options.followRedirects = true;
    options.headers
        = {{"Authorization", "Bearer OTHER-HOST"}, {"Cookie", "s=1"}, {"X-Trace", "t2"}};
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    QVERIFY(session.handshake().redirects.first().contains(
        QStringLiteral("credentials not forwarded")));
    QVERIFY(!target.request.hasRawHeader("Authorization"));
    QVERIFY(!target.request.hasRawHeader("Cookie"));
    QCOMPARE(target.request.rawHeader("X-Trace"), QByteArray("t2"));
    // The first server got them: they were meant for it.
    QVERIFY(server.requestHead().contains("Authorization: Bearer OTHER-HOST"));
    session.abort();
}

void tst_ClientSession::redirectLoopIsBounded()
{
    std::unique_ptr<HostileServer> server;
    QByteArray self;
    server = std::make_unique<HostileServer>([&](const std::string &) {
        return "HTTP/1.1 302 Found\r\nLocation: " + self + "\r\nContent-Length: 0\r\n\r\n";
    });
    self = server->url().toString().toUtf8();
    capture::FrameStore store;
    ClientOptions options;
    options.url = server->url();
    options.followRedirects = true;
    options.maxRedirects = 3;
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitFinished(session));
    QCOMPARE(session.error(), SessionError::HandshakeFailed);
    QVERIFY2(session.errorString().contains(QStringLiteral("more than 3 redirects")),
             qPrintable(session.errorString()));
    QCOMPARE(session.handshake().redirects.size(), 3);
    QCOMPARE(server->connections(), 4);
}

void tst_ClientSession::invalidUrl()
{
    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("http://example.com/"));
    ClientSession session(options, store);
    QSignalSpy errors(&session, &ClientSession::errorOccurred);
    session.open();
    QCOMPARE(session.state(), SessionState::Closed);
    QCOMPARE(session.error(), SessionError::InvalidUrl);
    QCOMPARE(errors.count(), 1);
}

// -H "Host: ..." replaces the Host made from the URL (IIS binds sites by host name): one Host
// line goes out, with the value given; a second given on purpose goes out too.
void tst_ClientSession::aGivenHostReplacesTheDefault()
{
    RecordingEchoServer target(QHostAddress::LocalHost);
    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(target.url(QStringLiteral("127.0.0.1")));
    options.headers = {{"X-Before", "1"}, {"host", "site.example:8080"}};
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    const QByteArray request = session.handshake().request;
    QCOMPARE(request.count("\r\nHost: "), 1);
    QVERIFY2(request.contains("\r\nHost: site.example:8080\r\n"), request.constData());
    QVERIFY(!request.contains("\r\nhost:"));
    QCOMPARE(target.request.rawHeader("Host"), QByteArray("site.example:8080"));
    session.abort();

    options.headers = {{"Host", "a.example"}, {"Host", "b.example"}};
    ClientSession twice(options, store);
    twice.open();
    QVERIFY(QTest::qWaitFor([&] { return !twice.handshake().request.isEmpty(); }, 5000));
    QCOMPARE(twice.handshake().request.count("\r\nHost: "), 2);
    twice.abort();
}

void tst_ClientSession::credentialHelpersBecomeHeaders()
{
    RecordingEchoServer target(QHostAddress::LocalHost);
    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(target.url(QStringLiteral("127.0.0.1")));
    options.cookies = {{"session", "abc123"}, {"theme", "\"dark\""}};
    options.bearerToken = "eyJhbGciOi.J9-_~+/=";
    options.headers = {{"X-Trace", "t3"}};
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    QCOMPARE(target.request.rawHeader("Cookie"), QByteArray("session=abc123; theme=\"dark\""));
    QCOMPARE(target.request.rawHeader("Authorization"), QByteArray("Bearer eyJhbGciOi.J9-_~+/="));
    QCOMPARE(target.request.rawHeader("X-Trace"), QByteArray("t3"));
    QVERIFY(session.close());
    QVERIFY(waitFinished(session));

    ClientOptions basic;
    basic.url = options.url;
    basic.basicAuth
        = QPair<QString, QString>(QStringLiteral("Aladdin"), QStringLiteral("open sesame"));
    ClientSession second(basic, store);
    second.open();
    QVERIFY(waitOpen(second));
    // RFC 7617 §2 example.
    QCOMPARE(target.request.rawHeader("Authorization"),
             QByteArray("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    second.abort();
}

void tst_ClientSession::credentialHelpersAreDroppedOnACrossHostRedirect()
{
    RecordingEchoServer target(QHostAddress(QStringLiteral("127.0.0.2")));
    const QByteArray location = target.url(QStringLiteral("127.0.0.2")).toUtf8();
    HostileServer server([&](const std::string &) {
        return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.followRedirects = true;
    options.cookies = {{"session", "abc123"}};
    options.bearerToken = "token";
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    QVERIFY(server.requestHead().contains("Cookie: session=abc123\r\n"));
    QVERIFY(server.requestHead().contains("Authorization: Bearer token\r\n"));
    QVERIFY(!target.request.hasRawHeader("Cookie"));
    QVERIFY(!target.request.hasRawHeader("Authorization"));
    session.abort();
}

void tst_ClientSession::badCredentialHelpersAreRefused_data()
{
    QTest::addColumn<QByteArray>("cookieName");
    QTest::addColumn<QByteArray>("cookieValue");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QByteArray>("bearer");
    QTest::addColumn<QString>("userInfo");
    QTest::addColumn<QString>("expected");
    QTest::newRow("semicolon in a cookie value")
        << QByteArray("a") << QByteArray("1; admin=1") << QString() << QByteArray() << QString()
        << QStringLiteral("cookie \"a\"");
    QTest::newRow("CRLF in a cookie value")
        << QByteArray("a") << QByteArray("1\r\nX-Evil: 1") << QString() << QByteArray() << QString()
        << QStringLiteral("cookie \"a\"");
    QTest::newRow("space in a cookie name")
        << QByteArray("a b") << QByteArray("1") << QString() << QByteArray() << QString()
        << QStringLiteral("is not an HTTP token");
    QTest::newRow("colon in a Basic user")
        << QByteArray() << QByteArray() << QStringLiteral("a:b") << QByteArray() << QString()
        << QStringLiteral("may not contain ':'");
    QTest::newRow("space in a bearer token")
        << QByteArray() << QByteArray() << QString() << QByteArray("abc def") << QString()
        << QStringLiteral("bearer token");
    QTest::newRow("Basic and Bearer") << QByteArray() << QByteArray() << QStringLiteral("u")
                                      << QByteArray("t") << QString() << QStringLiteral("keep one");
    QTest::newRow("URL user info and Bearer")
        << QByteArray() << QByteArray() << QString() << QByteArray("t") << QStringLiteral("u:p")
        << QStringLiteral("keep one");
}

void tst_ClientSession::badCredentialHelpersAreRefused()
{
    QFETCH(QByteArray, cookieName);
    QFETCH(QByteArray, cookieValue);
    QFETCH(QString, user);
    QFETCH(QByteArray, bearer);
    QFETCH(QString, userInfo);
    QFETCH(QString, expected);
    HostileServer server(&HostileServer::acceptFor);
    capture::FrameStore store;
    ClientOptions options;
    QUrl url = server.url();
    url.setUserInfo(userInfo);
    options.url = url;
    if (!cookieName.isEmpty())
        options.cookies = {{cookieName, cookieValue}};
    if (!user.isEmpty())
        options.basicAuth = QPair<QString, QString>(user, QStringLiteral("pw"));
    options.bearerToken = bearer;
    options.reconnect.enabled = true; // a bad option is not retried
    ClientSession session(options, store);
    QSignalSpy finished(&session, &ClientSession::finished);
    session.open();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(session.error(), SessionError::LocalError);
    QVERIFY2(session.errorString().contains(expected), qPrintable(session.errorString()));
    // It failed inside open(), before any socket, and finished: nothing is left to connect.
    QCoreApplication::processEvents();
    QCOMPARE(server.connections(), 0);
}

void tst_ClientSession::reconnectDelaysDoubleUpToTheCap()
{
    ReconnectPolicy policy;
    policy.initialDelayMs = 500;
    policy.maxDelayMs = 3000;
    const QList<int> expected{500, 1000, 2000, 3000, 3000};
    for (int attempt = 1; attempt <= expected.size(); ++attempt) {
        QCOMPARE(reconnectDelayMs(policy, attempt, 0.0), expected[attempt - 1]);
        const int jittered = reconnectDelayMs(policy, attempt, 0.999);
        QVERIFY(jittered > expected[attempt - 1]);
        QVERIFY(jittered <= expected[attempt - 1] * 6 / 5);
    }
    QCOMPARE(reconnectDelayMs(policy, 1000000, 0.0), 3000); // no overflow
    QVERIFY(isRetryable(SessionError::ConnectionLost, 0));
    QVERIFY(isRetryable(SessionError::HandshakeFailed, 503));
    QVERIFY(isRetryable(SessionError::HandshakeFailed, 429));
    QVERIFY(!isRetryable(SessionError::HandshakeFailed, 401));
    QVERIFY(!isRetryable(SessionError::TlsFailed, 0));
    QVERIFY(!isRetryable(SessionError::InvalidUrl, 0));
}

void tst_ClientSession::reconnectsAfterTheServerDrops()
{
    // The first two connections are dropped right after the upgrade; the third one stays.
    HostileServer server(&HostileServer::acceptFor, [](QTcpSocket *socket, HostileServer *self) {
        if (self->connections() <= 2)
            socket->disconnectFromHost();
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.reconnect.enabled = true;
    options.reconnect.initialDelayMs = 20;
    ClientSession session(options, store);
    QSignalSpy scheduled(&session, &ClientSession::reconnectScheduled);
    QSignalSpy finished(&session, &ClientSession::finished);
    session.open();
    QVERIFY(QTest::qWaitFor(
        [&] { return server.connections() == 3 && session.state() == SessionState::Open; }, 5000));
    QCOMPARE(scheduled.count(), 2);
    QCOMPARE(scheduled.at(0).at(0).toInt(), 1);
    // A connection dropped at once does not start the count again (5 s open would).
    QCOMPARE(scheduled.at(1).at(0).toInt(), 2);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(session.handshake().reconnects.size(), 2);
    QVERIFY2(session.handshake().reconnects.first().contains(QStringLiteral("closed")),
             qPrintable(session.handshake().reconnects.first()));
    QVERIFY(session.sendText("after reconnect"));
    QVERIFY(QTest::qWaitFor([&] { return server.received().size() >= 6 + 15; }, 5000));

    // Our own close ends the session: no further connection (finished() says none is
    // scheduled).
    QVERIFY(session.close());
    QVERIFY(QTest::qWaitFor([&] { return server.closeCodeFromClient() == 1000; }, 5000));
    if (server.socket())
        server.socket()->disconnectFromHost();
    QVERIFY(finished.count() == 1 || finished.wait(5000));
    QCOMPARE(server.connections(), 3);
    QCOMPARE(scheduled.count(), 2);
}

// The delay before a reconnect is a time the user gave: never cut short (a coarse timer fired a
// 100 ms delay after 97 ms).
void tst_ClientSession::aReconnectWaitsTheWholeDelay()
{
    HostileServer server(&HostileServer::acceptFor, [](QTcpSocket *socket, HostileServer *self) {
        if (self->connections() <= 4)
            socket->disconnectFromHost();
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.reconnect.enabled = true;
    options.reconnect.initialDelayMs = 150;
    ClientSession session(options, store);
    QElapsedTimer sinceScheduled;
    int delayMs = 0;
    QList<qint64> waited; // from the scheduling to the next connection's start
    connect(&session, &ClientSession::reconnectScheduled, this,
            [&](int, int delay, const QString &) {
                sinceScheduled.start();
                delayMs = delay;
            });
    connect(&session, &ClientSession::stateChanged, this, [&](SessionState state) {
        if (state == SessionState::Connecting && delayMs > 0) {
            waited.append(sinceScheduled.nsecsElapsed() / 1000);
            QVERIFY2(waited.last() >= delayMs * 1000,
                     qPrintable(QStringLiteral("reconnected after %1 us of %2 ms")
                                    .arg(waited.last())
                                    .arg(delayMs)));
            delayMs = 0;
        }
    });
    session.open();
    QVERIFY(QTest::qWaitFor([&] { return waited.size() == 4; }, 10000));
    QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Open; }, 5000));
}

void tst_ClientSession::reconnectGivesUpAfterMaxAttempts()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
    options.reconnect.enabled = true;
    options.reconnect.initialDelayMs = 10;
    options.reconnect.maxAttempts = 2;
    ClientSession session(options, store);
    QSignalSpy scheduled(&session, &ClientSession::reconnectScheduled);
    QSignalSpy finished(&session, &ClientSession::finished);
    session.open();
    QVERIFY(finished.wait(5000));
    QCOMPARE(scheduled.count(), 2);
    QCOMPARE(scheduled.at(1).at(0).toInt(), 2);
    QVERIFY(scheduled.at(1).at(1).toInt() >= 20); // doubled
    QCOMPARE(session.error(), SessionError::ConnectionFailed);
    QCOMPARE(session.handshake().reconnects.size(), 2);
}

// A server that accepts every upgrade and drops the connection at once: the attempts count
// on, and the session ends after the last one (it was reconnected to for ever).
void tst_ClientSession::aServerThatDropsEveryConnectionIsGivenUpOn()
{
    HostileServer server(&HostileServer::acceptFor,
                         [](QTcpSocket *socket, HostileServer *) { socket->disconnectFromHost(); });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.reconnect.enabled = true;
    options.reconnect.initialDelayMs = 10;
    options.reconnect.maxAttempts = 2;
    ClientSession session(options, store);
    QSignalSpy scheduled(&session, &ClientSession::reconnectScheduled);
    QSignalSpy finished(&session, &ClientSession::finished);
    session.open();
    QVERIFY(finished.wait(5000));
    QCOMPARE(server.connections(), 3); // the first, and two attempts
    QCOMPARE(scheduled.count(), 2);
    QCOMPARE(scheduled.at(1).at(0).toInt(), 2);
}

// A connection that stayed open long enough (here 100 ms) starts the count again.
void tst_ClientSession::aSteadyConnectionStartsTheCountAgain()
{
    HostileServer server(&HostileServer::acceptFor, [](QTcpSocket *socket, HostileServer *self) {
        if (self->connections() <= 2)
            QTimer::singleShot(250, socket, [socket] { socket->disconnectFromHost(); });
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.reconnect.enabled = true;
    options.reconnect.initialDelayMs = 10;
    options.reconnect.steadyMs = 100;
    ClientSession session(options, store);
    QSignalSpy scheduled(&session, &ClientSession::reconnectScheduled);
    session.open();
    QVERIFY(QTest::qWaitFor(
        [&] { return server.connections() == 3 && session.state() == SessionState::Open; }, 5000));
    QCOMPARE(scheduled.count(), 2);
    QCOMPARE(scheduled.at(0).at(0).toInt(), 1);
    QCOMPARE(scheduled.at(1).at(0).toInt(), 1);
    QVERIFY(session.close());
}

void tst_ClientSession::noReconnectForAnAnswerThatWillNotChange()
{
    HostileServer server([](const std::string &) {
        return QByteArray("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
                          "Content-Length: 0\r\n\r\n");
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.reconnect.enabled = true;
    options.reconnect.initialDelayMs = 10;
    ClientSession session(options, store);
    QSignalSpy scheduled(&session, &ClientSession::reconnectScheduled);
    QSignalSpy finished(&session, &ClientSession::finished);
    session.open();
    QVERIFY(finished.wait(5000));
    QCOMPARE(scheduled.count(), 0);
    QCOMPARE(session.handshake().status, 401);
    QCOMPARE(server.connections(), 1); // finished: no reconnect is scheduled
}

void tst_ClientSession::abortBetweenReconnectsEndsTheSession()
{
    HostileServer server(&HostileServer::acceptFor,
                         [](QTcpSocket *socket, HostileServer *) { socket->disconnectFromHost(); });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    options.reconnect.enabled = true;
    options.reconnect.initialDelayMs = 60000;
    ClientSession session(options, store);
    QSignalSpy scheduled(&session, &ClientSession::reconnectScheduled);
    QSignalSpy finished(&session, &ClientSession::finished);
    session.open();
    QVERIFY(scheduled.wait(5000));
    QCOMPARE(finished.count(), 0);
    session.abort();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(session.state(), SessionState::Closed);
}

void tst_ClientSession::connectionLostMidFrameKeepsWhatArrived_data()
{
    QTest::addColumn<bool>("reset");
    QTest::newRow("FIN") << false;
    // The client reads the descriptor itself and meets the error; it still ends the usual way.
    QTest::newRow("reset (RST)") << true;
}

void tst_ClientSession::connectionLostMidFrameKeepsWhatArrived()
{
    QFETCH(bool, reset);
    // A frame that declares 1000 bytes, then 300 of them, then the connection ends.
    HostileServer server(&HostileServer::acceptFor, [reset](QTcpSocket *socket, HostileServer *) {
        protocol::FrameHeader header;
        header.opcode = 0x2;
        header.payloadLength = 1000;
        std::array<std::uint8_t, protocol::kMaxHeaderSize> wire{};
        const std::size_t size = protocol::encodeHeader(header, wire);
        QByteArray bytes(reinterpret_cast<const char *>(wire.data()), qsizetype(size));
        bytes += QByteArray(300, 'p');
        socket->write(bytes);
        socket->flush();
        if (reset) {
            const linger abortive{1, 0}; // close() then sends RST
            ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &abortive,
                         sizeof abortive);
            socket->abort();
        } else {
            socket->disconnectFromHost();
        }
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    ClientSession session(options, store);
    session.open();
    QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Closed; }, 5000));
    QCOMPARE(session.error(), SessionError::ConnectionLost);
    QCOMPARE(store.endId().value, std::uint64_t{1});
    const auto record = store.record({0});
    QVERIFY(record);
    QCOMPARE(record->payloadLength, std::uint64_t{1000});
    QCOMPARE(record->storedLength, std::uint32_t{300});
    std::vector<std::uint8_t> payload;
    QVERIFY(store.payload({0}, payload));
    QCOMPARE(payload.size(), std::size_t{300});
}

void tst_ClientSession::sendingWhileAFrameArrivesKeepsBothWhole()
{
    // The server sends a 1000-byte frame in two parts; between them the client sends a message.
    HostileServer server(&HostileServer::acceptFor, [](QTcpSocket *socket, HostileServer *) {
        protocol::FrameHeader header;
        header.opcode = 0x2;
        header.payloadLength = 1000;
        std::array<std::uint8_t, protocol::kMaxHeaderSize> wire{};
        const std::size_t size = protocol::encodeHeader(header, wire);
        socket->write(QByteArray(reinterpret_cast<const char *>(wire.data()), qsizetype(size))
                      + QByteArray(300, 'a'));
    });
    capture::FrameStore store;
    ClientOptions options;
    options.url = server.url();
    ClientSession session(options, store);
    session.open();
    QVERIFY(waitOpen(session));
    // The first part has arrived: the frame is open in the store, its payload going in place.
    QVERIFY(QTest::qWaitFor([&] { return store.inFrame(); }, 5000));
    QVERIFY(session.sendText("in between"));
    QVERIFY(QTest::qWaitFor([&] { return !server.received().isEmpty(); }, 5000));
    server.socket()->write(QByteArray(700, 'b'));
    QVERIFY(QTest::qWaitFor([&] { return session.messagesReceived() == 1; }, 5000));
    QVERIFY(QTest::qWaitFor([&] { return store.endId().value == 2; }, 5000));
    // The sent frame went into the capture first (it completed first); both payloads are whole.
    const auto sent = store.record({0});
    const auto received = store.record({1});
    QVERIFY(sent && received);
    QCOMPARE(sent->direction(), capture::Direction::Sent);
    QCOMPARE(received->direction(), capture::Direction::Received);
    std::vector<std::uint8_t> payload;
    QVERIFY(store.payload({0}, payload));
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(payload.data()), qsizetype(payload.size())),
             QByteArray("in between"));
    QVERIFY(store.payload({1}, payload));
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(payload.data()), qsizetype(payload.size())),
             QByteArray(300, 'a') + QByteArray(700, 'b'));
    session.abort();
}

// A frame that arrived while this thread was busy elsewhere is stored before a send made after it
// arrived: the store's order is the frames' time order (the log shows the store's order). Here
// the echo of the first message reaches this side while the thread does not return to its event
// loop; then the second message goes.
void tst_ClientSession::framesAreStoredInTheOrderTheyHappened()
{
    // Through Qt (the portable build) bytes go out only from the event loop, and a received
    // frame's time is when it was read, which keeps the store in time order by itself.
    if (!platform::hasDirectSockets())
        QSKIP("the descriptor transport's kernel times (not the portable build)");
    SessionToOwnThreadServer to;
    QVERIFY(to.open());
    ClientSession &session = *to.session;
    const capture::FrameStore &store = to.store;
    QVERIFY(session.sendText("first"));
    const std::shared_ptr<capture::FrameStore> serverStore = to.server.store();
    const QDeadlineTimer deadline(5000);
    while (serverStore->endId().value < 2 && !deadline.hasExpired())
        QThread::usleep(100); // not the event loop: nothing is read here meanwhile
    QCOMPARE(serverStore->endId().value, std::uint64_t(2)); // "first" in, its echo out
    QVERIFY(session.sendText("second"));
    QVERIFY(QTest::qWaitFor([&] { return session.messagesReceived() == 2; }, 5000));

    QList<QByteArray> order;
    std::int64_t previousNs = 0;
    for (std::uint64_t id = store.firstId().value; id < store.endId().value; ++id) {
        const auto record = store.record({id});
        QVERIFY(record);
        order << (record->direction() == capture::Direction::Sent ? "sent " : "received ")
                     + payloadOf(store, id);
        QVERIFY2(
            record->endNs >= previousNs,
            qPrintable(QStringLiteral("frame %1 is %2 us earlier than the one stored before it")
                           .arg(id)
                           .arg((previousNs - record->endNs) / 1000)));
        previousNs = record->endNs;
    }
    QCOMPARE(order,
             (QList<QByteArray>{"sent first", "received first", "sent second", "received second"}));
}

// Each ping that a pong answers gives a round trip: the pings between a message's fragments as
// well as the user's (several may be on their way at once).
void tst_ClientSession::everyAnsweredPingIsTimed()
{
    SessionToOwnThreadServer to;
    QVERIFY(to.open());
    ClientSession &session = *to.session;
    QSignalSpy roundTrips(&session, &ClientSession::pongReceived);
    // 22 bytes in frames of 5: five frames, a ping after each but the last.
    QVERIFY(session.sendMessage(protocol::Opcode::Text, "Hello fragmented world", 5, true));
    QVERIFY(session.ping("mine"));
    QVERIFY(QTest::qWaitFor([&] { return roundTrips.count() == 5; }, 5000));
    for (const QList<QVariant> &trip : roundTrips)
        QVERIFY(trip.first().toLongLong() > 0);
}

QTEST_GUILESS_MAIN(tst_ClientSession)
#include "tst_clientsession.moc"
