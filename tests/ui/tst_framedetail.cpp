// The detail pane's explanation of a frame, checked on RFC 6455 §5.7's examples: the masked
// "Hello" a client sends (81 85 37 fa 21 3d, then 7f 9f 4d 51 58 on the wire) and an unmasked
// ping; a close frame's code in words; a violation in plain words; a non-minimal length said.

#include <QAbstractItemModelTester>
#include <QStandardItemModel>
#include <QTest>
#include <capture/framerecord.h>
#include <detail/framedetail.h>
#include <detail/jsontree.h>
#include <protocol/frameheader.h>
#include <protocol/protocolerror.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

capture::FrameRecord recordOf(const protocol::FrameHeader &header, bool sent)
{
    capture::FrameRecord record;
    record.setHeader(header, std::uint8_t(protocol::encodedHeaderSize(header)),
                     sent ? capture::Direction::Sent : capture::Direction::Received);
    record.storedLength = std::uint32_t(header.payloadLength);
    record.startNs = record.endNs = 3'000'000;
    return record;
}

std::vector<std::uint8_t> bytesOf(const QByteArray &data)
{
    return {data.cbegin(), data.cend()};
}

} // namespace

class tst_FrameDetail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void maskedHelloFromTheRfc()
    {
        protocol::FrameHeader header;
        header.opcode = 0x1;
        header.masked = true;
        header.maskKey = {0x37, 0xfa, 0x21, 0x3d};
        header.payloadLength = 5;
        const QString text = describeFrame(recordOf(header, true), 0, bytesOf("Hello"), 1'000'000);
        QVERIFY2(text.startsWith(QStringLiteral("Frame 1, sent at 2.000 ms")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Header (6 bytes): 81 85 37 fa 21 3d")),
                 qPrintable(text));
        QVERIFY(text.contains(
            QStringLiteral("byte 0  10000001  FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0001 (0x1 TEXT)")));
        QVERIFY(text.contains(QStringLiteral("byte 1  10000101  MASK=1 length=5")));
        QVERIFY(text.contains(QStringLiteral("Payload length: 5 bytes, 7-bit")));
        QVERIFY(text.contains(QStringLiteral("Mask key: 37 fa 21 3d")));
        QVERIFY(text.contains(QStringLiteral("00000000  48 65 6c 6c 6f")));
        QVERIFY2(
            text.contains(QStringLiteral("As on the wire (masked):\n00000000  7f 9f 4d 51 58")),
            qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Text:\nHello")));
    }

    void unmaskedPingAndClose()
    {
        protocol::FrameHeader ping;
        ping.opcode = 0x9;
        ping.payloadLength = 5;
        const QString text = describeFrame(recordOf(ping, false), 4, bytesOf("Hello"), 0);
        QVERIFY(text.contains(QStringLiteral("Header (2 bytes): 89 05")));
        QVERIFY(text.contains(QStringLiteral("Not masked (a server's frame)")));
        QVERIFY(!text.contains(QStringLiteral("As on the wire")));

        protocol::FrameHeader close;
        close.opcode = 0x8;
        close.payloadLength = 5;
        const QString closing = describeFrame(recordOf(close, false), 5,
                                              bytesOf(QByteArray::fromHex("03e9") + "bye"), 0);
        QVERIFY2(closing.contains(QStringLiteral("Close code 1001: going away")),
                 qPrintable(closing));
        QVERIFY(closing.contains(QStringLiteral("Reason: bye")));
        QCOMPARE(closeCodeMeaning(4000),
                 QStringLiteral("private use (the application's own meaning)"));
        QCOMPARE(closeCodeMeaning(999), QStringLiteral("not a valid close code"));
    }

    void violationsAndOddLengths()
    {
        protocol::FrameHeader header;
        header.opcode = 0x3;
        header.rsv2 = true;
        header.payloadLength = 3;
        header.lengthForm = protocol::LengthForm::Extended16;
        capture::FrameRecord record = recordOf(header, false);
        record.violations = 1u << unsigned(protocol::ProtocolError::ReservedOpcode);
        const QString text = describeFrame(record, 0, bytesOf("abc"), 0);
        QVERIFY2(text.contains(QStringLiteral("Header (4 bytes): a3 7e 00 03")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("opcode=0011 (0x3 RESERVED-3)")));
        QVERIFY(text.contains(QStringLiteral("16-bit extended (126, then 2 bytes): NOT MINIMAL")));
        QVERIFY(text.contains(QStringLiteral("Violations:\n  ")));
    }

    // A JSON payload as a tree: keys, values and types, nested; a text that is not JSON (or a
    // bare number) is not shown; a huge document is cut at the node budget and says how much.
    void jsonAsATree()
    {
        JsonTree tree;
        QAbstractItemModelTester tester(tree.tree(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(tree.showPayload(R"( {"id": 7, "tags": ["a", "b\nc"], "ok": true, "n": null} )"));
        const QStandardItemModel &model = *tree.tree();
        QCOMPARE(model.rowCount(), 1);
        const QStandardItem *root = model.item(0);
        QCOMPARE(model.item(0, 2)->text(), QStringLiteral("object {4}"));
        QCOMPARE(root->rowCount(), 4);
        QStringList rows;
        for (int row = 0; row < root->rowCount(); ++row)
            rows << root->child(row, 0)->text() + QLatin1Char('=') + root->child(row, 1)->text()
                        + QLatin1Char(':') + root->child(row, 2)->text();
        QCOMPARE(rows, (QStringList{QStringLiteral("id=7:number"), QStringLiteral("n=null:null"),
                                    QStringLiteral("ok=true:boolean"),
                                    QStringLiteral("tags=:array [2]")}));
        const QStandardItem *tags = root->child(3);
        QCOMPARE(tags->child(1, 0)->text(), QStringLiteral("[1]"));
        QCOMPARE(tags->child(1, 1)->text(), QStringLiteral("\"b\\nc\""));

        QVERIFY(!tree.showPayload("hello"));
        QVERIFY(!tree.showPayload("42"));
        QVERIFY(!tree.showPayload("{\"a\": "));
        QCOMPARE(model.rowCount(), 0);

        // (Without the model tester, which checks the whole tree at each row: slow at 5,000.)
        JsonTree large;
        QByteArray big = "[";
        for (int i = 0; i < JsonTree::kMaxNodes + 100; ++i)
            big += (i ? "," : "") + QByteArray::number(i);
        big += "]";
        QVERIFY(large.showPayload(big));
        const QStandardItem *array = large.tree()->item(0);
        QCOMPARE(array->rowCount(), JsonTree::kMaxNodes);
        QCOMPARE(array->child(array->rowCount() - 1, 0)->text(), QStringLiteral("… 101 more"));
    }
};

QTEST_MAIN(tst_FrameDetail)
#include "tst_framedetail.moc"
