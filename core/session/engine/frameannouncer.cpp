#include "frameannouncer.h"

#include <algorithm>

namespace framescope::session {

FrameAnnouncer::FrameAnnouncer(const capture::FrameStore &store, Announce announce)
    : m_store(store)
    , m_announce(std::move(announce))
{
    m_timer.setSingleShot(true);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { announceNow(); });
}

void FrameAnnouncer::announceNow()
{
    m_scheduled = false;
    m_timer.stop();
    const std::uint64_t end = m_store.endId().value;
    if (end <= m_announcedEnd)
        return;
    const std::uint64_t first = std::max(m_announcedEnd, m_store.firstId().value);
    m_announcedEnd = end;
    m_announce(first, end);
}

} // namespace framescope::session
