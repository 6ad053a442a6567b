// The Replay tab: the comparison model (under QAbstractItemModelTester), and in the window a
// session sent through the composer, replayed from the log's context menu against the built-in
// server (every message matches, the replay's frames in the log as a session of its own), then
// against a changed server (replies fragmented: each difference in the table); a HAR file
// opened into the tab; bad input said in the summary.

#include "windowdriver.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <log/framelogview.h>
#include <replay/comparisonmodel.h>
#include <replay/replaypanel.h>
#include <server/serverpanel.h>
#include <session/frontend/sessionmanager.h>
#include <window/mainwindow.h>

using namespace framescope;
using namespace framescope::ui;

class tst_ReplayPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void comparisonModel()
    {
        ComparisonModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.add({0, true, QStringLiteral("\"hello\""), {}});
        model.add({1, false, QStringLiteral("\"{\"id\":1}\""),
                   QStringLiteral("at $.id: expected 1, got 2")});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.failures(), 1);
        QCOMPARE(model.index(1, ComparisonModel::Number).data().toInt(), 2);
        QCOMPARE(model.index(1, ComparisonModel::Expected).data().toString(),
                 QStringLiteral("\"{\"id\":1}\""));
        QCOMPARE(model.index(1, ComparisonModel::Difference).data().toString(),
                 QStringLiteral("at $.id: expected 1, got 2"));
        QVERIFY(model.index(0, ComparisonModel::Result)
                    .data()
                    .toString()
                    .contains(QStringLiteral("matched")));
        QVERIFY(model.index(1, ComparisonModel::Result)
                    .data()
                    .toString()
                    .contains(QStringLiteral("differs")));
        QVERIFY(model.index(0, ComparisonModel::Result).data(Qt::ForegroundRole).isValid());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.failures(), 0);
    }

    void replayTheShownSession()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.resize(1280, 800);
        window.show();
        QVERIFY(window.start());
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Open; },
            10000));
        auto *composer = named<QPlainTextEdit>(window, QStringLiteral("Message to send"));
        QPushButton *send = nullptr;
        for (QPushButton *button : window.findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("&Send"))
                send = button;
        QVERIFY(composer && send);
        QVERIFY(QTest::qWaitFor([&] { return send->isEnabled(); }, 10000)); // told it is open
        const FrameLogModel &log = *window.logModel();
        for (const QString &text :
             {QStringLiteral("{\"op\":\"hi\",\"id\":1}"), QStringLiteral("second message")}) {
            const int rows = log.rowCount();
            composer->setPlainText(text);
            QVERIFY(window.sendComposed());
            QVERIFY(QTest::qWaitFor([&] { return log.rowCount() >= rows + 2; }, 10000));
        }
        const quint64 recorded = window.sessionId();

        // From the log's context menu.
        QAction *replay = nullptr;
        for (QAction *action : named<FrameLogView>(window, QStringLiteral("Frame log"))->actions())
            if (action->text().startsWith(QStringLiteral("&Replay This Session")))
                replay = action;
        QVERIFY(replay);
        replay->trigger();
        ReplayPanel *panel = window.replayPanel();
        QVERIFY(panel->isVisible());
        QVERIFY(panel->hasRecording());
        QCOMPARE(named<QLineEdit>(window, QStringLiteral("Replay against URL"))->text(),
                 manager.serverUrls().value(0));
        QSignalSpy finished(panel, &ReplayPanel::finished);
        QTest::mouseClick(named<QPushButton>(window, QStringLiteral("Start the replay")),
                          Qt::LeftButton);
        QVERIFY(finished.wait(20000));
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(panel->summary()));
        QCOMPARE(panel->comparisons()->rowCount(), 2);
        QVERIFY2(panel->summary().contains(QStringLiteral("2 of 2 messages matched")),
                 qPrintable(panel->summary()));
        // The replay's frames in the log, as a session of its own.
        QVERIFY(window.sessionId() != recorded);
        QVERIFY(QTest::qWaitFor([&] { return log.rowCount() >= 4; }, 5000));
        QCOMPARE(cell(log, 0, FrameLogModel::Preview), QStringLiteral("{\"op\":\"hi\",\"id\":1}"));
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty())
            QVERIFY(shoot(window, dir, QStringLiteral("replay")));

        // A changed server: replies in frames of 4 bytes. Ignore rules work from the tab.
        auto *serverPanel = window.findChild<ServerPanel *>();
        serverPanel->stop();
        named<QSpinBox>(window, QStringLiteral("Fragment replies"))->setValue(4);
        QCOMPARE(serverPanel->start(), QString());
        QVERIFY(manager.isServerRunning());
        named<QLineEdit>(window, QStringLiteral("Replay against URL"))
            ->setText(manager.serverUrls().value(0));
        panel->setIgnoreRules(QStringLiteral("$.id"));
        panel->run();
        QVERIFY(finished.wait(20000));
        QVERIFY(!finished.at(1).at(0).toBool());
        QVERIFY2(panel->summary().contains(QStringLiteral("0 of 2 messages matched")),
                 qPrintable(panel->summary()));
        // The tab is in view: the status bar does not send the user to it.
        QCOMPARE(window.statusBar()->currentMessage(),
                 QStringLiteral("Replay failed: each difference is in the table"));
        // The first difference, selected and in full.
        QVERIFY2(
            panel->detailText().endsWith(QStringLiteral("came as 5 frames (4, 4, 4, 4, 2 bytes)")),
            qPrintable(panel->detailText()));
        QCOMPARE(panel->comparisons()->at(1).message,
                 QStringLiteral("the same message, framed differently: recorded as 1 frame (14 "
                                "bytes), came as 4 frames (4, 4, 4, 2 bytes)"));
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            QVERIFY(shoot(window, dir, QStringLiteral("replay-failed")));
            QVERIFY(shootDark(window, dir, QStringLiteral("replay-dark"), Theme::Light));
        }
        manager.stopServer(1000);
    }

    // A source of several connections (a HAR file's WebSocket entries here; a server's capture
    // alike): the first is replayed unless another is chosen in the Connection box, which then
    // fills the panel from that one (its URL, its messages).
    void aConnectionIsChosen()
    {
        session::SessionManager manager;
        ReplayPanel panel(manager);
        panel.show();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two.har"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const auto entry = [](const char *where, const char *text, int count) {
            QByteArray messages;
            for (int i = 0; i < count; ++i)
                messages += QByteArray(i > 0 ? "," : "")
                            + "{\"type\":\"send\",\"time\":1,\"opcode\":1,\"data\":\"" + text
                            + "\"}";
            return QByteArray("{\"request\":{\"method\":\"GET\",\"url\":\"ws://127.0.0.1:9/")
                   + where + "\",\"headers\":[]},\"response\":{\"status\":101,\"headers\":[]},"
                   + "\"_webSocketMessages\":[" + messages + "]}";
        };
        file.write("{\"log\":{\"entries\":[" + entry("a", "first", 1) + ","
                   + entry("b", "second", 2) + "]}}");
        file.close();
        QVERIFY(panel.openRecording(path));
        QCOMPARE(panel.connectionChoices(), (QList<int>{0, 1}));
        auto *box = named<QComboBox>(panel, QStringLiteral("Connection to replay"));
        auto *url = named<QLineEdit>(panel, QStringLiteral("Replay against URL"));
        QVERIFY(box && url);
        QVERIFY(box->isVisible());
        QCOMPARE(box->currentText(), QStringLiteral("Entry 0 of the HAR file"));
        QCOMPARE(url->text(), QStringLiteral("ws://127.0.0.1:9/a"));
        QVERIFY2(panel.summary().contains(QStringLiteral("entry 0 is replayed")),
                 qPrintable(panel.summary()));
        box->setCurrentIndex(1);
        Q_EMIT box->activated(1); // as a user's choice does
        QCOMPARE(url->text(), QStringLiteral("ws://127.0.0.1:9/b"));
        QVERIFY2(panel.summary().contains(QStringLiteral("entry 1 is replayed")),
                 qPrintable(panel.summary()));
        QCOMPARE(box->currentText(), QStringLiteral("Entry 1 of the HAR file"));
        // While a replay runs, the connection replayed cannot be changed under it.
        panel.setUrl(QStringLiteral("ws://127.0.0.1:1/"));
        panel.run();
        QVERIFY(panel.isRunning());
        QVERIFY(!box->isEnabled());
        panel.stop();
        QVERIFY(QTest::qWaitFor([&] { return !panel.isRunning(); }, 5000));
        QVERIFY(box->isEnabled());
        // A recording given whole has nothing to choose.
        replay::Recording one;
        one.clientMessages.push_back({false, "x", 0, {}});
        panel.setRecording(one, QStringLiteral("one"));
        QVERIFY(panel.connectionChoices().isEmpty());
        QVERIFY(!box->isVisible());
    }

    void badInputIsSaid()
    {
        session::SessionManager manager;
        ReplayPanel panel(manager);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("not.har"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"log\":{\"entries\":[]}}");
        file.close();
        QVERIFY(!panel.openRecording(path));
        QVERIFY2(panel.summary().contains(QStringLiteral("no WebSocket entry")),
                 qPrintable(panel.summary()));
        replay::Recording recording;
        recording.clientMessages.push_back({false, "x", 0, {}});
        panel.setRecording(recording, QStringLiteral("test"));
        panel.setUrl(QStringLiteral("http://example/"));
        panel.run();
        QVERIFY(!panel.isRunning());
        QVERIFY2(panel.summary().contains(QStringLiteral("ws:// or wss://")),
                 qPrintable(panel.summary()));
        panel.setUrl(QStringLiteral("ws://127.0.0.1:1/"));
        panel.setIgnoreRules(QStringLiteral("$.ok\nnot a rule"));
        panel.run();
        QVERIFY(!panel.isRunning());
        QVERIFY2(panel.summary().contains(QStringLiteral("is not an ignore rule")),
                 qPrintable(panel.summary()));
    }
};

QTEST_MAIN(tst_ReplayPanel)
#include "tst_replaypanel.moc"
