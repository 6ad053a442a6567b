#include "testutil.h"

#include <QTest>
#include <protocol/framedecoder.h>
#include <protocol/masking.h>

using namespace framescope::protocol;
using namespace testutil;

Q_DECLARE_METATYPE(testutil::Bytes)
Q_DECLARE_METATYPE(framescope::protocol::ProtocolError)

namespace {

// Runs the decoder over `wire` in the given chunking and describes every event; payload is
// unmasked and concatenated per frame, so chunkings can be compared.
struct Trace
{
    std::string events;
    std::vector<Bytes> payloads;
    ProtocolError error = ProtocolError::None;
};

Trace decode(const DecoderOptions &options, const Bytes &wire, std::size_t chunk,
             std::size_t split = 0)
{
    FrameDecoder decoder(options);
    Trace trace;
    auto feed = [&](std::span<const std::uint8_t> input) {
        for (;;) {
            const DecodeEvent event = decoder.next(input);
            input = input.subspan(event.consumed);
            switch (event.type) {
            case DecodeEventType::NeedMoreData:
                return;
            case DecodeEventType::Error:
                trace.error = event.error;
                return;
            case DecodeEventType::FrameHeader: {
                const FrameHeader &h = decoder.frame().header;
                trace.events += "H(" + std::to_string(h.opcode) + (h.fin ? ",fin" : "")
                                + (h.masked ? ",masked" : "") + ","
                                + std::to_string(h.payloadLength)
                                + (decoder.frame().nonMinimalLength ? ",nonminimal" : "") + ",v"
                                + std::to_string(decoder.frame().violations.bits()) + ")";
                trace.payloads.emplace_back();
                break;
            }
            case DecodeEventType::Payload: {
                Bytes piece(event.payload.begin(), event.payload.end());
                if (decoder.frame().header.masked)
                    applyMask(piece, decoder.frame().header.maskKey, event.payloadOffset & 3);
                trace.payloads.back().insert(trace.payloads.back().end(), piece.begin(),
                                             piece.end());
                break;
            }
            case DecodeEventType::FrameEnd:
                trace.events += "E";
                break;
            }
        }
    };
    if (chunk == 0) {
        if (split > 0) {
            feed(std::span(wire).first(split));
            if (trace.error == ProtocolError::None)
                feed(std::span(wire).subspan(split));
        } else {
            feed(wire);
        }
    } else {
        for (std::size_t i = 0; i < wire.size() && trace.error == ProtocolError::None; i += chunk)
            feed(std::span(wire).subspan(i, std::min(chunk, wire.size() - i)));
    }
    return trace;
}

DecoderOptions clientOptions()
{
    DecoderOptions options;
    options.role = Role::Client;
    return options;
}

DecoderOptions serverOptions()
{
    DecoderOptions options;
    options.role = Role::Server;
    return options;
}

} // namespace

class tst_FrameDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfcExamples_data();
    void rfcExamples();
    void sameEventsAtEverySplit_data();
    void sameEventsAtEverySplit();
    void splitHeaderIsStashedUntilComplete();
    void payloadIsHandedOutAsViews();
    void hugeDeclaredLengthFailsBeforeAnyPayload();
    void nonMinimalLengthFlaggedOrRejected();
    void topBitIsFatalEvenInReportMode();
    void staysFailed();
    void reportModeRecordsAllViolations();
    void messageLimitChecksDeclaredLengthsAcrossFragments();
};

void tst_FrameDecoder::rfcExamples_data()
{
    QTest::addColumn<bool>("server");
    QTest::addColumn<Bytes>("wire");
    QTest::addColumn<QString>("events");
    QTest::addColumn<Bytes>("payload");

    // RFC 6455 §5.7.
    QTest::newRow("single-frame unmasked text")
        << false << hex("81 05 48 65 6c 6c 6f") << "H(1,fin,5,v0)E" << bytesOf("Hello");
    QTest::newRow("single-frame masked text") << true << hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")
                                              << "H(1,fin,masked,5,v0)E" << bytesOf("Hello");
    QTest::newRow("fragmented unmasked text") << false << hex("01 03 48 65 6c 80 02 6c 6f")
                                              << "H(1,3,v0)EH(0,fin,2,v0)E" << bytesOf("Hello");
    QTest::newRow("unmasked ping")
        << false << hex("89 05 48 65 6c 6c 6f") << "H(9,fin,5,v0)E" << bytesOf("Hello");
    QTest::newRow("masked pong") << true << hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58")
                                 << "H(10,fin,masked,5,v0)E" << bytesOf("Hello");
    QTest::newRow("256 bytes binary") << false << concat({hex("82 7E 01 00"), filled(256, 0x5A)})
                                      << "H(2,fin,256,v0)E" << filled(256, 0x5A);
    QTest::newRow("64 KiB binary")
        << false << concat({hex("82 7F 00 00 00 00 00 01 00 00"), filled(65536, 0xA5)})
        << "H(2,fin,65536,v0)E" << filled(65536, 0xA5);
}

void tst_FrameDecoder::rfcExamples()
{
    QFETCH(bool, server);
    QFETCH(Bytes, wire);
    QFETCH(QString, events);
    QFETCH(Bytes, payload);
    const Trace trace = decode(server ? serverOptions() : clientOptions(), wire, 0);
    QCOMPARE(trace.error, ProtocolError::None);
    QCOMPARE(QString::fromStdString(trace.events), events);
    Bytes joined;
    for (const Bytes &p : trace.payloads)
        joined.insert(joined.end(), p.begin(), p.end());
    QCOMPARE(joined, payload);
}

void tst_FrameDecoder::sameEventsAtEverySplit_data()
{
    QTest::addColumn<bool>("server");
    QTest::addColumn<Bytes>("wire");
    QTest::addColumn<ProtocolError>("error");
    QTest::newRow("§5.7 fragments")
        << false << hex("01 03 48 65 6c 80 02 6c 6f") << ProtocolError::None;
    QTest::newRow("masked 300 bytes")
        << true << frame(2, filled(300, 7), true, true) << ProtocolError::None;
    QTest::newRow("three frames, 64-bit length")
        << false
        << concat({frame(1, bytesOf("a"), false), hex("00 7f 00 00 00 00 00 00 00 03 62 63 64"),
                   frame(0, {}, true)})
        << ProtocolError::None;
    QTest::newRow("empty frames") << true
                                  << concat({frame(9, {}, true, true), frame(2, {}, true, true)})
                                  << ProtocolError::None;
    QTest::newRow("error after a frame") << false << concat({frame(1, bytesOf("ok")), frame(6, {})})
                                         << ProtocolError::ReservedOpcode;
    QTest::newRow("unmasked from client")
        << true << frame(1, bytesOf("x")) << ProtocolError::UnmaskedClientFrame;
    QTest::newRow("masked from server")
        << false << frame(1, bytesOf("x"), true, true) << ProtocolError::MaskedServerFrame;
    QTest::newRow("oversized control with masked header")
        << true << frame(10, filled(126), true, true) << ProtocolError::ControlFrameTooLong;
}

void tst_FrameDecoder::sameEventsAtEverySplit()
{
    QFETCH(bool, server);
    QFETCH(Bytes, wire);
    QFETCH(ProtocolError, error);
    const DecoderOptions options = server ? serverOptions() : clientOptions();
    const Trace whole = decode(options, wire, 0);
    QCOMPARE(whole.error, error);
    const Trace bytewise = decode(options, wire, 1);
    QCOMPARE(bytewise.events, whole.events);
    QCOMPARE(bytewise.payloads, whole.payloads);
    QCOMPARE(bytewise.error, whole.error);
    for (std::size_t split = 1; split < wire.size(); ++split) {
        const Trace parts = decode(options, wire, 0, split);
        QCOMPARE(parts.events, whole.events);
        QCOMPARE(parts.payloads, whole.payloads);
        QCOMPARE(parts.error, whole.error);
    }
}

void tst_FrameDecoder::splitHeaderIsStashedUntilComplete()
{
    // A 14-byte header (64-bit length, masked) one byte at a time.
    FrameHeader header;
    header.opcode = 2;
    header.masked = true;
    header.maskKey = {1, 2, 3, 4};
    header.payloadLength = 3;
    header.lengthForm = LengthForm::Extended64;
    Bytes wire;
    appendFrame(header, bytesOf("abc"), wire);
    QCOMPARE(wire.size(), std::size_t(17));
    FrameDecoder decoder(serverOptions());
    for (std::size_t i = 0; i + 1 < 14; ++i) {
        const DecodeEvent event = decoder.next(std::span(wire).subspan(i, 1));
        QCOMPARE(event.type, DecodeEventType::NeedMoreData);
        QCOMPARE(event.consumed, std::size_t(1));
    }
    const DecodeEvent last = decoder.next(std::span(wire).subspan(13));
    QCOMPARE(last.type, DecodeEventType::FrameHeader);
    QCOMPARE(last.consumed, std::size_t(1)); // only the header byte; the payload is left
    QCOMPARE(decoder.frame().headerSize, std::uint8_t(14));
    QVERIFY(decoder.frame().nonMinimalLength);
    QCOMPARE(decoder.frame().header.maskKey, (MaskKey{1, 2, 3, 4}));
}

void tst_FrameDecoder::payloadIsHandedOutAsViews()
{
    const Bytes wire = frame(2, filled(1000, 9));
    FrameDecoder decoder(clientOptions());
    DecodeEvent event = decoder.next(wire);
    QCOMPARE(event.type, DecodeEventType::FrameHeader);
    event = decoder.next(std::span(wire).subspan(event.consumed));
    QCOMPARE(event.type, DecodeEventType::Payload);
    QCOMPARE(event.payload.data(), wire.data() + 4); // a view into our buffer, not a copy
    QCOMPARE(event.payload.size(), std::size_t(1000));
    QCOMPARE(decoder.next({}).type, DecodeEventType::FrameEnd);
}

void tst_FrameDecoder::hugeDeclaredLengthFailsBeforeAnyPayload()
{
    const Bytes header = hex("82 7f 00 00 00 ff 00 00 00 00"); // about 1 TiB, no body
    FrameDecoder decoder(clientOptions());
    const DecodeEvent event = decoder.next(header);
    QCOMPARE(event.type, DecodeEventType::Error);
    QCOMPARE(event.error, ProtocolError::FrameTooBig);
    QCOMPARE(closeCodeFor(event.error), std::uint16_t(1009));

    DecoderOptions limited = clientOptions();
    limited.maxFramePayload = 100;
    const Trace atLimit = decode(limited, frame(2, filled(100)), 0);
    QCOMPARE(atLimit.error, ProtocolError::None);
    const Trace pastLimit = decode(limited, frame(2, filled(101)), 0);
    QCOMPARE(pastLimit.error, ProtocolError::FrameTooBig);
}

void tst_FrameDecoder::nonMinimalLengthFlaggedOrRejected()
{
    const Bytes wire = hex("81 7e 00 05 48 65 6c 6c 6f");
    const Trace lenient = decode(clientOptions(), wire, 0);
    QCOMPARE(lenient.error, ProtocolError::None);
    QCOMPARE(lenient.events, std::string("H(1,fin,5,nonminimal,v0)E"));
    DecoderOptions strict = clientOptions();
    strict.strictLengths = true;
    QCOMPARE(decode(strict, wire, 0).error, ProtocolError::NonMinimalLength);
    QCOMPARE(closeCodeFor(ProtocolError::NonMinimalLength), std::uint16_t(1002));
}

void tst_FrameDecoder::topBitIsFatalEvenInReportMode()
{
    DecoderOptions options = clientOptions();
    options.reportMode = true;
    const Trace trace = decode(options, hex("82 7f 80 00 00 00 00 00 00 01"), 0);
    QCOMPARE(trace.error, ProtocolError::LengthTopBitSet);
}

void tst_FrameDecoder::staysFailed()
{
    FrameDecoder decoder(clientOptions());
    QCOMPARE(decoder.next(hex("83 00")).type, DecodeEventType::Error);
    const DecodeEvent again = decoder.next(hex("81 00"));
    QCOMPARE(again.type, DecodeEventType::Error);
    QCOMPARE(again.consumed, std::size_t(0));
    QVERIFY(decoder.hasFailed());
    QCOMPARE(decoder.error(), ProtocolError::ReservedOpcode);
}

void tst_FrameDecoder::reportModeRecordsAllViolations()
{
    DecoderOptions options = serverOptions();
    options.reportMode = true;
    // Unmasked ping from a client with FIN=0, RSV2 and 126 bytes: four violations, one frame.
    const Bytes wire
        = concat({frame(9, filled(126), false, false, 2), frame(1, bytesOf("ok"), true, true)});
    const Trace trace = decode(options, wire, 0);
    QCOMPARE(trace.error, ProtocolError::None);
    ViolationSet expected;
    expected.add(ProtocolError::ReservedBitsSet);
    expected.add(ProtocolError::FragmentedControlFrame);
    expected.add(ProtocolError::ControlFrameTooLong);
    expected.add(ProtocolError::UnmaskedClientFrame);
    QCOMPARE(trace.events,
             "H(9,126,v" + std::to_string(expected.bits()) + ")EH(1,fin,masked,2,v0)E");
    QCOMPARE(trace.payloads.back(), bytesOf("ok"));
}

void tst_FrameDecoder::messageLimitChecksDeclaredLengthsAcrossFragments()
{
    DecoderOptions options = clientOptions();
    options.maxMessageSize = 10;
    // 6 + 4 fits; a following message starts from zero again.
    QCOMPARE(decode(options,
                    concat({frame(2, filled(6), false), frame(0, filled(4)), frame(2, filled(10))}),
                    0)
                 .error,
             ProtocolError::None);
    // 6 + 5 does not: refused at the second header, with its payload never read.
    const Bytes wire = concat({frame(2, filled(6), false), hex("00 05")});
    QCOMPARE(decode(options, wire, 0).error, ProtocolError::MessageTooBig);
    // Control frames in between do not count.
    QCOMPARE(
        decode(options,
               concat({frame(2, filled(6), false), frame(9, filled(100)), frame(0, filled(4))}), 0)
            .error,
        ProtocolError::None);
}

QTEST_GUILESS_MAIN(tst_FrameDecoder)
#include "tst_framedecoder.moc"
