// The recorder every front end shares: a frame store and its events into a capture file while it
// runs, every payload kept, and a word in the file when the store's cap lost one first.

#include <QTemporaryDir>
#include <QTest>
#include <capture/capturefile.h>
#include <session/frontend/recorder.h>

using namespace framescope;
using namespace framescope::session;

namespace {

capture::FrameRecord record(std::int64_t timeNs, std::size_t size)
{
    protocol::FrameHeader header;
    header.opcode = 2;
    header.payloadLength = size;
    capture::FrameRecord r;
    r.setHeader(header,
                std::uint8_t(size < 126     ? 2
                             : size < 65536 ? 4
                                            : 10),
                capture::Direction::Received);
    r.startNs = r.endNs = timeNs;
    return r;
}

std::vector<std::uint8_t> payload(std::size_t size, std::uint8_t seed)
{
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = std::uint8_t(seed + i * 13);
    return bytes;
}

} // namespace

class tst_Recorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Frames recorded in pieces and an event between them: the file holds them all, in order,
    // payloads byte for byte.
    void recordsFramesAndEventsInOrder()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("c.jsonl")).toStdString();
        capture::FrameStore store;
        Recorder recorder(store);
        capture::SessionInfo info;
        info.url = "ws://127.0.0.1:1/";
        QVERIFY(recorder.open(path, info).empty());
        for (int i = 0; i < 3; ++i)
            store.append(record(100 + i, 10), payload(10, std::uint8_t(i)));
        QCOMPARE(recorder.recordFrames(2), std::uint64_t(0)); // the first two
        capture::CaptureEvent event;
        event.timeNs = 150;
        event.kind = capture::EventKind::CloseSent;
        event.code = 1000;
        recorder.addEvent(event); // after the third frame, which was stored before it
        store.append(record(200, 3), payload(3, 9));
        QVERIFY(recorder.finish().empty());
        QCOMPARE(recorder.framesRecorded(), std::uint64_t(4));

        const capture::CaptureReadResult read = capture::readCaptureFile(path);
        QVERIFY2(read.ok(), read.error.c_str());
        QCOMPARE(read.session.url, info.url);
        QCOMPARE(read.frames.size(), std::size_t(4));
        for (int i = 0; i < 3; ++i)
            QVERIFY(read.frames[std::size_t(i)].payload == payload(10, std::uint8_t(i)));
        QVERIFY(read.frames[3].payload == payload(3, 9));
        QCOMPARE(read.events.size(), std::size_t(1));
        QCOMPARE(read.events[0].kind, capture::EventKind::CloseSent);
    }

    // The store's cap evicted payloads before they were recorded: the frames are kept (marked
    // evicted), and the file and the count say how many lost their payload.
    void saysWhenPayloadsWereLostFirst()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("lost.jsonl")).toStdString();
        capture::FrameStore store(capture::FrameStore::Limits{std::size_t{8} << 20});
        Recorder recorder(store);
        QVERIFY(recorder.open(path, {}).empty());
        const std::size_t big = std::size_t{1} << 20;
        for (int i = 0; i < 20; ++i) // 20 MiB through an 8 MiB store, recorded only now
            store.append(record(i, big), payload(big, std::uint8_t(i)));
        const std::uint64_t lost = recorder.recordFrames();
        QVERIFY2(lost > 0, "the cap must have evicted some");
        QCOMPARE(recorder.lostPayloads(), lost);
        QVERIFY(recorder.finish().empty());
        const capture::CaptureReadResult read = capture::readCaptureFile(path);
        QVERIFY2(read.ok(), read.error.c_str());
        const auto evicted = std::count_if(read.frames.cbegin(), read.frames.cend(),
                                           [](const auto &f) { return f.payloadEvicted; });
        QCOMPARE(std::uint64_t(evicted) + (20 - read.frames.size()), lost);
        QVERIFY(std::any_of(read.events.cbegin(), read.events.cend(),
                            [](const auto &e) { return e.kind == capture::EventKind::Dropped; }));
        // The frames recorded in time keep theirs.
        QVERIFY(read.frames.back().payload == payload(big, 19));
    }

    void aFileThatCannotBeMadeIsSaid()
    {
        capture::FrameStore store;
        Recorder recorder(store);
        const std::string error = recorder.open("/nonexistent-dir/x.jsonl", {});
        QVERIFY(!error.empty());
        QVERIFY(!recorder.isOpen());
        QCOMPARE(recorder.recordFrames(), std::uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(tst_Recorder)
#include "tst_recorder.moc"
