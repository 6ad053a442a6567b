#include "testutil.h"

#include <QTest>
#include <protocol/frameheader.h>

using namespace framescope::protocol;
using testutil::Bytes;
using testutil::hex;

Q_DECLARE_METATYPE(framescope::protocol::FrameHeader)
Q_DECLARE_METATYPE(framescope::protocol::ProtocolError)
Q_DECLARE_METATYPE(testutil::Bytes)

class tst_FrameHeader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encodesExactly_data();
    void encodesExactly();
    void refusesLengthThatDoesNotFitForcedForm();
    void refusesTooSmallBuffer();
    void validation_data();
    void validation();
};

static FrameHeader header(std::uint8_t opcode, std::uint64_t length, bool fin = true)
{
    FrameHeader h;
    h.opcode = opcode;
    h.payloadLength = length;
    h.fin = fin;
    return h;
}

static FrameHeader masked(FrameHeader h, MaskKey key)
{
    h.masked = true;
    h.maskKey = key;
    return h;
}

void tst_FrameHeader::encodesExactly_data()
{
    QTest::addColumn<FrameHeader>("header");
    QTest::addColumn<Bytes>("wire");

    // RFC 6455 §5.7 examples.
    QTest::newRow("§5.7 unmasked Hello") << header(0x1, 5) << hex("81 05");
    QTest::newRow("§5.7 masked Hello")
        << masked(header(0x1, 5), {0x37, 0xfa, 0x21, 0x3d}) << hex("81 85 37 fa 21 3d");
    QTest::newRow("§5.7 first fragment Hel") << header(0x1, 3, false) << hex("01 03");
    QTest::newRow("§5.7 last fragment lo") << header(0x0, 2) << hex("80 02");
    QTest::newRow("§5.7 ping Hello") << header(0x9, 5) << hex("89 05");
    QTest::newRow("§5.7 masked pong Hello")
        << masked(header(0xA, 5), {0x37, 0xfa, 0x21, 0x3d}) << hex("8a 85 37 fa 21 3d");
    QTest::newRow("§5.7 256 bytes binary") << header(0x2, 256) << hex("82 7E 01 00");
    QTest::newRow("§5.7 64 KiB binary")
        << header(0x2, 65536) << hex("82 7F 00 00 00 00 00 01 00 00");

    // Length boundaries with the minimal form.
    QTest::newRow("125") << header(0x2, 125) << hex("82 7d");
    QTest::newRow("126") << header(0x2, 126) << hex("82 7e 00 7e");
    QTest::newRow("65535") << header(0x2, 65535) << hex("82 7e ff ff");

    // What the frame lab needs: the header exactly as given, valid or not.
    FrameHeader rsv = header(0x1, 0);
    rsv.rsv1 = rsv.rsv2 = rsv.rsv3 = true;
    QTest::newRow("all RSV bits") << rsv << hex("f1 00");
    QTest::newRow("reserved opcode 3") << header(0x3, 0) << hex("83 00");
    QTest::newRow("reserved control opcode 15") << header(0xF, 0) << hex("8f 00");
    QTest::newRow("fragmented ping") << header(0x9, 0, false) << hex("09 00");
    QTest::newRow("oversized ping") << header(0x9, 126) << hex("89 7e 00 7e");
    FrameHeader nonMinimal16 = header(0x1, 5);
    nonMinimal16.lengthForm = LengthForm::Extended16;
    QTest::newRow("non-minimal 16-bit length") << nonMinimal16 << hex("81 7e 00 05");
    FrameHeader nonMinimal64 = header(0x1, 5);
    nonMinimal64.lengthForm = LengthForm::Extended64;
    QTest::newRow("non-minimal 64-bit length")
        << nonMinimal64 << hex("81 7f 00 00 00 00 00 00 00 05");
    FrameHeader topBit = header(0x2, 0x8000000000000000ull);
    QTest::newRow("64-bit length with top bit") << topBit << hex("82 7f 80 00 00 00 00 00 00 00");
    QTest::newRow("zero mask key")
        << masked(header(0x2, 0), {0, 0, 0, 0}) << hex("82 80 00 00 00 00");
}

void tst_FrameHeader::encodesExactly()
{
    QFETCH(FrameHeader, header);
    QFETCH(Bytes, wire);
    QCOMPARE(encodedHeaderSize(header), wire.size());
    Bytes out(kMaxHeaderSize, 0xEE);
    const std::size_t written = encodeHeader(header, out);
    QCOMPARE(written, wire.size());
    out.resize(written);
    QCOMPARE(testutil::toHex(out), testutil::toHex(wire));
}

void tst_FrameHeader::refusesLengthThatDoesNotFitForcedForm()
{
    Bytes out(kMaxHeaderSize);
    FrameHeader h = header(0x2, 126);
    h.lengthForm = LengthForm::Short7;
    QCOMPARE(encodeHeader(h, out), std::size_t(0));
    h.payloadLength = 65536;
    h.lengthForm = LengthForm::Extended16;
    QCOMPARE(encodeHeader(h, out), std::size_t(0));
    h.lengthForm = LengthForm::Extended64;
    QCOMPARE(encodeHeader(h, out), std::size_t(10));
}

void tst_FrameHeader::refusesTooSmallBuffer()
{
    Bytes out(3);
    QCOMPARE(encodeHeader(header(0x2, 300), out), std::size_t(0));
    QCOMPARE(encodeHeader(header(0x2, 3), out), std::size_t(2));
}

void tst_FrameHeader::validation_data()
{
    QTest::addColumn<FrameHeader>("header");
    QTest::addColumn<bool>("fromClient");
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<ProtocolError>("first");

    const MaskKey key{1, 2, 3, 4};
    QTest::newRow("valid server text") << header(0x1, 5) << false << false << ProtocolError::None;
    QTest::newRow("valid client text")
        << masked(header(0x1, 5), key) << true << false << ProtocolError::None;
    QTest::newRow("unmasked client")
        << header(0x1, 5) << true << false << ProtocolError::UnmaskedClientFrame;
    QTest::newRow("masked server")
        << masked(header(0x1, 5), key) << false << false << ProtocolError::MaskedServerFrame;
    FrameHeader rsv1 = header(0x1, 5);
    rsv1.rsv1 = true;
    QTest::newRow("rsv1 without deflate")
        << rsv1 << false << false << ProtocolError::ReservedBitsSet;
    QTest::newRow("rsv1 with deflate") << rsv1 << false << true << ProtocolError::None;
    FrameHeader rsv1Cont = header(0x0, 5);
    rsv1Cont.rsv1 = true;
    QTest::newRow("rsv1 on continuation with deflate")
        << rsv1Cont << false << true << ProtocolError::UnexpectedCompressedBit;
    FrameHeader rsv1Ping = header(0x9, 0);
    rsv1Ping.rsv1 = true;
    QTest::newRow("rsv1 on ping with deflate")
        << rsv1Ping << false << true << ProtocolError::UnexpectedCompressedBit;
    FrameHeader rsv2 = header(0x1, 5);
    rsv2.rsv2 = true;
    QTest::newRow("rsv2 with deflate") << rsv2 << false << true << ProtocolError::ReservedBitsSet;
    QTest::newRow("opcode 7") << header(0x7, 0) << false << false << ProtocolError::ReservedOpcode;
    QTest::newRow("opcode 11") << header(0xB, 0) << false << false << ProtocolError::ReservedOpcode;
    QTest::newRow("ping fin=0") << header(0x9, 0, false) << false << false
                                << ProtocolError::FragmentedControlFrame;
    QTest::newRow("ping 125") << header(0x9, 125) << false << false << ProtocolError::None;
    QTest::newRow("ping 126") << header(0x9, 126) << false << false
                              << ProtocolError::ControlFrameTooLong;
    QTest::newRow("top bit") << header(0x2, ~0ull) << false << false
                             << ProtocolError::LengthTopBitSet;
    // Order: RSV before opcode before control rules before masking.
    FrameHeader many = header(0xB, 200, false);
    many.rsv3 = true;
    QTest::newRow("order: rsv first") << many << true << false << ProtocolError::ReservedBitsSet;
    QTest::newRow("order: frame limit last")
        << header(0x2, (64ull << 20) + 1) << false << false << ProtocolError::FrameTooBig;
}

void tst_FrameHeader::validation()
{
    QFETCH(FrameHeader, header);
    QFETCH(bool, fromClient);
    QFETCH(bool, deflate);
    QFETCH(ProtocolError, first);
    HeaderRules rules;
    rules.sender = fromClient ? Role::Client : Role::Server;
    rules.rsv1Allowed = deflate;
    QCOMPARE(int(headerViolations(header, rules).first()), int(first));
}

QTEST_GUILESS_MAIN(tst_FrameHeader)
#include "tst_frameheader.moc"
