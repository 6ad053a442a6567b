// Our client and our server against reference peers started as separate processes on loopback:
// Debian's python3-websockets and npm ws 8.x, with and without permessage-deflate. Every size
// from 0 bytes to 16 MiB must come back byte for byte, fragmented or not.

#include "capturedmessages.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <capture/framestore.h>
#include <session/client/clientsession.h>
#include <session/server/localserver.h>

using namespace framescope;
using namespace framescope::session;

namespace {

struct Peer
{
    QString program;
    QStringList arguments;
};

// Starts the peer and returns its port, or 0 with a message.
quint16 startPeer(QProcess &process, const Peer &peer, QString &error)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("FRAMESCOPE_NODE_MODULES"),
                       QStringLiteral(FRAMESCOPE_NODE_MODULES));
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(peer.program, peer.arguments);
    if (!process.waitForStarted(5000)) {
        error = QStringLiteral("cannot start %1").arg(peer.program);
        return 0;
    }
    if (!process.waitForReadyRead(10000)) {
        error = QStringLiteral("%1 did not report its port").arg(peer.program);
        return 0;
    }
    const QByteArray line = process.readLine().trimmed();
    if (!line.startsWith("listening ")) {
        error = QStringLiteral("unexpected output from %1: %2")
                    .arg(peer.program, QString::fromUtf8(line));
        return 0;
    }
    return quint16(line.mid(10).toUInt());
}

} // namespace

class tst_ReferencePeers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echo_data();
    void echo();
    void clientsOfOurServer_data();
    void clientsOfOurServer();
};

void tst_ReferencePeers::echo_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("deflate");
    const QString python = QStringLiteral("/usr/bin/python3");
    const QString pythonServer = QStringLiteral(FRAMESCOPE_PEERS_DIR "/python_echo_server.py");
    const QString nodeServer = QStringLiteral(FRAMESCOPE_PEERS_DIR "/ws_echo_server.js");
    QTest::newRow("python websockets")
        << python << QStringList{pythonServer, QStringLiteral("--lifetime"), QStringLiteral("60")}
        << false;
    QTest::newRow("python websockets, deflate")
        << python
        << QStringList{pythonServer, QStringLiteral("--deflate"), QStringLiteral("--lifetime"),
                       QStringLiteral("60")}
        << true;
    QTest::newRow("npm ws") << QStringLiteral(
        "node") << QStringList{nodeServer, QStringLiteral("--lifetime"), QStringLiteral("60")}
                            << false;
    QTest::newRow("npm ws, deflate")
        << QStringLiteral("node")
        << QStringList{nodeServer, QStringLiteral("--deflate"), QStringLiteral("--lifetime"),
                       QStringLiteral("60")}
        << true;
}

void tst_ReferencePeers::echo()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(bool, deflate);
    QProcess process;
    QString error;
    const quint16 port = startPeer(process, {program, arguments}, error);
    QVERIFY2(
        port != 0,
        qPrintable(error
                   + QStringLiteral(" (scripts/framescope.sh test installs the reference peers)")));

    capture::FrameStore store;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/echo").arg(port));
    options.offerDeflate = deflate;
    ClientSession session(options, store);
    session.open();
    QVERIFY(QTest::qWaitFor(
        [&] {
            return session.state() == SessionState::Open || session.state() == SessionState::Closed;
        },
        10000));
    QCOMPARE(session.state(), SessionState::Open);
    QCOMPARE(session.handshake().deflate.has_value(), deflate);

    QList<QPair<bool, QByteArray>> sent;
    for (int size : {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20}) {
        for (bool text : {true, false}) {
            const QByteArray data = messageOfSize(size, text);
            const std::size_t fragment = size > 1000 && !text ? 65536 : 0;
            QVERIFY(session.sendMessage(text ? protocol::Opcode::Text : protocol::Opcode::Binary,
                                        data, fragment));
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
    QCOMPARE(session.messagesReceived(), quint64(sent.size()));

    // Reassemble what came back from the capture, message by message; with deflate, every
    // first frame of a non-empty message arrived compressed.
    const auto messages = receivedMessages(store);
    QVERIFY(messages);
    const QList<QPair<bool, QByteArray>> &received = *messages;
    for (std::uint64_t id = store.firstId().value; deflate && id < store.endId().value; ++id) {
        const auto record = store.record({id});
        if (record && record->direction() == capture::Direction::Received
            && (record->opcode == 1 || record->opcode == 2) && record->storedLength > 0)
            QVERIFY(record->has(capture::FrameRecord::Compressed));
    }
    QCOMPARE(received.size(), sent.size());
    for (int i = 0; i < sent.size(); ++i) {
        QCOMPARE(received[i].first, sent[i].first);
        QVERIFY2(received[i].second == sent[i].second,
                 qPrintable(QStringLiteral("message %1 differs").arg(i)));
    }
    QVERIFY(session.close(1000, "done"));
    QSignalSpy finished(&session, &ClientSession::finished);
    QVERIFY(session.state() == SessionState::Closed || finished.wait(10000));
    QCOMPARE(session.error(), SessionError::None);
    QCOMPARE(session.closeInfo().codeReceived.value_or(0), std::uint16_t(1000));
    process.kill();
    process.waitForFinished(5000);
}

void tst_ReferencePeers::clientsOfOurServer_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("script");
    QTest::addColumn<bool>("deflate");
    const QString python = QStringLiteral("/usr/bin/python3");
    const QString pythonClient = QStringLiteral(FRAMESCOPE_PEERS_DIR "/python_echo_client.py");
    const QString nodeClient = QStringLiteral(FRAMESCOPE_PEERS_DIR "/ws_echo_client.js");
    QTest::newRow("npm ws") << QStringLiteral("node") << nodeClient << false;
    QTest::newRow("npm ws, deflate") << QStringLiteral("node") << nodeClient << true;
    QTest::newRow("python websockets") << python << pythonClient << false;
    QTest::newRow("python websockets, deflate") << python << pythonClient << true;
}

void tst_ReferencePeers::clientsOfOurServer()
{
    QFETCH(QString, program);
    QFETCH(QString, script);
    QFETCH(bool, deflate);
    LocalServerOptions options;
    options.addresses = {QHostAddress::LocalHost};
    options.deflate = true; // accepted when the client offers it
    LocalServer server(options);
    QCOMPARE(server.listen(), QString());

    QProcess client;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("FRAMESCOPE_NODE_MODULES"),
                       QStringLiteral(FRAMESCOPE_NODE_MODULES));
    client.setProcessEnvironment(environment);
    client.setProcessChannelMode(QProcess::MergedChannels);
    QStringList arguments{script, server.urls().first()};
    if (deflate)
        arguments << QStringLiteral("--deflate");
    client.start(program, arguments);
    QVERIFY2(client.waitForStarted(5000), qPrintable(program));
    // The server runs on this thread: keep its event loop going while the client works.
    QVERIFY(QTest::qWaitFor([&] { return client.state() == QProcess::NotRunning; }, 120000));
    const QByteArray output = client.readAll();
    QVERIFY2(client.exitStatus() == QProcess::NormalExit && client.exitCode() == 0,
             output.constData());
    QVERIFY2(output.startsWith("ok 18"), output.constData());

    // The server's capture shows the client's masked frames, compressed when negotiated.
    const auto store = server.store();
    bool sawCompressed = false;
    bool sawContinuation = false;
    for (std::uint64_t id = store->firstId().value; id < store->endId().value; ++id) {
        const auto record = store->record({id});
        if (!record || record->direction() != capture::Direction::Received)
            continue;
        QVERIFY(record->has(capture::FrameRecord::Masked));
        QCOMPARE(record->violations, std::uint32_t{0});
        sawCompressed |= record->has(capture::FrameRecord::Rsv1);
        sawContinuation |= record->opcode == 0;
    }
    QCOMPARE(sawCompressed, deflate);
    QVERIFY(sawContinuation);
    const auto info = server.connectionInfo(1);
    QVERIFY(info);
    QCOMPARE(info->response.contains("permessage-deflate"), deflate);
    QVERIFY(QTest::qWaitFor([&] { return server.connectionCount() == 0; }, 5000));
    QCOMPARE(server.connectionInfo(1)->close.codeReceived.value_or(0), std::uint16_t(1000));
}

QTEST_GUILESS_MAIN(tst_ReferencePeers)
#include "tst_referencepeers.moc"
