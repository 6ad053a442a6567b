// The detail pane's explanation of a frame, checked on RFC 6455 §5.7's examples: the masked
// "Hello" a client sends (81 85 37 fa 21 3d, then 7f 9f 4d 51 58 on the wire) and an unmasked
// ping; a close frame's code in words; a violation in plain words; a non-minimal length said.

#include <QAbstractItemModelTester>
#include <QStandardItemModel>
#include <QTest>
#include <capture/framerecord.h>
#include <detail/framedetail.h>
#include <detail/headerdiagram.h>
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
        capture::FrameRecord record = recordOf(header, true);
        record.startNs = 2'750'000; // queued 250 us before its last byte reached the kernel
        const QString text = describeFrame(record, 0, bytesOf("Hello"), 1'000'000);
        QVERIFY2(text.startsWith(QStringLiteral("Frame 1, sent at 2.000 ms")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Queued 1.750 ms, written 2.000 ms (250.0 µs)")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Header (6 bytes): 81 85 37 fa 21 3d")),
                 qPrintable(text));
        QVERIFY(text.contains(
            QStringLiteral("byte 0  10000001  FIN=1 RSV=000 opcode=0001 (0x1 TEXT)")));
        QVERIFY(text.contains(QStringLiteral("byte 1  10000101  MASK=1 length=5")));
        QVERIFY(text.contains(QStringLiteral("Payload length: 5 bytes, 7-bit")));
        QVERIFY(text.contains(QStringLiteral("Mask key: 37 fa 21 3d")));
        // The unmasked bytes beside the same bytes masked as they went on the wire.
        QVERIFY2(text.contains(QStringLiteral("Payload │ masked as sent (XOR 37 fa 21 3d):\n"
                                              "00000000  48 65 6c 6c  Hell │ 7f 9f 4d 51\n"
                                              "00000004  6f           o    │ 58")),
                 qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Text:\nHello")));
    }

    // The header drawn bit by bit: each field over its bits, with its value (RFC 6455 §5.2),
    // the length's extended forms and the mask key after them.
    void headerDiagramFields()
    {
        HeaderDiagram diagram;
        protocol::FrameHeader header;
        header.opcode = 0x1;
        header.masked = true;
        header.maskKey = {0x37, 0xfa, 0x21, 0x3d};
        header.payloadLength = 5;
        diagram.setHeader(header);
        QCOMPARE(diagram.headerBits(), 48);
        const auto field = [&](const QString &name) {
            for (const HeaderDiagram::Field &f : diagram.fields())
                if (f.name == name)
                    return f;
            return HeaderDiagram::Field{};
        };
        QCOMPARE(field(QStringLiteral("FIN")).firstBit, 0);
        QCOMPARE(field(QStringLiteral("FIN")).value, QStringLiteral("1"));
        QCOMPARE(field(QStringLiteral("RSV2")).firstBit, 2);
        QCOMPARE(field(QStringLiteral("opcode")).bitCount, 4);
        QCOMPARE(field(QStringLiteral("opcode")).value, QStringLiteral("0x1 TEXT"));
        QCOMPARE(field(QStringLiteral("MASK")).firstBit, 8);
        QCOMPARE(field(QStringLiteral("length")).value, QStringLiteral("5"));
        QCOMPARE(field(QStringLiteral("mask key")).firstBit, 16);
        QCOMPARE(field(QStringLiteral("mask key")).value, QStringLiteral("37 fa 21 3d"));
        // 0x81 0x85 0x37...: the bits as on the wire.
        QCOMPARE(diagram.bit(0), 1);
        QCOMPARE(diagram.bit(1), 0);
        QCOMPARE(diagram.bit(7), 1);
        QCOMPARE(diagram.bit(8), 1);
        QCOMPARE(diagram.bit(13), 1); // length 5 = 0000101
        QCOMPARE(diagram.bit(14), 0);
        QCOMPARE(diagram.bit(48), -1);
        QVERIFY(diagram.accessibleDescription().contains(QStringLiteral("mask key 37 fa 21 3d")));

        // A 16-bit length, even one that lies (not minimal): drawn as it went.
        header.masked = false;
        header.payloadLength = 100;
        header.lengthForm = protocol::LengthForm::Extended16;
        diagram.setHeader(header);
        QCOMPARE(diagram.headerBits(), 32);
        QCOMPARE(field(QStringLiteral("length")).value,
                 QStringLiteral("126: 16-bit length follows"));
        QCOMPARE(field(QStringLiteral("extended length")).firstBit, 16);
        QCOMPARE(field(QStringLiteral("extended length")).bitCount, 16);
        QCOMPARE(field(QStringLiteral("extended length")).value, QStringLiteral("100"));
        QCOMPARE(field(QStringLiteral("mask key")).bitCount, 0); // none
        // A 64-bit length and a mask key: 14 bytes, seven rows of 16 bits.
        header.masked = true;
        header.payloadLength = 70000;
        header.lengthForm = protocol::LengthForm::Extended64;
        diagram.setHeader(header);
        QCOMPARE(diagram.headerBits(), 112);
        QCOMPARE(field(QStringLiteral("extended length")).bitCount, 64);
        QCOMPARE(field(QStringLiteral("mask key")).firstBit, 80);
        diagram.resize(diagram.sizeHint());
        QVERIFY(diagram.sizeHint().height() > 0);
        const QImage drawn = diagram.grab().toImage();
        QVERIFY(drawn.pixel(drawn.width() / 2, drawn.height() / 2)
                != drawn.pixel(0, drawn.height() - 1)); // something drawn, not a blank
        diagram.setHeader(std::nullopt);
        QVERIFY(diagram.fields().isEmpty());
    }

    void unmaskedPingAndClose()
    {
        protocol::FrameHeader ping;
        ping.opcode = 0x9;
        ping.payloadLength = 5;
        const QString text = describeFrame(recordOf(ping, false), 4, bytesOf("Hello"), 0);
        QVERIFY(text.contains(QStringLiteral("Header (2 bytes): 89 05")));
        QVERIFY(text.contains(QStringLiteral("Not masked (a server's frame)")));
        protocol::FrameHeader empty;
        empty.opcode = 0x9;
        empty.masked = true;
        QVERIFY2(describeFrame(recordOf(empty, true), 6, {}, 0)
                     .contains(QStringLiteral("(XOR 00 00 00 00):\n(empty)")),
                 qPrintable(describeFrame(recordOf(empty, true), 6, {}, 0)));
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

    // A hex dump as wide as the pane: 16 bytes a line where a line of 16 fits, else 8, else 4.
    void hexDumpFitsTheWidth()
    {
        QCOMPARE(hexBytesPerLine(0), 16); // no limit
        QCOMPARE(hexBytesPerLine(76), 16);
        QCOMPARE(hexBytesPerLine(75), 8);
        QCOMPARE(hexBytesPerLine(43), 8);
        QCOMPARE(hexBytesPerLine(42), 4);
        QCOMPARE(hexBytesPerLine(10), 4);
        const std::vector<std::uint8_t> bytes = bytesOf("abcdefghijklmnopqrst"); // 20
        const QStringList sixteen = hexDump(bytes.data(), bytes.size(), 0).split(QLatin1Char('\n'));
        QCOMPARE(sixteen.size(), 2);
        QCOMPARE(sixteen[0], QStringLiteral("00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e "
                                            "6f 70  abcdefghijklmnop"));
        QCOMPARE(sixteen[0].size(), 76);
        const QStringList eight
            = hexDump(bytes.data(), bytes.size(), 0x100, 8).split(QLatin1Char('\n'));
        QCOMPARE(eight.size(), 3);
        QCOMPARE(eight[1], QStringLiteral("00000108  69 6a 6b 6c 6d 6e 6f 70  ijklmnop"));
        QCOMPARE(eight[1].size(), 43);
        QCOMPARE(eight[2], QStringLiteral("00000110  71 72 73 74              qrst"));
        const QStringList four = hexDump(bytes.data(), bytes.size(), 0, 4).split(QLatin1Char('\n'));
        QCOMPARE(four.size(), 5);
        QCOMPARE(four[4], QStringLiteral("00000010  71 72 73 74  qrst"));
        // describeFrame() picks the width from the characters it is given.
        protocol::FrameHeader binary;
        binary.opcode = 0x2;
        binary.payloadLength = 20;
        QVERIFY(describeFrame(recordOf(binary, false), 0, bytes, 0, 0, 50)
                    .contains(QStringLiteral("\n00000008  69 6a")));
        QVERIFY(describeFrame(recordOf(binary, false), 0, bytes, 0, 0, 0)
                    .contains(QStringLiteral("\n00000010  71 72")));
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
        // In the order sent (not sorted).
        QCOMPARE(rows,
                 (QStringList{QStringLiteral("id=7:number"), QStringLiteral("tags=:array [2]"),
                              QStringLiteral("ok=true:boolean"), QStringLiteral("n=null:null")}));
        const QStandardItem *tags = root->child(1);
        QCOMPARE(tags->child(1, 0)->text(), QStringLiteral("[1]"));
        QCOMPARE(tags->child(1, 1)->text(), QStringLiteral("\"b\\nc\""));

        // Numbers as sent: a 64-bit id whole (a double would round it), a fraction exact.
        QVERIFY(
            tree.showPayload(R"({"id": 12345678901234567890, "t": -9007199254740993, "x": 0.1})"));
        QCOMPARE(model.item(0)->child(0, 1)->text(), QStringLiteral("12345678901234567890"));
        QCOMPARE(model.item(0)->child(1, 1)->text(), QStringLiteral("-9007199254740993"));
        QCOMPARE(model.item(0)->child(2, 1)->text(), QStringLiteral("0.1"));
        // Nested deeper than the tree goes: not parsed (nor a crash).
        QVERIFY(!tree.showPayload(QByteArray(100000, '[') + QByteArray(100000, ']')));
        QVERIFY(tree.showPayload(QByteArray(100, '[') + QByteArray(100, ']')));

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
