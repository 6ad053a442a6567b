// Lining up a frame in the client's store with the same frame in the built-in server's store.

#include <QTest>
#include <capture/framestore.h>
#include <protocol/frameheader.h>
#include <server/counterpart.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

capture::FrameId add(capture::FrameStore &store, bool sent, std::string_view text,
                     std::int64_t endNs, std::optional<protocol::MaskKey> maskKey = std::nullopt)
{
    protocol::FrameHeader header;
    header.fin = true;
    header.opcode = 0x1;
    header.payloadLength = text.size();
    header.masked = maskKey.has_value();
    header.maskKey = maskKey.value_or(protocol::MaskKey{});
    capture::FrameRecord record;
    record.setHeader(header, 2, sent ? capture::Direction::Sent : capture::Direction::Received);
    record.startNs = record.endNs = endNs;
    store.append(record,
                 std::span(reinterpret_cast<const std::uint8_t *>(text.data()), text.size()));
    return {store.endId().value - 1};
}

// The matched frame's id, or -1 for none.
std::int64_t match(const capture::FrameStore &from, capture::FrameId id,
                   const capture::FrameStore &to)
{
    const std::optional<capture::FrameId> found = counterpart(from, id, to);
    return found ? std::int64_t(found->value) : -1;
}

} // namespace

class tst_Counterpart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A masked frame is found by its key, wherever it is.
    void aMaskedFrameByItsKey()
    {
        capture::FrameStore client;
        capture::FrameStore server;
        const auto sent = add(client, true, "ping", 1000, protocol::MaskKey{1, 2, 3, 4});
        add(server, false, "ping", 900, protocol::MaskKey{5, 6, 7, 8}); // same text, another frame
        const auto received = add(server, false, "ping", 1100, protocol::MaskKey{1, 2, 3, 4});
        QCOMPARE(match(client, sent, server), std::int64_t(received.value));
        QCOMPARE(match(server, received, client), std::int64_t(sent.value));
    }

    // The echo the client received is the one the server sent, even when the client's receive
    // time (the kernel's, taken as the bytes arrived) is earlier than the server's send time
    // (taken when the write returned): the clocks' order is not the frames' order.
    void anEchoStampedBeforeItWentOut()
    {
        capture::FrameStore client;
        capture::FrameStore server;
        const auto wentOut = add(server, true, "one", 5'000'000);
        const auto cameIn = add(client, false, "one", 4'990'000);
        QCOMPARE(match(client, cameIn, server), std::int64_t(wentOut.value));
        QCOMPARE(match(server, wentOut, client), std::int64_t(cameIn.value));
    }

    // Of several frames alike, the one nearest in time.
    void theNearestOfFramesAlike()
    {
        capture::FrameStore client;
        capture::FrameStore server;
        std::vector<capture::FrameId> out;
        std::vector<capture::FrameId> in;
        for (int i = 0; i < 50; ++i) {
            out.push_back(add(server, true, "tick", 2'000'000LL * i + 30'000));
            in.push_back(add(client, false, "tick",
                             2'000'000LL * i + 10'000 * (i % 3 == 0 ? -1 : 1) + 30'000));
        }
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(match(client, in[i], server), std::int64_t(out[i].value));
            QCOMPARE(match(server, out[i], client), std::int64_t(in[i].value));
        }
    }

    // Nothing alike: nothing, not the nearest frame of another kind.
    void nothingWhenNothingMatches()
    {
        capture::FrameStore client;
        capture::FrameStore server;
        const auto cameIn = add(client, false, "abc", 1000);
        add(server, true, "abd", 1000);  // other bytes
        add(server, false, "abc", 1000); // same direction as the client's
        add(server, true, "abcd", 1000); // other length
        QCOMPARE(match(client, cameIn, server), -1);
        QCOMPARE(match(client, capture::FrameId{99}, server), -1);
    }
};

QTEST_MAIN(tst_Counterpart)
#include "tst_counterpart.moc"
