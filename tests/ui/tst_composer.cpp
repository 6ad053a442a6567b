// The composer: each kind of message checked and turned into bytes, a file's bytes, JSON
// formatted, the close code checked, saved messages in folders kept with QSettings, repeating
// until stopped; and, through the window, a message fragmented with pings between and repeated
// against the built-in server.

#include "windowdriver.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <composer/composer.h>
#include <session/frontend/sessionmanager.h>
#include <window/mainwindow.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

struct Parts
{
    QPlainTextEdit *editor = nullptr;
    QComboBox *kind = nullptr;
};

Parts partsOf(Composer &composer)
{
    return {named<QPlainTextEdit>(composer, QStringLiteral("Message to send")),
            named<QComboBox>(composer, QStringLiteral("Message kind"))};
}

} // namespace

class tst_Composer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("FramescopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_composer"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
    }

    void eachKindAsBytes()
    {
        Composer composer;
        const Parts parts = partsOf(composer);
        QVERIFY(parts.editor && parts.kind);
        QString error;

        parts.editor->setPlainText(QStringLiteral("héllo"));
        auto message = composer.message(&error);
        QVERIFY(message);
        QCOMPARE(message->opcode, protocol::Opcode::Text);
        QCOMPARE(message->payload, QByteArray("h\xc3\xa9llo"));

        parts.kind->setCurrentIndex(Composer::JsonKind);
        parts.editor->setPlainText(QStringLiteral("{\"a\": [1,"));
        QVERIFY(!composer.message(&error));
        QVERIFY2(error.startsWith(QStringLiteral("Not JSON: ")), qPrintable(error));
        parts.editor->setPlainText(QStringLiteral("{\"a\":[1,2],\"b\":{\"c\":true}}"));
        QVERIFY(composer.formatJson(&error));
        QCOMPARE(parts.editor->toPlainText(),
                 QStringLiteral("{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {\n"
                                "        \"c\": true\n    }\n}"));
        QCOMPARE(composer.message(&error)->opcode, protocol::Opcode::Text);

        parts.kind->setCurrentIndex(Composer::HexKind);
        parts.editor->setPlainText(QStringLiteral("00 FF\n7f"));
        message = composer.message(&error);
        QVERIFY(message);
        QCOMPARE(message->opcode, protocol::Opcode::Binary);
        QCOMPARE(message->payload, QByteArray("\x00\xff\x7f", 3));
        parts.editor->setPlainText(QStringLiteral("0g"));
        QVERIFY(!composer.message(&error));

        parts.kind->setCurrentIndex(Composer::Base64Kind);
        parts.editor->setPlainText(QStringLiteral("AP9/\n"));
        message = composer.message(&error);
        QVERIFY(message);
        QCOMPARE(message->payload, QByteArray("\x00\xff\x7f", 3));
        parts.editor->setPlainText(QStringLiteral("AP9/!"));
        QVERIFY(!composer.message(&error));
        QVERIFY2(error.startsWith(QStringLiteral("Not base64")), qPrintable(error));

        // Frames of at most N bytes with pings between, as asked.
        auto *sizes = named<QLineEdit>(composer, QStringLiteral("Fragment sizes"));
        sizes->setText(QStringLiteral("3, 5"));
        parts.editor->setPlainText(QStringLiteral("AP9/"));
        QCOMPARE(composer.message(&error)->fragmentSizes, (std::vector<std::size_t>{3, 5}));
        for (const char *bad : {"0", "3, x", "-2"}) {
            sizes->setText(QString::fromLatin1(bad));
            QVERIFY2(!composer.message(&error), bad);
            QVERIFY2(error.startsWith(QStringLiteral("Frame sizes")), qPrintable(error));
        }
        sizes->clear();
        QVERIFY(composer.message(&error)->fragmentSizes.empty());
    }

    // A file's bytes: text when they are UTF-8, else binary; too large refused; choosing another
    // kind brings back the text there was.
    void aFileAttached()
    {
        Composer composer;
        const Parts parts = partsOf(composer);
        parts.editor->setPlainText(QStringLiteral("my draft"));
        QString error;
        const QString textPath = m_dir.filePath(QStringLiteral("order.json"));
        const QString binaryPath = m_dir.filePath(QStringLiteral("blob.bin"));
        const QString hugePath = m_dir.filePath(QStringLiteral("huge.bin"));
        {
            QFile text(textPath);
            QVERIFY(text.open(QIODevice::WriteOnly));
            text.write("{\"id\": \"\xe2\x82\xac 7\"}");
            QFile binary(binaryPath);
            QVERIFY(binary.open(QIODevice::WriteOnly));
            binary.write(QByteArray("\xff\x00\xfe", 3));
            QFile huge(hugePath);
            QVERIFY(huge.open(QIODevice::WriteOnly));
            QVERIFY(huge.resize(Composer::kMaxFileBytes + 1)); // sparse
        }
        QVERIFY(composer.attachFile(textPath, &error));
        QCOMPARE(parts.kind->currentIndex(), int(Composer::FileKind));
        QVERIFY(parts.editor->isReadOnly());
        QVERIFY(parts.editor->toPlainText().contains(QStringLiteral("sent as text")));
        auto message = composer.message(&error);
        QCOMPARE(message->opcode, protocol::Opcode::Text);
        QCOMPARE(message->payload, QByteArray("{\"id\": \"\xe2\x82\xac 7\"}"));

        QVERIFY(composer.attachFile(binaryPath, &error));
        message = composer.message(&error);
        QCOMPARE(message->opcode, protocol::Opcode::Binary);
        QCOMPARE(message->payload, QByteArray("\xff\x00\xfe", 3));

        QVERIFY(!composer.attachFile(hugePath, &error));
        QVERIFY2(error.contains(QStringLiteral("at most")), qPrintable(error));
        QVERIFY(!composer.attachFile(m_dir.filePath(QStringLiteral("missing")), &error));
        QVERIFY2(error.startsWith(QStringLiteral("Cannot read missing")), qPrintable(error));
        QCOMPARE(composer.message(&error)->payload, QByteArray("\xff\x00\xfe", 3)); // still

        parts.kind->setCurrentIndex(Composer::TextKind);
        QVERIFY(!parts.editor->isReadOnly());
        QCOMPARE(parts.editor->toPlainText(), QStringLiteral("my draft"));
    }

    void closeCodes()
    {
        Composer composer;
        auto *code = named<QComboBox>(composer, QStringLiteral("Close code"));
        auto *reason = named<QLineEdit>(composer, QStringLiteral("Close reason"));
        QVERIFY(code && reason);
        QString error;
        code->setCurrentIndex(2);
        reason->setText(QStringLiteral("bye"));
        auto request = composer.closeRequest(&error);
        QVERIFY(request);
        QCOMPARE(request->code, std::uint16_t(1002));
        QCOMPARE(request->reason, QByteArray("bye"));
        for (const char *bad : {"1005", "999", "2999", "5000", "x"}) {
            code->setEditText(QString::fromLatin1(bad));
            QVERIFY2(!composer.closeRequest(&error), bad);
        }
        code->setEditText(QStringLiteral("3001"));
        QCOMPARE(composer.closeRequest(&error)->code, std::uint16_t(3001));
        reason->setText(QString(124, QLatin1Char('r')));
        QVERIFY(!composer.closeRequest(&error));
        QVERIFY2(error.contains(QStringLiteral("124 bytes")), qPrintable(error));
    }

    // Saved in folders, found again by a new composer (a restart), replaced, deleted.
    void savedMessagesInFolders()
    {
        QString error;
        {
            Composer composer;
            const Parts parts = partsOf(composer);
            parts.editor->setPlainText(QStringLiteral("{\"op\":\"create\"}"));
            parts.kind->setCurrentIndex(Composer::JsonKind);
            QVERIFY(composer.saveMessage(QStringLiteral(" Orders / create "), &error));
            parts.kind->setCurrentIndex(Composer::HexKind);
            parts.editor->setPlainText(QStringLiteral("de ad"));
            QVERIFY(composer.saveMessage(QStringLiteral("Orders/cancel"), &error));
            parts.kind->setCurrentIndex(Composer::TextKind);
            parts.editor->setPlainText(QStringLiteral("hello"));
            QVERIFY(composer.saveMessage(QStringLiteral("greeting"), &error));
            QVERIFY(!composer.saveMessage(QStringLiteral(" / "), &error));
            QVERIFY2(error.contains(QStringLiteral("needs a name")), qPrintable(error));
        }
        Composer composer;
        QAbstractItemModelTester tester(composer.savedModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const Parts parts = partsOf(composer);
        QCOMPARE(composer.savedMessages(),
                 (QStringList{QStringLiteral("Orders/create"), QStringLiteral("Orders/cancel"),
                              QStringLiteral("greeting")}));
        const QStandardItemModel &tree = *composer.savedModel();
        QCOMPARE(tree.rowCount(), 2); // greeting, and the Orders folder
        QCOMPARE(tree.item(0)->text(), QStringLiteral("greeting"));
        QCOMPARE(tree.item(1)->text(), QStringLiteral("Orders"));
        QCOMPARE(tree.item(1)->rowCount(), 2);
        QCOMPARE(tree.item(1)->child(0)->text(), QStringLiteral("cancel"));

        QVERIFY(composer.loadMessage(QStringLiteral("Orders/cancel"), &error));
        QCOMPARE(parts.kind->currentIndex(), int(Composer::HexKind));
        QCOMPARE(composer.message(&error)->payload, QByteArray("\xde\xad"));
        QVERIFY(composer.loadMessage(QStringLiteral("Orders/create"), &error));
        QCOMPARE(parts.kind->currentIndex(), int(Composer::JsonKind));
        QCOMPARE(parts.editor->toPlainText(), QStringLiteral("{\"op\":\"create\"}"));
        QVERIFY(!composer.loadMessage(QStringLiteral("Orders"), &error));

        parts.editor->setPlainText(QStringLiteral("{\"op\":\"create\",\"v\":2}"));
        QVERIFY(composer.saveMessage(QStringLiteral("Orders/create"), &error)); // replaced
        QCOMPARE(composer.savedMessages().size(), 3);
        QVERIFY(composer.deleteMessage(QStringLiteral("Orders/cancel")));
        QVERIFY(composer.deleteMessage(QStringLiteral("Orders/create")));
        QVERIFY(!composer.deleteMessage(QStringLiteral("Orders/create")));
        QCOMPARE(tree.rowCount(), 1); // the empty folder went too
    }

    // Every N ms while open; closing stops it.
    void repeatsUntilStopped()
    {
        Composer composer;
        QSignalSpy ticks(&composer, &Composer::repeatRequested);
        composer.setRepeating(true);
        QVERIFY(!composer.isRepeating()); // not while closed
        composer.setOpen(true);
        named<QSpinBox>(composer, QStringLiteral("Repeat interval"))->setValue(5);
        composer.setRepeating(true);
        QVERIFY(composer.isRepeating());
        QVERIFY(QTest::qWaitFor([&] { return ticks.size() >= 4; }, 10000));
        composer.setOpen(false);
        QVERIFY(!composer.isRepeating());
        const qsizetype count = ticks.size();
        QTest::qWait(50);
        QCOMPARE(ticks.size(), count);
    }

    // Through the window against the built-in server: "abcdefghij" in frames of 4 bytes with a
    // ping after each but the last; then repeated, and stopped.
    void fragmentedWithPingsAndRepeated()
    {
        session::SessionManager manager;
        MainWindow window(manager);
        window.show();
        QVERIFY(window.start());
        QLabel *state = named<QLabel>(window, QStringLiteral("Connection state"));
        QVERIFY(QTest::qWaitFor([&] { return state->text().contains(QStringLiteral("Connected")); },
                                10000));
        auto *composer = window.findChild<Composer *>();
        QVERIFY(composer);
        const Parts parts = partsOf(*composer);
        parts.editor->setPlainText(QStringLiteral("abcdefghij"));
        named<QLineEdit>(window, QStringLiteral("Fragment sizes"))->setText(QStringLiteral("4"));
        for (QCheckBox *box : window.findChildren<QCheckBox *>())
            if (box->text() == QStringLiteral("Ping between fragments"))
                box->setChecked(true);
        QVERIFY(window.sendComposed());
        const FrameLogModel &model = *window.logModel();
        auto sentRows = [&] {
            QStringList rows;
            for (int row = 0; row < model.rowCount(); ++row)
                if (cell(model, row, FrameLogModel::Direction).contains(QStringLiteral("sent")))
                    rows << cell(model, row, FrameLogModel::Opcode) + QLatin1Char(' ')
                                + cell(model, row, FrameLogModel::Length);
            return rows;
        };
        QVERIFY(QTest::qWaitFor([&] { return sentRows().size() >= 5; }, 10000));
        QCOMPARE(sentRows().mid(0, 5),
                 (QStringList{QStringLiteral("TEXT 4"), QStringLiteral("PING 0"),
                              QStringLiteral("CONTINUATION 4"), QStringLiteral("PING 0"),
                              QStringLiteral("CONTINUATION 2")}));

        // Sizes of their own: 2, then 3, 3, ... with the pings still between.
        parts.editor->setPlainText(QStringLiteral("abcdefgh"));
        named<QLineEdit>(window, QStringLiteral("Fragment sizes"))->setText(QStringLiteral("2 3"));
        QVERIFY(window.sendComposed());
        QVERIFY(QTest::qWaitFor([&] { return sentRows().size() >= 10; }, 10000));
        QCOMPARE(sentRows().mid(5, 5),
                 (QStringList{QStringLiteral("TEXT 2"), QStringLiteral("PING 0"),
                              QStringLiteral("CONTINUATION 3"), QStringLiteral("PING 0"),
                              QStringLiteral("CONTINUATION 3")}));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return model.rowCount() > 0
                       && cell(model, model.rowCount() - 1, FrameLogModel::Preview)
                              == QStringLiteral("abcdefgh");
            },
            10000)); // echoed whole
        named<QLineEdit>(window, QStringLiteral("Fragment sizes"))->clear();
        named<QSpinBox>(window, QStringLiteral("Repeat interval"))->setValue(10);
        parts.editor->setPlainText(QStringLiteral("tick"));
        composer->setRepeating(true);
        auto ticks = [&] {
            int count = 0;
            for (const QString &row : sentRows())
                count += row == QStringLiteral("TEXT 4");
            return count - 1; // the first fragment above
        };
        QVERIFY(QTest::qWaitFor([&] { return ticks() >= 3; }, 10000));
        composer->setRepeating(false);
        QTest::qWait(100);
        const int stoppedAt = ticks();
        QTest::qWait(100);
        QCOMPARE(ticks(), stoppedAt);
        manager.stopServer(1000);
    }
};

QTEST_MAIN(tst_Composer)
#include "tst_composer.moc"
