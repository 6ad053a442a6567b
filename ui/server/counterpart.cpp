#include "counterpart.h"

#include <algorithm>

namespace framescope::ui {

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
    const std::uint64_t first = to.firstId().value;
    const std::uint64_t end = to.endId().value;
    if (masked || sent) {
        // What we sent arrived later on the other side: the first match not before it went, or
        // (masked) the one with its key.
        for (std::uint64_t other = first, looked = 0; other < end && looked < maxFrames;
             ++other, ++looked) {
            const std::optional<capture::FrameRecord> record = to.record({other});
            if (record && sameFrame(*record) && (masked || record->endNs >= frame->endNs)
                && samePayload(other))
                return capture::FrameId{other};
        }
        return std::nullopt;
    }
    // What we received went out earlier on the other side: the last match not after it came.
    for (std::uint64_t other = end, looked = 0; other > first && looked < maxFrames;
         --other, ++looked) {
        const std::optional<capture::FrameRecord> record = to.record({other - 1});
        if (record && sameFrame(*record) && record->endNs <= frame->endNs && samePayload(other - 1))
            return capture::FrameId{other - 1};
    }
    return std::nullopt;
}

} // namespace framescope::ui
