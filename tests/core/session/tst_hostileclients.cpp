// Hostile clients against the built-in server, over raw sockets: every server-side violation of
// RFC 6455 / RFC 7692 gets the right close code on the wire, bad upgrades get the right status,
// slow and half-open clients are cut off by the handshake timeout, memory stays bounded, and
// after each case the server still echoes for a well-behaved client.

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <capture/framestore.h>
#include <protocol/framedecoder.h>
#include <protocol/frameheader.h>
#include <protocol/messagewriter.h>
#include <session/server/localserver.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace framescope;
using namespace framescope::session;

namespace {

QByteArray upgradeRequest(quint16 port, const QByteArray &extraHeaders = {},
                          const QByteArray &key = "dGhlIHNhbXBsZSBub25jZQ==")
{
    QByteArray request = "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                         + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    if (!key.isNull())
        request += "Sec-WebSocket-Key: " + key + "\r\n";
    return request + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
}

// A client frame: the header as given (masked with a fixed key unless `masked` is false); a
// declared length other than the payload's writes the header with it and the payload as given.
QByteArray clientFrame(std::uint8_t opcode, const QByteArray &payload, bool fin = true,
                       bool masked = true, std::uint8_t rsv = 0,
                       std::optional<std::uint64_t> declaredLength = std::nullopt)
{
    protocol::FrameHeader header;
    header.fin = fin;
    header.rsv1 = rsv & 4;
    header.rsv2 = rsv & 2;
    header.rsv3 = rsv & 1;
    header.opcode = opcode;
    header.masked = masked;
    header.maskKey = {0x11, 0x22, 0x33, 0x44};
    header.payloadLength = declaredLength.value_or(std::uint64_t(payload.size()));
    std::vector<std::uint8_t> wire;
    protocol::appendFrame(
        header,
        {reinterpret_cast<const std::uint8_t *>(payload.constData()), std::size_t(payload.size())},
        wire);
    return QByteArray(reinterpret_cast<const char *>(wire.data()), qsizetype(wire.size()));
}

QByteArray closePayload(int code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + char(code & 0xFF) + reason;
}

struct Outcome
{
    QByteArray head;   // the response head
    QByteArray frames; // everything after it
    bool closedByServer = false;
};

// Sends the upgrade (and `after` once the response head arrived), then reads until the server
// closes the connection or `ms` pass.
Outcome exchange(quint16 port, const QByteArray &request, const QByteArray &after = {},
                 int ms = 5000)
{
    Outcome outcome;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return outcome;
    socket.write(request);
    QByteArray received;
    bool sentAfter = after.isEmpty();
    outcome.closedByServer = QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            if (!sentAfter && received.contains("\r\n\r\n")) {
                socket.write(after);
                sentAfter = true;
            }
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        ms);
    received += socket.readAll();
    const qsizetype end = received.indexOf("\r\n\r\n");
    outcome.head = end < 0 ? received : received.left(end + 4);
    outcome.frames = end < 0 ? QByteArray() : received.mid(end + 4);
    return outcome;
}

// The close code in the first close frame among server frames, or -1.
int serverCloseCode(const QByteArray &frames)
{
    protocol::DecoderOptions options;
    options.role = protocol::Role::Client;
    options.reportMode = true;
    protocol::FrameDecoder decoder(options);
    std::span<const std::uint8_t> rest(reinterpret_cast<const std::uint8_t *>(frames.constData()),
                                       std::size_t(frames.size()));
    QByteArray payload;
    while (true) {
        const protocol::DecodeEvent event = decoder.next(rest);
        rest = rest.subspan(event.consumed);
        if (event.type == protocol::DecodeEventType::Payload)
            payload.append(reinterpret_cast<const char *>(event.payload.data()),
                           qsizetype(event.payload.size()));
        else if (event.type == protocol::DecodeEventType::FrameEnd) {
            if (decoder.frame().header.opcode == 0x8)
                return payload.size() >= 2
                           ? (std::uint8_t(payload[0]) << 8) | std::uint8_t(payload[1])
                           : 1005;
            payload.clear();
        } else if (event.type == protocol::DecodeEventType::NeedMoreData
                   || event.type == protocol::DecodeEventType::Error) {
            return -1;
        }
    }
}

std::size_t residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? std::size_t(fields[1].toULongLong()) * std::size_t(getpagesize())
                             : 0;
}

// A well-behaved client still gets its echo.
bool stillServes(quint16 port)
{
    QWebSocket client;
    QString echo;
    QObject::connect(&client, &QWebSocket::textMessageReceived,
                     [&](const QString &text) { echo = text; });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    if (!QTest::qWaitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 5000))
        return false;
    client.sendTextMessage(QStringLiteral("still there?"));
    const bool ok = QTest::qWaitFor([&] { return echo == QLatin1String("still there?"); }, 5000);
    client.abort();
    return ok;
}

LocalServerOptions hardenedOptions()
{
    LocalServerOptions options;
    options.addresses = {QHostAddress::LocalHost};
    options.closeTimeoutMs = 300; // raw clients never answer our close
    options.handshakeTimeoutMs = 1000;
    options.maxMessageSize = 1 << 20;
    options.maxFragments = 1000;
    options.deflate = true;
    return options;
}

} // namespace

class tst_HostileClients : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void violations_data();
    void violations();
    void badUpgrades_data();
    void badUpgrades();
    void hugeDeclaredLength();
    void decompressionBomb();
    void neverEndingFragments();
    void handshakeAtOneBytePerSecond();
    void fiveHundredHalfOpenConnections();
    void aFailedConnectionIsClosedAtOnce();
};

void tst_HostileClients::initTestCase()
{
    // 500 half-open clients and their server sides need about 1000 descriptors.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &limit);
}

void tst_HostileClients::violations_data()
{
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<int>("echoesBefore"); // messages completed before the violation
    const QByteArray hello = clientFrame(0x1, "hello");
    QTest::newRow("unmasked frame") << clientFrame(0x1, "hi", true, false) << 1002 << 0;
    QTest::newRow("reserved data opcode 3") << hello + clientFrame(0x3, "x") << 1002 << 1;
    QTest::newRow("reserved control opcode 11") << clientFrame(0xB, "x") << 1002 << 0;
    QTest::newRow("RSV2") << clientFrame(0x1, "x", true, true, 2) << 1002 << 0;
    QTest::newRow("RSV1 without deflate") << clientFrame(0x1, "x", true, true, 4) << 1002 << 0;
    QTest::newRow("ping of 126 bytes") << clientFrame(0x9, QByteArray(126, 'p')) << 1002 << 0;
    QTest::newRow("fragmented ping") << clientFrame(0x9, "p", false) << 1002 << 0;
    QTest::newRow("continuation without a start") << clientFrame(0x0, "x") << 1002 << 0;
    QTest::newRow("new message inside a fragmented one")
        << clientFrame(0x1, "a", false) + clientFrame(0x1, "b") << 1002 << 0;
    QTest::newRow("invalid UTF-8") << hello + clientFrame(0x1, "\xce\xba\xff") << 1007 << 1;
    QTest::newRow("invalid UTF-8 split across fragments")
        << clientFrame(0x1, "\xce", false) + clientFrame(0x0, "A") << 1007 << 0;
    QTest::newRow("close code 1005") << clientFrame(0x8, closePayload(1005)) << 1002 << 0;
    QTest::newRow("close code 999") << clientFrame(0x8, closePayload(999)) << 1002 << 0;
    QTest::newRow("close code 1004") << clientFrame(0x8, closePayload(1004)) << 1002 << 0;
    QTest::newRow("close code 5000") << clientFrame(0x8, closePayload(5000)) << 1002 << 0;
    QTest::newRow("close with one byte") << clientFrame(0x8, "\x03") << 1002 << 0;
    QTest::newRow("close reason not UTF-8")
        << clientFrame(0x8, closePayload(1000, "\xff\xfe")) << 1007 << 0;
    QTest::newRow("message over the limit")
        << hello + clientFrame(0x2, QByteArray((1 << 20) + 1, 'x')) << 1009 << 1;
    QTest::newRow("valid close is echoed")
        << hello + clientFrame(0x8, closePayload(4321, "bye")) << 4321 << 1;
}

void tst_HostileClients::violations()
{
    QFETCH(QByteArray, frames);
    QFETCH(int, closeCode);
    QFETCH(int, echoesBefore);
    LocalServer server(hardenedOptions());
    QCOMPARE(server.listen(), QString());
    const Outcome outcome = exchange(server.port(), upgradeRequest(server.port()), frames);
    QVERIFY2(outcome.head.startsWith("HTTP/1.1 101"), outcome.head.constData());
    QVERIFY(outcome.closedByServer);
    QCOMPARE(serverCloseCode(outcome.frames), closeCode);
    // Echoes of the messages completed before the violation went out first.
    int echoes = 0;
    for (std::uint64_t id = 0; id < server.store()->endId().value; ++id) {
        const auto record = server.store()->record({id});
        echoes += record && record->has(capture::FrameRecord::Sent) && record->opcode == 0x1;
    }
    QCOMPARE(echoes, echoesBefore);
    // The offending frame is in the capture with its violation (a valid close has none).
    if (closeCode < 3000) {
        bool flagged = false;
        for (std::uint64_t id = 0; id < server.store()->endId().value; ++id) {
            const auto record = server.store()->record({id});
            flagged |= record && !record->has(capture::FrameRecord::Sent) && record->violations;
        }
        QVERIFY(flagged);
    }
    QVERIFY(stillServes(server.port()));
}

void tst_HostileClients::badUpgrades_data()
{
    QTest::addColumn<QByteArray>("extraHeaders");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("expectedStatus");
    QTest::addColumn<QByteArray>("expectedHeader");
    const QByteArray key = "dGhlIHNhbXBsZSBub25jZQ==";
    QTest::newRow("missing key") << QByteArray() << QByteArray() << QByteArray("400")
                                 << QByteArray();
    QTest::newRow("short key") << QByteArray() << QByteArray("c2hvcnQ=") << QByteArray("400")
                               << QByteArray();
    QTest::newRow("version 8") << QByteArray("Sec-WebSocket-Version: 8\r\n") << key
                               << QByteArray("4") // 400 (two versions) or 426
                               << QByteArray();
    QTest::newRow("64 KiB of spaces as the protocol")
        << "Sec-WebSocket-Protocol: " + QByteArray(64 * 1024, ' ') + "x\r\n"
        << key << QByteArray("4") << QByteArray();
    QTest::newRow("15 KiB of spaces as the protocol")
        << "Sec-WebSocket-Protocol: " + QByteArray(15 * 1024, ' ') + "chat\r\n"
        << key << QByteArray("101") << QByteArray();
    QTest::newRow("unterminated quoted extension parameter")
        << QByteArray(
               "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\r\n")
        << key << QByteArray("400") << QByteArray(); // RFC 6455 §4.2.1: not the grammar
    QTest::newRow("foreign Origin") << QByteArray("Origin: https://evil.example\r\n") << key
                                    << QByteArray("403") << QByteArray();
}

void tst_HostileClients::badUpgrades()
{
    QFETCH(QByteArray, extraHeaders);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, expectedStatus);
    LocalServer server(hardenedOptions());
    QCOMPARE(server.listen(), QString());
    QByteArray request = upgradeRequest(server.port(), extraHeaders, key);
    if (extraHeaders.startsWith("Sec-WebSocket-Version"))
        request.replace("Sec-WebSocket-Version: 13\r\n", "");
    const Outcome outcome = exchange(server.port(), request, {}, 3000);
    QVERIFY2(outcome.head.startsWith("HTTP/1.1 " + expectedStatus),
             outcome.head.left(200).constData());
    if (qstrcmp(QTest::currentDataTag(), "version 8") == 0) {
        QVERIFY(outcome.head.startsWith("HTTP/1.1 426"));
        QVERIFY(outcome.head.contains("Sec-WebSocket-Version: 13\r\n"));
    }
    if (expectedStatus == "101") {
        // Nothing invalid was agreed: no subprotocol picked, the bad extension offer declined.
        QVERIFY(!outcome.head.contains("Sec-WebSocket-Protocol"));
        QVERIFY(!outcome.head.contains("Sec-WebSocket-Extensions"));
    } else {
        QVERIFY(outcome.closedByServer);
    }
    QVERIFY(stillServes(server.port()));
}

void tst_HostileClients::hugeDeclaredLength()
{
    LocalServer server(hardenedOptions());
    QCOMPARE(server.listen(), QString());
    const std::size_t before = residentBytes();
    // Declares 2^62 bytes and sends none of them: refused at once, nothing allocated.
    QByteArray frame = clientFrame(0x2, {}, true, true, 0, std::uint64_t{1} << 62);
    const Outcome outcome = exchange(server.port(), upgradeRequest(server.port()), frame);
    QVERIFY(outcome.closedByServer);
    QCOMPARE(serverCloseCode(outcome.frames), 1009);
    QVERIFY(residentBytes() < before + (16u << 20));
    QVERIFY(stillServes(server.port()));
}

void tst_HostileClients::decompressionBomb()
{
    LocalServer server(hardenedOptions());
    QCOMPARE(server.listen(), QString());
    // 256 MiB of zeros, compressed (about 256 KiB), against a 1 MiB message limit.
    protocol::MessageWriter writer(protocol::Role::Client);
    writer.enableDeflate(protocol::DeflateParameters{});
    std::vector<std::uint8_t> wire;
    const std::vector<std::uint8_t> zeros(256u << 20, 0);
    QVERIFY(writer.writeMessage(protocol::Opcode::Binary, zeros, wire));
    const QByteArray bomb(reinterpret_cast<const char *>(wire.data()), qsizetype(wire.size()));
    QVERIFY(bomb.size() < (1 << 20));
    const std::size_t before = residentBytes();
    const Outcome outcome = exchange(
        server.port(),
        upgradeRequest(server.port(), "Sec-WebSocket-Extensions: permessage-deflate\r\n"), bomb);
    QVERIFY(outcome.head.contains("permessage-deflate"));
    QVERIFY(outcome.closedByServer);
    QCOMPARE(serverCloseCode(outcome.frames), 1009);
    QVERIFY(residentBytes() < before + (64u << 20));
    QVERIFY(stillServes(server.port()));
}

void tst_HostileClients::neverEndingFragments()
{
    LocalServer server(hardenedOptions());
    QCOMPARE(server.listen(), QString());
    QByteArray frames = clientFrame(0x2, "start", false);
    for (int i = 0; i < 2000; ++i)
        frames += clientFrame(0x0, {}, false); // empty fragments count too
    const Outcome outcome = exchange(server.port(), upgradeRequest(server.port()), frames);
    QVERIFY(outcome.closedByServer);
    QCOMPARE(serverCloseCode(outcome.frames), 1009);
    QVERIFY(stillServes(server.port()));
}

void tst_HostileClients::handshakeAtOneBytePerSecond()
{
    LocalServer server(hardenedOptions()); // 1 s to finish the handshake
    QCOMPARE(server.listen(), QString());
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(slow.waitForConnected(5000));
    const QByteArray request = upgradeRequest(server.port());
    int sent = 0;
    QTimer drip;
    connect(&drip, &QTimer::timeout, this, [&] {
        if (sent < request.size() && slow.state() == QAbstractSocket::ConnectedState)
            slow.write(request.mid(sent++, 1));
    });
    drip.start(100); // ten times faster than one a second; still far too slow
    // Meanwhile others are served.
    QVERIFY(stillServes(server.port()));
    QVERIFY(
        QTest::qWaitFor([&] { return slow.state() == QAbstractSocket::UnconnectedState; }, 5000));
    QVERIFY(sent < request.size());
    QVERIFY(!slow.readAll().startsWith("HTTP/1.1 101"));
    QVERIFY(QTest::qWaitFor([&] { return server.connectionCount() == 0; }, 5000));
}

void tst_HostileClients::fiveHundredHalfOpenConnections()
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < 1200)
        QSKIP("needs 1200 file descriptors (both ends of 500 connections); ulimit -n is lower");
    LocalServer server(hardenedOptions());
    QCOMPARE(server.listen(), QString());
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 500; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, server.port());
        sockets.push_back(std::move(socket));
    }
    // The server lives on this thread: wait in its event loop, not in waitForConnected().
    QVERIFY(QTest::qWaitFor(
        [&] {
            return std::all_of(sockets.begin(), sockets.end(), [](const auto &socket) {
                return socket->state() == QAbstractSocket::ConnectedState;
            });
        },
        10000));
    for (auto &socket : sockets)
        socket->write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // and never the rest
    QVERIFY(QTest::qWaitFor([&] { return server.connectionCount() == 500; }, 5000));
    QVERIFY(stillServes(server.port()));
    // The handshake timeout (1 s) ends them all; the server holds nothing for them after.
    QVERIFY(QTest::qWaitFor([&] { return server.connectionCount() == 0; }, 10000));
    int closed = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            closed = 0;
            for (auto &socket : sockets)
                closed += socket->state() == QAbstractSocket::UnconnectedState;
            return closed == 500;
        },
        5000));
    QVERIFY(stillServes(server.port()));
}

// RFC 6455 §7.1.1 and §7.1.7: failing a connection, the server sends its close frame and closes
// TCP first, at once; it does not wait out the close timeout for a peer that broke the rules.
void tst_HostileClients::aFailedConnectionIsClosedAtOnce()
{
    LocalServerOptions options = hardenedOptions();
    options.closeTimeoutMs = 60000;
    LocalServer server(options);
    QCOMPARE(server.listen(), QString());
    QElapsedTimer timer;
    timer.start();
    const Outcome outcome = exchange(server.port(), upgradeRequest(server.port()),
                                     clientFrame(0x1, "x", true, true, 2), 10000);
    QVERIFY(outcome.closedByServer);
    QCOMPARE(serverCloseCode(outcome.frames), 1002);
    QVERIFY2(timer.elapsed() < 5000, QByteArray::number(timer.elapsed()).constData());
}

QTEST_GUILESS_MAIN(tst_HostileClients)
#include "tst_hostileclients.moc"
