// The Script tab: an example loaded and run against the built-in server (its checks in the
// console), an error's line marked in the editor, Stop ending an endless loop, the highlighter
// and line numbers in place.

#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <script/scripteditor.h>
#include <script/scriptpanel.h>
#include <session/frontend/sessionmanager.h>
#include <window/theme.h>

using namespace framescope;
using namespace framescope::ui;

class tst_ScriptPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void anExampleRuns()
    {
        session::SessionManager manager;
        QCOMPARE(manager.startServer({}), QString());
        ScriptPanel panel(manager);
        panel.setDefaultUrl([&] { return manager.serverUrls().value(0); });
        panel.show();
        QVERIFY(panel.examples().contains(QStringLiteral("echo.js")));
        QVERIFY(panel.loadExample(QStringLiteral("echo.js")));
        QVERIFY(panel.editor()->toPlainText().contains(QStringLiteral("connect()")));
        QSignalSpy finished(&panel, &ScriptPanel::finished);
        panel.run();
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        const QString console = panel.consoleText();
        QVERIFY2(console.contains(QStringLiteral("PASS  text comes back as sent")),
                 qPrintable(console));
        QVERIFY2(console.contains(QStringLiteral("3 passed, 0 failed")), qPrintable(console));
        QCOMPARE(panel.editor()->markedLine(), 0);
        manager.stopServer(1000);
    }

    // An error names its line, which the editor marks (in its margin and on the line); editing
    // takes the mark away. A failed check marks its line too.
    void errorsAreMarkedOnTheirLine()
    {
        session::SessionManager manager;
        QCOMPARE(manager.startServer({}), QString());
        ScriptPanel panel(manager);
        panel.setDefaultUrl([&] { return manager.serverUrls().value(0); });
        QSignalSpy finished(&panel, &ScriptPanel::finished);
        panel.editor()->setPlainText(QStringLiteral("log('one');\n\nnoSuchFunction();\n"));
        panel.run();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QCOMPARE(panel.editor()->markedLine(), 3);
        QCOMPARE(panel.editor()->markedColumn(), 1);
        QVERIFY(
            panel.consoleText().contains(QStringLiteral("ERROR script.js:3:1: ReferenceError")));
        // The line, and the name at the column underlined, the cursor put on it.
        QCOMPARE(panel.editor()->extraSelections().size(), 2);
        QCOMPARE(panel.editor()->extraSelections().front().cursor.blockNumber(), 2);
        QCOMPARE(panel.editor()->extraSelections().back().cursor.selectedText(),
                 QStringLiteral("noSuchFunction"));
        QCOMPARE(panel.editor()->textCursor().blockNumber(), 2);
        // A theme change keeps the mark and gives it the new palette's colour (light text on a
        // light mark did not read).
        const auto markLightness = [&] {
            return panel.editor()
                ->extraSelections()
                .front()
                .format.background()
                .color()
                .lightness();
        };
        QVERIFY(markLightness() > 128);
        applyTheme(Theme::Dark);
        QVERIFY(QTest::qWaitFor([&] { return isDarkPalette() && markLightness() < 128; }, 5000));
        QCOMPARE(panel.editor()->markedLine(), 3);
        applyTheme(Theme::Light);
        QVERIFY(QTest::qWaitFor([&] { return markLightness() > 128; }, 5000));
        applyTheme(Theme::System);
        panel.editor()->appendPlainText(QStringLiteral("// edited"));
        QCOMPARE(panel.editor()->markedLine(), 0);
        QVERIFY(panel.editor()->extraSelections().isEmpty());

        panel.editor()->setPlainText(
            QStringLiteral("const c = connect();\ntest('echo', () => {\n    c.send('a');\n    "
                           "assertEqual(c.next().data, 'b');\n});\n"));
        panel.run();
        QVERIFY(finished.wait(10000));
        QCOMPARE(panel.editor()->markedLine(), 4);
        QCOMPARE(panel.editor()->markedColumn(), 5);
        QCOMPARE(panel.editor()->extraSelections().back().cursor.selectedText(),
                 QStringLiteral("assertEqual"));
        QVERIFY(
            panel.consoleText().contains(QStringLiteral("FAIL  echo: expected \"b\", got \"a\"")));
        manager.stopServer(1000);
    }

    void stopEndsAnEndlessLoop()
    {
        session::SessionManager manager;
        ScriptPanel panel(manager);
        QSignalSpy finished(&panel, &ScriptPanel::finished);
        panel.editor()->setPlainText(QStringLiteral("while (true) {}"));
        panel.run();
        QVERIFY(panel.isRunning());
        QPushButton *stop = nullptr;
        for (QPushButton *button : panel.findChildren<QPushButton *>())
            if (button->text() == QStringLiteral("Stop"))
                stop = button;
        QVERIFY(stop && stop->isEnabled());
        QTest::qWait(50);
        stop->click();
        QVERIFY(finished.wait(5000));
        QVERIFY(panel.consoleText().contains(QStringLiteral("ERROR stopped")));
        QVERIFY(!stop->isEnabled());
    }
};

QTEST_MAIN(tst_ScriptPanel)
#include "tst_scriptpanel.moc"
