#include "sessionstatistics.h"

#include <algorithm>

namespace framescope::ui {

namespace {

// A session's seconds are counted up to a day; a clock that jumps cannot make a vector of
// billions.
constexpr std::int64_t kMaxSeconds = 24 * 60 * 60;

} // namespace

void SessionStatistics::reset(std::int64_t originNs, capture::FrameId from)
{
    *this = {};
    m_originNs = originNs;
    m_next = from.value;
}

void SessionStatistics::update(const capture::FrameStore &store, capture::FrameId end)
{
    // Frames evicted before they were read are not counted (the store's cap went first).
    m_next = std::max(m_next, store.firstId().value);
    for (; m_next < end.value; ++m_next) {
        const std::optional<capture::FrameRecord> record = store.record({m_next});
        if (!record)
            continue;
        const bool sent = record->has(capture::FrameRecord::Sent);
        Direction &direction = sent ? m_sent : m_received;
        ++direction.frames;
        direction.payloadBytes += record->payloadLength;
        if (record->opcode >= 0x8) {
            ++direction.controlFrames;
            continue;
        }
        if (!record->has(capture::FrameRecord::Fin))
            continue;
        ++direction.messages;
        const std::int64_t second = std::clamp<std::int64_t>(
            (record->endNs - m_originNs) / 1'000'000'000, 0, kMaxSeconds);
        std::vector<std::uint32_t> &bins = sent ? m_sentPerSecond : m_receivedPerSecond;
        if (bins.size() <= std::size_t(second))
            bins.resize(std::size_t(second) + 1, 0);
        ++bins[std::size_t(second)];
    }
}

void SessionStatistics::extendTo(std::int64_t nowNs)
{
    const std::int64_t second
        = std::clamp<std::int64_t>((nowNs - m_originNs) / 1'000'000'000, -1, kMaxSeconds);
    const std::size_t seconds
        = std::max({m_sentPerSecond.size(), m_receivedPerSecond.size(), std::size_t(second + 1)});
    m_sentPerSecond.resize(seconds, 0);
    m_receivedPerSecond.resize(seconds, 0);
}

void SessionStatistics::addRoundTrip(std::int64_t atNs, std::int64_t roundTripNs)
{
    m_roundTrips.push_back({double(atNs - m_originNs) / 1e9, double(roundTripNs) / 1e6});
}

} // namespace framescope::ui
