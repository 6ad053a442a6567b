#include <QTest>
#include <atomic>
#include <capture/framestore.h>
#include <protocol/masking.h>
#include <random>
#include <thread>

using namespace framescope::capture;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Payload content is a function of the frame id, so any reader can check what it gets.
Bytes payloadFor(std::uint64_t id, std::size_t size)
{
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = std::uint8_t(id * 31 + i * 7);
    return bytes;
}

FrameRecord recordFor(std::uint64_t id, std::size_t size)
{
    FrameRecord record;
    record.opcode = 2;
    record.set(FrameRecord::Fin);
    record.payloadLength = size;
    record.startNs = std::int64_t(id * 1000);
    record.endNs = std::int64_t(id * 1000 + 500);
    return record;
}

} // namespace

class tst_FrameStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordFitsIn64Bytes();
    void storesRecordsAndPayloads();
    void unmasksInPlaceAcrossPieces();
    void uncommittedRoomIsNotPayload();
    void payloadAcrossBlocks();
    void evictsOldestPayloadFirst();
    void evictsOldestRecordChunks();
    void oneWriterManyReaders();
    void abandonedFrameGivesItsSpaceBack();
    void heldFrameYieldsOnlyWhenAnotherBegins();
    void echoSharesItsSourcesPayload();
    void anEchoNotRecordedYetKeepsItsSourcesBlock();
    void prefixCopiesOnlyWhatIsAsked();
};

void tst_FrameStore::recordFitsIn64Bytes()
{
    QVERIFY(sizeof(FrameRecord) <= 64);
    framescope::protocol::FrameHeader header;
    header.fin = false;
    header.rsv1 = true;
    header.rsv3 = true;
    header.opcode = 0xB;
    header.masked = true;
    header.maskKey = {1, 2, 3, 4};
    header.payloadLength = 300;
    header.lengthForm = framescope::protocol::LengthForm::Extended64;
    FrameRecord record;
    record.setHeader(header, 14, Direction::Sent);
    QCOMPARE(record.header(), header);
    QCOMPARE(record.direction(), Direction::Sent);
    QCOMPARE(record.headerSize, std::uint8_t(14));
    // Written over a used record: the header and flags are replaced, times and lengths kept.
    FrameRecord used;
    used.setHeader({}, 2, Direction::Received);
    used.set(FrameRecord::Compressed);
    used.startNs = 7;
    used.storedLength = 9;
    used.setHeader(header, 14, Direction::Sent);
    QCOMPARE(used.header(), header);
    QCOMPARE(used.direction(), Direction::Sent);
    QVERIFY(!used.has(FrameRecord::Compressed));
    QCOMPARE(used.headerSize, std::uint8_t(14));
    QCOMPARE(used.startNs, 7);
    QCOMPARE(used.storedLength, 9u);
}

void tst_FrameStore::storesRecordsAndPayloads()
{
    FrameStore store;
    QCOMPARE(store.endId().value, 0u);
    for (std::uint64_t id = 0; id < 10000; ++id) {
        const FrameId stored = store.append(recordFor(id, id % 50), payloadFor(id, id % 50));
        QCOMPARE(stored.value, id);
    }
    QCOMPARE(store.size(), std::size_t(10000));
    Bytes out;
    for (std::uint64_t id : {0, 1, 4095, 4096, 9999}) {
        const auto record = store.record({id});
        QVERIFY(record);
        QCOMPARE(record->startNs, std::int64_t(id * 1000));
        QCOMPARE(record->storedLength, std::uint32_t(id % 50));
        QVERIFY(store.payload({id}, out));
        QCOMPARE(out, payloadFor(id, id % 50));
    }
    QVERIFY(!store.record({10000}));
    QVERIFY(!store.payload({10000}, out));
}

// The reader unmasks straight into the store: room asked for, written, then committed.
void tst_FrameStore::unmasksInPlaceAcrossPieces()
{
    FrameStore store;
    // Fill the first block up to 600 bytes before its end, so the frame crosses into the next.
    const std::size_t filler = FrameStore::kBlockSize - 600;
    store.append(recordFor(0, filler), payloadFor(0, filler));
    const Bytes original = payloadFor(7, 1000);
    const framescope::protocol::MaskKey key{0x37, 0xfa, 0x21, 0x3d};
    Bytes masked = original;
    framescope::protocol::applyMask(masked, key);
    FrameRecord record = recordFor(1, masked.size());
    record.set(FrameRecord::Masked);
    record.maskKey = key;
    store.beginFrame();
    // Pieces as a socket would deliver them, at odd offsets; the block ends inside the last.
    std::size_t offset = 0;
    for (std::size_t piece : {1, 2, 3, 5, 100, 889}) {
        while (piece > 0) {
            const std::span<std::uint8_t> room = store.payloadSpace(piece);
            QVERIFY(!room.empty() && room.size() <= piece);
            framescope::protocol::copyMasked(
                room.data(), std::span(masked).subspan(offset, room.size()), key, offset & 3);
            store.commitPayload(room.size());
            offset += room.size();
            piece -= room.size();
        }
    }
    QCOMPARE(offset, masked.size());
    const FrameId id = store.finishFrame(record, 42);
    Bytes out;
    QVERIFY(store.payload(id, out));
    QCOMPARE(out, original);
    QCOMPARE(store.record(id)->endNs, std::int64_t(42));
    QCOMPARE(store.record(id)->maskKey, key);
    // No more memory than the same frames appended whole.
    FrameStore reference;
    reference.append(recordFor(0, filler), payloadFor(0, filler));
    reference.append(record, original);
    QCOMPARE(store.memoryUsed(), reference.memoryUsed());
}

// Room asked for and not committed is not part of the frame; asking again at a block boundary
// does not take a second block.
void tst_FrameStore::uncommittedRoomIsNotPayload()
{
    FrameStore store;
    const std::size_t filler = FrameStore::kBlockSize; // the next payload starts a block
    store.append(recordFor(0, filler), payloadFor(0, filler));
    const std::size_t before = store.memoryUsed();
    store.beginFrame();
    std::span<std::uint8_t> room = store.payloadSpace(100);
    QCOMPARE(room.size(), std::size_t(100));
    std::fill(room.begin(), room.end(), std::uint8_t('x'));
    const std::size_t afterFirst = store.memoryUsed();
    QVERIFY(afterFirst > before);
    room = store.payloadSpace(100); // the same room again
    QCOMPARE(store.memoryUsed(), afterFirst);
    const Bytes abc{'a', 'b', 'c'};
    store.appendPayload(abc); // writes over the unused room
    const FrameId id = store.finishFrame(recordFor(1, 3), 1);
    Bytes out;
    QVERIFY(store.payload(id, out));
    QCOMPARE(out, abc);
    QCOMPARE(store.record(id)->storedLength, std::uint32_t(3));
}

void tst_FrameStore::payloadAcrossBlocks()
{
    FrameStore store;
    store.append(recordFor(0, 700000), payloadFor(0, 700000));
    const Bytes big = payloadFor(1, FrameStore::kBlockSize + 12345); // spans three blocks
    const FrameId id = store.append(recordFor(1, big.size()), big);
    Bytes out;
    QVERIFY(store.payload(id, out));
    QCOMPARE(out.size(), big.size());
    QVERIFY(out == big);
    QVERIFY(store.payload({0}, out));
    QVERIFY(out == payloadFor(0, 700000));
}

void tst_FrameStore::evictsOldestPayloadFirst()
{
    FrameStore::Limits limits;
    limits.memoryCap = 4 * FrameStore::kBlockSize;
    FrameStore store(limits);
    const std::size_t size = 64 * 1024;
    for (std::uint64_t id = 0; id < 200; ++id) // 12.5 MiB of payload through an 8 MiB store
        store.append(recordFor(id, size), payloadFor(id, size));
    QVERIFY(store.memoryUsed() <= limits.memoryCap);
    Bytes out;
    QVERIFY(!store.payload({0}, out));      // payload gone ...
    QVERIFY(store.record({0}).has_value()); // ... the record kept
    QVERIFY(store.payload({199}, out));
    QCOMPARE(out, payloadFor(199, size));
    // Every frame still holding payload returns exactly its own bytes.
    int kept = 0;
    for (std::uint64_t id = 0; id < 200; ++id) {
        if (store.payload({id}, out)) {
            QCOMPARE(out, payloadFor(id, size));
            ++kept;
        }
    }
    // The cap holds one record chunk and three payload blocks, one of them being filled.
    const int perBlock = int(FrameStore::kBlockSize / size);
    QVERIFY2(kept >= 2 * perBlock && kept <= 3 * perBlock, qPrintable(QString::number(kept)));
}

void tst_FrameStore::evictsOldestRecordChunks()
{
    FrameStore::Limits limits;
    limits.memoryCap
        = FrameStore::kBlockSize + 3 * FrameStore::kRecordsPerChunk * sizeof(FrameRecord);
    FrameStore store(limits);
    const std::uint64_t total = 10 * FrameStore::kRecordsPerChunk;
    for (std::uint64_t id = 0; id < total; ++id)
        store.append(recordFor(id, 0), {});
    QVERIFY(store.memoryUsed() <= limits.memoryCap);
    QCOMPARE(store.endId().value, total);
    QVERIFY(store.firstId().value > 0);
    QCOMPARE(store.firstId().value % FrameStore::kRecordsPerChunk, 0u);
    QVERIFY(!store.record({store.firstId().value - 1}));
    QCOMPARE(store.record(store.firstId())->startNs, std::int64_t(store.firstId().value * 1000));
    QCOMPARE(store.record({total - 1})->startNs, std::int64_t((total - 1) * 1000));
}

void tst_FrameStore::oneWriterManyReaders()
{
    FrameStore::Limits limits;
    limits.memoryCap = 8 * FrameStore::kBlockSize;
    FrameStore store(limits);
    constexpr std::uint64_t kFrames = 60000;
    std::atomic<bool> done{false};
    std::atomic<int> mismatches{0};
    std::atomic<std::uint64_t> checked{0};

    auto reader = [&](unsigned seed) {
        std::mt19937_64 random(seed);
        Bytes out;
        while (!done.load()) {
            const std::uint64_t end = store.endId().value;
            const std::uint64_t first = store.firstId().value;
            if (end == first)
                continue;
            const std::uint64_t id = first + random() % (end - first);
            const auto record = store.record({id});
            if (!record)
                continue; // evicted meanwhile
            if (record->startNs != std::int64_t(id * 1000))
                ++mismatches;
            if (store.payload({id}, out) && out != payloadFor(id, record->storedLength))
                ++mismatches;
            ++checked;
        }
    };
    std::vector<std::thread> readers;
    for (unsigned i = 0; i < 3; ++i)
        readers.emplace_back(reader, i + 1);
    for (std::uint64_t id = 0; id < kFrames; ++id) {
        const std::size_t size = (id * 131) % 2000;
        store.append(recordFor(id, size), payloadFor(id, size));
    }
    done = true;
    for (std::thread &thread : readers)
        thread.join();
    QCOMPARE(mismatches.load(), 0);
    QVERIFY(checked.load() > 0);
    QCOMPARE(store.endId().value, kFrames);
}

void tst_FrameStore::abandonedFrameGivesItsSpaceBack()
{
    FrameStore store;
    FrameRecord record;
    record.opcode = 2;
    const std::vector<std::uint8_t> first(FrameStore::kBlockSize - 100, 0x11);
    store.append(record, first);
    const std::size_t before = store.memoryUsed();

    // A frame that crosses into a second block, then is taken back.
    std::vector<std::uint8_t> partial(5000);
    for (std::size_t i = 0; i < partial.size(); ++i)
        partial[i] = std::uint8_t(i * 7);
    store.beginFrame();
    store.appendPayload(partial);
    QVERIFY(store.memoryUsed() > before);
    std::vector<std::uint8_t> out{0xEE};
    store.abandonFrame(out);
    QVERIFY(!store.inFrame());
    QCOMPARE(out.size(), partial.size() + 1); // appended after what was there
    QVERIFY(std::equal(partial.begin(), partial.end(), out.begin() + 1));
    QCOMPARE(store.memoryUsed(), before);
    QCOMPARE(store.endId().value, std::uint64_t{1});

    // The next frames go where the abandoned one was; earlier payloads are untouched.
    const std::vector<std::uint8_t> small{1, 2, 3};
    const FrameId id = store.append(record, small);
    store.append(record, partial);
    std::vector<std::uint8_t> payload;
    QVERIFY(store.payload({0}, payload));
    QCOMPARE(payload, first);
    QVERIFY(store.payload(id, payload));
    QCOMPARE(payload, small);
    QVERIFY(store.payload({id.value + 1}, payload));
    QCOMPARE(payload, partial);
}

// A writer whose frame arrives over several reads keeps it open; when another frame begins
// meanwhile it is asked to yield (it abandons the frame and keeps its bytes), and stores it whole
// at its end.
namespace {
struct Holder final : FrameStore::Holder
{
    explicit Holder(FrameStore &into)
        : store(into)
    {}
    virtual ~Holder() = default;
    void yieldFrame() override
    {
        ++yields;
        store.abandonFrame(kept);
        open = false;
    }
    // Adds bytes to the frame: in the store while it is open, else kept aside.
    void add(const Bytes &bytes)
    {
        if (open)
            store.appendPayload(bytes);
        else
            kept.insert(kept.end(), bytes.begin(), bytes.end());
    }
    FrameStore &store;
    Bytes kept;
    bool open = false;
    int yields = 0;
};
} // namespace

void tst_FrameStore::heldFrameYieldsOnlyWhenAnotherBegins()
{
    FrameStore store;
    Holder holder(store);
    const Bytes whole = payloadFor(9, 3000);
    const auto piece = [&](std::size_t from, std::size_t size) {
        return Bytes(whole.begin() + std::ptrdiff_t(from),
                     whole.begin() + std::ptrdiff_t(from + size));
    };
    store.beginFrame(&holder);
    holder.open = true;
    holder.add(piece(0, 1000));
    holder.add(piece(1000, 1000)); // a second read, nobody else wrote: still open
    QCOMPARE(holder.yields, 0);
    QVERIFY(store.inFrame());
    // Another frame begins: the holder yields, the other frame is stored at once.
    const FrameId other = store.append(recordFor(1, 10), payloadFor(1, 10));
    QCOMPARE(holder.yields, 1);
    QCOMPARE(other.value, 0u);
    holder.add(piece(2000, 1000));
    QCOMPARE(holder.kept, whole);
    // Its end: stored whole, after the other.
    store.beginFrame();
    store.appendPayload(holder.kept);
    const FrameId held = store.finishFrame(recordFor(2, whole.size()), 7);
    QCOMPARE(held.value, 1u);
    Bytes out;
    QVERIFY(store.payload(held, out));
    QCOMPARE(out, whole);
    QVERIFY(store.payload(other, out));
    QCOMPARE(out, payloadFor(1, 10));
}

// An echo's record points at its source's payload: kept once, lost together when evicted.
void tst_FrameStore::echoSharesItsSourcesPayload()
{
    FrameStore::Limits limits;
    limits.memoryCap = 4 * FrameStore::kBlockSize;
    FrameStore store(limits);
    const Bytes payload = payloadFor(3, 100000);
    const FrameId source = store.append(recordFor(0, payload.size()), payload);
    const std::size_t before = store.memoryUsed();
    FrameRecord echo = recordFor(1, payload.size());
    echo.set(FrameRecord::Sent);
    const FrameId copy = store.appendWithPayloadOf(echo, source);
    QCOMPARE(store.memoryUsed(), before);
    Bytes out;
    QVERIFY(store.payload(copy, out));
    QCOMPARE(out, payload);
    QCOMPARE(store.record(copy)->storedLength, std::uint32_t(payload.size()));
    QVERIFY(store.record(copy)->has(FrameRecord::Sent));
    // Evicted with its source.
    for (std::uint64_t id = 2; id < 12; ++id)
        store.append(recordFor(id, FrameStore::kBlockSize / 2),
                     payloadFor(id, FrameStore::kBlockSize / 2));
    QVERIFY(!store.payload(source, out));
    QVERIFY(!store.payload(copy, out));
    QVERIFY(store.record(copy)); // the record stays

    // An echo finished after its source's payload went (it waited in a full socket meanwhile)
    // keeps the bytes it was given, not a pointer to nothing.
    const FrameId late = store.appendWithPayloadOf(echo, source, payload);
    QVERIFY(store.payload(late, out));
    QCOMPARE(out, payload);
    QVERIFY(!store.record(late)->has(FrameRecord::PayloadDropped));
    // Without bytes of its own, it says its payload was dropped.
    const FrameId bare = store.appendWithPayloadOf(echo, source);
    QVERIFY(store.record(bare)->has(FrameRecord::PayloadDropped));
}

// A recorder took a frame but not yet its echo, and frames between them are in a newer block: at
// the cap, the block the echo points back into is kept until the recorder took the echo.
void tst_FrameStore::anEchoNotRecordedYetKeepsItsSourcesBlock()
{
    FrameStore::Limits limits;
    limits.memoryCap = 4 * FrameStore::kBlockSize;
    FrameStore store(limits);
    std::uint64_t next = 0; // the first frame the "recorder" has not taken
    int taken = 0;
    int lost = 0;
    // The recorder's thread sets its handler; the writer (this thread) calls it at the cap.
    std::thread([&] {
        store.retainFrom({0});
        store.setPressureHandler([&] {
            Bytes out;
            for (const std::uint64_t end = store.endId().value; next < end; ++next, ++taken)
                if (!store.payload({next}, out))
                    ++lost;
            store.retainFrom({next});
        });
    }).join();
    const Bytes source = payloadFor(0, FrameStore::kBlockSize); // fills block 0
    const FrameId sourceId = store.append(recordFor(0, source.size()), source);
    next = 1; // the recorder took it
    store.retainFrom({next});
    store.append(recordFor(1, 5000), payloadFor(1, 5000)); // in block 1, not taken
    FrameRecord echo = recordFor(2, source.size());
    echo.set(FrameRecord::Sent);
    const FrameId echoId = store.appendWithPayloadOf(echo, sourceId);
    for (std::uint64_t id = 3; id < 12; ++id) // past the cap: block 0 goes
        store.append(recordFor(id, FrameStore::kBlockSize / 2),
                     payloadFor(id, FrameStore::kBlockSize / 2));
    QVERIFY(taken >= 2);
    QCOMPARE(lost, 0);
    Bytes out;
    QVERIFY(!store.payload(echoId, out)); // evicted after it was taken
    store.stopRetaining();
}

// A preview reads the first bytes of a payload, across a block edge too, and never more.
void tst_FrameStore::prefixCopiesOnlyWhatIsAsked()
{
    FrameStore store;
    store.append(recordFor(0, FrameStore::kBlockSize - 10),
                 payloadFor(0, FrameStore::kBlockSize - 10));
    const Bytes big = payloadFor(1, 5000); // starts 10 bytes before a block's end
    const FrameId id = store.append(recordFor(1, big.size()), big);
    Bytes out;
    QVERIFY(store.payloadPrefix(id, 80, out));
    QCOMPARE(out.size(), std::size_t(80));
    QVERIFY(std::equal(out.begin(), out.end(), big.begin()));
    QVERIFY(store.payloadPrefix(id, 1 << 20, out)); // more than there is: all of it
    QVERIFY(out == big);
    // A page from the middle, across the block edge; past the end, nothing.
    QVERIFY(store.payloadSlice(id, 5, 10, out));
    QVERIFY(out == Bytes(big.begin() + 5, big.begin() + 15));
    QVERIFY(store.payloadSlice(id, 4990, 100, out));
    QVERIFY(out == Bytes(big.begin() + 4990, big.end()));
    QVERIFY(store.payloadSlice(id, 5000, 100, out));
    QVERIFY(out.empty());
    QVERIFY(store.payloadPrefix(id, 0, out));
    QVERIFY(out.empty());
    QVERIFY(!store.payloadPrefix({7}, 80, out)); // no such frame
}

QTEST_GUILESS_MAIN(tst_FrameStore)
#include "tst_framestore.moc"
