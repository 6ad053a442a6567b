#pragma once

#include <capture/capturefile.h>
#include <capture/framestore.h>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace framescope::session {

// Records a frame store (a client session's or the built-in server's) and the events around it
// into a capture file while it runs: the journal (`FILE.partial`, flushed to disk every second)
// becomes FILE at finish(). The one recorder for every front end: the CLI's connect and serve,
// the GUI and scripts. Runs on the front end's thread; the store may be written meanwhile.
//
// Lines go into the file in time order. The store holds frames in the order they were finished,
// which is not quite their wire order (a server batch stamps each read with its kernel time, and
// a connection served later in the batch has earlier times), and events come from other threads
// a little late: so every line waits kReorderWindowNs before it is written, in time order. A
// line that reaches the recorder later than that (a machine too busy to keep up) is written as
// it comes, and finish() puts it in its place (CaptureJournal::addLateLine()).
//
// Frames are taken from the store (as their lines) as soon as the front end calls, or when the
// store's writer is about to wait for them: while recording, the store keeps every frame not yet
// taken (FrameStore::retainFrom), and at its memory cap the writer waits for the recorder rather
// than evict them, so a recording loses nothing and the peers are slowed down instead. The
// waiting lines are bounded too (kMaxWaitingBytes: past it the oldest go out at once). A frame
// whose payload was evicted all the same (the store's wait ran out) keeps its record and is
// marked payloadEvicted; the recorder says so in the file (a "dropped" event) and counts it
// (lostPayloads()), so a front end can say it at once. One recorder per store, on a thread with
// a thread of its own choosing; when the store is full, its writer takes the frames on its own
// thread (the recorder is thread-safe), so neither ever waits for the other's event loop.
class Recorder
{
public:
    static constexpr std::int64_t kReorderWindowNs = 250'000'000;
    static constexpr std::size_t kMaxWaitingBytes = std::size_t{64} << 20;

    explicit Recorder(const capture::FrameStore &store);
    ~Recorder();
    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    // Empty string on success, else why the file could not be made.
    std::string open(const std::string &path, const capture::SessionInfo &session,
                     const capture::RedactionOptions &redaction = {});
    bool isOpen() const
    {
        std::lock_guard lock(m_mutex);
        return m_open;
    }

    // Takes the frames stored since the last call, up to (not including) `end`; all of them
    // when `end` is 0, and writes what is due. Returns how many lost their payload before they
    // could be written (in this call).
    std::uint64_t recordFrames(std::uint64_t end = 0);
    // An event (its time is when it happened), written in time order with the frames.
    void addEvent(const capture::CaptureEvent &event);
    // Takes new frames, writes what is due and flushes to disk when the last flush is a second
    // old. Empty string, or what went wrong.
    std::string flushIfDue(std::int64_t nowNs);
    // Everything stored so far, then the file in its place. Empty string, or what went wrong.
    std::string finish();

    std::uint64_t framesRecorded() const
    {
        std::lock_guard lock(m_mutex);
        return m_framesRecorded;
    }
    // All so far, also those the store's writer found lost while taking frames itself.
    std::uint64_t lostPayloads() const
    {
        std::lock_guard lock(m_mutex);
        return m_lostPayloads;
    }

private:
    struct Line
    {
        std::int64_t takenNs = 0; // on the writer's running clock (runningNs())
        std::int64_t timeNs = 0;
        bool event = false;      // at the same time, frames first
        std::uint64_t order = 0; // then the order they came in
        std::string text;
    };

    std::uint64_t takeFrames(std::uint64_t end);
    void push(std::int64_t timeNs, bool event, std::string text);
    void writeDue(std::int64_t nowNs, bool all);
    std::int64_t runningNs(std::int64_t nowNs) const;
    void noteLost(std::uint64_t lost);

    const capture::FrameStore &m_store;
    capture::CaptureJournal m_journal;
    bool m_open = false;
    std::uint64_t m_recordedEnd = 0; // frames before this are taken
    std::uint64_t m_framesRecorded = 0;
    std::uint64_t m_lostPayloads = 0;
    std::uint64_t m_nextOrder = 0;
    std::vector<Line> m_waiting; // a min-heap on (time, event, order)
    bool m_wroteAny = false;
    std::int64_t m_lastTimeNs = 0; // of the last line written in order
    bool m_lastEvent = false;
    std::size_t m_waitingBytes = 0;
    std::vector<std::uint8_t> m_payload; // reused
    // Guards all of the above: the store's writer takes frames on its own thread when the store
    // is full (FrameStore::setPressureHandler).
    mutable std::mutex m_mutex;
};

} // namespace framescope::session
