// The built-in server: echo for QWebSocket and for our own client (with permessage-deflate),
// Host and Origin checks, version 426, a protocol violation from a raw client, captures on the
// server side, the server closing TCP first, and going away with 1001 on shutdown.

#include "capturedmessages.h"

#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <capture/framestore.h>
#include <platform/socketcalls.h>
#include <protocol/handshake.h>
#include <protocol/messagewriter.h>
#include <session/client/clientsession.h>
#include <session/server/localserver.h>

using namespace framescope;
using namespace framescope::session;

namespace {

QByteArray rawUpgrade(quint16 port, const QByteArray &extraHeaders,
                      const QByteArray &version = "13", const QByteArray &host = "127.0.0.1")
{
    return "GET / HTTP/1.1\r\nHost: " + host + ":" + QByteArray::number(port)
           + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
             "dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: "
           + version + "\r\n" + extraHeaders + "\r\n";
}

// Sends `request` (and `after`, once the 101 came) on a raw socket; returns the bytes received
// until the server closes, or until the response head when `untilHead`.
QByteArray rawExchange(quint16 port, const QByteArray &request, const QByteArray &after = {},
                       bool untilHead = false)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray received;
    bool sentAfter = after.isEmpty();
    (void)QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            if (!sentAfter && received.contains("\r\n\r\n")) {
                socket.write(after);
                sentAfter = true;
            }
            return socket.state() == QAbstractSocket::UnconnectedState
                   || (untilHead && received.contains("\r\n\r\n"));
        },
        5000);
    received += socket.readAll();
    return received;
}

} // namespace

class tst_LocalServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echoForQWebSocket_data();
    void echoForQWebSocket();
    void echoForOurClientWithDeflate();
    void deflateOfferParametersAreOffered();
    void largeEchoSharesTheCapturedPayload();
    void foreignOriginAndHostAreRefused();
    void versionOtherThan13();
    void tlsToAPlainPortIsAnsweredAtOnce();
    void unmaskedClientFrameFailsWith1002();
    void shutdownSaysGoingAway();
    void everySizeForQWebSocket();
    void everySizeForOurClient();
};

// Plain connections are read from the spinner's epoll set (Qt's read notifier off), whether it
// spins (the default) or not (busy-poll 0).
void tst_LocalServer::echoForQWebSocket_data()
{
    QTest::addColumn<int>("busyPollUs");
    QTest::newRow("busy-poll (default)") << LocalServerOptions{}.busyPollUs;
    QTest::newRow("busy-poll off") << 0;
}

void tst_LocalServer::echoForQWebSocket()
{
    QFETCH(int, busyPollUs);
    LocalServerOptions options;
    options.busyPollUs = busyPollUs;
    LocalServer server(options);
    QCOMPARE(server.listen(), QString());
    QVERIFY(server.urls().first().startsWith(QStringLiteral("ws://127.0.0.1:")));
    QWebSocket client;
    QStringList texts;
    QList<QByteArray> binaries;
    connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &t) { texts << t; });
    connect(&client, &QWebSocket::binaryMessageReceived, this,
            [&](const QByteArray &b) { binaries << b; });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port())));
    QVERIFY(
        QTest::qWaitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 5000));
    const QByteArray big(1 << 20, 'b');
    client.sendTextMessage(QStringLiteral("κόσμε"));
    client.sendTextMessage(QString());
    client.sendBinaryMessage(big);
    QVERIFY(QTest::qWaitFor([&] { return texts.size() == 2 && binaries.size() == 1; }, 10000));
    QCOMPARE(texts, (QStringList{QStringLiteral("κόσμε"), QString()}));
    QCOMPARE(binaries.first(), big);
    // Server-side capture: client frames arrive masked, with their keys; echoes go unmasked.
    const auto capture = server.store();
    QVERIFY(capture);
    const auto first = capture->record({0});
    QVERIFY(first->has(capture::FrameRecord::Masked));
    QCOMPARE(first->direction(), capture::Direction::Received);
    QCOMPARE(first->connection, std::uint32_t{1});
    // Records are in the order things happened: messages read together come before the echoes
    // written after that read.
    std::optional<capture::FrameRecord> echo;
    for (std::uint64_t id = 1; !echo && id < capture->endId().value; ++id) {
        if (const auto record = capture->record({id});
            record && record->direction() == capture::Direction::Sent)
            echo = record;
    }
    QVERIFY(echo);
    QCOMPARE(echo->payloadLength, std::uint64_t(QByteArray("κόσμε").size()));
    QVERIFY(!echo->has(capture::FrameRecord::Masked));
    QVERIFY(echo->endNs >= first->endNs);
    // Closing: the server answers and closes TCP first.
    QSignalSpy closed(&server, &LocalServer::connectionClosed);
    client.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("bye"));
    QVERIFY(closed.wait(5000));
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeNormal);
    // The handshake, the messages (the 1 MiB one in several reads) and the close, read from the
    // spinner's epoll set (where the platform has one).
    if (platform::hasDirectSockets())
        QVERIFY2(server.readsServedBySpinner() >= 4,
                 QByteArray::number(server.readsServedBySpinner()).constData());
}

// A large one-frame echo is captured pointing at the received frame's payload (kept once); a
// small one, batched, keeps its own copy. Both read back byte for byte.
void tst_LocalServer::largeEchoSharesTheCapturedPayload()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    QWebSocket client;
    QList<QByteArray> echoes;
    connect(&client, &QWebSocket::binaryMessageReceived, this,
            [&](const QByteArray &b) { echoes << b; });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port())));
    QVERIFY(
        QTest::qWaitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 5000));
    QByteArray large(200000, Qt::Uninitialized);
    for (qsizetype i = 0; i < large.size(); ++i)
        large[i] = char(i * 13);
    const QByteArray small(100, 's');
    client.sendBinaryMessage(large);
    QVERIFY(QTest::qWaitFor([&] { return echoes.size() == 1; }, 10000));
    client.sendBinaryMessage(small);
    QVERIFY(QTest::qWaitFor([&] { return echoes.size() == 2; }, 10000));
    QCOMPARE(echoes, (QList<QByteArray>{large, small}));
    const auto store = server.store();
    QList<capture::FrameRecord> received;
    QList<capture::FrameRecord> sent;
    QList<QByteArray> sentPayloads;
    std::vector<std::uint8_t> bytes;
    for (std::uint64_t id = store->firstId().value; id < store->endId().value; ++id) {
        const auto record = store->record({id});
        if (record->opcode != 0x2)
            continue;
        (record->direction() == capture::Direction::Sent ? sent : received).append(*record);
        if (record->direction() == capture::Direction::Sent) {
            QVERIFY(store->payload({id}, bytes));
            sentPayloads.append(
                QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())));
        }
    }
    QCOMPARE(received.size(), 2);
    QCOMPARE(sent.size(), 2);
    QCOMPARE(sentPayloads, (QList<QByteArray>{large, small}));
    QCOMPARE(sent[0].payloadOffset, received[0].payloadOffset); // shared
    QCOMPARE(sent[0].storedLength, std::uint32_t(large.size()));
    QVERIFY(sent[0].endNs >= sent[0].startNs && sent[0].startNs >= received[0].endNs);
    QVERIFY(sent[1].payloadOffset != received[1].payloadOffset); // its own copy
}

void tst_LocalServer::echoForOurClientWithDeflate()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port()));
    options.offerDeflate = true;
    ClientSession session(options, store);
    session.open();
    QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Open; }, 5000));
    QVERIFY(session.handshake().deflate.has_value());
    for (int i = 0; i < 20; ++i)
        QVERIFY(session.sendText(QByteArray(1000 + i, 'x'), i % 3 == 0 ? 100 : 0));
    QVERIFY(session.ping("rtt"));
    QVERIFY(QTest::qWaitFor([&] { return session.messagesReceived() == 20; }, 10000));
    std::vector<std::uint8_t> payload;
    QVERIFY(store.payload({store.endId().value - 1}, payload));
    QVERIFY(session.close(4000, "done"));
    QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Closed; }, 5000));
    QCOMPARE(session.error(), SessionError::None);
    QCOMPARE(session.closeInfo().codeReceived.value_or(0), std::uint16_t(4000));
    QCOMPARE(session.closeInfo().endedBy, framescope::capture::EndReason::CloseFrame);
}

// The offer's parameters as set in the options: the server takes them, and messages still
// round-trip with the smaller windows and no context kept.
void tst_LocalServer::deflateOfferParametersAreOffered()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port()));
    options.offerDeflate = true;
    options.deflateOffer = protocol::DeflateOffer{true, true, 10, true, 9};
    ClientSession session(options, store);
    session.open();
    QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Open; }, 5000));
    QVERIFY(session.handshake().request.contains(
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
        "client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9\r\n"));
    const std::optional<protocol::DeflateParameters> agreed = session.handshake().deflate;
    QVERIFY(agreed);
    QVERIFY(agreed->serverNoContextTakeover && agreed->clientNoContextTakeover);
    QCOMPARE(agreed->serverMaxWindowBits, 10);
    QVERIFY(agreed->clientMaxWindowBits <= 9);
    for (int i = 0; i < 5; ++i)
        QVERIFY(session.sendText(QByteArray(5000, char('a' + i))));
    QVERIFY(QTest::qWaitFor([&] { return session.messagesReceived() == 5; }, 10000));
    std::vector<std::uint8_t> payload;
    QVERIFY(store.payload({store.endId().value - 1}, payload));
    QCOMPARE(payload, std::vector<std::uint8_t>(5000, 'e'));
    QVERIFY(session.close());
    QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Closed; }, 5000));
    QCOMPARE(session.error(), SessionError::None);
}

void tst_LocalServer::foreignOriginAndHostAreRefused()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    QSignalSpy refused(&server, &LocalServer::handshakeRefused);
    QByteArray answer
        = rawExchange(server.port(), rawUpgrade(server.port(), "Origin: https://evil.example\r\n"));
    QVERIFY2(answer.startsWith("HTTP/1.1 403"), answer.constData());
    QVERIFY(answer.contains("Origin https://evil.example is not allowed"));
    answer = rawExchange(server.port(),
                         rawUpgrade(server.port(), "Origin: http://localhost:3000\r\n"), {}, true);
    QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());
    answer = rawExchange(server.port(), rawUpgrade(server.port(), {}, "13", "evil.example"));
    QVERIFY2(answer.startsWith("HTTP/1.1 403"), answer.constData());
    QCOMPARE(refused.count(), 2);

    // Names are compared without case or a trailing dot; an IP address cannot be rebound, so
    // any is accepted (the address the server listens on among them).
    for (const char *host : {"LocalHost.", "127.0.0.1", "[::1]", "192.0.2.7", "[2001:db8::1]"}) {
        answer = rawExchange(server.port(), rawUpgrade(server.port(), {}, "13", host), {}, true);
        QVERIFY2(answer.startsWith("HTTP/1.1 101"), (host + (" " + answer)).constData());
    }

    LocalServerOptions open;
    open.allowedOrigins = {QStringLiteral("https://App.Example:443/")};
    open.allowedHosts = {QStringLiteral("ws.example.")};
    LocalServer allowing(open);
    QCOMPARE(allowing.listen(), QString());
    // Serialized origins (RFC 6454): case, the default port and a path do not matter...
    for (const char *origin :
         {"https://app.example", "HTTPS://APP.EXAMPLE/", "https://app.example:443"}) {
        answer = rawExchange(allowing.port(),
                             rawUpgrade(allowing.port(), "Origin: " + QByteArray(origin) + "\r\n"),
                             {}, true);
        QVERIFY2(answer.startsWith("HTTP/1.1 101"), (origin + (" " + answer)).constData());
    }
    // ...another scheme or port does.
    for (const char *origin : {"http://app.example", "https://app.example:8443"}) {
        answer = rawExchange(allowing.port(),
                             rawUpgrade(allowing.port(), "Origin: " + QByteArray(origin) + "\r\n"));
        QVERIFY2(answer.startsWith("HTTP/1.1 403"), (origin + (" " + answer)).constData());
    }
    answer = rawExchange(allowing.port(), rawUpgrade(allowing.port(), {}, "13", "WS.Example"), {},
                         true);
    QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());
    answer = rawExchange(allowing.port(), rawUpgrade(allowing.port(), {}, "13", "other.example"));
    QVERIFY2(answer.startsWith("HTTP/1.1 403"), answer.constData());
    QVERIFY(answer.contains("--allow-host other.example"));
}

// wss:// to this plain port: the ClientHello gets a 400 at once, not after the handshake time
// limit (the client's TLS library then reports the wrong version, which the Doctor explains).
void tst_LocalServer::tlsToAPlainPortIsAnsweredAtOnce()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    QSignalSpy refused(&server, &LocalServer::handshakeRefused);
    QElapsedTimer elapsed;
    elapsed.start();
    const QByteArray clientHello
        = QByteArray::fromHex("160301005a010000560303") + QByteArray(80, 'r');
    const QByteArray answer = rawExchange(server.port(), clientHello);
    QVERIFY2(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer.constData());
    QVERIFY(answer.endsWith("use ws://, not wss://.\n"));
    QVERIFY2(elapsed.elapsed() < 5000, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(refused.count(), 1);
}

void tst_LocalServer::versionOtherThan13()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    const QByteArray answer = rawExchange(server.port(), rawUpgrade(server.port(), {}, "8"));
    QVERIFY2(answer.startsWith("HTTP/1.1 426"), answer.constData());
    QVERIFY(answer.contains("Sec-WebSocket-Version: 13"));
}

void tst_LocalServer::unmaskedClientFrameFailsWith1002()
{
    LocalServerOptions options;
    options.closeTimeoutMs = 300; // the raw client never answers the close
    LocalServer server(options);
    QCOMPARE(server.listen(), QString());
    const QByteArray answer = rawExchange(server.port(), rawUpgrade(server.port(), {}),
                                          QByteArray::fromHex("8105") + "Hello");
    const qsizetype head = answer.indexOf("\r\n\r\n");
    QVERIFY(answer.startsWith("HTTP/1.1 101"));
    const QByteArray frames = answer.mid(head + 4);
    // A server frame: close, unmasked, code 1002.
    QCOMPARE(frames.left(4).toHex(),
             QByteArray("881703ea")); // 2 + "unmasked-client-frame" = 23 bytes
}

void tst_LocalServer::shutdownSaysGoingAway()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    QWebSocket client;
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port())));
    QVERIFY(
        QTest::qWaitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 5000));
    server.shutdown();
    QVERIFY(QTest::qWaitFor([&] { return client.state() == QAbstractSocket::UnconnectedState; },
                            10000));
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
}

namespace {

const QList<int> kSizes{0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20};

} // namespace

void tst_LocalServer::everySizeForQWebSocket()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    QWebSocket client;
    client.setOutgoingFrameSize(65536); // larger messages go out fragmented
    client.setMaxAllowedIncomingMessageSize(64 << 20);
    QList<QPair<bool, QByteArray>> received;
    connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        received.append({true, text.toUtf8()});
    });
    connect(&client, &QWebSocket::binaryMessageReceived, this, [&](const QByteArray &data) {
        received.append({false, data});
    });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port())));
    QVERIFY(
        QTest::qWaitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 5000));
    QList<QPair<bool, QByteArray>> sent;
    for (const int size : kSizes) {
        for (const bool text : {true, false}) {
            const QByteArray data = messageOfSize(size, text);
            if (text)
                client.sendTextMessage(QString::fromLatin1(data));
            else
                client.sendBinaryMessage(data);
            sent.append({text, data});
        }
    }
    QVERIFY(QTest::qWaitFor([&] { return received.size() == sent.size(); }, 60000));
    for (int i = 0; i < sent.size(); ++i)
        QVERIFY2(received[i] == sent[i], qPrintable(QStringLiteral("message %1").arg(i)));
}

void tst_LocalServer::everySizeForOurClient()
{
    LocalServer server(LocalServerOptions{});
    QCOMPARE(server.listen(), QString());
    for (const bool deflate : {false, true}) {
        capture::FrameStore store;
        ClientOptions options;
        options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port()));
        options.offerDeflate = deflate;
        ClientSession session(options, store);
        session.open();
        QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Open; }, 5000));
        QCOMPARE(session.handshake().deflate.has_value(), deflate);
        QList<QPair<bool, QByteArray>> sent;
        for (const int size : kSizes) {
            for (const bool text : {true, false}) {
                const QByteArray data = messageOfSize(size, text);
                // Every other message fragmented, with pings between the fragments.
                const bool fragmented = sent.size() % 2 == 1 && size > 1000;
                QVERIFY(
                    session.sendMessage(text ? protocol::Opcode::Text : protocol::Opcode::Binary,
                                        data, fragmented ? 40000 : 0, fragmented));
                sent.append({text, data});
            }
        }
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return session.messagesReceived() == quint64(sent.size())
                                || session.state() == SessionState::Closed;
                     },
                     60000),
                 qPrintable(session.errorString()));
        const auto messages = receivedMessages(store);
        QVERIFY(messages);
        const QList<QPair<bool, QByteArray>> &received = *messages;
        QCOMPARE(received.size(), sent.size());
        for (int i = 0; i < sent.size(); ++i)
            QVERIFY2(received[i] == sent[i], qPrintable(QStringLiteral("message %1").arg(i)));
        QVERIFY(session.close());
        QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Closed; }, 5000));
        QCOMPARE(session.error(), SessionError::None);
    }
}

QTEST_GUILESS_MAIN(tst_LocalServer)
#include "tst_localserver.moc"
