#include "counterpart.h"

#include <algorithm>
#include <limits>

namespace framescope::ui {

namespace {

// Both stores hold frames in about the order they completed; a frame stamped late (data that
// waited in the kernel while its thread worked elsewhere) is out of order by less than this.
constexpr std::int64_t kOutOfOrderNs = 1'000'000'000;

// The first frame in `store` that ended at `endNs` or later, taking the store as time-ordered.
std::uint64_t firstEndingAtOrAfter(const capture::FrameStore &store, std::int64_t endNs)
{
    std::uint64_t low = store.firstId().value;
    std::uint64_t high = store.endId().value;
    while (low < high) {
        const std::uint64_t middle = low + (high - low) / 2;
        const std::optional<capture::FrameRecord> record = store.record({middle});
        if (record && record->endNs < endNs)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

} // namespace

std::optional<capture::FrameId> counterpart(const capture::FrameStore &from, capture::FrameId id,
                                            const capture::FrameStore &to, std::uint64_t maxFrames)
{
    const std::optional<capture::FrameRecord> frame = from.record(id);
    if (!frame)
        return std::nullopt;
    const bool sent = frame->has(capture::FrameRecord::Sent);
    const bool masked = frame->has(capture::FrameRecord::Masked);
    auto sameFrame = [&](const capture::FrameRecord &other) {
        return other.has(capture::FrameRecord::Sent) != sent && other.opcode == frame->opcode
               && other.payloadLength == frame->payloadLength
               && other.has(capture::FrameRecord::Masked) == masked
               && (!masked || other.maskKey == frame->maskKey);
    };
    // The payloads' first bytes must agree too: two echoes of the same length sent close together
    // are told apart by what they hold.
    constexpr std::size_t kCompared = 64;
    std::vector<std::uint8_t> mine;
    std::vector<std::uint8_t> theirs;
    const bool havePayload = from.payloadPrefix(id, kCompared, mine);
    auto samePayload = [&](std::uint64_t other) {
        return !havePayload || !to.payloadPrefix({other}, kCompared, theirs) || theirs == mine;
    };

    // The nearest match in time, looking both ways from where the frame's time falls in the
    // other store. The stamps on the two sides are taken at different moments (a receive stamp
    // can come before the matching send's), so neither side's order is assumed.
    std::optional<capture::FrameId> best;
    std::int64_t bestDistance = std::numeric_limits<std::int64_t>::max();
    auto distanceTo = [&](const capture::FrameRecord &record) {
        return record.endNs > frame->endNs ? record.endNs - frame->endNs
                                           : frame->endNs - record.endNs;
    };
    // Looks at one frame; false once the frames go further than the best match (plus slack).
    auto consider = [&](std::uint64_t other) {
        const std::optional<capture::FrameRecord> record = to.record({other});
        if (!record)
            return true;
        const std::int64_t distance = distanceTo(*record);
        if (best && distance > bestDistance && distance - bestDistance > kOutOfOrderNs)
            return false;
        if (distance < bestDistance && sameFrame(*record) && samePayload(other)) {
            best = capture::FrameId{other};
            bestDistance = distance;
        }
        return true;
    };
    const std::uint64_t first = to.firstId().value;
    const std::uint64_t end = to.endId().value;
    const std::uint64_t middle = firstEndingAtOrAfter(to, frame->endNs);
    std::uint64_t looked = 0;
    for (std::uint64_t other = middle; other < end && looked < maxFrames; ++other, ++looked)
        if (!consider(other))
            break;
    for (std::uint64_t other = middle; other > first && looked < 2 * maxFrames; --other, ++looked)
        if (!consider(other - 1))
            break;
    return best;
}

} // namespace framescope::ui
