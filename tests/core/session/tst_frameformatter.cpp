// The frame formatter every front end shares: one line per frame from the first bytes of its
// payload, peer text escaped so it can neither break the line nor drive a terminal.

#include <QTest>
#include <capture/framerecord.h>
#include <protocol/protocolerror.h>
#include <session/frontend/frameformatter.h>

using namespace framescope;
using namespace framescope::session;

namespace {

capture::FrameRecord record(std::uint8_t opcode, std::size_t stored, bool sent = false)
{
    capture::FrameRecord r;
    r.opcode = opcode;
    r.set(capture::FrameRecord::Fin);
    r.set(capture::FrameRecord::Sent, sent);
    r.payloadLength = stored;
    r.storedLength = std::uint32_t(stored);
    r.startNs = 1'000'000; // first byte seen, or queued
    r.endNs = 2'500'000;   // complete on the wire, or handed over: the time shown
    return r;
}

std::vector<std::uint8_t> bytes(const QByteArray &data)
{
    return {data.begin(), data.end()};
}

} // namespace

class tst_FrameFormatter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void printableEscapesWhatCouldHarmATerminal_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("shown");
        QTest::newRow("line break") << QStringLiteral("a\nb") << QStringLiteral("a\\nb");
        QTest::newRow("escape sequence") << QStringLiteral("\x1b[2J") << QStringLiteral("\\x1b[2J");
        QTest::newRow("bidi override")
            << QStringLiteral("abc\u202Edef") << QStringLiteral("abc\\u{202e}def");
        QTest::newRow("C1 control") << QString(QChar(0x9B)) << QStringLiteral("\\x9b");
        QTest::newRow("plain") << QStringLiteral("κόσμε") << QStringLiteral("κόσμε");
    }
    void printableEscapesWhatCouldHarmATerminal()
    {
        QFETCH(QString, text);
        QFETCH(QString, shown);
        QCOMPARE(printable(text), shown);
    }

    // Text, cut after kPreviewBytes with an ellipsis, never inside a character.
    void textIsPreviewedAtACharacterBoundary()
    {
        QByteArray text;
        while (text.size() < 300)
            text += "κόσμε "; // two-byte characters: 80 bytes may end inside one
        const auto prefix = bytes(text.left(qsizetype(kPreviewBytes)));
        const QString line = formatFrame(record(1, std::size_t(text.size())), prefix, 0);
        QVERIFY2(line.contains(QStringLiteral("<- ")), qPrintable(line));
        QVERIFY2(line.endsWith(QStringLiteral("…\"")), qPrintable(line));
        QVERIFY2(!line.contains(QChar(0xFFFD)), qPrintable(line)); // no half character shown
        QVERIFY(line.contains(QStringLiteral("2.500ms")));
        // Whole and short: no ellipsis.
        const QString whole = formatFrame(record(1, 5, true), bytes("hello"), 0);
        QVERIFY2(whole.endsWith(QStringLiteral("\"hello\"")), qPrintable(whole));
        QVERIFY(whole.contains(QStringLiteral("-> ")));
    }

    void binaryIsShownInHex()
    {
        QByteArray data(40, '\xff');
        const QString line = formatFrame(record(2, 40), bytes(data), 0);
        QVERIFY2(line.contains(QStringLiteral("ff ff ff")), qPrintable(line));
        QVERIFY2(line.endsWith(QStringLiteral(" …")), qPrintable(line)); // more than 32 bytes
        // A binary frame shows its bytes even when they happen to be text.
        const QString hello = formatFrame(record(2, 5), bytes("Hello"), 0);
        QVERIFY2(hello.endsWith(QStringLiteral("48 65 6c 6c 6f")), qPrintable(hello));
        // Bytes that are not UTF-8 in a complete short payload are binary too.
        const QString invalid = formatFrame(record(1, 2), bytes("\xc3\x28"), 0);
        QVERIFY2(invalid.endsWith(QStringLiteral("c3 28")), qPrintable(invalid));
    }

    void closeFramesShowTheirCodeAndReason()
    {
        const QString line = formatFrame(record(8, 5),
                                         bytes(QByteArray("\x03\xe8"
                                                          "bye",
                                                          5)),
                                         0);
        QVERIFY2(line.endsWith(QStringLiteral("code 1000 \"bye\"")), qPrintable(line));
    }

    void violationsAreNamed()
    {
        capture::FrameRecord r = record(1, 1);
        r.violations = 1u << unsigned(protocol::ProtocolError::InvalidUtf8);
        const QString line = formatFrame(r, bytes("\xff"), 0);
        QVERIFY2(line.contains(QStringLiteral("VIOLATIONS=invalid-utf8")), qPrintable(line));
    }

    void peerTextCannotBreakTheLine()
    {
        const QString line = formatFrame(record(1, 9), bytes("a\nb\x1b[2Jc"), 0);
        QVERIFY(!line.contains(QLatin1Char('\n')));
        QVERIFY(!line.contains(QChar(0x1b)));
    }

    void eventsShowKindCodeAndReason()
    {
        capture::CaptureEvent event;
        event.timeNs = 1'000'000;
        event.kind = capture::EventKind::CloseReceived;
        event.code = 1001;
        event.reason = "going\naway";
        event.connection = 3;
        const QString line = formatEvent(event, 0, true);
        QVERIFY2(line.contains(QStringLiteral("#3 == close-received 1001 \"going\\naway\"")),
                 qPrintable(line));
    }
};

QTEST_GUILESS_MAIN(tst_FrameFormatter)
#include "tst_frameformatter.moc"
