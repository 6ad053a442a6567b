// Many sessions at once on the manager's network thread, each with its own capture: all of them
// open, echo and close; the signals carry ids and counts, and "frames ready" comes in batches.

#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <session/frontend/sessionmanager.h>

using namespace framescope;
using namespace framescope::session;

class tst_SessionManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manySessionsAtOnce();
    void removeForgetsASession();
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
    QVERIFY(manager.networkThread() != QThread::currentThread());
    // The signals come from the network thread: count them here, on this thread (queued).
    int readySignals = 0;
    int readyArgumentsChecked = 0;
    QList<SessionError> finishedErrors;
    connect(&manager, &SessionManager::framesReady, this,
            [&](quint64 id, quint64 first, quint64 end) {
                ++readySignals;
                readyArgumentsChecked += (id > 0 && end > first) ? 1 : 0;
            });
    connect(&manager, &SessionManager::sessionFinished, this,
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

QTEST_GUILESS_MAIN(tst_SessionManager)
#include "tst_sessionmanager.moc"
