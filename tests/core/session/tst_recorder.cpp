// The recorder every front end shares: a frame store and its events into a capture file while it
// runs, every payload kept, and a word in the file when the store's cap lost one first.

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <capture/capturefile.h>
#include <session/engine/clock.h>
#include <session/frontend/recorder.h>
#include <thread>

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

    // Frames finished out of time order (a server batch), and events that came late: the file's
    // lines are in time order all the same, a frame before an event of the same time.
    void linesAreWrittenInTimeOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("order.jsonl"));
        capture::FrameStore store;
        Recorder recorder(store);
        QVERIFY(recorder.open(path.toStdString(), {}).empty());
        // Times ahead of the clock, so that nothing is due before finish() (a line waits the
        // reorder window after its time).
        const std::int64_t base = monotonicNs() + 60'000'000'000;
        for (const std::int64_t time : {300, 100, 200, 250})
            store.append(record(base + time, 4), payload(4, std::uint8_t(time)));
        recorder.recordFrames();
        for (const std::int64_t time : {150, 50, 250}) {
            capture::CaptureEvent event;
            event.timeNs = base + time;
            event.kind = capture::EventKind::Error;
            event.detail = std::to_string(time);
            recorder.addEvent(event);
        }
        store.append(record(base + 120, 4), payload(4, 1));
        QVERIFY(recorder.finish().empty());

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<QByteArray> order;
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QJsonObject line = QJsonDocument::fromJson(lines[i]).object();
            const bool frame
                = line.value(QStringLiteral("type")).toString() == QLatin1String("frame");
            order.append((frame ? "f" : "e")
                         + QByteArray::number(
                             line.value(frame ? QStringLiteral("endNs") : QStringLiteral("timeNs"))
                                 .toInteger()
                             - base));
        }
        QCOMPARE(order, (QList<QByteArray>{"e50", "f100", "f120", "e150", "f200", "f250", "e250",
                                           "f300"}));
    }

    // A frame stored after the window had let later lines go (a machine too busy to keep up) is
    // journaled as it comes, and in its place in the finished file.
    void aLineLaterThanTheWindowEndsUpInPlace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("late.jsonl"));
        const QString partial = path + QStringLiteral(".partial");
        capture::FrameStore store;
        Recorder recorder(store);
        QVERIFY(recorder.open(path.toStdString(), {}).empty());
        auto journaledLines = [&] {
            recorder.flushIfDue(monotonicNs() + 10'000'000'000); // "a second later": on disk
            QFile file(partial);
            return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : qsizetype(0);
        };
        const std::int64_t base = monotonicNs() - 10'000'000'000;
        store.append(record(base + 300, 4), payload(4, 3));
        QVERIFY(QTest::qWaitFor([&] { return journaledLines() == 2; }, 10000));
        store.append(record(base + 100, 4), payload(4, 1));
        QVERIFY(QTest::qWaitFor([&] { return journaledLines() == 3; }, 10000));
        QVERIFY(recorder.finish().empty());

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QList<qint64> times;
        for (qsizetype i = 1; i < lines.size(); ++i)
            times << QJsonDocument::fromJson(lines[i])
                             .object()
                             .value(QStringLiteral("endNs"))
                             .toInteger()
                         - base;
        QCOMPARE(times, (QList<qint64>{100, 300}));
    }

    // Recording to a file loses nothing at the store's memory cap: the writer (the network
    // thread) takes the frames the recorder has not taken yet rather than evict them.
    void nothingIsLostAtTheCap()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("kept.jsonl")).toStdString();
        capture::FrameStore store(capture::FrameStore::Limits{std::size_t{8} << 20, 10000});
        Recorder recorder(store);
        QVERIFY(recorder.open(path, {}).empty());
        const std::size_t big = std::size_t{1} << 20;
        constexpr int kFrames = 40; // 40 MiB through an 8 MiB store
        std::atomic<bool> done = false;
        std::thread writer([&] {
            for (int i = 0; i < kFrames; ++i)
                store.append(record(i + 1, big), payload(big, std::uint8_t(i)));
            done = true;
        });
        while (!done) {
            recorder.recordFrames();
            std::this_thread::sleep_for(std::chrono::milliseconds(20)); // a slow recorder
        }
        writer.join();
        QVERIFY(recorder.finish().empty());
        QCOMPARE(recorder.lostPayloads(), std::uint64_t(0));
        const capture::CaptureReadResult read = capture::readCaptureFile(path);
        QVERIFY2(read.ok(), read.error.c_str());
        QCOMPARE(read.frames.size(), std::size_t(kFrames));
        for (int i = 0; i < kFrames; ++i)
            QVERIFY2(read.frames[std::size_t(i)].payload == payload(big, std::uint8_t(i)),
                     qPrintable(QString::number(i)));
    }

    // A recorder whose own thread is busy (here: never calls) loses nothing either: at the cap
    // the writer takes the frames itself, on its thread, and does not wait.
    void aBusyRecorderThreadLosesNothing()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("busy.jsonl")).toStdString();
        capture::FrameStore store(capture::FrameStore::Limits{std::size_t{8} << 20, 10000});
        Recorder recorder(store);
        QVERIFY(recorder.open(path, {}).empty());
        const std::size_t big = std::size_t{1} << 20;
        std::thread writer([&] {
            for (int i = 0; i < 40; ++i)
                store.append(record(i + 1, big), payload(big, std::uint8_t(i)));
        });
        writer.join();
        QCOMPARE(store.retentionWaitNs(), std::int64_t(0));
        QVERIFY(recorder.finish().empty());
        QCOMPARE(recorder.lostPayloads(), std::uint64_t(0));
        const capture::CaptureReadResult read = capture::readCaptureFile(path);
        QVERIFY2(read.ok(), read.error.c_str());
        QCOMPARE(read.frames.size(), std::size_t(40));
        QVERIFY(read.frames.back().payload == payload(big, 39));
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
