#pragma once

#include <capture/framestore.h>
#include <cstdint>
#include <vector>

namespace framescope::ui {

// Counts over a session's frames for the Statistics tab, taken from the store a batch at a time
// (only the frames since the last call are read): frames, messages and bytes per direction, and
// messages per second of the session; plus the ping round trips a front end reports.
class SessionStatistics
{
public:
    struct Direction
    {
        std::uint64_t frames = 0;
        std::uint64_t messages = 0;      // data frames with FIN: a message's last frame
        std::uint64_t controlFrames = 0; // close, ping, pong
        std::uint64_t payloadBytes = 0;  // as declared on the wire
    };
    struct RoundTrip
    {
        double atSeconds = 0; // from the session's start
        double milliseconds = 0;
    };

    // Times are counted from `originNs` (the session's start); frames from `from` on are read.
    void reset(std::int64_t originNs, capture::FrameId from);
    // Reads the frames stored since the last call, up to `end`.
    void update(const capture::FrameStore &store, capture::FrameId end);
    void addRoundTrip(std::int64_t atNs, std::int64_t roundTripNs);
    // The rates carry on at zero up to the second of `nowNs` (a live session's now: the charts
    // reach the present, not the last message), both directions over the same seconds. A time
    // before the last message's second only evens the two out.
    void extendTo(std::int64_t nowNs);

    const Direction &sent() const { return m_sent; }
    const Direction &received() const { return m_received; }
    // Messages finished in each second of the session, from second 0 on.
    const std::vector<std::uint32_t> &sentPerSecond() const { return m_sentPerSecond; }
    const std::vector<std::uint32_t> &receivedPerSecond() const { return m_receivedPerSecond; }
    const std::vector<RoundTrip> &roundTrips() const { return m_roundTrips; }

private:
    std::int64_t m_originNs = 0;
    std::uint64_t m_next = 0;
    Direction m_sent;
    Direction m_received;
    std::vector<std::uint32_t> m_sentPerSecond;
    std::vector<std::uint32_t> m_receivedPerSecond;
    std::vector<RoundTrip> m_roundTrips;
};

} // namespace framescope::ui
