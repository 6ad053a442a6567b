#include "testutil.h"

#include <QTest>
#include <protocol/closeframe.h>

using namespace framescope::protocol;
using namespace testutil;

Q_DECLARE_METATYPE(framescope::protocol::ProtocolError)

class tst_CloseFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wireCodes_data();
    void wireCodes();
    void parse_data();
    void parse();
    void buildsOnlyWhatMayBeSent();
};

void tst_CloseFrame::wireCodes_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("valid");
    // RFC 6455 §7.4.1 and the IANA registry; Autobahn 7.7, 7.9 and 7.13.
    for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                     3999, 4000, 4999})
        QTest::newRow(qPrintable(QString::number(code))) << code << true;
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
        QTest::newRow(qPrintable(QString::number(code))) << code << false;
}

void tst_CloseFrame::wireCodes()
{
    QFETCH(int, code);
    QFETCH(bool, valid);
    QCOMPARE(isValidWireCloseCode(std::uint16_t(code)), valid);
}

void tst_CloseFrame::parse_data()
{
    QTest::addColumn<Bytes>("payload");
    QTest::addColumn<ProtocolError>("error");
    QTest::addColumn<int>("code");
    QTest::newRow("empty: no code (reported as 1005)") << Bytes{} << ProtocolError::None << -1;
    QTest::newRow("one byte") << hex("03") << ProtocolError::InvalidClosePayload << -1;
    QTest::newRow("1000") << hex("03 e8") << ProtocolError::None << 1000;
    QTest::newRow("1000 with reason")
        << concat({hex("03 e8"), bytesOf("bye")}) << ProtocolError::None << 1000;
    QTest::newRow("1005 on the wire") << hex("03 ed") << ProtocolError::InvalidCloseCode << 1005;
    QTest::newRow("reason not UTF-8")
        << hex("03 e8 ed a0 80") << ProtocolError::InvalidCloseReason << 1000;
}

void tst_CloseFrame::parse()
{
    QFETCH(Bytes, payload);
    QFETCH(ProtocolError, error);
    QFETCH(int, code);
    ClosePayload parsed;
    QCOMPARE(parseClosePayload(payload, parsed), error);
    QCOMPARE(parsed.code ? int(*parsed.code) : -1, code);
    QCOMPARE(closeCodeFor(ProtocolError::InvalidCloseReason), std::uint16_t(1007));
    QCOMPARE(closeCodeFor(ProtocolError::InvalidCloseCode), std::uint16_t(1002));
}

void tst_CloseFrame::buildsOnlyWhatMayBeSent()
{
    QCOMPARE(*buildClosePayload(1000, "bye"), concat({hex("03 e8"), bytesOf("bye")}));
    QCOMPARE(*buildClosePayload(4999), hex("13 87"));
    // Framescope never sends 1005, 1006 or 1015, nor anything else invalid on the wire.
    for (std::uint16_t code : {1005, 1006, 1015, 999, 5000})
        QVERIFY(!buildClosePayload(code));
    QVERIFY(buildClosePayload(1000, std::string(123, 'r')));
    QVERIFY(!buildClosePayload(1000, std::string(124, 'r'))); // the frame would exceed 125 bytes
    QVERIFY(!buildClosePayload(1000, "\xff"));
}

QTEST_GUILESS_MAIN(tst_CloseFrame)
#include "tst_closeframe.moc"
