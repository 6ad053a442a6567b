// Message-level decoding cases written from the Autobahn TestSuite case descriptions
// (categories 1-7, see ../shared/CONFORMANCE-FACTS.md), for both roles, each fed whole, one byte
// at a time and split at every point (sampled for the large ones).

#include "testutil.h"

#include <QTest>
#include <functional>
#include <protocol/closeframe.h>
#include <protocol/messagereader.h>

using namespace framescope::protocol;
using namespace testutil;

Q_DECLARE_METATYPE(testutil::Bytes)
Q_DECLARE_METATYPE(framescope::protocol::ProtocolError)

namespace {

using WireBuilder = std::function<Bytes(bool masked)>;

struct Case
{
    const char *name;
    WireBuilder wire;
    ProtocolError error;
    QStringList messages;
    QStringList controls;
};

QString text(int opcode, std::string_view payload)
{
    return summary(opcode, bytesOf(payload));
}

QString data(int opcode, const Bytes &payload)
{
    return summary(opcode, payload);
}

std::vector<Case> cases()
{
    std::vector<Case> all;
    // 1.x framing: text and binary at the length boundaries.
    for (std::size_t length : {0, 125, 126, 127, 128, 65535, 65536}) {
        const Bytes textPayload = filled(length, '*');
        const Bytes binaryPayload = filled(length, 0xFE);
        all.push_back({"1.1 text",
                       [=](bool m) { return frame(1, textPayload, true, m); },
                       ProtocolError::None,
                       {data(1, textPayload)},
                       {}});
        all.push_back({"1.2 binary",
                       [=](bool m) { return frame(2, binaryPayload, true, m); },
                       ProtocolError::None,
                       {data(2, binaryPayload)},
                       {}});
    }
    // 2.x pings and pongs.
    all.push_back({"2.1 empty ping",
                   [](bool m) { return frame(9, {}, true, m); },
                   ProtocolError::None,
                   {},
                   {data(9, {})}});
    all.push_back({"2.2 text ping",
                   [](bool m) { return frame(9, bytesOf("Hello, world!"), true, m); },
                   ProtocolError::None,
                   {},
                   {text(9, "Hello, world!")}});
    const Bytes binaryPing = hex("00 ff fe fd fc fb 00 ff");
    all.push_back({"2.3 binary ping",
                   [=](bool m) { return frame(9, binaryPing, true, m); },
                   ProtocolError::None,
                   {},
                   {data(9, binaryPing)}});
    all.push_back({"2.4 ping 125",
                   [](bool m) { return frame(9, filled(125, 0xFE), true, m); },
                   ProtocolError::None,
                   {},
                   {data(9, filled(125, 0xFE))}});
    all.push_back({"2.5 ping 126",
                   [](bool m) { return frame(9, filled(126, 0xFE), true, m); },
                   ProtocolError::ControlFrameTooLong,
                   {},
                   {}});
    all.push_back({"2.7 unsolicited empty pong",
                   [](bool m) { return frame(10, {}, true, m); },
                   ProtocolError::None,
                   {},
                   {data(10, {})}});
    all.push_back({"2.9 pong then ping",
                   [](bool m) {
                       return concat({frame(10, bytesOf("unsolicited pong payload"), true, m),
                                      frame(9, bytesOf("ping payload"), true, m)});
                   },
                   ProtocolError::None,
                   {},
                   {text(10, "unsolicited pong payload"), text(9, "ping payload")}});
    all.push_back({"2.10 ten pings",
                   [](bool m) {
                       Bytes out;
                       for (int i = 0; i < 10; ++i) {
                           const Bytes ping
                               = frame(9, bytesOf("payload-" + std::to_string(i)), true, m);
                           out.insert(out.end(), ping.begin(), ping.end());
                       }
                       return out;
                   },
                   ProtocolError::None,
                   {},
                   [] {
                       QStringList pings;
                       for (int i = 0; i < 10; ++i)
                           pings << text(9, "payload-" + std::to_string(i));
                       return pings;
                   }()});
    // 3.x reserved bits: fail with 1002; a message before the bad frame is kept and a ping after
    // it is never delivered.
    all.push_back({"3.1 text rsv=1",
                   [](bool m) { return frame(1, bytesOf("Hello"), true, m, 1); },
                   ProtocolError::ReservedBitsSet,
                   {},
                   {}});
    for (std::uint8_t rsv : {2, 3, 4}) {
        all.push_back({"3.2-3.4 text, bad rsv, ping",
                       [rsv](bool m) {
                           return concat({frame(1, bytesOf("Hello"), true, m),
                                          frame(1, bytesOf("Hello"), true, m, rsv),
                                          frame(9, {}, true, m)});
                       },
                       ProtocolError::ReservedBitsSet,
                       {text(1, "Hello")},
                       {}});
    }
    all.push_back({"3.5 binary rsv=5",
                   [](bool m) { return frame(2, filled(8, 0xFF), true, m, 5); },
                   ProtocolError::ReservedBitsSet,
                   {},
                   {}});
    all.push_back({"3.6 ping rsv=6",
                   [](bool m) { return frame(9, bytesOf("Hello"), true, m, 6); },
                   ProtocolError::ReservedBitsSet,
                   {},
                   {}});
    all.push_back({"3.7 close rsv=7",
                   [](bool m) { return frame(8, closeBody(1000), true, m, 7); },
                   ProtocolError::ReservedBitsSet,
                   {},
                   {}});
    // 4.x reserved opcodes.
    for (std::uint8_t opcode : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
        all.push_back({"4.x reserved opcode",
                       [opcode](bool m) {
                           return concat({frame(1, bytesOf("Hello"), true, m),
                                          frame(opcode, bytesOf("reserved"), true, m),
                                          frame(9, {}, true, m)});
                       },
                       ProtocolError::ReservedOpcode,
                       {text(1, "Hello")},
                       {}});
    }
    // 5.x fragmentation.
    all.push_back({"5.1 fragmented ping",
                   [](bool m) {
                       return concat({frame(9, bytesOf("frag1"), false, m),
                                      frame(0, bytesOf("frag2"), true, m)});
                   },
                   ProtocolError::FragmentedControlFrame,
                   {},
                   {}});
    all.push_back({"5.2 fragmented pong",
                   [](bool m) {
                       return concat({frame(10, bytesOf("frag1"), false, m),
                                      frame(0, bytesOf("frag2"), true, m)});
                   },
                   ProtocolError::FragmentedControlFrame,
                   {},
                   {}});
    all.push_back({"5.3 two fragments",
                   [](bool m) {
                       return concat({frame(1, bytesOf("frag1"), false, m),
                                      frame(0, bytesOf("frag2"), true, m)});
                   },
                   ProtocolError::None,
                   {text(1, "frag1frag2")},
                   {}});
    all.push_back({"5.6 ping between fragments",
                   [](bool m) {
                       return concat({frame(1, bytesOf("frag1"), false, m),
                                      frame(9, bytesOf("ping"), true, m),
                                      frame(0, bytesOf("frag2"), true, m)});
                   },
                   ProtocolError::None,
                   {text(1, "frag1frag2")},
                   {text(9, "ping")}});
    all.push_back({"5.9 orphan continuation fin=1",
                   [](bool m) {
                       return concat({frame(0, bytesOf("non-continuation payload"), true, m),
                                      frame(1, bytesOf("Hello, world!"), true, m)});
                   },
                   ProtocolError::UnexpectedContinuation,
                   {},
                   {}});
    all.push_back({"5.12 orphan continuation fin=0",
                   [](bool m) {
                       return concat({frame(0, bytesOf("non-continuation payload"), false, m),
                                      frame(1, bytesOf("Hello, world!"), true, m)});
                   },
                   ProtocolError::UnexpectedContinuation,
                   {},
                   {}});
    all.push_back({"5.15 message, then an orphan continuation",
                   [](bool m) {
                       return concat({frame(1, bytesOf("fragment1"), false, m),
                                      frame(0, bytesOf("fragment2"), true, m),
                                      frame(0, bytesOf("fragment3"), false, m),
                                      frame(1, bytesOf("fragment4"), true, m)});
                   },
                   ProtocolError::UnexpectedContinuation,
                   {text(1, "fragment1fragment2")},
                   {}});
    all.push_back({"5.18 two text starts",
                   [](bool m) {
                       return concat({frame(1, bytesOf("fragment1"), false, m),
                                      frame(1, bytesOf("fragment2"), true, m)});
                   },
                   ProtocolError::ExpectedContinuation,
                   {},
                   {}});
    all.push_back({"5.19 fragments with pings",
                   [](bool m) {
                       Bytes out;
                       for (int i = 1; i <= 10; ++i) {
                           const Bytes part = frame(
                               i == 1 ? 1 : 0, bytesOf("fragment" + std::to_string(i)), i == 10, m);
                           out.insert(out.end(), part.begin(), part.end());
                           if (i == 5 || i == 9) {
                               const Bytes ping
                                   = frame(9, bytesOf("pongme " + std::to_string(i)), true, m);
                               out.insert(out.end(), ping.begin(), ping.end());
                           }
                       }
                       return out;
                   },
                   ProtocolError::None,
                   {text(1, "fragment1fragment2fragment3fragment4fragment5fragment6fragment7fragmen"
                            "t8fragment9fragment10")},
                   {text(9, "pongme 5"), text(9, "pongme 9")}});
    // 6.x UTF-8 at message level (the full vector set is in tst_utf8validator).
    all.push_back({"6.1.1 empty text",
                   [](bool m) { return frame(1, {}, true, m); },
                   ProtocolError::None,
                   {text(1, "")},
                   {}});
    all.push_back(
        {"6.1.2 empty fragments",
         [](bool m) {
             return concat({frame(1, {}, false, m), frame(0, {}, false, m), frame(0, {}, true, m)});
         },
         ProtocolError::None,
         {text(1, "")},
         {}});
    all.push_back({"6.2.3 split inside code points",
                   [](bool m) {
                       const Bytes text = hex("ce ba e1 bd b9 cf 83 ce bc ce b5");
                       Bytes out;
                       for (std::size_t i = 0; i < text.size(); ++i) {
                           const Bytes part
                               = frame(i == 0 ? 1 : 0, {text[i]}, i + 1 == text.size(), m);
                           out.insert(out.end(), part.begin(), part.end());
                       }
                       return out;
                   },
                   ProtocolError::None,
                   {data(1, hex("ce ba e1 bd b9 cf 83 ce bc ce b5"))},
                   {}});
    all.push_back({"6.3.1 invalid text",
                   [](bool m) {
                       return frame(
                           1, hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64"),
                           true, m);
                   },
                   ProtocolError::InvalidUtf8,
                   {},
                   {}});
    all.push_back({"6.x ends mid code point",
                   [](bool m) { return frame(1, hex("ce ba e1 bd"), true, m); },
                   ProtocolError::InvalidUtf8,
                   {},
                   {}});
    all.push_back({"6.x binary is not checked",
                   [](bool m) { return frame(2, hex("ff fe ed a0 80"), true, m); },
                   ProtocolError::None,
                   {data(2, hex("ff fe ed a0 80"))},
                   {}});
    // 7.x close handling. Frames after a close are ignored.
    all.push_back({"7.1.1 message then close",
                   [](bool m) {
                       return concat({frame(1, bytesOf("Hello World!"), true, m),
                                      frame(8, closeBody(1000), true, m)});
                   },
                   ProtocolError::None,
                   {text(1, "Hello World!")},
                   {data(8, closeBody(1000))}});
    all.push_back({"7.1.2 two closes",
                   [](bool m) {
                       return concat({frame(8, closeBody(1000), true, m),
                                      frame(8, closeBody(1000), true, m)});
                   },
                   ProtocolError::None,
                   {},
                   {data(8, closeBody(1000))}});
    all.push_back({"7.1.3 ping after close",
                   [](bool m) {
                       return concat({frame(8, closeBody(1000), true, m),
                                      frame(9, bytesOf("Hello"), true, m)});
                   },
                   ProtocolError::None,
                   {},
                   {data(8, closeBody(1000))}});
    all.push_back({"7.1.4 text after close",
                   [](bool m) {
                       return concat({frame(8, closeBody(1000), true, m),
                                      frame(1, bytesOf("Hello"), true, m)});
                   },
                   ProtocolError::None,
                   {},
                   {data(8, closeBody(1000))}});
    all.push_back({"7.1.5 fragment, close, fragment",
                   [](bool m) {
                       return concat({frame(1, bytesOf("fragment1"), false, m),
                                      frame(8, closeBody(1000), true, m),
                                      frame(0, bytesOf("fragment2"), true, m)});
                   },
                   ProtocolError::None,
                   {},
                   {data(8, closeBody(1000))}});
    all.push_back({"7.1.6 256 KiB message, close, ping",
                   [](bool m) {
                       return concat({frame(1, filled(256 * 1024, 'B'), true, m),
                                      frame(8, closeBody(1000), true, m),
                                      frame(9, bytesOf("ping"), true, m)});
                   },
                   ProtocolError::None,
                   {data(1, filled(256 * 1024, 'B'))},
                   {data(8, closeBody(1000))}});
    all.push_back({"7.3.1 empty close",
                   [](bool m) { return frame(8, {}, true, m); },
                   ProtocolError::None,
                   {},
                   {data(8, {})}});
    all.push_back({"7.3.2 one-byte close",
                   [](bool m) { return frame(8, hex("03"), true, m); },
                   ProtocolError::InvalidClosePayload,
                   {},
                   {}});
    all.push_back({"7.3.3 code only",
                   [](bool m) { return frame(8, closeBody(1000), true, m); },
                   ProtocolError::None,
                   {},
                   {data(8, closeBody(1000))}});
    all.push_back({"7.3.4 code and reason",
                   [](bool m) { return frame(8, closeBody(1000, "Hello World!"), true, m); },
                   ProtocolError::None,
                   {},
                   {data(8, closeBody(1000, "Hello World!"))}});
    all.push_back({"7.3.5 reason of 123",
                   [](bool m) { return frame(8, closeBody(1000, std::string(123, '*')), true, m); },
                   ProtocolError::None,
                   {},
                   {data(8, closeBody(1000, std::string(123, '*')))}});
    all.push_back({"7.3.6 reason of 124",
                   [](bool m) { return frame(8, closeBody(1000, std::string(124, '*')), true, m); },
                   ProtocolError::ControlFrameTooLong,
                   {},
                   {}});
    all.push_back({"7.5.1 invalid UTF-8 reason",
                   [](bool m) {
                       Bytes body = closeBody(1000);
                       const Bytes bad
                           = hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64");
                       body.insert(body.end(), bad.begin(), bad.end());
                       return frame(8, body, true, m);
                   },
                   ProtocolError::InvalidCloseReason,
                   {},
                   {}});
    for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
                               1014, 3000, 3999, 4000, 4999}) {
        all.push_back({"7.7 valid close code",
                       [code](bool m) { return frame(8, closeBody(code), true, m); },
                       ProtocolError::None,
                       {},
                       {data(8, closeBody(code))}});
    }
    for (std::uint16_t code :
         {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        all.push_back({"7.9/7.13 invalid close code",
                       [code](bool m) { return frame(8, closeBody(code), true, m); },
                       ProtocolError::InvalidCloseCode,
                       {},
                       {}});
    }
    return all;
}

struct Outcome
{
    ProtocolError error;
    QStringList messages;
    QStringList controls;
    std::string log;
};

Outcome run(bool weAreServer, const Bytes &wire, std::size_t chunk, std::size_t split)
{
    ReaderOptions options;
    options.decoder.role = weAreServer ? Role::Server : Role::Client;
    ReadResult result;
    readInto(result, options, wire, chunk, split);
    return {result.error, messageSummaries(result.handler), controlSummaries(result.handler),
            result.handler.log};
}

} // namespace

class tst_MessageReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void autobahnCases_data();
    void autobahnCases();
    void failsFastOnInvalidUtf8AcrossFragments();
    void fragmentLimitCountsEmptyFragments();
    void messageLimitAtAndPastTheLimit();
    void reportModeKeepsDecoding();
    void unmasksIntoTheHandlersRoom();
};

void tst_MessageReader::autobahnCases_data()
{
    QTest::addColumn<bool>("weAreServer");
    QTest::addColumn<Bytes>("wire");
    QTest::addColumn<ProtocolError>("error");
    QTest::addColumn<QStringList>("messages");
    QTest::addColumn<QStringList>("controls");
    int index = 0;
    for (const Case &c : cases()) {
        ++index;
        for (bool server : {false, true}) {
            const QByteArray name = QByteArray(c.name) + " #" + QByteArray::number(index)
                                    + (server ? " (server reads masked)" : " (client reads)");
            QTest::newRow(name.constData())
                << server << c.wire(server) << c.error << c.messages << c.controls;
        }
    }
}

void tst_MessageReader::autobahnCases()
{
    QFETCH(bool, weAreServer);
    QFETCH(Bytes, wire);
    QFETCH(ProtocolError, error);
    QFETCH(QStringList, messages);
    QFETCH(QStringList, controls);

    const Outcome whole = run(weAreServer, wire, 0, 0);
    QCOMPARE(errorId(whole.error), errorId(error));
    QCOMPARE(whole.messages, messages);
    QCOMPARE(whole.controls, controls);

    // One byte at a time and every split point give the same result.
    const Outcome bytewise = run(weAreServer, wire, 1, 0);
    QCOMPARE(bytewise.log, whole.log);
    QCOMPARE(bytewise.error, whole.error);
    QCOMPARE(bytewise.messages, whole.messages);
    std::vector<std::size_t> splits;
    for (std::size_t i = 1; i < wire.size(); ++i) {
        if (wire.size() <= 4096 || i < 64 || i + 64 > wire.size() || i % 997 == 0)
            splits.push_back(i);
    }
    for (std::size_t split : splits) {
        const Outcome parts = run(weAreServer, wire, 0, split);
        if (parts.log != whole.log || parts.error != whole.error
            || parts.messages != whole.messages)
            QFAIL(qPrintable(QStringLiteral("differs when split at %1").arg(split)));
    }
}

void tst_MessageReader::failsFastOnInvalidUtf8AcrossFragments()
{
    // Autobahn 6.4.x: the error is found on the first impossible byte, before the message ends.
    ReaderOptions options;
    RecordingHandler handler;
    MessageReader reader(options, handler);
    QCOMPARE(reader.feed(frame(1, hex("ce ba e1 bd b9 cf 83 ce bc ce b5"), false)),
             ProtocolError::None);
    // The second fragment's header arrives with only the first invalid byte (F4 90 is > U+10FFFF).
    const Bytes second = frame(0, hex("f4 90 80 80 65 64 69 74 65 64"), false);
    QCOMPARE(reader.feed(std::span(second).first(3)), ProtocolError::None);
    QCOMPARE(reader.feed(std::span(second).subspan(3, 1)), ProtocolError::InvalidUtf8);
    QCOMPARE(closeCodeFor(reader.error()), std::uint16_t(1007));

    // Split inside one TCP chunk of a single frame as well (6.4.3/6.4.4 style).
    RecordingHandler handler2;
    MessageReader reader2(options, handler2);
    const Bytes single
        = frame(1, hex("ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64"));
    QCOMPARE(reader2.feed(std::span(single).first(2 + 11)), ProtocolError::None);
    QCOMPARE(reader2.feed(std::span(single).subspan(13, 2)), ProtocolError::InvalidUtf8);
}

void tst_MessageReader::fragmentLimitCountsEmptyFragments()
{
    ReaderOptions options;
    options.assembler.maxFragments = 4;
    Bytes atLimit = frame(2, {}, false);
    for (int i = 0; i < 2; ++i)
        atLimit = concat({atLimit, frame(0, {}, false)});
    const Bytes finished = concat({atLimit, frame(0, {}, true)});
    ReadResult ok;
    readInto(ok, options, finished);
    QCOMPARE(ok.error, ProtocolError::None);
    QCOMPARE(ok.handler.messages.size(), std::size_t(1));

    const Bytes pastLimit = concat({atLimit, frame(0, {}, false), frame(0, {}, true)});
    ReadResult tooMany;
    readInto(tooMany, options, pastLimit);
    QCOMPARE(tooMany.error, ProtocolError::TooManyFragments);
    QCOMPARE(closeCodeFor(tooMany.error), std::uint16_t(1009));
}

void tst_MessageReader::messageLimitAtAndPastTheLimit()
{
    ReaderOptions options;
    options.decoder.maxMessageSize = 1000;
    options.assembler.maxMessageSize = 1000;
    ReadResult at;
    readInto(at, options, concat({frame(2, filled(600), false), frame(0, filled(400), true)}));
    QCOMPARE(at.error, ProtocolError::None);
    QCOMPARE(at.handler.messages.at(0).data.size(), std::size_t(1000));

    // One byte past: refused on the declared length, before the payload arrives.
    ReadResult past;
    const Bytes wire = concat({frame(2, filled(600), false), frame(0, filled(401), true)});
    readInto(past, options, std::span(wire).first(wire.size() - 401));
    QCOMPARE(past.error, ProtocolError::MessageTooBig);
}

void tst_MessageReader::reportModeKeepsDecoding()
{
    ReaderOptions options;
    options.decoder.reportMode = true;
    options.assembler.reportMode = true;
    const Bytes wire = concat({frame(1, bytesOf("Hello"), true, false, 4), frame(3, bytesOf("x")),
                               frame(0, bytesOf("orphan")), frame(1, hex("ff")),
                               frame(9, filled(130)), frame(2, bytesOf("after"))});
    ReadResult result;
    readInto(result, options, wire);
    QCOMPARE(result.error, ProtocolError::None);
    const std::vector<ProtocolError> expected{
        ProtocolError::ReservedBitsSet, ProtocolError::ReservedOpcode,
        ProtocolError::UnexpectedContinuation, ProtocolError::InvalidUtf8,
        ProtocolError::ControlFrameTooLong};
    QCOMPARE(result.handler.violations, expected);
    QCOMPARE(result.handler.messages.size(), std::size_t(3));
    QCOMPARE(result.handler.messages.back().data, bytesOf("after"));
}

namespace {

// Offers room of at most 7 bytes at a time in a buffer of its own, as the capture store does.
class RoomOfferingHandler : public RecordingHandler
{
public:
    std::span<std::uint8_t> payloadTarget(std::size_t size) override
    {
        ++offers;
        const std::size_t take = std::min<std::size_t>({size, 7, room.size() - used});
        return {room.data() + used, take};
    }
    void messageData(std::span<const std::uint8_t> data) override
    {
        inRoom = inRoom && data.data() >= room.data()
                 && data.data() + data.size() <= room.data() + room.size();
        used += data.size();
        RecordingHandler::messageData(data);
    }

    Bytes room = Bytes(4096);
    std::size_t used = 0;
    int offers = 0;
    bool inRoom = true;
};

} // namespace

// A server reads masked frames: with room offered, the payload is unmasked straight into it
// (and delivered from there), however the bytes arrive.
void tst_MessageReader::unmasksIntoTheHandlersRoom()
{
    const Bytes first = bytesOf("Hello, ");
    const Bytes second = bytesOf("world: fragmented, masked, in pieces of at most 7 bytes");
    const Bytes wire
        = concat({frame(0x1, first, false, true), frame(0x9, bytesOf("ping"), true, true),
                  frame(0x0, second, true, true)});
    for (std::size_t split = 0; split < wire.size(); ++split) {
        ReaderOptions options;
        options.decoder.role = Role::Server;
        RoomOfferingHandler handler;
        MessageReader reader(options, handler);
        reader.feed(std::span(wire).first(split));
        reader.feed(std::span(wire).subspan(split));
        QCOMPARE(reader.error(), ProtocolError::None);
        QCOMPARE(handler.messages.size(), std::size_t(1));
        QCOMPARE(handler.messages[0].data, concat({first, second}));
        QVERIFY(handler.inRoom);
        QCOMPARE(handler.used, first.size() + second.size());
        QVERIFY(handler.offers >= int((first.size() + second.size()) / 7));
        QCOMPARE(handler.controls.size(), std::size_t(1)); // the ping went its own way
        QCOMPARE(handler.controls[0].payload, bytesOf("ping"));
    }
}

QTEST_GUILESS_MAIN(tst_MessageReader)
#include "tst_messagereader.moc"
