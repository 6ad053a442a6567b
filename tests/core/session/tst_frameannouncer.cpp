#include <QSignalSpy>
#include <QTest>
#include <capture/framestore.h>
#include <session/engine/frameannouncer.h>
#include <utility>
#include <vector>

using namespace framescope;
using Range = std::pair<std::uint64_t, std::uint64_t>;

namespace {

void appendFrames(capture::FrameStore &store, std::size_t count)
{
    capture::FrameRecord record;
    record.opcode = 2;
    record.set(capture::FrameRecord::Fin);
    for (std::size_t i = 0; i < count; ++i)
        store.append(record, {});
}

// Captures frames as a session does: the store, then the announcer hears of each.
struct Capture
{
    capture::FrameStore store;
    std::vector<Range> announced;
    session::FrameAnnouncer announcer{store, [this](std::uint64_t first, std::uint64_t end) {
                                          announced.emplace_back(first, end);
                                      }};

    explicit Capture(capture::FrameStore::Limits limits = {})
        : store(limits)
    {}

    void add(std::size_t count)
    {
        for (std::size_t i = 0; i < count; ++i) {
            appendFrames(store, 1);
            announcer.frameCaptured();
        }
    }
};

} // namespace

class tst_FrameAnnouncer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchesFramesIntoOneAnnouncement();
    void announceNowLeavesNothingForTheTimer();
    void nothingNewNothingAnnounced();
    void evictedFramesAreSkipped();
};

void tst_FrameAnnouncer::batchesFramesIntoOneAnnouncement()
{
    Capture capture;
    capture.add(1000);
    QVERIFY(capture.announced.empty()); // never from inside the capture
    QTRY_COMPARE(capture.announced.size(), std::size_t(1));
    QCOMPARE(capture.announced.front(), Range(0, 1000));
    capture.add(5);
    QTRY_COMPARE(capture.announced.size(), std::size_t(2));
    QCOMPARE(capture.announced.back(), Range(1000, 1005));
}

void tst_FrameAnnouncer::announceNowLeavesNothingForTheTimer()
{
    Capture capture;
    capture.add(10);
    capture.announcer.announceNow();
    QCOMPARE(capture.announced.size(), std::size_t(1));
    QCOMPARE(capture.announced.front(), Range(0, 10));
    QVERIFY(!capture.announcer.isScheduled()); // nothing left for the timer to say
    QCOMPARE(capture.announced.size(), std::size_t(1));
    // Frames after it are still announced by the timer.
    capture.add(1);
    QTRY_COMPARE(capture.announced.size(), std::size_t(2));
    QCOMPARE(capture.announced.back(), Range(10, 11));
}

void tst_FrameAnnouncer::nothingNewNothingAnnounced()
{
    Capture capture;
    capture.announcer.announceNow();
    QVERIFY(capture.announced.empty());
    capture.add(1);
    capture.announcer.announceNow();
    capture.announcer.announceNow();
    QCOMPARE(capture.announced.size(), std::size_t(1));
}

void tst_FrameAnnouncer::evictedFramesAreSkipped()
{
    // Records only, past a 4 MiB cap: the oldest record chunks go.
    Capture capture(capture::FrameStore::Limits{std::size_t{4} << 20});
    capture.add(3 * capture::FrameStore::kRecordsPerChunk);
    const std::uint64_t first = capture.store.firstId().value;
    QVERIFY(first > 0);
    QTRY_COMPARE(capture.announced.size(), std::size_t(1));
    QCOMPARE(capture.announced.front(), Range(first, 3 * capture::FrameStore::kRecordsPerChunk));
}

QTEST_GUILESS_MAIN(tst_FrameAnnouncer)
#include "tst_frameannouncer.moc"
