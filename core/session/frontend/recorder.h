#pragma once

#include <capture/capturefile.h>
#include <capture/framestore.h>
#include <cstdint>
#include <string>

namespace framescope::session {

// Records a frame store (a client session's or the built-in server's) and the events around it
// into a capture file while it runs: the journal (`FILE.partial`, flushed to disk every second)
// becomes FILE at finish(). The one recorder for every front end: the CLI's connect and serve,
// the GUI and scripts. Runs on the front end's thread; the store may be written meanwhile.
//
// A frame whose payload the store's memory cap evicted before it was recorded keeps its record
// and is marked payloadEvicted; the recorder says so in the file (a "dropped" event) and counts
// it (lostPayloads()), so a front end can say it at once.
class Recorder
{
public:
    explicit Recorder(const capture::FrameStore &store);

    // Empty string on success, else why the file could not be made.
    std::string open(const std::string &path, const capture::SessionInfo &session,
                     const capture::RedactionOptions &redaction = {});
    bool isOpen() const { return m_open; }

    // Writes the frames stored since the last call, up to (not including) `end`; all of them
    // when `end` is 0. Returns how many lost their payload before they could be recorded.
    std::uint64_t recordFrames(std::uint64_t end = 0);
    // An event, after every frame stored before it.
    void addEvent(const capture::CaptureEvent &event);
    // Flushes to disk when the last flush is a second old. Empty string, or what went wrong.
    std::string flushIfDue(std::int64_t nowNs);
    // Everything stored so far, then the file in its place. Empty string, or what went wrong.
    std::string finish();

    std::uint64_t framesRecorded() const { return m_framesRecorded; }
    std::uint64_t lostPayloads() const { return m_lostPayloads; }

private:
    const capture::FrameStore &m_store;
    capture::CaptureJournal m_journal;
    bool m_open = false;
    std::uint64_t m_recordedEnd = 0;
    std::uint64_t m_framesRecorded = 0;
    std::uint64_t m_lostPayloads = 0;
    std::vector<std::uint8_t> m_payload; // reused
};

} // namespace framescope::session
