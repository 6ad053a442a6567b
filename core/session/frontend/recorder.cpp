#include "recorder.h"

#include <algorithm>
#include <session/engine/clock.h>

namespace framescope::session {

namespace {

// std::push_heap keeps the largest first: "later" is larger, so the earliest line is on top. At
// the same time a frame comes before an event (a close frame, then "close-received"), as
// inspect and writeCapture() merge them.
constexpr auto later = [](const auto &a, const auto &b) {
    if (a.timeNs != b.timeNs)
        return a.timeNs > b.timeNs;
    if (a.event != b.event)
        return a.event;
    return a.order > b.order;
};

} // namespace

Recorder::Recorder(const capture::FrameStore &store)
    : m_store(store)
{}

Recorder::~Recorder()
{
    if (m_open)
        m_store.stopRetaining();
}

std::string Recorder::open(const std::string &path, const capture::SessionInfo &session,
                           const capture::RedactionOptions &redaction)
{
    std::unique_lock lock(m_mutex);
    std::string error = m_journal.open(path, session, redaction);
    m_open = error.empty();
    // Frames stored before the recording began are part of it (a session opened, then recorded).
    m_recordedEnd = m_store.firstId().value;
    lock.unlock(); // the handler takes it
    if (m_open) {
        m_store.retainFrom({m_recordedEnd});
        m_store.setPressureHandler([this] {
            std::lock_guard held(m_mutex);
            if (m_open)
                noteLost(takeFrames(0));
        });
    }
    return error;
}

// The clock the reorder window runs on: time the store's writer spent running, not waiting for
// us. While it waits it reads nothing, and what arrived meanwhile is read (with the kernel's
// earlier times) once it runs again: the window must not pass while it cannot.
std::int64_t Recorder::runningNs(std::int64_t nowNs) const
{
    return nowNs - m_store.retentionWaitNs(nowNs);
}

void Recorder::push(std::int64_t timeNs, bool event, std::string text)
{
    m_waitingBytes += text.size();
    m_waiting.push_back({runningNs(monotonicNs()), timeNs, event, m_nextOrder++, std::move(text)});
    std::push_heap(m_waiting.begin(), m_waiting.end(), later);
}

// Takes the frames stored up to `end` as lines, and lets the store go of them; returns how many
// lost their payload (or their record) before they were taken.
std::uint64_t Recorder::takeFrames(std::uint64_t end)
{
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
        push(record->endNs, false, capture::frameLine(id, *record, kept ? &m_payload : nullptr));
        ++m_framesRecorded;
    }
    if (end > m_recordedEnd) {
        m_recordedEnd = end;
        m_store.retainFrom({m_recordedEnd});
    }
    return lost;
}

// Writes, earliest first, the lines whose reorder wait is over at `nowNs` (all with `all`), and
// the oldest ones past the waiting bound. A line waits kReorderWindowNs after it was taken (on
// the writer's running clock) and after its own time: what the store finishes meanwhile, with
// earlier times, still goes before it.
void Recorder::writeDue(std::int64_t nowNs, bool all)
{
    const std::int64_t running = runningNs(nowNs);
    while (!m_waiting.empty()
           && (all
               || (m_waiting.front().takenNs <= running - kReorderWindowNs
                   && m_waiting.front().timeNs <= nowNs - kReorderWindowNs)
               || m_waitingBytes > kMaxWaitingBytes)) {
        std::pop_heap(m_waiting.begin(), m_waiting.end(), later);
        const Line &line = m_waiting.back();
        // Later than the window allowed (a machine too busy to keep up): the journal puts it in
        // its place when it finishes.
        if (m_wroteAny && later(Line{0, m_lastTimeNs, m_lastEvent, 0, {}}, line)) {
            m_journal.addLateLine(line.text, line.timeNs, line.event);
        } else {
            m_journal.addLine(line.text);
            m_lastTimeNs = line.timeNs;
            m_lastEvent = line.event;
            m_wroteAny = true;
        }
        m_waitingBytes -= m_waiting.back().text.size();
        m_waiting.pop_back();
    }
}

void Recorder::noteLost(std::uint64_t lost)
{
    if (lost == 0)
        return;
    m_lostPayloads += lost;
    capture::CaptureEvent event;
    event.timeNs = monotonicNs();
    event.kind = capture::EventKind::Dropped;
    event.detail = std::to_string(lost)
                   + " frame(s) lost their payload to the capture's memory cap before they were "
                     "recorded";
    push(event.timeNs, true, capture::eventLine(event));
}

std::uint64_t Recorder::recordFrames(std::uint64_t end)
{
    std::lock_guard lock(m_mutex);
    if (!m_open)
        return 0;
    const std::uint64_t lost = takeFrames(end);
    noteLost(lost);
    const std::int64_t now = monotonicNs();
    writeDue(now, false);
    m_journal.flushIfDue(now); // a failure is said by the front end's next flushIfDue()
    return lost;
}

void Recorder::addEvent(const capture::CaptureEvent &event)
{
    std::lock_guard lock(m_mutex);
    if (!m_open)
        return;
    noteLost(takeFrames(0));
    push(event.timeNs, true, capture::eventLine(event));
    writeDue(monotonicNs(), false);
}

std::string Recorder::flushIfDue(std::int64_t nowNs)
{
    recordFrames();
    std::lock_guard lock(m_mutex);
    if (!m_open)
        return {};
    return m_journal.flushIfDue(nowNs);
}

std::string Recorder::finish()
{
    // First, outside our lock: the writer may be taking frames in the handler just now.
    m_store.stopRetaining();
    std::lock_guard lock(m_mutex);
    if (!m_open)
        return {};
    noteLost(takeFrames(0));
    writeDue(0, true);
    m_open = false;
    return m_journal.finish();
}

} // namespace framescope::session
