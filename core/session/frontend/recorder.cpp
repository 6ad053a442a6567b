#include "recorder.h"

#include <session/engine/clock.h>

namespace framescope::session {

Recorder::Recorder(const capture::FrameStore &store)
    : m_store(store)
{}

std::string Recorder::open(const std::string &path, const capture::SessionInfo &session,
                           const capture::RedactionOptions &redaction)
{
    std::string error = m_journal.open(path, session, redaction);
    m_open = error.empty();
    // Frames stored before the recording began are part of it (a session opened, then recorded).
    m_recordedEnd = m_store.firstId().value;
    return error;
}

std::uint64_t Recorder::recordFrames(std::uint64_t end)
{
    if (!m_open)
        return 0;
    const std::uint64_t storeEnd = m_store.endId().value;
    end = end == 0 ? storeEnd : std::min(end, storeEnd);
    std::uint64_t lost = 0;
    // Frames whose records were evicted before we came to them are gone whole.
    const std::uint64_t first = std::max(m_recordedEnd, m_store.firstId().value);
    lost += first - std::min(first, m_recordedEnd);
    for (std::uint64_t id = first; id < end; ++id) {
        const std::optional<capture::FrameRecord> record = m_store.record({id});
        if (!record) {
            ++lost;
            continue;
        }
        const bool dropped = record->has(capture::FrameRecord::PayloadDropped);
        const bool kept = !dropped && m_store.payload({id}, m_payload);
        if (!kept && !dropped)
            ++lost;
        m_journal.addFrame(id, *record, kept ? &m_payload : nullptr);
        ++m_framesRecorded;
    }
    m_recordedEnd = std::max(m_recordedEnd, end);
    if (lost > 0) {
        m_lostPayloads += lost;
        capture::CaptureEvent event;
        event.timeNs = monotonicNs();
        event.kind = capture::EventKind::Dropped;
        event.detail = std::to_string(lost)
                       + " frame(s) lost their payload to the capture's memory cap before they "
                         "were recorded";
        m_journal.addEvent(event);
    }
    return lost;
}

void Recorder::addEvent(const capture::CaptureEvent &event)
{
    if (!m_open)
        return;
    recordFrames();
    m_journal.addEvent(event);
}

std::string Recorder::flushIfDue(std::int64_t nowNs)
{
    return m_open ? m_journal.flushIfDue(nowNs) : std::string();
}

std::string Recorder::finish()
{
    if (!m_open)
        return {};
    recordFrames();
    m_open = false;
    return m_journal.finish();
}

} // namespace framescope::session
