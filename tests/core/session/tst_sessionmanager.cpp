// Many sessions at once on the manager's network thread, each with its own capture: all of them
// open, echo and close; the signals carry ids and counts, and "frames ready" comes in batches.

#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <platform/socketcalls.h>
#include <protocol/frameheader.h>
#include <session/frontend/sessionmanager.h>

using namespace framescope;
using namespace framescope::session;

class tst_SessionManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manySessionsAtOnce();
    void removeForgetsASession();
    void removingASessionNobodyHoldsIsSafe();
    void snapshotsAreFreshWhenTheNewsArrives();
    void fragmentsWithPingsBetween();
    void rawFramesAndAborts();
    void evictionIsSignalled();
    void theBuiltInServerThroughTheSameDoor();
    void theServerStartsAgainAfterAStop();
};

void tst_SessionManager::manySessionsAtOnce()
{
    QWebSocketServer server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    server.setMaxPendingConnections(200);
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *peer = server.nextPendingConnection()) {
            peer->setParent(&server);
            connect(peer, &QWebSocket::textMessageReceived, peer,
                    [peer](const QString &text) { peer->sendTextMessage(text); });
        }
    });

    SessionManager manager;
    QObject context; // the connections below capture locals: they end with the test
    QVERIFY(manager.networkThread() != QThread::currentThread());
    // The signals come from the network thread: count them here, on this thread (queued).
    int readySignals = 0;
    int readyArgumentsChecked = 0;
    QList<SessionError> finishedErrors;
    QObject::connect(&manager, &SessionManager::framesReady, &context,
                     [&](quint64 id, capture::FrameId first, capture::FrameId end) {
                         ++readySignals;
                         readyArgumentsChecked += (id > 0 && end > first) ? 1 : 0;
                     });
    QObject::connect(
        &manager, &SessionManager::sessionFinished, &context,
        [&](quint64, SessionError error, const QString &) { finishedErrors << error; });
    constexpr int kSessions = 50;
    constexpr int kMessages = 20;
    QList<quint64> ids;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort()));
    for (int i = 0; i < kSessions; ++i)
        ids << manager.open(options);
    QCOMPARE(QSet<quint64>(ids.begin(), ids.end()).size(), kSessions);
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (quint64 id : ids) {
                if (manager.state(id) != SessionState::Open)
                    return false;
            }
            return true;
        },
        20000));
    for (quint64 id : ids) {
        for (int m = 0; m < kMessages; ++m)
            manager.sendText(id, "session " + QByteArray::number(id) + " message "
                                     + QByteArray::number(m));
    }
    // Every session captures its own 20 sent and 20 echoed frames.
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (quint64 id : ids) {
                if (manager.store(id)->endId().value < 2 * kMessages)
                    return false;
            }
            return true;
        },
        20000));
    for (quint64 id : ids) {
        const auto store = manager.store(id);
        std::vector<std::uint8_t> payload;
        QVERIFY(store->payload({store->endId().value - 1}, payload));
        QVERIFY(
            QByteArray(reinterpret_cast<const char *>(payload.data()), qsizetype(payload.size()))
                .startsWith("session " + QByteArray::number(id) + " "));
    }
    for (quint64 id : ids)
        manager.close(id);
    QVERIFY(QTest::qWaitFor([&] { return finishedErrors.size() == kSessions; }, 20000));
    QCOMPARE(finishedErrors.count(SessionError::None), kSessions);
    // Batched: far fewer "frames ready" signals than frames, each with an id and a range.
    QVERIFY(readySignals > 0);
    QVERIFY2(readySignals < kSessions * 2 * kMessages, qPrintable(QString::number(readySignals)));
    QCOMPARE(readyArgumentsChecked, readySignals);
}

void tst_SessionManager::removeForgetsASession()
{
    SessionManager manager;
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:1/"));
    const quint64 id = manager.open(options);
    QVERIFY(manager.sessions().contains(id));
    auto store = manager.store(id);
    manager.remove(id);
    QVERIFY(QTest::qWaitFor([&] { return !manager.sessions().contains(id); }, 5000));
    QVERIFY(store); // still usable by whoever holds it
    QCOMPARE(manager.store(id), nullptr);
}

namespace {

// The built-in server, started through the manager: its first URL.
QUrl startServer(SessionManager &manager)
{
    LocalServerOptions options;
    options.addresses = {QHostAddress::LocalHost};
    if (!manager.startServer(options).isEmpty())
        return {};
    return QUrl(manager.serverUrls().value(0));
}

} // namespace

// A session removed while open, its store held by no front end (the GUI moved on to a new
// session): the session still announces its last frames as it aborts, into a store that must
// live until the session is gone (the ASan CI run caught a use after free here).
void tst_SessionManager::removingASessionNobodyHoldsIsSafe()
{
    SessionManager manager;
    ClientOptions options;
    options.url = startServer(manager);
    QVERIFY(!options.url.isEmpty());
    for (int round = 0; round < 5; ++round) {
        const quint64 id = manager.open(options);
        QVERIFY(QTest::qWaitFor([&] { return manager.state(id) == SessionState::Open; }, 10000));
        manager.sendText(id, "last words");
        manager.remove(id);
        QVERIFY(QTest::qWaitFor([&] { return !manager.sessions().contains(id); }, 5000));
    }
    // And one removed while it is still connecting.
    const quint64 id = manager.open(options);
    manager.remove(id);
    QVERIFY(QTest::qWaitFor([&] { return !manager.sessions().contains(id); }, 5000));
    QTest::qWait(100); // the network thread deletes them meanwhile; nothing may touch a freed store
    manager.stopServer(1000);
}

namespace {

std::vector<capture::FrameRecord> sentRecords(const capture::FrameStore &store)
{
    std::vector<capture::FrameRecord> records;
    for (std::uint64_t id = store.firstId().value; id < store.endId().value; ++id) {
        if (const auto record = store.record({id});
            record && record->has(capture::FrameRecord::Sent))
            records.push_back(*record);
    }
    return records;
}

} // namespace

// A front end reacting to "open" or "finished" reads a snapshot that already says so: the
// handshake, then the close, both ways.
void tst_SessionManager::snapshotsAreFreshWhenTheNewsArrives()
{
    SessionManager manager;
    QObject context; // the connections below capture locals: they end with the test
    const QUrl url = startServer(manager);
    QVERIFY(url.isValid());
    ClientOptions options;
    options.url = url;
    std::optional<ClientSnapshot> atOpen;
    std::optional<ClientSnapshot> atEnd;
    quint64 id = 0;
    QObject::connect(&manager, &SessionManager::sessionStateChanged, &context,
                     [&](quint64 session, SessionState state) {
                         if (state == SessionState::Open && session == id)
                             atOpen = manager.snapshot(session);
                     });
    connect(
        &manager, &SessionManager::sessionFinished, &context,
        [&](quint64 session, SessionError, const QString &) { atEnd = manager.snapshot(session); });
    id = manager.open(options);
    QVERIFY(QTest::qWaitFor([&] { return atOpen.has_value(); }, 5000));
    QCOMPARE(atOpen->state, SessionState::Open);
    QCOMPARE(atOpen->handshake.status, 101);
    QVERIFY(atOpen->handshake.request.startsWith("GET / HTTP/1.1"));
    // Plain TCP: a descriptor of its own where the platform allows (not in the portable build).
    QCOMPARE(atOpen->direct, platform::hasDirectSockets());
    manager.close(id, 4000, "done");
    QVERIFY(QTest::qWaitFor([&] { return atEnd.has_value(); }, 5000));
    QCOMPARE(atEnd->state, SessionState::Closed);
    QCOMPARE(atEnd->error, SessionError::None);
    QCOMPARE(atEnd->close.codeSent, std::optional<std::uint16_t>(4000));
    QCOMPARE(atEnd->close.codeReceived, std::optional<std::uint16_t>(4000));
    QCOMPARE(atEnd->close.endedBy, capture::EndReason::CloseFrame);
}

// A message cut in frames of 3 bytes with a ping after each but the last.
void tst_SessionManager::fragmentsWithPingsBetween()
{
    SessionManager manager;
    const QUrl url = startServer(manager);
    ClientOptions options;
    options.url = url;
    const quint64 id = manager.open(options);
    QVERIFY(QTest::qWaitFor([&] { return manager.state(id) == SessionState::Open; }, 5000));
    manager.sendMessage(id, protocol::Opcode::Text, "abcdefghij", 3, true);
    const auto store = manager.store(id);
    QVERIFY(QTest::qWaitFor([&] { return sentRecords(*store).size() == 7; }, 5000));
    const std::vector<capture::FrameRecord> sent = sentRecords(*store);
    const std::vector<int> opcodes{1, 9, 0, 9, 0, 9, 0};
    for (std::size_t i = 0; i < sent.size(); ++i) {
        QCOMPARE(int(sent[i].opcode), opcodes[i]);
        QCOMPARE(sent[i].has(capture::FrameRecord::Fin), i == 6 || opcodes[i] == 9);
    }
    manager.close(id);
}

// Any header on the wire as asked (here RSV2 without an extension: the server fails the
// connection with 1002), and a drop with RST and no close frame.
void tst_SessionManager::rawFramesAndAborts()
{
    SessionManager manager;
    const QUrl url = startServer(manager);
    ClientOptions options;
    options.url = url;
    QSignalSpy finished(&manager, &SessionManager::sessionFinished);
    const quint64 broken = manager.open(options);
    QVERIFY(QTest::qWaitFor([&] { return manager.state(broken) == SessionState::Open; }, 5000));
    protocol::FrameHeader header;
    header.opcode = 1;
    header.rsv2 = true;
    header.masked = true;
    header.maskKey = {1, 2, 3, 4};
    header.payloadLength = 2;
    manager.sendRawFrame(broken, header, "hi");
    QVERIFY(QTest::qWaitFor([&] { return finished.count() == 1; }, 5000));
    QCOMPARE(manager.snapshot(broken)->close.codeReceived, std::optional<std::uint16_t>(1002));

    const quint64 dropped = manager.open(options);
    QVERIFY(QTest::qWaitFor([&] { return manager.state(dropped) == SessionState::Open; }, 5000));
    manager.abort(dropped, true);
    QVERIFY(QTest::qWaitFor([&] { return finished.count() == 2; }, 5000));
    const ClientSnapshot snapshot = *manager.snapshot(dropped);
    QCOMPARE(snapshot.close.endedBy, capture::EndReason::LocalAbort);
    QVERIFY(!snapshot.close.codeSent);
    // The server saw the connection end without a closing handshake.
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto info = manager.serverConnection(2);
            return info && info->state == SessionState::Closed;
        },
        5000));
    const auto info = manager.serverConnection(2);
    QVERIFY(info->close.endedBy == capture::EndReason::Reset
            || info->close.endedBy == capture::EndReason::TcpFin);
    QVERIFY(!info->close.closeFrameReceived);
}

// Past the memory cap the oldest frames go, and the front end hears which are left. (A message
// of 40,000 one-byte frames: more records than one 2 MiB chunk holds; then a 3 MiB message, whose
// payload needs room under the 4 MiB cap.)
void tst_SessionManager::evictionIsSignalled()
{
    SessionManager manager;
    QObject context; // the connections below capture locals: they end with the test
    const QUrl url = startServer(manager);
    ClientOptions options;
    options.url = url;
    capture::FrameStore::Limits limits;
    limits.memoryCap = std::size_t{4} << 20;
    capture::FrameId firstKept;
    QObject::connect(&manager, &SessionManager::framesEvicted, &context,
                     [&](quint64, capture::FrameId first) { firstKept = first; });
    const quint64 id = manager.open(options, limits);
    QVERIFY(QTest::qWaitFor([&] { return manager.state(id) == SessionState::Open; }, 5000));
    bool readyAfterEviction = false;
    bool readyBeforeFirstKept = false;
    QObject::connect(&manager, &SessionManager::framesReady, &context,
                     [&](quint64, capture::FrameId first, capture::FrameId) {
                         if (firstKept.value > 0) {
                             readyAfterEviction = true;
                             readyBeforeFirstKept = readyBeforeFirstKept || first < firstKept;
                         }
                     });
    manager.sendMessage(id, protocol::Opcode::Binary, QByteArray(40000, 'x'), 1, false);
    manager.sendBinary(id, QByteArray(3 << 20, 'y'));
    QVERIFY(QTest::qWaitFor([&] { return firstKept.value > 0; }, 20000));
    QCOMPARE(firstKept, manager.store(id)->firstId());
    QVERIFY(firstKept.value >= capture::FrameStore::kRecordsPerChunk);
    manager.sendText(id, "after");
    QVERIFY(QTest::qWaitFor([&] { return readyAfterEviction; }, 5000));
    QVERIFY(!readyBeforeFirstKept); // never a range that starts among the evicted
    manager.close(id);
}

// The server's connections through the same door: their states, and the server's store.
void tst_SessionManager::theBuiltInServerThroughTheSameDoor()
{
    SessionManager manager;
    QObject context; // the connections below capture locals: they end with the test
    QList<QPair<quint64, SessionState>> changes;
    QObject::connect(&manager, &SessionManager::serverConnectionChanged, &context,
                     [&](quint64 id, SessionState state) {
                         changes.append({id, state});
                     });
    const QUrl url = startServer(manager);
    QVERIFY(url.isValid());
    QVERIFY(manager.isServerRunning());
    ClientOptions options;
    options.url = url;
    const quint64 id = manager.open(options);
    QVERIFY(QTest::qWaitFor([&] { return manager.state(id) == SessionState::Open; }, 5000));
    manager.sendText(id, "hello");
    QVERIFY(QTest::qWaitFor([&] { return manager.serverStore()->endId().value >= 2; }, 5000));
    manager.close(id);
    QVERIFY(QTest::qWaitFor([&] { return changes.size() == 2; }, 5000));
    QCOMPARE(changes[0], (QPair<quint64, SessionState>{1, SessionState::Open}));
    QCOMPARE(changes[1], (QPair<quint64, SessionState>{1, SessionState::Closed}));
    QCOMPARE(manager.serverConnections(), QList<quint64>{1});
    const auto info = manager.serverConnection(1);
    QVERIFY(info);
    QCOMPARE(info->status, 101);
    QCOMPARE(info->close.endedBy, capture::EndReason::CloseFrame);
    manager.stopServer();
    QVERIFY(!manager.isServerRunning());
}

// Stop, then start with other options (the Server tab's Stop and Start): a new server.
void tst_SessionManager::theServerStartsAgainAfterAStop()
{
    SessionManager manager;
    LocalServerOptions options;
    options.addresses = {QHostAddress::LocalHost};
    QCOMPARE(manager.startServer(options), QString());
    QCOMPARE(manager.startServer(options),
             QStringLiteral("the built-in server is running already"));
    manager.stopServer(1000);
    QVERIFY(!manager.isServerRunning());
    options.behaviour.fragmentSize = 3;
    QCOMPARE(manager.startServer(options), QString());
    QVERIFY(manager.isServerRunning());
    ClientOptions client;
    client.url = QUrl(manager.serverUrls().value(0));
    const quint64 id = manager.open(client);
    QVERIFY(QTest::qWaitFor([&] { return manager.state(id) == SessionState::Open; }, 5000));
    manager.sendText(id, "hello");
    // The new options apply: the echo comes in frames of 3 bytes.
    const auto store = manager.store(id);
    QVERIFY(QTest::qWaitFor([&] { return store->endId().value >= 3; }, 5000));
    QCOMPARE(store->record({1})->payloadLength, 3u);
    manager.stopServer(1000);
}

QTEST_GUILESS_MAIN(tst_SessionManager)
#include "tst_sessionmanager.moc"
