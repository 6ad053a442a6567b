// The sessions sidebar and saved profiles: several sessions at once, each with its own log and
// settings, switched between; new, duplicate, rename, close; profiles saved, found again after a
// restart, opened, with secrets kept only when asked.

#include "windowdriver.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <detail/headerdiagram.h>
#include <detail/jsontree.h>
#include <log/framelogmodel.h>
#include <log/framelogview.h>
#include <server/serverpanel.h>
#include <session/frontend/sessionmanager.h>
#include <sessions/sessionlist.h>
#include <window/connectionsettings.h>
#include <window/headerstable.h>
#include <window/mainwindow.h>
#include <window/tlsdetails.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

// Open, and the window told so (the state label reads "Connected").
bool waitOpen(session::SessionManager &manager, MainWindow &window)
{
    QLabel *state = named<QLabel>(window, QStringLiteral("Connection state"));
    return state
           && QTest::qWaitFor(
               [&] {
                   return manager.state(window.sessionId()) == session::SessionState::Open
                          && state->text().contains(QStringLiteral("Connected"));
               },
               10000);
}

// The shown log's previews, top to bottom.
QStringList previews(const MainWindow &window)
{
    QStringList texts;
    const FrameLogModel &model = *window.logModel();
    for (int row = 0; row < model.rowCount(); ++row)
        texts << cell(model, row, FrameLogModel::Preview);
    return texts;
}

QCheckBox *checkBox(QWidget &window, const QString &text)
{
    for (QCheckBox *box : window.findChildren<QCheckBox *>())
        if (box->text().startsWith(text))
            return box;
    return nullptr;
}

} // namespace

class tst_Sessions : public QObject
{
    Q_OBJECT

    QTemporaryDir m_settingsDir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("FramescopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_sessions"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    }

    // The list's rows: the server first, then sessions named by the user, their file or URL.
    void theListModel()
    {
        SessionListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.data(model.index(0), Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("built-in server")));
        QVERIFY(!(model.flags(model.index(0)) & Qt::ItemIsEditable));
        QCOMPARE(model.data(model.index(0)).toString(), QStringLiteral("⚙ Server stopped"));
        model.setServerStatus(QStringLiteral(":8080"));
        QCOMPARE(model.data(model.index(0)).toString(), QStringLiteral("⚙ Server :8080"));

        SessionEntry first;
        first.url = QStringLiteral("wss://example.com:8443/chat");
        QCOMPARE(model.add(std::move(first)), 0);
        SessionEntry second;
        second.capturePath = QStringLiteral("/tmp/run-7.jsonl");
        QCOMPARE(model.add(std::move(second)), 1);
        model.add({});
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.data(model.index(1)).toString(), QStringLiteral("○ example.com:8443"));
        QCOMPARE(model.data(model.index(2)).toString(), QStringLiteral("▤ run-7.jsonl"));
        QCOMPARE(model.data(model.index(3)).toString(), QStringLiteral("○ New session"));

        // Renaming is editing; a name is one line; an empty one brings the automatic name back.
        QVERIFY(model.setData(model.index(1), QStringLiteral("  Staging\n chat ")));
        QCOMPARE(model.data(model.index(1)).toString(), QStringLiteral("○ Staging chat"));
        QVERIFY(!model.setData(model.index(0), QStringLiteral("no")));
        model.entry(0).state = session::SessionState::Open;
        model.entry(0).sessionId = 42;
        model.changed(0);
        QCOMPARE(model.data(model.index(1)).toString(), QStringLiteral("● Staging chat"));
        QCOMPARE(model.sessionWithId(42), 0);
        QVERIFY(model.setData(model.index(1), QString()));
        QCOMPARE(model.data(model.index(1)).toString(), QStringLiteral("● example.com:8443"));

        model.remove(1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.sessionWithId(42), 0);
        QCOMPARE(model.data(model.index(1)).toString(), QStringLiteral("● example.com:8443"));
        QCOMPARE(model.sessionWithId(7), -1);
    }

    // Two sessions to the built-in server at once: each log holds its own session's frames, the
    // one not shown is marked when frames come, and closing a session ends it.
    void twoSessionsAtOnce()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QVERIFY(waitOpen(manager, window));
        const quint64 firstId = window.sessionId();
        const QString url = manager.serverUrls().value(0);
        auto *composer = named<QPlainTextEdit>(window, QStringLiteral("Message to send"));
        QVERIFY(composer);
        composer->setPlainText(QStringLiteral("from the first"));
        QVERIFY(window.sendComposed());
        QVERIFY(QTest::qWaitFor([&] { return window.logModel()->rowCount() >= 2; }, 10000));
        // A JSON frame selected: its header drawn, its payload as a tree.
        composer->setPlainText(QStringLiteral("{\"from\": \"the first\"}"));
        QVERIFY(window.sendComposed());
        QVERIFY(QTest::qWaitFor([&] { return window.logModel()->rowCount() >= 4; }, 10000));
        auto *log = named<FrameLogView>(window, QStringLiteral("Frame log"));
        auto *diagram = window.findChild<HeaderDiagram *>();
        auto *tree = window.findChild<JsonTree *>();
        QVERIFY(log && diagram && tree);
        log->selectRow(2);
        QVERIFY(diagram->isVisible() && tree->isVisible());

        QCOMPARE(window.newSession(), 1);
        QCOMPARE(window.shownSession(), 1);
        QCOMPARE(window.sessionId(), 0u);
        QCOMPARE(window.logModel()->rowCount(), 0);
        // Nothing selected in the new session: nothing of the other's frame stays in view.
        QVERIFY(!diagram->isVisible());
        QVERIFY(!tree->isVisible());
        window.connectTo(url);
        QVERIFY(waitOpen(manager, window));
        const quint64 secondId = window.sessionId();
        QVERIFY(secondId != firstId);
        composer->setPlainText(QStringLiteral("from the second"));
        QVERIFY(window.sendComposed());
        QVERIFY(QTest::qWaitFor([&] { return window.logModel()->rowCount() >= 2; }, 10000));
        QCOMPARE(previews(window), (QStringList{QStringLiteral("from the second"),
                                                QStringLiteral("from the second")}));

        // Back to the first: its own frames; the second keeps running, and what it receives while
        // not shown marks its row.
        window.showSession(0);
        QCOMPARE(window.sessionId(), firstId);
        QCOMPARE(previews(window).mid(0, 2),
                 (QStringList{QStringLiteral("from the first"), QStringLiteral("from the first")}));
        auto *list = named<QListView>(window, QStringLiteral("Sessions"));
        QVERIFY(list);
        QCOMPARE(list->currentIndex().row(), SessionListModel::rowOf(0));
        manager.sendText(secondId, QByteArrayLiteral("while hidden"));
        SessionListModel &sessions = *window.sessionList();
        QVERIFY(QTest::qWaitFor([&] { return sessions.entry(1).unread; }, 10000));
        QVERIFY(sessions.data(sessions.index(2)).toString().endsWith(QStringLiteral(" •")));
        QCOMPARE(window.logModel()->rowCount(), 4); // not in the first session's log

        // Chosen in the sidebar, as a user does.
        list->setCurrentIndex(sessions.index(SessionListModel::rowOf(1)));
        QCOMPARE(window.shownSession(), 1);
        QVERIFY(QTest::qWaitFor([&] { return window.logModel()->rowCount() >= 4; }, 10000));
        QCOMPARE(previews(window).last(), QStringLiteral("while hidden"));
        QVERIFY(!sessions.entry(1).unread);

        // Closing the shown session ends it and shows its neighbour.
        window.closeSession(1);
        QCOMPARE(sessions.sessionCount(), 1);
        QCOMPARE(window.shownSession(), 0);
        QCOMPARE(window.sessionId(), firstId);
        QVERIFY(QTest::qWaitFor([&] { return !manager.sessions().contains(secondId); }, 10000));
        QCOMPARE(manager.state(firstId), session::SessionState::Open);
        // The last one closed leaves an empty one.
        window.closeSession(0);
        QCOMPARE(sessions.sessionCount(), 1);
        QCOMPARE(window.sessionId(), 0u);
        QVERIFY(QTest::qWaitFor([&] { return !manager.sessions().contains(firstId); }, 10000));
        manager.stopServer(1000);
    }

    // Connecting again after a connection ended keeps that connection's frames: the new one goes
    // into a session of its own, with the same URL; the old one is still there to look at.
    void connectingAgainKeepsTheFramesBefore()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QVERIFY(waitOpen(manager, window));
        const quint64 firstId = window.sessionId();
        const QString url = manager.serverUrls().value(0);
        auto *composer = named<QPlainTextEdit>(window, QStringLiteral("Message to send"));
        QVERIFY(composer);
        composer->setPlainText(QStringLiteral("before"));
        QVERIFY(window.sendComposed());
        QVERIFY(QTest::qWaitFor([&] { return window.logModel()->rowCount() >= 2; }, 10000));
        window.disconnectSession();
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(firstId) == session::SessionState::Closed; }, 10000));

        window.connectTo(url);
        QVERIFY(waitOpen(manager, window));
        SessionListModel &sessions = *window.sessionList();
        QCOMPARE(sessions.sessionCount(), 2);
        QCOMPARE(window.shownSession(), 1);
        QCOMPARE(sessions.entry(1).url, url);
        QVERIFY(window.sessionId() != firstId);
        window.showSession(0);
        QVERIFY(sessions.entry(0).store);
        QCOMPARE(window.logModel()->rowCount(), int(sessions.entry(0).store->size()));
        QCOMPARE(window.logModel()->rowCount(), 4); // "before" both ways, the two closes
        QCOMPARE(previews(window).first(), QStringLiteral("before"));

        // An opened capture stays too: connecting from it (its URL filled in) opens a session
        // beside it, and the capture's row keeps its file and its frames.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("before.jsonl"));
        QVERIFY(window.saveCapture(path));
        QVERIFY(window.openCapture(path));
        QCOMPARE(sessions.sessionCount(), 3);
        const int capture = window.shownSession();
        QCOMPARE(sessions.entry(capture).capturePath, path);
        window.connectTo(url);
        QVERIFY(waitOpen(manager, window));
        QCOMPARE(sessions.sessionCount(), 4);
        QVERIFY(window.shownSession() != capture);
        QCOMPARE(sessions.entry(capture).capturePath, path);
        QCOMPARE(sessions.entry(capture).title(), QStringLiteral("before.jsonl"));
        window.showSession(capture);
        QCOMPARE(window.logModel()->rowCount(), 4);
        QCOMPARE(previews(window).first(), QStringLiteral("before"));
        manager.stopServer(1000);
    }

    // Duplicate: the URL and connection settings, not the connection; each session keeps its own
    // settings when switching.
    void duplicateKeepsTheSettings()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        auto *headers = named<HeadersTable>(window, QStringLiteral("Extra headers"));
        auto *url = named<QLineEdit>(window, QStringLiteral("URL"));
        QVERIFY(headers && url);
        url->setText(QStringLiteral("ws://127.0.0.1:9/a"));
        headers->setPlainText(QStringLiteral("X-Tenant: blue"));
        QCOMPARE(window.duplicateSession(), 1);
        QCOMPARE(url->text(), QStringLiteral("ws://127.0.0.1:9/a"));
        QCOMPARE(headers->toPlainText(), QStringLiteral("X-Tenant: blue"));
        QCOMPARE(window.sessionId(), 0u);
        headers->setPlainText(QStringLiteral("X-Tenant: green"));
        window.showSession(0);
        QCOMPARE(headers->toPlainText(), QStringLiteral("X-Tenant: blue"));
        window.showSession(1);
        QCOMPARE(headers->toPlainText(), QStringLiteral("X-Tenant: green"));
        window.newSession();
        QCOMPARE(headers->toPlainText(), QString()); // a new one starts from the defaults
        QCOMPARE(url->text(), QString());
    }

    // The Connection tab's newer fields become options; their values go round a profile; bad
    // ones are said.
    // The headers table: a row a header and always an empty row to type the next one into;
    // pasted "Name: value" lines become rows; a row emptied or deleted goes; as text, lines.
    void headersTable()
    {
        HeadersTable table;
        QAbstractItemModelTester tester(table.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(table.rowCount(), 1);
        QCOMPARE(table.toPlainText(), QString());
        table.setItem(0, 0, new QTableWidgetItem(QStringLiteral("X-Trace")));
        QCOMPARE(table.rowCount(), 2); // typing into the last row opens the next
        table.setItem(0, 1, new QTableWidgetItem(QStringLiteral(" abc-123 ")));
        QCOMPARE(table.toPlainText(), QStringLiteral("X-Trace: abc-123"));
        QGuiApplication::clipboard()->setText(
            QStringLiteral("Authorization: Bearer t0k3n\nX-Tenant:blue\n\n"));
        table.setCurrentCell(1, 0);
        QTest::keySequence(&table, QKeySequence::Paste);
        QCOMPARE(table.rowCount(), 4);
        QCOMPARE(table.toPlainText(),
                 QStringLiteral("X-Trace: abc-123\nAuthorization: Bearer t0k3n\nX-Tenant: blue"));
        QCOMPARE(table.headers().at(1), (QPair<QString, QString>{QStringLiteral("Authorization"),
                                                                 QStringLiteral("Bearer t0k3n")}));
        // Delete on a row removes it; emptying a row's cells removes it too.
        table.setCurrentCell(1, 0);
        QTest::keyClick(&table, Qt::Key_Delete);
        QCOMPARE(table.toPlainText(), QStringLiteral("X-Trace: abc-123\nX-Tenant: blue"));
        table.setCurrentCell(2, 0); // the empty row
        table.item(0, 0)->setText({});
        table.item(0, 1)->setText({});
        QCOMPARE(table.rowCount(), 2);
        QCOMPARE(table.toPlainText(), QStringLiteral("X-Tenant: blue"));
        table.setPlainText(QStringLiteral("A: 1\nB: 2"));
        QCOMPARE(table.rowCount(), 3);
        QCOMPARE(table.toPlainText(), QStringLiteral("A: 1\nB: 2"));
    }

    void connectionSettingsToOptions()
    {
        ConnectionSettings settings;
        auto *cookies = named<QLineEdit>(settings, QStringLiteral("Cookies"));
        auto *pin = named<QLineEdit>(settings, QStringLiteral("Pinned certificate"));
        auto *serverBits = named<QSpinBox>(settings, QStringLiteral("server_max_window_bits"));
        auto *clientBits = named<QSpinBox>(settings, QStringLiteral("client_max_window_bits"));
        auto *largest = named<QSpinBox>(settings, QStringLiteral("Largest message"));
        auto *connectTimeout = named<QSpinBox>(settings, QStringLiteral("connect timeout"));
        auto *closeTimeout = named<QSpinBox>(settings, QStringLiteral("close timeout"));
        QCheckBox *deflate = checkBox(settings, QStringLiteral("Offer permessage-deflate"));
        QCheckBox *noTakeover = checkBox(settings, QStringLiteral("client_no_context_takeover"));
        QVERIFY(cookies && pin && serverBits && clientBits && largest && connectTimeout
                && closeTimeout && deflate && noTakeover);
        const QUrl url(QStringLiteral("wss://example.com/"));
        QString error;
        auto options = settings.optionsFor(url, &error);
        QVERIFY(options);
        QVERIFY(!options->offerDeflate);
        QCOMPARE(options->connectTimeoutMs, session::ClientOptions{}.connectTimeoutMs);
        QVERIFY(options->pinnedSha256.isEmpty());
        QVERIFY(!serverBits->isEnabled()); // deflate's parameters only when it is offered

        cookies->setText(QStringLiteral("sid=abc; theme = dark"));
        deflate->setChecked(true);
        noTakeover->setChecked(true);
        serverBits->setValue(10);
        clientBits->setValue(9);
        largest->setValue(2);
        connectTimeout->setValue(0);
        closeTimeout->setValue(1500);
        const QString fingerprint = QStringLiteral("AB:") + QStringLiteral("cd").repeated(31);
        pin->setText(fingerprint);
        options = settings.optionsFor(url, &error);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->cookies.size(), 2);
        QCOMPARE(options->cookies[1].first, QByteArray("theme"));
        QCOMPARE(options->cookies[1].second, QByteArray("dark"));
        QVERIFY(options->offerDeflate);
        QCOMPARE(options->deflateOffer, (protocol::DeflateOffer{false, true, 10, true, 9}));
        QCOMPARE(options->maxMessageSize, std::uint64_t{2} << 20);
        QCOMPARE(options->connectTimeoutMs, 0);
        QCOMPARE(options->closeTimeoutMs, 1500);
        QCOMPARE(options->pinnedSha256.toHex(), ("ab" + QByteArray("cd").repeated(31)));

        // Into a profile and back: the same options; the cookies are a secret.
        const QVariantMap values = settings.values();
        QCOMPARE(ConnectionSettings::forSaving(values).value(QStringLiteral("cookies")).toString(),
                 QStringLiteral("[redacted]"));
        ConnectionSettings again;
        again.setValues(values);
        const auto same = again.optionsFor(url, &error);
        QVERIFY(same);
        QCOMPARE(same->deflateOffer, options->deflateOffer);
        QCOMPARE(same->cookies, options->cookies);
        QCOMPARE(same->closeTimeoutMs, 1500);
        QCOMPARE(same->pinnedSha256, options->pinnedSha256);

        cookies->setText(QStringLiteral("sid"));
        QVERIFY(!settings.optionsFor(url, &error));
        QVERIFY2(error.contains(QStringLiteral("not name=value")), qPrintable(error));
        cookies->clear();
        pin->setText(QStringLiteral("abcd"));
        QVERIFY(!settings.optionsFor(url, &error));
        QVERIFY2(error.contains(QStringLiteral("64 hex digits")), qPrintable(error));
    }

    // The built-in server with TLS: its fingerprint shown; a client accepting its self-signed
    // certificate gets an open padlock in a warning colour and the details; "Pin This
    // Certificate" pins it, and the next connection, verified by the pin alone, gets a closed
    // padlock.
    void tlsPadlockAndPin()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        auto *panel = window.findChild<ServerPanel *>();
        QVERIFY(panel);
        panel->setCertificateDirectory(m_settingsDir.filePath(QStringLiteral("certificate")));
        QCheckBox *tls = checkBox(window, QStringLiteral("TLS (wss://"));
        QCheckBox *acceptInvalid = checkBox(window, QStringLiteral("Accept an invalid"));
        auto *pin = named<QLineEdit>(window, QStringLiteral("Pinned certificate"));
        auto *padlock = named<QToolButton>(window, QStringLiteral("TLS details"));
        QVERIFY(tls && acceptInvalid && pin && padlock);
        tls->setChecked(true);
        QCOMPARE(panel->start(), QString());
        const QString fingerprint = panel->fingerprint();
        QCOMPARE(fingerprint.size(), 32 * 3 - 1);
        QVERIFY2(panel->statusText().contains(QStringLiteral("Certificate SHA-256 ") + fingerprint),
                 qPrintable(panel->statusText()));
        const QString url = manager.serverUrls().value(0);
        QVERIFY2(url.startsWith(QStringLiteral("wss://127.0.0.1:")), qPrintable(url));
        QVERIFY(!padlock->isVisible());

        acceptInvalid->setChecked(true);
        window.connectTo(url);
        QVERIFY(waitOpen(manager, window));
        QVERIFY(QTest::qWaitFor([&] { return padlock->isVisible(); }, 5000));
        QVERIFY2(padlock->toolTip().contains(QStringLiteral("NOT verified")),
                 qPrintable(padlock->toolTip()));
        padlock->click();
        auto *details = window.findChild<TlsDetailsDialog *>();
        QVERIFY(details && details->isVisible());
        QVERIFY2(details->text().contains(QStringLiteral("Verified: no")),
                 qPrintable(details->text()));
        QVERIFY2(details->text().contains(QStringLiteral("SHA-256: ") + fingerprint),
                 qPrintable(details->text()));
        QVERIFY(details->text().contains(QStringLiteral("Names: DNS:localhost")));
        QVERIFY(details->text().contains(QStringLiteral("Override: ")));
        QPushButton *pinButton = nullptr;
        for (QPushButton *button : details->findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("&Pin This Certificate"))
                pinButton = button;
        QVERIFY(pinButton);
        pinButton->click();
        QCOMPARE(pin->text(), fingerprint);

        window.disconnectSession();
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Closed; },
            10000));
        acceptInvalid->setChecked(false);
        window.connectTo(url);
        QVERIFY(waitOpen(manager, window));
        QVERIFY(QTest::qWaitFor(
            [&] { return padlock->toolTip().contains(QStringLiteral("certificate verified")); },
            5000));
        QVERIFY(details->isVisible()); // kept up to date
        QVERIFY2(details->text().contains(QStringLiteral("Pinned: matched")),
                 qPrintable(details->text()));
        // Trusted for the pin alone, not for its chain, and said so; nothing more to pin.
        QVERIFY2(details->text().contains(QStringLiteral("Verified: yes, by the pin alone")),
                 qPrintable(details->text()));
        QVERIFY(details->text().contains(QStringLiteral("Errors: ")));
        QCOMPARE(pinButton->text(), QStringLiteral("Pinned"));
        QVERIFY(!pinButton->isEnabled());
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            QCoreApplication::processEvents(); // the new rows shown
            QVERIFY(details->grab().save(dir + QStringLiteral("/tls-details.png")));
            QVERIFY(shoot(window, dir, QStringLiteral("tls")));
        }
        manager.stopServer(1000);
    }

    // A profile saved without "keep secrets" holds none on disk (the token in the URL, the
    // bearer token, a secret header); after a restart it is there, and opening it asks for them.
    // One saved with secrets kept connects at once and sends its headers.
    void profilesAcrossARestart()
    {
        session::SessionManager manager;
        session::LocalServerOptions options;
        options.behaviour.echoRequestHeaders = true; // what the profile's session sent, shown
        QVERIFY(manager.startServer(options).isEmpty());
        const QString serverUrl = manager.serverUrls().value(0);
        {
            MainWindow window(manager);
            auto *url = named<QLineEdit>(window, QStringLiteral("URL"));
            auto *headers = named<HeadersTable>(window, QStringLiteral("Extra headers"));
            auto *auth = named<QComboBox>(window, QStringLiteral("Authorization"));
            auto *secret = named<QLineEdit>(window, QStringLiteral("Password or token"));
            QCheckBox *keep = checkBox(window, QStringLiteral("Keep secrets"));
            QVERIFY(url && headers && auth && secret && keep);
            url->setText(QStringLiteral("wss://example.com/feed?access_token=url-secret&room=7"));
            headers->setPlainText(QStringLiteral("X-Api-Key: header-secret\nX-Tenant: blue"));
            auth->setCurrentIndex(2);
            secret->setText(QStringLiteral("bearer-secret"));
            QVERIFY(window.saveProfile(QStringLiteral("Staging feed")));
            QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("without its "
                                                                                  "secrets")),
                     qPrintable(window.statusBar()->currentMessage()));

            url->setText(serverUrl);
            headers->setPlainText(QStringLiteral("X-Api-Key: kept-key"));
            auth->setCurrentIndex(0);
            keep->setChecked(true);
            QVERIFY(window.saveProfile(QStringLiteral("Local")));
            QVERIFY(!window.saveProfile(QStringLiteral("   ")));
        }
        {
            QSettings settings;
            settings.sync();
            QFile file(settings.fileName());
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
            const QByteArray onDisk = file.readAll();
            QVERIFY(onDisk.contains("Staging feed"));
            for (const char *secret : {"url-secret", "header-secret", "bearer-secret"})
                QVERIFY2(!onDisk.contains(secret), secret);
            QVERIFY(onDisk.contains("kept-key")); // asked for
        }

        MainWindow again(manager); // a restart
        again.show();
        QCOMPARE(again.profileNames(),
                 (QStringList{QStringLiteral("Staging feed"), QStringLiteral("Local")}));
        auto *url = named<QLineEdit>(again, QStringLiteral("URL"));
        auto *headers = named<HeadersTable>(again, QStringLiteral("Extra headers"));
        auto *secret = named<QLineEdit>(again, QStringLiteral("Password or token"));
        QVERIFY(again.openProfile(QStringLiteral("Staging feed")));
        QCOMPARE(again.sessionId(), 0u); // not connected: secrets to fill in first
        QVERIFY2(again.statusBar()->currentMessage().contains(QStringLiteral("[redacted]")),
                 qPrintable(again.statusBar()->currentMessage()));
        QVERIFY(url->text().startsWith(QStringLiteral("wss://example.com/feed?access_token=")));
        QVERIFY(url->text().contains(QStringLiteral("room=7")));
        QCOMPARE(headers->toPlainText(), QStringLiteral("X-Api-Key: [redacted]\nX-Tenant: blue"));
        QCOMPARE(secret->text(), QStringLiteral("[redacted]"));
        QCOMPARE(again.sessionList()->entry(again.shownSession()).title(),
                 QStringLiteral("Staging feed"));

        QVERIFY(again.openProfile(QStringLiteral("Local")));
        QVERIFY(waitOpen(manager, again));
        QVERIFY(QTest::qWaitFor([&] { return again.logModel()->rowCount() >= 1; }, 10000));
        // Counted from the session's start, which is before its first frame.
        QVERIFY2(!cell(*again.logModel(), 0, FrameLogModel::Time).startsWith(QLatin1Char('-')),
                 qPrintable(cell(*again.logModel(), 0, FrameLogModel::Time)));
        const auto store = again.logModel()->store();
        std::vector<std::uint8_t> request;
        QVERIFY(store->payload(again.logModel()->frameAt(0), request));
        QVERIFY(
            QByteArray(reinterpret_cast<const char *>(request.data()), qsizetype(request.size()))
                .contains("\r\nX-Api-Key: "));

        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            again.sessionList()->setData(again.sessionList()->index(2),
                                         QStringLiteral("Staging (fill in the token)"));
            QVERIFY(shoot(again, dir, QStringLiteral("sessions")));
        }
        QVERIFY(!again.openProfile(QStringLiteral("Nope")));
        QVERIFY(again.deleteProfile(QStringLiteral("Staging feed")));
        QCOMPARE(again.profileNames(), QStringList{QStringLiteral("Local")});
        manager.stopServer(1000);
    }
};

QTEST_MAIN(tst_Sessions)
#include "tst_sessions.moc"
