// The main window driven as a user would: it starts the built-in server and connects to it;
// Send puts a text, JSON or binary message on the wire and the log shows it and its echo; a
// message that is not valid as its kind is refused in the status bar, not sent.

#include "windowdriver.h"

#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <capture/capturefile.h>
#include <detail/jsontree.h>
#include <handshake/handshakeview.h>
#include <lab/framelab.h>
#include <log/framelogmodel.h>
#include <log/framelogview.h>
#include <protocol/frameheader.h>
#include <script/scripteditor.h>
#include <script/scriptpanel.h>
#include <server/serverpanel.h>
#include <session/frontend/sessionmanager.h>
#include <sessions/sessionlist.h>
#include <sstream>
#include <stats/statisticsview.h>
#include <window/headerstable.h>
#include <window/mainwindow.h>
#include <window/theme.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

// A capture file of `store`'s frames and `events`, as the program writes one.
bool writeCaptureFile(const QString &path, const capture::SessionInfo &session,
                      const capture::FrameStore &store,
                      const std::vector<capture::CaptureEvent> &events = {})
{
    std::ostringstream out;
    capture::writeCapture(out, session, store, events);
    QFile file(path);
    return file.open(QIODevice::WriteOnly)
           && file.write(out.str().data(), qint64(out.str().size())) == qint64(out.str().size());
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_settingsDir;

private Q_SLOTS:
    // The settings go to a directory of the test's own, never the user's.
    // (A process started by afterARealRestart reads its parent's.)
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        const QString inherited = qEnvironmentVariable("FRAMESCOPE_TEST_SETTINGS");
        const QString dir = inherited.isEmpty() ? m_settingsDir.path() : inherited;
        QCoreApplication::setOrganizationName(QStringLiteral("FramescopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
    }

    // A setting changed, the process ends, a new process starts: the setting is there. The new
    // process is this test program again, running newProcessSeesTheSettings only.
    void afterARealRestart()
    {
        if (!qEnvironmentVariableIsEmpty("FRAMESCOPE_TEST_SETTINGS"))
            QSKIP("the parent's part");
        {
            session::SessionManager manager;
            MainWindow window(manager);
            window.setTheme(Theme::Dark);
            window.changeTextSize(3);
            window.saveProfile(QStringLiteral("Across processes"));
            window.close();
        }
        QProcess child;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("FRAMESCOPE_TEST_SETTINGS"), m_settingsDir.path());
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        child.setProcessEnvironment(environment);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("newProcessSeesTheSettings")});
        QVERIFY(child.waitForFinished(60000));
        const QByteArray output = child.readAll();
        QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0,
                 output.constData());
        QVERIFY2(output.contains("PASS   : tst_MainWindow::newProcessSeesTheSettings()"),
                 output.constData());
        // Back to the defaults for the tests that follow.
        session::SessionManager manager;
        MainWindow window(manager);
        window.setTheme(Theme::System);
        window.changeTextSize(0);
        window.deleteProfile(QStringLiteral("Across processes"));
        // Nor the layout of a window never shown.
        QSettings().remove(QStringLiteral("window"));
    }

    void newProcessSeesTheSettings()
    {
        if (qEnvironmentVariableIsEmpty("FRAMESCOPE_TEST_SETTINGS"))
            QSKIP("run by afterARealRestart in a process of its own");
        session::SessionManager manager;
        const int desktopSize = QApplication::font().pointSize();
        MainWindow window(manager);
        QCOMPARE(window.theme(), Theme::Dark);
        QVERIFY(isDarkPalette());
        QCOMPARE(window.textPointSize(), desktopSize + 3);
        QVERIFY(window.profileNames().contains(QStringLiteral("Across processes")));
    }

    // The theme, the text size, the URLs connected to and the layout are there again in a new
    // window (a restart).
    void settingsAreKept()
    {
        session::SessionManager manager;
        int pointSize = 0;
        {
            MainWindow window(manager);
            window.show();
            window.connectTo(QStringLiteral("ws://127.0.0.1:1/first"));
            window.connectTo(QStringLiteral("ws://127.0.0.1:1/second"));
            window.setTheme(Theme::Dark);
            QVERIFY(isDarkPalette());
            const int before = window.textPointSize();
            window.changeTextSize(2);
            pointSize = window.textPointSize();
            QCOMPARE(pointSize, before + 2);
            window.resize(1100, 760);
            window.close();
        }
        applyTheme(Theme::System); // as at a fresh start
        QVERIFY(!isDarkPalette());
        MainWindow again(manager);
        QCOMPARE(again.recentUrls(), (QStringList{QStringLiteral("ws://127.0.0.1:1/second"),
                                                  QStringLiteral("ws://127.0.0.1:1/first")}));
        QCOMPARE(again.theme(), Theme::Dark);
        QVERIFY(isDarkPalette());
        // The widgets take the palette as its change event reaches them.
        QVERIFY(QTest::qWaitFor(
            [&] { return again.palette().color(QPalette::Window).lightness() < 128; }, 5000));
        QCOMPARE(again.textPointSize(), pointSize);
        QCOMPARE(again.size(), QSize(1100, 760));
        // The URL field's list of them: picked, the URL is filled in.
        again.show();
        auto *url = named<QLineEdit>(again, QStringLiteral("URL"));
        QVERIFY(url);
        QAction *recent = actionOf(*url, QStringLiteral("Recent URLs"));
        QVERIFY(recent);
        recent->trigger();
        auto *menu = again.findChild<QMenu *>(QStringLiteral("recentUrls"));
        QVERIFY(menu);
        QVERIFY(QTest::qWaitFor([&] { return menu->isVisible(); }, 5000));
        QStringList listed;
        for (QAction *action : menu->actions())
            listed << action->text();
        QCOMPARE(listed, again.recentUrls());
        menu->actions().at(1)->trigger();
        menu->close();
        QCOMPARE(url->text(), QStringLiteral("ws://127.0.0.1:1/first"));
        again.setTheme(Theme::System);
        again.changeTextSize(0);
        QVERIFY(!isDarkPalette());
        again.resize(1280, 800);
        again.close();
    }

    // Each Alt+letter belongs to one control at a time: two that share one make Qt only move
    // the focus between them, so neither acts. Checked with each tab of every tab widget shown,
    // and with the server's side shown beside the log, after connecting.
    // F1's page: each shortcut's keys in one column, what they do in another, lined up.
    void theShortcutsPageLinesUp()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        QAction *help = nullptr;
        for (QAction *action : window.findChildren<QAction *>())
            if (action->shortcut() == QKeySequence(Qt::Key_F1))
                help = action;
        QVERIFY(help);
        help->trigger();
        QPlainTextEdit *page = nullptr;
        for (QWidget *top : QApplication::topLevelWidgets())
            if (auto *text = named<QPlainTextEdit>(*top, QStringLiteral("Keyboard shortcuts")))
                page = text;
        QVERIFY(page);
        const QStringList lines = page->toPlainText().split(QLatin1Char('\n'));
        QVERIFY(lines.size() > 10);
        // Where the description begins: after the keys and two spaces or more.
        const QRegularExpression keysThenWhat(QStringLiteral("^(\\S.*?\\S)  +(\\S)"));
        qsizetype column = -1;
        for (const QString &line : lines) {
            const QRegularExpressionMatch match = keysThenWhat.match(line);
            QVERIFY2(match.hasMatch(), qPrintable(line));
            if (column < 0)
                column = match.capturedStart(2);
            QVERIFY2(match.capturedStart(2) == column, qPrintable(line));
        }
        page->window()->close();
    }

    void everyAltKeyHasOneOwner()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.start());
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Open; },
            10000));
        QStringList clashes;
        QSet<QString> seen;
        const auto check = [&](const QString &state) {
            QCoreApplication::processEvents();
            const QMultiMap<QChar, QString> owners = altKeyOwners(window);
            for (const QChar key : owners.uniqueKeys()) {
                if (owners.count(key) > 1) {
                    QStringList names = owners.values(key);
                    names.sort();
                    const QString clash = QStringLiteral("Alt+%1: %2")
                                              .arg(key.toUpper())
                                              .arg(names.join(QStringLiteral(", ")));
                    if (!seen.contains(clash)) {
                        seen.insert(clash);
                        clashes << clash + QStringLiteral(" (") + state + QLatin1Char(')');
                    }
                }
            }
        };
        // Every pair of pages of the two tab widgets (the panel below the log and the one
        // beside it are shown together).
        QList<QTabWidget *> tabWidgets;
        for (QTabWidget *tabs : window.findChildren<QTabWidget *>())
            if (tabs->isVisible())
                tabWidgets << tabs;
        QCOMPARE(tabWidgets.size(), 2);
        QTabWidget *below = tabWidgets[0];
        QTabWidget *beside = tabWidgets[1];
        for (const bool serverSide : {false, true}) {
            window.setServerSideShown(serverSide);
            for (int i = 0; i < below->count(); ++i) {
                below->setCurrentIndex(i);
                for (int j = 0; j < beside->count(); ++j) {
                    beside->setCurrentIndex(j);
                    check(QStringLiteral("%1 and %2 tabs%3")
                              .arg(below->tabText(i).remove(QLatin1Char('&')),
                                   beside->tabText(j).remove(QLatin1Char('&')),
                                   serverSide ? QStringLiteral(", server side shown") : QString()));
                }
            }
        }
        QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));

        // And they act: the keys the help page lists switch the tabs they name.
        window.setServerSideShown(false);
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        for (const auto &[key, tabs, page] :
             {std::tuple{Qt::Key_Y, beside, QStringLiteral("Repla&y")},
              std::tuple{Qt::Key_K, beside, QStringLiteral("Handsha&ke")},
              std::tuple{Qt::Key_A, beside, QStringLiteral("Fr&ame")},
              std::tuple{Qt::Key_B, below, QStringLiteral("Frame La&b")},
              std::tuple{Qt::Key_R, below, QStringLiteral("Sc&ript")},
              std::tuple{Qt::Key_M, below, QStringLiteral("Co&mposer")}}) {
            QTest::keyClick(&window, key, Qt::AltModifier);
            QCOMPARE(tabs->tabText(tabs->currentIndex()), page);
        }
    }

    // A screen reader names every control the keyboard reaches, on every page of both tab
    // widgets: its accessible name, or what Qt makes of its text or its label.
    void everyControlHasAName()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStringList unnamed;
        for (QTabWidget *tabs : window.findChildren<QTabWidget *>()) {
            for (int i = 0; i < tabs->count(); ++i) {
                tabs->setCurrentIndex(i);
                QCoreApplication::processEvents();
                for (QWidget *widget : window.findChildren<QWidget *>()) {
                    if (!widget->isVisible() || widget->focusPolicy() == Qt::NoFocus
                        || widget->focusProxy() != nullptr)
                        continue;
                    QAccessibleInterface *accessible
                        = QAccessible::queryAccessibleInterface(widget);
                    const QString name
                        = accessible ? accessible->text(QAccessible::Name) : QString();
                    const QString entry = QStringLiteral("%1 (%2)").arg(
                        QString::fromLatin1(widget->metaObject()->className()),
                        widget->parentWidget()
                            ? QString::fromLatin1(widget->parentWidget()->metaObject()->className())
                            : QString());
                    if (name.trimmed().isEmpty() && !unnamed.contains(entry))
                        unnamed << entry;
                }
            }
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QLatin1Char('\n'))));
    }

    void roundTripWithTheBuiltInServer()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        // Keyboard shortcuts go to the active window (on a real X server too).
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.start());
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Open; },
            10000));
        auto *composer = named<QPlainTextEdit>(window, QStringLiteral("Message to send"));
        auto *kind = named<QComboBox>(window, QStringLiteral("Message kind"));
        QPushButton *send = nullptr;
        for (QPushButton *button : window.findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("&Send"))
                send = button;
        QVERIFY(composer && kind && send);
        QVERIFY(QTest::qWaitFor([&] { return send->isEnabled(); }, 10000)); // told it is open

        composer->setPlainText(QStringLiteral("héllo"));
        QTest::mouseClick(send, Qt::LeftButton);
        const FrameLogModel &model = *window.logModel();
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() >= 2; }, 10000));
        QCOMPARE(cell(model, 0, FrameLogModel::Direction), QStringLiteral("→ sent"));
        QCOMPARE(cell(model, 0, FrameLogModel::Opcode), QStringLiteral("TEXT"));
        QCOMPARE(cell(model, 0, FrameLogModel::Preview), QStringLiteral("héllo"));
        QCOMPARE(cell(model, 1, FrameLogModel::Direction), QStringLiteral("← received"));
        QCOMPARE(cell(model, 1, FrameLogModel::Preview), QStringLiteral("héllo"));

        // Binary as hex, by the keyboard: Ctrl+Return sends.
        kind->setCurrentIndex(2);
        composer->setPlainText(QStringLiteral("00 ff 7f"));
        composer->setFocus();
        QTest::keyClick(composer, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() >= 4; }, 10000));
        QCOMPARE(cell(model, 2, FrameLogModel::Opcode), QStringLiteral("BINARY"));
        QCOMPARE(cell(model, 2, FrameLogModel::Preview), QStringLiteral("00 ff 7f"));

        // What is not valid as its kind is said, and nothing goes.
        composer->setPlainText(QStringLiteral("0g"));
        QVERIFY(!window.sendComposed());
        QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Not hex")));
        kind->setCurrentIndex(1);
        composer->setPlainText(QStringLiteral("{\"a\": }"));
        QVERIFY(!window.sendComposed());
        QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Not JSON")));
        composer->setPlainText(QStringLiteral("{\"a\": [1, 2]}"));
        QVERIFY(window.sendComposed());
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() >= 6; }, 10000));
        QCOMPARE(cell(model, 4, FrameLogModel::Preview), QStringLiteral("{\"a\": [1, 2]}"));

        // The handshake as it went, with nothing for the Doctor to say.
        auto *handshake = window.findChild<HandshakeView *>();
        QVERIFY(handshake);
        QVERIFY2(handshake->text().startsWith(QStringLiteral("Upgraded: 101 Switching Protocols")),
                 qPrintable(handshake->text()));
        QVERIFY2(handshake->text().contains(QStringLiteral("Request:\nGET / HTTP/1.1\n")),
                 qPrintable(handshake->text()));

        // Selecting a frame explains it in the detail pane.
        auto *log = named<FrameLogView>(window, QStringLiteral("Frame log"));
        auto *detail = named<QPlainTextEdit>(window, QStringLiteral("Frame detail"));
        QVERIFY(log && detail);
        log->selectRow(0);
        QVERIFY2(detail->toPlainText().contains(QStringLiteral("opcode=0001 (0x1 TEXT)")),
                 qPrintable(detail->toPlainText()));
        QVERIFY(detail->toPlainText().contains(QStringLiteral("Mask key: ")));
        QVERIFY(detail->toPlainText().contains(QStringLiteral("Text:\nhéllo")));
        // A JSON message as a tree beside its text; none for a text that is not JSON.
        auto *json = window.findChild<JsonTree *>();
        QVERIFY(json && !json->isVisible());
        log->selectRow(4);
        QVERIFY(json->isVisible());
        QCOMPARE(json->tree()->item(0)->child(0, 2)->text(), QStringLiteral("array [2]"));
        log->selectRow(0);
        QVERIFY(!json->isVisible());

        // The filter bar: a text, then a direction, narrow the log; the count says how many.
        auto *filterText = named<QLineEdit>(window, QStringLiteral("Filter text"));
        auto *direction = named<QComboBox>(window, QStringLiteral("Filter direction"));
        auto *shown = named<QLabel>(window, QStringLiteral("Frames shown"));
        QVERIFY(filterText && direction && shown);
        QTest::keyClicks(filterText, QStringLiteral("\"A\""));
        QVERIFY(
            QTest::qWaitFor([&] { return model.rowCount() == 2 && !model.isFiltering(); }, 10000));
        QCOMPARE(cell(model, 0, FrameLogModel::Number), QStringLiteral("5"));
        QCOMPARE(shown->text(), QStringLiteral("2 of 6 frames"));
        direction->setCurrentIndex(2); // received
        QVERIFY(
            QTest::qWaitFor([&] { return model.rowCount() == 1 && !model.isFiltering(); }, 10000));
        QCOMPARE(cell(model, 0, FrameLogModel::Direction), QStringLiteral("← received"));
        // An expression that does not compile is said, and the log stays as it was.
        filterText->setText(QStringLiteral("(["));
        QCheckBox *regex = nullptr;
        for (QCheckBox *box : window.findChildren<QCheckBox *>())
            if (box->text() == QStringLiteral("Re&gex"))
                regex = box;
        QVERIFY(regex);
        regex->setChecked(true);
        QVERIFY(window.statusBar()->currentMessage().startsWith(
            QStringLiteral("Not a regular expression")));
        QCOMPARE(model.rowCount(), 1);
        // Marked where it was typed and beside it, as long as it stands.
        const QColor normalText = direction->palette().color(QPalette::Text);
        QVERIFY(filterText->palette().color(QPalette::Text) != normalText);
        QVERIFY(filterText->toolTip().startsWith(QStringLiteral("Not a regular expression")));
        QCOMPARE(shown->text(), QStringLiteral("Not a regular expression (not applied)"));
        filterText->setText(QStringLiteral("(A)"));
        QVERIFY(QTest::qWaitFor([&] { return shown->text() == QStringLiteral("1 of 6 frames"); },
                                10000));
        QCOMPARE(filterText->palette().color(QPalette::Text), normalText);
        QVERIFY(filterText->toolTip().isEmpty());
        filterText->clear();
        direction->setCurrentIndex(0);
        QVERIFY(
            QTest::qWaitFor([&] { return model.rowCount() == 6 && !model.isFiltered(); }, 10000));
        QCOMPARE(shown->text(), QStringLiteral("6 frames"));

        // Paused, the log holds its rows while frames come; resumed, it catches up.
        QPushButton *pause = nullptr;
        QPushButton *clear = nullptr;
        for (QPushButton *button : window.findChildren<QPushButton *>()) {
            if (button->text() == QStringLiteral("Pa&use"))
                pause = button;
            if (button->text() == QStringLiteral("Clear"))
                clear = button;
        }
        QVERIFY(pause && clear);
        pause->click();
        kind->setCurrentIndex(0);
        composer->setPlainText(QStringLiteral("while paused"));
        QVERIFY(window.sendComposed());
        const auto store = manager.store(window.sessionId());
        QVERIFY(QTest::qWaitFor([&] { return store->endId().value >= 8; }, 10000));
        QTest::qWait(50); // a tick or two: nothing may come meanwhile
        QCOMPARE(model.rowCount(), 6);
        pause->click();
        QCOMPARE(model.rowCount(), 8);

        // Rows copied as the log shows them.
        log->selectRow(6);
        QAction *copy = actionOf(*log, QStringLiteral("&Copy"));
        QVERIFY(copy);
        copy->trigger();
        QVERIFY2(QGuiApplication::clipboard()->text().startsWith(QStringLiteral("7\t")),
                 qPrintable(QGuiApplication::clipboard()->text()));
        QVERIFY(QGuiApplication::clipboard()->text().endsWith(QStringLiteral("\twhile paused")));
        // For a person to look at (FRAMESCOPE_SCREENSHOTS=DIR).
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            QVERIFY(shoot(window, dir, QStringLiteral("mainwindow")));
            QVERIFY(shootDark(window, dir, QStringLiteral("mainwindow-dark"), Theme::System));
        }

        QAction *copyHex = actionOf(*log, QStringLiteral("Copy Payload as &Hex"));
        QVERIFY(copyHex);
        copyHex->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(),
                 QStringLiteral("77 68 69 6c 65 20 70 61 75 73 65 64")); // "while paused"

        // The log follows the tail while it is at the end; scrolled up, it stays where it is.
        QScrollBar *scroll = log->verticalScrollBar();
        const auto sendMany = [&](int count) {
            const int before = model.rowCount();
            for (int i = 0; i < count; ++i) {
                composer->setPlainText(QStringLiteral("row %1").arg(i));
                if (!window.sendComposed())
                    return false;
            }
            return QTest::qWaitFor([&] { return model.rowCount() == before + 2 * count; }, 10000);
        };
        QVERIFY(sendMany(40));
        QVERIFY(scroll->maximum() > 0);
        QVERIFY(QTest::qWaitFor([&] { return scroll->value() == scroll->maximum(); }, 5000));
        scroll->setValue(3);
        QVERIFY(sendMany(5));
        QCoreApplication::processEvents();
        QCOMPARE(scroll->value(), 3);
        scroll->setValue(scroll->maximum());
        QVERIFY(sendMany(5));
        QVERIFY(QTest::qWaitFor([&] { return scroll->value() == scroll->maximum(); }, 5000));

        // Clear empties the log (not the capture); what comes after shows.
        const std::uint64_t stored = store->endId().value;
        clear->click();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(store->endId().value, stored);
        QVERIFY(sendMany(1));
        QCOMPARE(cell(model, 0, FrameLogModel::Preview), QStringLiteral("row 0"));

        // Disconnect closes with the closing handshake, seen in the log.
        window.disconnectSession();
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Closed; },
            10000));
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (int row = 0; row < model.rowCount(); ++row)
                    if (cell(model, row, FrameLogModel::Opcode) == QLatin1String("CLOSE")
                        && cell(model, row, FrameLogModel::Direction)
                               == QStringLiteral("← received"))
                        return true;
                return false;
            },
            10000));
        QVERIFY(!send->isEnabled());
        manager.stopServer(1000);
    }

    // Ping shows the round trip when the pong comes; Close sends the chosen code and reason, and
    // refuses a code a close frame may not carry.
    void pingAndCloseWithACode()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QPushButton *ping = nullptr;
        QPushButton *close = nullptr;
        for (QPushButton *button : window.findChildren<QPushButton *>()) {
            if (button->text() == QStringLiteral("&Ping"))
                ping = button;
            if (button->text() == QStringLiteral("C&lose"))
                close = button;
        }
        auto *code = named<QComboBox>(window, QStringLiteral("Close code"));
        auto *reason = named<QLineEdit>(window, QStringLiteral("Close reason"));
        QVERIFY(ping && close && code && reason);
        QVERIFY(QTest::qWaitFor([&] { return ping->isEnabled(); }, 10000));
        QTest::mouseClick(ping, Qt::LeftButton);
        const FrameLogModel &model = *window.logModel();
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() >= 2; }, 10000));
        QCOMPARE(cell(model, 0, FrameLogModel::Opcode), QStringLiteral("PING"));
        QCOMPARE(cell(model, 1, FrameLogModel::Opcode), QStringLiteral("PONG"));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return window.statusBar()->currentMessage().startsWith(
                    QStringLiteral("Pong after "));
            },
            10000));
        // The Statistics tab counts them and charts the round trip.
        auto *statistics = window.findChild<StatisticsView *>();
        QVERIFY(statistics);
        for (QTabWidget *tabs : window.findChildren<QTabWidget *>())
            if (tabs->indexOf(statistics) >= 0)
                tabs->setCurrentWidget(statistics);
        QCOMPARE(statistics->roundTripPoints(), 1);
        QVERIFY2(statistics->countsText().startsWith(
                     QStringLiteral("Sent: frames 1, data messages 0, control frames 1")),
                 qPrintable(statistics->countsText()));
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            QVERIFY(shoot(window, dir, QStringLiteral("statistics")));
            QVERIFY(shootDark(window, dir, QStringLiteral("statistics-dark"), Theme::System));
        }

        code->setEditText(QStringLiteral("1005"));
        QVERIFY(!window.closeWithChosenCode());
        QVERIFY2(window.statusBar()->currentMessage().startsWith(
                     QStringLiteral("1005 is not a code a close frame may carry")),
                 qPrintable(window.statusBar()->currentMessage()));
        code->setEditText(QStringLiteral("4000"));
        reason->setText(QString(124, QLatin1Char('x')));
        QVERIFY(!window.closeWithChosenCode());
        QCOMPARE(model.rowCount(), 2); // nothing went

        code->setCurrentIndex(code->findData(4000));
        reason->setText(QStringLiteral("done here"));
        QTest::mouseClick(close, Qt::LeftButton);
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Closed; },
            10000));
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() >= 4; }, 10000));
        QCOMPARE(cell(model, 2, FrameLogModel::Opcode), QStringLiteral("CLOSE"));
        QCOMPARE(cell(model, 2, FrameLogModel::Direction), QStringLiteral("→ sent"));
        QCOMPARE(cell(model, 2, FrameLogModel::Preview), QStringLiteral("4000 done here"));
        QCOMPARE(cell(model, 3, FrameLogModel::Direction), QStringLiteral("← received"));
        QCOMPARE(cell(model, 3, FrameLogModel::Preview), QStringLiteral("4000")); // the code echoed
        QVERIFY(!close->isEnabled());
        manager.stopServer(1000);
    }

    // A frame from the frame lab with RSV2 set: on the wire as edited, and the built-in server
    // fails the connection with 1002 (RFC 6455 §5.2).
    void aBrokenFrameFromTheLab()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        auto *lab = window.findChild<FrameLab *>();
        QVERIFY(lab);
        QPushButton *send = nullptr;
        for (QPushButton *button : lab->findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("&Send Frame"))
                send = button;
        QCheckBox *rsv2 = nullptr;
        for (QCheckBox *box : lab->findChildren<QCheckBox *>())
            if (box->text() == QStringLiteral("RSV2"))
                rsv2 = box;
        QVERIFY(send && rsv2);
        QVERIFY(QTest::qWaitFor([&] { return send->isEnabled(); }, 10000));
        rsv2->setChecked(true);
        send->click();
        const FrameLogModel &model = *window.logModel();
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Closed; },
            10000));
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() >= 2; }, 10000));
        QCOMPARE(cell(model, 0, FrameLogModel::Flags), QStringLiteral("FIN RSV=010 MASK"));
        QCOMPARE(cell(model, 0, FrameLogModel::Preview), QStringLiteral("Hello"));
        QCOMPARE(cell(model, 1, FrameLogModel::Opcode), QStringLiteral("CLOSE"));
        QVERIFY2(cell(model, 1, FrameLogModel::Preview).startsWith(QStringLiteral("1002")),
                 qPrintable(cell(model, 1, FrameLogModel::Preview)));
        // The server's side: the broken frame received as sent, with its violation, and the
        // server's 1002 that failed the connection.
        window.setServerSideShown(true);
        const FrameLogModel &server = *window.serverLogModel();
        QVERIFY(QTest::qWaitFor([&] { return server.rowCount() >= 2; }, 10000));
        int broken = -1;
        int serverClose = -1;
        for (int row = 0; row < server.rowCount(); ++row) {
            if (cell(server, row, FrameLogModel::Flags) == QStringLiteral("FIN RSV=010 MASK"))
                broken = row;
            if (cell(server, row, FrameLogModel::Opcode) == QStringLiteral("CLOSE")
                && cell(server, row, FrameLogModel::Direction) == QStringLiteral("→ sent"))
                serverClose = row;
        }
        QVERIFY2(broken >= 0 && serverClose > broken,
                 qPrintable(QStringLiteral("%1 %2").arg(broken).arg(serverClose)));
        QCOMPARE(cell(server, broken, FrameLogModel::Direction), QStringLiteral("← received"));
        QVERIFY(server.data(server.index(broken, FrameLogModel::Flags), Qt::ForegroundRole)
                    .isValid()); // shown as a violation
        QVERIFY(
            cell(server, serverClose, FrameLogModel::Preview).startsWith(QStringLiteral("1002")));
        window.setServerSideShown(false);
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            for (QTabWidget *tabs : window.findChildren<QTabWidget *>())
                if (tabs->indexOf(lab) >= 0)
                    tabs->setCurrentWidget(lab);
            QVERIFY(shoot(window, dir, QStringLiteral("framelab")));
        }
        manager.stopServer(1000);
    }

    // A server's capture (framescope-cli serve --capture) holds several connections: each frame
    // says which in a Connection column (a copy of the rows too), and the Handshake tab shows
    // each connection's request and answer. A session of one connection has no such column.
    void aServerCaptureShowsItsConnections()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("server.jsonl"));
        {
            capture::FrameStore store;
            std::vector<capture::CaptureEvent> events;
            std::int64_t time = 1'000'000;
            for (const std::uint32_t connection : {1u, 2u}) {
                const std::string peer = "127.0.0.1:500" + std::to_string(connection);
                const std::string target = connection == 1 ? "/a" : "/b";
                capture::CaptureEvent request;
                request.kind = capture::EventKind::HandshakeRequest;
                request.connection = connection;
                request.timeNs = time++;
                request.reason = peer;
                request.detail = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                capture::CaptureEvent response = request;
                response.kind = capture::EventKind::HandshakeResponse;
                response.timeNs = time++;
                response.reason.clear();
                response.code = 101;
                response.detail = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
                events.push_back(request);
                events.push_back(response);
                for (const bool sent : {false, true}) {
                    protocol::FrameHeader header;
                    header.opcode = 0x1;
                    header.payloadLength = target.size();
                    capture::FrameRecord record;
                    record.setHeader(
                        header, 2, sent ? capture::Direction::Sent : capture::Direction::Received);
                    record.connection = connection;
                    record.startNs = record.endNs = time++;
                    store.append(record, {reinterpret_cast<const std::uint8_t *>(target.data()),
                                          target.size()});
                }
            }
            capture::SessionInfo session;
            session.url = "ws://127.0.0.1:9/";
            session.tool = "framescope 0.1.0 serve";
            QVERIFY(writeCaptureFile(path, session, store, events));
        }
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.openCapture(path));
        const FrameLogModel &model = *window.logModel();
        auto *log = named<FrameLogView>(window, QStringLiteral("Frame log"));
        QVERIFY(log);
        QCOMPARE(model.rowCount(), 4);
        QVERIFY(!log->header()->isSectionHidden(FrameLogModel::Connection));
        QStringList connections;
        for (int row = 0; row < 4; ++row)
            connections << cell(model, row, FrameLogModel::Connection);
        QCOMPARE(connections, (QStringList{QStringLiteral("1"), QStringLiteral("1"),
                                           QStringLiteral("2"), QStringLiteral("2")}));
        QCOMPARE(model.rowsAsText({2}).split(QLatin1Char('\t')).value(1), QStringLiteral("2"));
        QCOMPARE(cell(model, 2, FrameLogModel::Preview), QStringLiteral("/b"));
        auto *handshake = window.findChild<HandshakeView *>();
        QVERIFY(handshake);
        for (const QString &said :
             {QStringLiteral("Connection 1 from 127.0.0.1:5001, request:\nGET /a HTTP/1.1"),
              QStringLiteral("Connection 2 from 127.0.0.1:5002, request:\nGET /b HTTP/1.1"),
              QStringLiteral("Connection 2, answered:\nHTTP/1.1 101 Switching Protocols")})
            QVERIFY2(handshake->text().contains(said), qPrintable(handshake->text()));

        // Another session (one connection): no column, and copies without it; back: there.
        window.newSession();
        QVERIFY(log->header()->isSectionHidden(FrameLogModel::Connection));
        QVERIFY(!model.connectionsShown());
        window.showSession(0);
        QVERIFY(!log->header()->isSectionHidden(FrameLogModel::Connection));
        QCOMPARE(model.rowCount(), 4);
    }

    // Hostile payloads, opened from a capture: a 100 MiB message, binary with NULs, invalid UTF-8,
    // ANSI escapes, right-to-left overrides and 100,000 combining marks are shown escaped or as
    // hex, previews capped, the payload paged; the window keeps answering meanwhile.
    void hostileContentStaysHarmless()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("hostile.jsonl"));
        {
            capture::FrameStore store(capture::FrameStore::Limits{std::size_t{512} << 20});
            auto add = [&](std::uint8_t opcode, const QByteArray &payload, std::int64_t time) {
                protocol::FrameHeader header;
                header.opcode = opcode;
                header.payloadLength = std::uint64_t(payload.size());
                capture::FrameRecord record;
                record.setHeader(header, 2, capture::Direction::Received);
                record.startNs = record.endNs = time;
                store.append(record, {reinterpret_cast<const std::uint8_t *>(payload.constData()),
                                      std::size_t(payload.size())});
            };
            add(0x1, QByteArray(100 << 20, 'x'), 1);
            add(0x2, QByteArray("\0\0\x01\0", 4), 2);
            add(0x1, QByteArray("bad \xc3\x28 utf8"), 3);
            add(0x1, QByteArray("\x1b[2J\x1b[31mred\x07"), 4);
            add(0x1, QStringLiteral("abc\u202Eevil\u202Cdef").toUtf8(), 5);
            QString marks = QStringLiteral("e");
            for (int i = 0; i < 100'000; ++i)
                marks += QChar(0x0301);
            add(0x1, marks.toUtf8(), 6);
            QVERIFY(writeCaptureFile(path, {}, store));
        }
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.openCapture(path));
        const FrameLogModel &model = *window.logModel();
        QCOMPARE(model.rowCount(), 6);
        for (int row = 0; row < 6; ++row) {
            const QString preview = cell(model, row, FrameLogModel::Preview);
            QVERIFY2(preview.size() <= 400, qPrintable(QString::number(preview.size())));
            for (const QChar c : preview)
                QVERIFY2(
                    c.unicode() >= 0x20 && c.unicode() != 0x7f && c != QChar(0x202E)
                        && c != QChar(0x202C),
                    qPrintable(QStringLiteral("row %1: U+%2").arg(row).arg(c.unicode(), 4, 16)));
        }
        QCOMPARE(cell(model, 1, FrameLogModel::Preview), QStringLiteral("00 00 01 00"));
        QVERIFY(cell(model, 3, FrameLogModel::Preview).startsWith(QStringLiteral("\\x1b[2J")));

        auto *log = named<FrameLogView>(window, QStringLiteral("Frame log"));
        auto *detail = named<QPlainTextEdit>(window, QStringLiteral("Frame detail"));
        QVERIFY(log && detail);
        for (int row = 0; row < 6; ++row) {
            log->selectRow(row);
            // The window answers: a timer queued now fires soon after.
            bool answered = false;
            QTimer::singleShot(0, &window, [&] { answered = true; });
            QVERIFY(QTest::qWaitFor([&] { return answered; }, 5000));
            const QString text = detail->toPlainText();
            QVERIFY2(text.size() < 2'000'000, qPrintable(QString::number(text.size())));
            QVERIFY(!text.contains(QChar(0x202E)) && !text.contains(QChar(0x1b)));
        }
        // The 100 MiB payload a page at a time.
        log->selectRow(0);
        QVERIFY2(detail->toPlainText().contains(QStringLiteral("first 65536 of 104857600 bytes")),
                 qPrintable(detail->toPlainText().left(600)));
        auto *next = named<QPushButton>(window, QStringLiteral("Next payload page"));
        auto *previous = named<QPushButton>(window, QStringLiteral("Previous payload page"));
        QVERIFY(next && previous && next->isVisible() && !previous->isEnabled());
        next->click();
        QVERIFY2(
            detail->toPlainText().contains(QStringLiteral("bytes 65537 to 131072 of 104857600")),
            qPrintable(detail->toPlainText().left(600)));
        QVERIFY(detail->toPlainText().contains(QStringLiteral("\n00010000  78 78")));
        QVERIFY(previous->isEnabled());
        // The hex dump is as wide as the pane lets it be, every line whole: fewer bytes a line
        // in a narrower window, made again when the window changes.
        const auto bytesPerDumpLine = [&] {
            static const QRegularExpression dumpLine(QStringLiteral("^[0-9a-f]{8}  "));
            const QFontMetrics metrics(detail->font());
            const int room
                = detail->viewport()->width() - 2 * int(detail->document()->documentMargin());
            QList<qulonglong> offsets;
            for (const QString &line : detail->toPlainText().split(QLatin1Char('\n'))) {
                if (!dumpLine.match(line).hasMatch())
                    continue;
                if (metrics.horizontalAdvance(line) > room)
                    return -1; // cut at the pane's edge, or wrapped
                offsets << line.left(8).toULongLong(nullptr, 16);
            }
            return offsets.size() < 2 ? 0 : int(offsets[1] - offsets[0]);
        };
        window.resize(1920, 1080);
        QVERIFY(QTest::qWaitFor([&] { return bytesPerDumpLine() == 16; }, 5000));
        window.resize(900, 700);
        QVERIFY(QTest::qWaitFor([&] { return bytesPerDumpLine() > 0; }, 5000));
        QVERIFY2(bytesPerDumpLine() < 16, qPrintable(QString::number(detail->viewport()->width())));
        log->selectRow(1); // a small payload: no pages
        QVERIFY(!next->isVisible());
    }

    // The Connection tab's headers, subprotocols and credentials go out with the upgrade (the
    // built-in server echoes the request head, credentials redacted); a header line that is not
    // "Name: value" is said and nothing connects.
    void connectionSettingsGoOut()
    {
        session::SessionManager manager;
        session::LocalServerOptions serverOptions;
        serverOptions.behaviour.echoRequestHeaders = true;
        QCOMPARE(manager.startServer(serverOptions), QString());
        MainWindow window(manager);
        window.show();
        auto *headers = named<HeadersTable>(window, QStringLiteral("Extra headers"));
        auto *subprotocols = named<QLineEdit>(window, QStringLiteral("Subprotocols"));
        auto *auth = named<QComboBox>(window, QStringLiteral("Authorization"));
        auto *secret = named<QLineEdit>(window, QStringLiteral("Password or token"));
        QVERIFY(headers && subprotocols && auth && secret);
        headers->setPlainText(QStringLiteral("X-Trace: abc-123\n\nX-Tenant:  blue "));
        subprotocols->setText(QStringLiteral("json, chat.v2"));
        auth->setCurrentIndex(2); // bearer
        secret->setText(QStringLiteral("hush-token"));
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            for (QTabWidget *tabs : window.findChildren<QTabWidget *>())
                for (int i = 0; i < tabs->count(); ++i)
                    if (tabs->tabText(i) == QStringLiteral("Co&nnection"))
                        tabs->setCurrentIndex(i);
            QVERIFY(shoot(window, dir, QStringLiteral("connection")));
        }
        window.connectTo(manager.serverUrls().value(0));
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Open; },
            10000));
        const FrameLogModel &model = *window.logModel();
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() >= 1; }, 10000));
        std::vector<std::uint8_t> bytes;
        QVERIFY(model.store()->payload(model.frameAt(0), bytes));
        const QByteArray head(reinterpret_cast<const char *>(bytes.data()),
                              qsizetype(bytes.size()));
        QVERIFY2(head.contains("\r\nX-Trace: abc-123\r\n"), head.constData());
        QVERIFY2(head.contains("\r\nX-Tenant: blue\r\n"), head.constData());
        QVERIFY2(head.contains("\r\nSec-WebSocket-Protocol: json, chat.v2\r\n"), head.constData());
        QVERIFY2(head.contains("\r\nAuthorization: [redacted]\r\n"), head.constData());
        QVERIFY(!head.contains("hush-token"));

        // A row whose name is no header name, or whose value holds a line break: said, and
        // nothing connects.
        for (const auto &[name, value, said] :
             {std::tuple{
                  QStringLiteral("X Trace"), QStringLiteral("abc"),
                  QStringLiteral("Not connecting: Header 1: \"X Trace\" is not a header name")},
              std::tuple{
                  QStringLiteral("X-Trace"), QStringLiteral("a\nX-Injected: b"),
                  QStringLiteral("Not connecting: Header 1: header \"X-Trace\": the value may "
                                 "not contain line breaks")}}) {
            headers->setPlainText({});
            headers->setItem(0, 0, new QTableWidgetItem(name));
            headers->setItem(0, 1, new QTableWidgetItem(value));
            QCOMPARE(headers->rowCount(), 2); // an empty row for the next one
            window.connectTo(manager.serverUrls().value(0));
            QVERIFY2(window.statusBar()->currentMessage().startsWith(said),
                     qPrintable(window.statusBar()->currentMessage()));
            QCOMPARE(window.sessionId(), 0u);
        }
        manager.stopServer(1000);
    }

    // The built-in server's side beside the client's log: a frame selected on the client's side
    // is selected on the server's (the client's masked frame as the server received it, the
    // echo as the server sent it); the Server tab shows it running and its connection.
    void theServerSideLinesUp()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QTabWidget *detailTabs = tabsStartingWith(window, QStringLiteral("Fr&ame"));
        QVERIFY(detailTabs);
        window.resize(1920, 1080); // wide enough for the two logs side by side
        QVERIFY(QTest::qWaitFor([&] { return window.width() == 1920; }, 5000));
        QCoreApplication::processEvents();
        const int detailWidth = detailTabs->width();
        window.setServerSideShown(true);
        QCoreApplication::processEvents();
        QVERIFY2(detailTabs->width() < detailWidth, qPrintable(QString::number(detailWidth)));
        auto *composer = named<QPlainTextEdit>(window, QStringLiteral("Message to send"));
        QPushButton *send = nullptr;
        for (QPushButton *button : window.findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("&Send"))
                send = button;
        QVERIFY(composer && send);
        QVERIFY(QTest::qWaitFor([&] { return send->isEnabled(); }, 10000));
        for (const QString &text : {QStringLiteral("one"), QStringLiteral("two")}) {
            composer->setPlainText(text);
            QVERIFY(window.sendComposed());
        }
        const FrameLogModel &client = *window.logModel();
        const FrameLogModel &server = *window.serverLogModel();
        QVERIFY(QTest::qWaitFor([&] { return client.rowCount() >= 4 && server.rowCount() >= 4; },
                                10000));
        auto *clientLog = named<FrameLogView>(window, QStringLiteral("Frame log"));
        auto *serverLog = named<FrameLogView>(window, QStringLiteral("Server's frame log"));
        QVERIFY(clientLog && serverLog && serverLog->isVisible());
        for (int row = 0; row < 4; ++row) {
            clientLog->selectRow(row);
            const QModelIndex lined = serverLog->currentIndex();
            QVERIFY2(lined.isValid(), qPrintable(QString::number(row)));
            const bool clientSent
                = cell(client, row, FrameLogModel::Direction).contains(QLatin1String("sent"));
            QCOMPARE(cell(server, lined.row(), FrameLogModel::Direction),
                     clientSent ? QStringLiteral("← received") : QStringLiteral("→ sent"));
            QCOMPARE(cell(server, lined.row(), FrameLogModel::Preview),
                     cell(client, row, FrameLogModel::Preview));
            QCOMPARE(cell(server, lined.row(), FrameLogModel::Flags),
                     cell(client, row, FrameLogModel::Flags));
        }
        auto *panel = window.findChild<ServerPanel *>();
        QVERIFY(panel);
        QVERIFY2(panel->statusText().startsWith(QStringLiteral("Running on ws://127.0.0.1:")),
                 qPrintable(panel->statusText()));
        QVERIFY(QTest::qWaitFor([&] { return panel->connectionRows() == 1; }, 10000));
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            clientLog->selectRow(0);
            for (QTabWidget *tabs : window.findChildren<QTabWidget *>())
                for (int tab = 0; tab < tabs->count(); ++tab)
                    if (tabs->widget(tab)->isAncestorOf(panel))
                        tabs->setCurrentIndex(tab);
            QVERIFY(shoot(window, dir, QStringLiteral("server-side")));
            clientLog->selectRow(2); // a received frame: its hex dump as wide as the pane allows
            QVERIFY(shootDark(window, dir, QStringLiteral("server-side-dark"), Theme::System));
        }
        // Hidden again: the detail pane has its width back.
        window.setServerSideShown(false);
        QCoreApplication::processEvents();
        QCOMPARE(detailTabs->width(), detailWidth);
        // Shown again with a frame selected: that frame is lined up at once, not only once
        // another is selected.
        clientLog->selectRow(1); // the server's side last showed row 3's counterpart
        window.setServerSideShown(true);
        const bool sentByClient
            = cell(client, 1, FrameLogModel::Direction).contains(QLatin1String("sent"));
        const auto linedUp = [&] {
            const QModelIndex current = serverLog->currentIndex();
            return current.isValid()
                   && cell(server, current.row(), FrameLogModel::Direction)
                          == (sentByClient ? QStringLiteral("← received")
                                           : QStringLiteral("→ sent"))
                   && cell(server, current.row(), FrameLogModel::Preview)
                          == cell(client, 1, FrameLogModel::Preview);
        };
        QVERIFY(QTest::qWaitFor(linedUp, 5000));
        window.setServerSideShown(false);
        panel->stop();
        QCOMPARE(panel->statusText(), QStringLiteral("Stopped"));
    }

    // The server's side shows the connection of the session shown (found by the session's end
    // of the TCP connection, which the Handshake tab names): another session's frames, earlier
    // or later, are not in it, and none is timed before the session's start. A session not
    // connected to the built-in server: all its connections, said so above them.
    void theServerSideShowsTheShownSessionsConnection()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        window.setServerSideShown(true);
        auto *composer = named<QPlainTextEdit>(window, QStringLiteral("Message to send"));
        auto *title = named<QLabel>(window, QStringLiteral("Server's log title"));
        auto *handshake = window.findChild<HandshakeView *>();
        QPushButton *send = nullptr;
        for (QPushButton *button : window.findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("&Send"))
                send = button;
        QVERIFY(composer && title && handshake && send);
        const FrameLogModel &client = *window.logModel();
        const FrameLogModel &server = *window.serverLogModel();
        const auto echo = [&](const QString &text) {
            if (!QTest::qWaitFor([&] { return send->isEnabled(); }, 10000)) // told it is open
                return false;
            composer->setPlainText(text);
            return window.sendComposed()
                   && QTest::qWaitFor([&] { return client.rowCount() == 2; }, 10000);
        };
        const auto serverShows = [&](const QString &text) {
            return QTest::qWaitFor(
                [&] {
                    if (server.rowCount() != 2)
                        return false;
                    for (int row = 0; row < 2; ++row)
                        if (cell(server, row, FrameLogModel::Preview) != text
                            || cell(server, row, FrameLogModel::Time).startsWith(QLatin1Char('-')))
                            return false;
                    return true;
                },
                10000);
        };
        QVERIFY(echo(QStringLiteral("first")));
        QVERIFY2(serverShows(QStringLiteral("first")), qPrintable(title->text()));
        QVERIFY2(title->text().contains(QStringLiteral("of connection 1 (from 127.0.0.1:")),
                 qPrintable(title->text()));
        // The long title wraps: the window still fits a 1280-pixel screen.
        // (On Xvfb's fonts it made the window 1550 pixels wide at least: it takes the room a
        // narrow log has.)
        QVERIFY2(title->minimumSizeHint().width() <= 400,
                 qPrintable(QString::number(title->minimumSizeHint().width())));
        QVERIFY2(handshake->text().contains(QStringLiteral("TCP: from 127.0.0.1:")),
                 qPrintable(handshake->text()));

        // A new session, not connected yet: all the server's connections.
        QTest::qWait(200); // (the second session starts well after the server's first frame)
        const QString url = manager.serverUrls().value(0);
        QCOMPARE(window.duplicateSession(), 1);
        QVERIFY(QTest::qWaitFor([&] { return server.rowCount() == 2; }, 10000));
        QVERIFY2(title->text().contains(QStringLiteral("all its connections")),
                 qPrintable(title->text()));
        auto *serverLog = named<FrameLogView>(window, QStringLiteral("Server's frame log"));
        QVERIFY(serverLog);
        QVERIFY(!serverLog->header()->isSectionHidden(FrameLogModel::Connection)); // which is which
        // As wide as its header ("Conn."), as the client's log has it.
        QVERIFY2(serverLog->header()->sectionSize(FrameLogModel::Connection)
                     >= serverLog->fontMetrics().horizontalAdvance(QStringLiteral("Conn.")),
                 qPrintable(
                     QString::number(serverLog->header()->sectionSize(FrameLogModel::Connection))));
        // Connected: its own connection only, the first one's frames gone from the server's log.
        window.connectTo(url);
        QVERIFY(echo(QStringLiteral("second")));
        QVERIFY2(serverShows(QStringLiteral("second")),
                 qPrintable(cell(server, 0, FrameLogModel::Preview)));
        QVERIFY2(title->text().contains(QStringLiteral("of connection 2 (from 127.0.0.1:")),
                 qPrintable(title->text()));
        // Timed from this session's start, as the client's log: a frame at about the same time
        // on both sides.
        const double clientMs = cell(client, 0, FrameLogModel::Time).toDouble();
        const double serverMs = cell(server, 0, FrameLogModel::Time).toDouble();
        QVERIFY2(std::abs(clientMs - serverMs) < 100,
                 qPrintable(QStringLiteral("%1 and %2 ms").arg(clientMs).arg(serverMs)));
        QVERIFY(serverLog->header()->isSectionHidden(FrameLogModel::Connection)); // one only
        // Back to the first session: its connection again.
        window.showSession(0);
        QVERIFY2(serverShows(QStringLiteral("first")),
                 qPrintable(cell(server, 0, FrameLogModel::Preview)));
    }

    // The Connection and Server tabs hold more than the composer: shown on a tall window, the
    // bottom panel grows to hold them without a scroll bar (the long connection form: up to
    // half the height); on a short one the logs keep at least half the height; back on the
    // composer, the panel has its height again. A height the user chose by dragging stays.
    void theBottomPanelGrowsForTallerTabs()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QTabWidget *bottom = tabsStartingWith(window, QStringLiteral("Co&mposer"));
        QSplitter *splitter = nullptr;
        for (QSplitter *candidate : window.findChildren<QSplitter *>())
            if (candidate->orientation() == Qt::Vertical && candidate->indexOf(bottom) == 1)
                splitter = candidate;
        QVERIFY(bottom && splitter);
        const auto tabNamed = [&](const QString &name) {
            for (int tab = 0; tab < bottom->count(); ++tab)
                if (bottom->tabText(tab) == name)
                    return tab;
            return -1;
        };
        for (const QSize size : {QSize(1920, 1080), QSize(1280, 800)}) {
            window.resize(size);
            QVERIFY(QTest::qWaitFor([&] { return window.size() == size; }, 5000));
            bottom->setCurrentIndex(0);
            QCoreApplication::processEvents();
            const int composerHeight = splitter->sizes().value(1);
            for (const QString &name : {QStringLiteral("Co&nnection"), QStringLiteral("S&erver")}) {
                bottom->setCurrentIndex(tabNamed(name));
                QCoreApplication::processEvents();
                auto *scroll = qobject_cast<QScrollArea *>(bottom->currentWidget());
                QVERIFY(scroll);
                const QList<int> sizes = splitter->sizes();
                QVERIFY2(sizes.value(0) >= sizes.value(1),
                         qPrintable(QStringLiteral("%1 at %2: %3 above, %4 below")
                                        .arg(name)
                                        .arg(size.height())
                                        .arg(sizes.value(0))
                                        .arg(sizes.value(1))));
                // Whole, or (the long connection form) as tall as the logs.
                const int total = sizes.value(0) + sizes.value(1);
                if (size.height() >= 1080)
                    QVERIFY2(scroll->verticalScrollBar()->maximum() == 0
                                 || sizes.value(1) >= total / 2 - 1,
                             qPrintable(QStringLiteral("%1: %2 px to scroll, panel %3 px")
                                            .arg(name)
                                            .arg(scroll->verticalScrollBar()->maximum())
                                            .arg(sizes.value(1))));
                else
                    QVERIFY(sizes.value(1) > composerHeight);
            }
            bottom->setCurrentIndex(0);
            QCoreApplication::processEvents();
            QCOMPARE(splitter->sizes().value(1), composerHeight);
        }
        // Dragged while grown: the height chosen stays when the composer is shown again.
        bottom->setCurrentIndex(tabNamed(QStringLiteral("S&erver")));
        QCoreApplication::processEvents();
        const int total = splitter->sizes().value(0) + splitter->sizes().value(1);
        splitter->setSizes({total - 300, 300});
        QMetaObject::invokeMethod(splitter, "splitterMoved", Q_ARG(int, total - 300),
                                  Q_ARG(int, 1));
        bottom->setCurrentIndex(0);
        QCoreApplication::processEvents();
        const int kept = splitter->sizes().value(1); // within the composer's own limits
        QVERIFY2(qAbs(kept - 300) <= 10, qPrintable(QString::number(kept)));
    }

    // A session saved to a capture file and opened again shows the same frames, with the
    // handshake the file holds; a file that is not a capture is said in the status bar, and one
    // cut short (a crash while recording) shows what it holds.
    void savesAndReopensACapture()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("session.jsonl"));
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Open; },
            10000));
        auto *composer = named<QPlainTextEdit>(window, QStringLiteral("Message to send"));
        QVERIFY(composer);
        QPushButton *send = nullptr;
        for (QPushButton *button : window.findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("&Send"))
                send = button;
        QVERIFY(send);
        QVERIFY(QTest::qWaitFor([&] { return send->isEnabled(); }, 10000)); // told it is open
        for (const QString &text : {QStringLiteral("first"), QStringLiteral("second ✓")}) {
            composer->setPlainText(text);
            QVERIFY(window.sendComposed());
        }
        const FrameLogModel &model = *window.logModel();
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() == 4; }, 10000));
        QVERIFY(window.saveCapture(path));
        QVERIFY2(window.statusBar()->currentMessage()
                     == QStringLiteral("Saved 4 frame(s) to session.jsonl"),
                 qPrintable(window.statusBar()->currentMessage()));

        // The rows as text: a header, then a line a row, as the log shows them.
        const QString exported = dir.filePath(QStringLiteral("frames.tsv"));
        QVERIFY(window.exportShownRows(exported));
        QFile text(exported);
        QVERIFY(text.open(QIODevice::ReadOnly));
        const QStringList lines
            = QString::fromUtf8(text.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QVERIFY(lines[0].startsWith(QStringLiteral("No.\tTime (ms)\tDirection")));
        QCOMPARE(lines[4], model.rowsAsText({3}));
        QVERIFY(lines[4].endsWith(QStringLiteral("second ✓")));
        QVERIFY(!window.exportShownRows(dir.filePath(QStringLiteral("no/such/dir/x.tsv"))));

        QVERIFY(window.openCapture(path));
        QCOMPARE(window.sessionId(), 0u); // shown in a sidebar entry of its own
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(cell(model, 0, FrameLogModel::Direction), QStringLiteral("→ sent"));
        QCOMPARE(cell(model, 0, FrameLogModel::Preview), QStringLiteral("first"));
        QCOMPARE(cell(model, 3, FrameLogModel::Preview), QStringLiteral("second ✓"));
        QCOMPARE(cell(model, 0, FrameLogModel::Flags), QStringLiteral("FIN RSV=000 MASK"));
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("session.jsonl")));
        auto *handshake = window.findChild<HandshakeView *>();
        QVERIFY(handshake);
        QVERIFY2(handshake->text().startsWith(QStringLiteral("From a capture of ws://127.0.0.1:")),
                 qPrintable(handshake->text()));
        QVERIFY(handshake->text().contains(QStringLiteral("Request:\nGET / HTTP/1.1")));
        // Saved again from the opened capture: the same file, line for line.
        const QString again = dir.filePath(QStringLiteral("again.jsonl"));
        QVERIFY(window.saveCapture(again));
        QFile first(path);
        QFile second(again);
        QVERIFY(first.open(QIODevice::ReadOnly) && second.open(QIODevice::ReadOnly));
        QCOMPARE(second.readAll(), first.readAll());

        // A file dropped on the window opens the same way; the window takes drops.
        QVERIFY(window.acceptDrops());
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(again)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        enter.setAccepted(false);
        QCoreApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &drop);
        QVERIFY2(window.windowTitle().startsWith(QStringLiteral("again.jsonl")),
                 qPrintable(window.windowTitle()));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(cell(model, 3, FrameLogModel::Preview), QStringLiteral("second ✓"));

        // Not a capture: said, and the log stays.
        const QString notCapture = dir.filePath(QStringLiteral("notes.txt"));
        QFile notes(notCapture);
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("hello\n");
        notes.close();
        QVERIFY(!window.openCapture(notCapture));
        QVERIFY2(window.statusBar()->currentMessage().startsWith(
                     QStringLiteral("Cannot open notes.txt")),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(model.rowCount(), 4);
        // Not there, or a folder: why, in the system's words.
        QVERIFY(!window.openCapture(dir.filePath(QStringLiteral("gone.jsonl"))));
        QCOMPARE(window.statusBar()->currentMessage(),
                 QStringLiteral("Cannot open gone.jsonl: No such file or directory"));
        QVERIFY(!window.openCapture(dir.path()));
        QVERIFY2(window.statusBar()->currentMessage().endsWith(
                     QStringLiteral(": a folder, not a capture file")),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(model.rowCount(), 4);

        // Cut short in its last line: what came before is shown.
        QFile whole(path);
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        const QString cut = dir.filePath(QStringLiteral("cut.jsonl"));
        QFile cutFile(cut);
        QVERIFY(cutFile.open(QIODevice::WriteOnly));
        cutFile.write(bytes.left(bytes.size() - 20));
        cutFile.close();
        QVERIFY(window.openCapture(cut));
        QCOMPARE(model.rowCount(), 3);
        manager.stopServer(1000);
    }

    // A connection that fails: the Handshake tab comes forward with the Doctor's word on it.
    void aFailedConnectionShowsWhy()
    {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        auto *log = named<FrameLogView>(window, QStringLiteral("Frame log"));
        QVERIFY(log);
        // An empty log says what to do, then why it stayed empty.
        QVERIFY2(log->emptyText().startsWith(QStringLiteral("No frames yet: enter a ws://")),
                 qPrintable(log->emptyText()));
        window.connectTo(QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort));
        auto *handshake = window.findChild<HandshakeView *>();
        QTabWidget *tabs = nullptr;
        for (QTabWidget *widget : window.findChildren<QTabWidget *>())
            if (handshake && widget->indexOf(handshake) >= 0)
                tabs = widget;
        QVERIFY(handshake && tabs);
        QVERIFY(QTest::qWaitFor([&] { return tabs->currentWidget() == handshake; }, 10000));
        QVERIFY2(handshake->text().startsWith(QStringLiteral("ERROR: The TCP connection failed")),
                 qPrintable(handshake->text()));
        QVERIFY(handshake->text().contains(QStringLiteral("try:  Check the host name and port")));
        QVERIFY(handshake->text().contains(QStringLiteral("Request:\n(not sent)")));
        QVERIFY2(log->emptyText().startsWith(QStringLiteral("The connection ended before any "
                                                            "frame: the Handshake tab")),
                 qPrintable(log->emptyText()));
        auto *url = named<QLineEdit>(window, QStringLiteral("URL"));
        QVERIFY(url);
        QCOMPARE(url->text(), QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort));
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty())
            QVERIFY(shoot(window, dir, QStringLiteral("handshake-failed")));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("refused"),
                                                              Qt::CaseInsensitive));

        // Not a WebSocket URL: the Handshake tab, which the empty log points to, says so too.
        window.connectTo(QStringLiteral("ftp://127.0.0.1:%1/").arg(closedPort));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return handshake->text().startsWith(
                    QStringLiteral("ERROR: The URL cannot be connected to"));
            },
            10000));
        QVERIFY2(handshake->text().contains(QStringLiteral("ws://HOST[:PORT]/PATH")),
                 qPrintable(handshake->text()));
        QVERIFY2(log->emptyText().contains(QStringLiteral("the Handshake tab")),
                 qPrintable(log->emptyText()));
    }

    // Refused where the built-in server listened, after it was stopped: the status bar says so
    // (the usual reason), not only "connection refused"; refused elsewhere, it does not.
    void aRefusalWhereTheBuiltInServerWasNamesIt()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Open; },
            10000));
        const QString url = manager.serverUrls().value(0);
        auto *panel = window.findChild<ServerPanel *>();
        QVERIFY(panel);
        panel->stop();
        QVERIFY(!manager.isServerRunning());
        QVERIFY(QTest::qWaitFor(
            [&] { return manager.state(window.sessionId()) == session::SessionState::Closed; },
            10000));
        window.connectTo(url);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return window.statusBar()->currentMessage().contains(QStringLiteral("refused"));
            },
            10000));
        QVERIFY2(window.statusBar()->currentMessage().endsWith(
                     QStringLiteral(": the built-in server is stopped (Server tab: Start)")),
                 qPrintable(window.statusBar()->currentMessage()));

        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        window.statusBar()->clearMessage();
        window.connectTo(QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return window.statusBar()->currentMessage().contains(QStringLiteral("refused"));
            },
            10000));
        QVERIFY2(!window.statusBar()->currentMessage().contains(QStringLiteral("built-in")),
                 qPrintable(window.statusBar()->currentMessage()));
    }

    // The Script tab in the window: an example run against the session's server, passing.
    void theScriptTab()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        auto *panel = window.findChild<ScriptPanel *>();
        QVERIFY(panel);
        for (QTabWidget *tabs : window.findChildren<QTabWidget *>())
            if (tabs->indexOf(panel) >= 0)
                tabs->setCurrentWidget(panel);
        QVERIFY(panel->isVisible());
        QVERIFY(panel->loadExample(QStringLiteral("protocol-tour.js")));
        QSignalSpy finished(panel, &ScriptPanel::finished);
        panel->run();
        QVERIFY(finished.wait(20000));
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(panel->consoleText()));
        // The script's connection is a row of the sidebar: closed once the script ended, its
        // frames kept and shown when picked; the view stayed on the session it showed.
        auto *sessions = window.findChild<SessionListModel *>();
        QVERIFY(sessions);
        const int before = window.logModel()->rowCount();
        int scripted = -1;
        for (int session = 0; session < sessions->sessionCount(); ++session)
            if (sessions->entry(session).title()
                == QStringLiteral("Script 1: 127.0.0.1:%1")
                       .arg(QUrl(manager.serverUrls().value(0)).port()))
                scripted = session;
        QVERIFY(scripted > 0);
        QTRY_COMPARE(sessions->entry(scripted).state, session::SessionState::Closed);
        QCOMPARE(sessions->entry(scripted).sessionId, quint64{0});
        const auto store = sessions->entry(scripted).store;
        QVERIFY(store);
        QVERIFY2(store->size() >= 6, qPrintable(QString::number(store->size())));
        QCOMPARE(window.logModel()->rowCount(), before);
        QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Connected to")));
        window.showSession(scripted);
        QCOMPARE(window.logModel()->rowCount(), int(store->size()));
        // The other session's "Connected to ..." is not left under this closed one.
        QCOMPARE(window.statusBar()->currentMessage(), QString());
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("Script 1: 127.0.0.1:")));
        if (const QString dir = qEnvironmentVariable("FRAMESCOPE_SCREENSHOTS"); !dir.isEmpty()) {
            QVERIFY(shoot(window, dir, QStringLiteral("script")));
            // A failing script as it is shown: the console's error, its line and column marked.
            panel->editor()->setPlainText(QStringLiteral(
                "const conn = connect();\ntest('echo', () => {\n    conn.send('hi');\n"
                "    conn.expect('bye', 300);\n});\nnoSuchHelper();\n"));
            panel->run();
            QVERIFY(finished.wait(20000));
            // Its own connection shown, as a user would pick it: the "hi" it sent.
            QCOMPARE(sessions->sessionCount(), scripted + 2);
            window.showSession(scripted + 1);
            QVERIFY(window.windowTitle().startsWith(QStringLiteral("Script 2: 127.0.0.1:")));
            QVERIFY(shoot(window, dir, QStringLiteral("script-error")));
            QVERIFY(shootDark(window, dir, QStringLiteral("script-error-dark"), Theme::System));
        }
        manager.stopServer(1000);
    }

    // The Server tab's IIS emulations: the built-in server answers the upgrade as http.sys does
    // when the application pool is stopped, and the Handshake tab says what that means.
    void anIisRefusalExplained()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        auto *answer = named<QComboBox>(window, QStringLiteral("Upgrade answer"));
        QVERIFY(answer);
        answer->setCurrentIndex(answer->findData(QStringLiteral("iis-503")));
        QVERIFY(answer->currentIndex() > 0);
        QVERIFY(window.start());
        auto *handshake = window.findChild<HandshakeView *>();
        QVERIFY(handshake);
        QVERIFY(QTest::qWaitFor(
            [&] { return handshake->text().contains(QStringLiteral("http.sys answered")); },
            10000));
        QVERIFY2(handshake->text().contains(QStringLiteral("application pool is running")),
                 qPrintable(handshake->text()));
        QVERIFY2(handshake->text().contains(QStringLiteral("HTTP/1.1 503")),
                 qPrintable(handshake->text()));
        QVERIFY(!answer->isEnabled()); // applies from the start; changed after a stop
        auto *panel = window.findChild<ServerPanel *>();
        panel->stop();
        QVERIFY(answer->isEnabled());
        QCOMPARE(panel->options().behaviour.refuse->status, 503);
        named<QLineEdit>(window, QStringLiteral("Required subprotocol"))
            ->setText(QStringLiteral(" chat "));
        answer->setCurrentIndex(0);
        const session::LocalServerOptions options = panel->options();
        QVERIFY(!options.behaviour.refuse);
        QCOMPARE(options.behaviour.requiredSubprotocol, QByteArray("chat"));
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
