#pragma once

#include "framerecord.h"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <thread>
#include <vector>

namespace framescope::capture {

// The append-only store every captured frame goes into: one writer (the network thread), any
// number of readers (models, exporters, scripts).
//
// Records live by value in chunks of kRecordsPerChunk, payloads in an arena of kBlockSize blocks,
// so there is no heap object per frame and nothing ever moves. A frame becomes visible to readers
// when the writer finishes it. Past the memory cap the oldest payload blocks go first, then the
// oldest record chunks; a frame whose payload was evicted keeps its record.
class FrameStore
{
public:
    // Blocks and chunks of 2 MiB: few allocations, and eviction frees memory in large pieces.
    // Past a store's first two pieces they are asked for on huge pages (takeMemory()).
    static constexpr std::size_t kBlockSize = std::size_t{2} << 20;
    static constexpr std::size_t kRecordsPerChunk = kBlockSize / sizeof(FrameRecord);

    struct Limits
    {
        std::size_t memoryCap = std::size_t{256} << 20;
        // How long the writer waits at the cap for a recorder to take frames it still needs
        // (retainFrom()) before evicting them anyway.
        int retentionWaitMs = 10000;
    };

    FrameStore();
    explicit FrameStore(const Limits &limits);
    ~FrameStore();
    FrameStore(const FrameStore &) = delete;
    FrameStore &operator=(const FrameStore &) = delete;

    // ---- writer (one thread) ----

    // Whoever keeps a frame open while it arrives (over several reads), and gives it up when
    // another frame must begin meanwhile (another connection's, or one we send).
    class Holder
    {
    public:
        // Must call abandonFrame() (and keep what it hands back, to store later).
        virtual void yieldFrame() = 0;

    protected:
        ~Holder() = default;
    };

    // Starts a frame; its payload follows, then finishFrame() stores its record and publishes
    // it. (The record comes at the end, whole: the writer fills it in as the frame arrives.)
    // A frame begun by a holder stays open until another begins: the holder is then asked to
    // yield it. A frame begun without one must be finished or abandoned before the next.
    void beginFrame(Holder *holder = nullptr);
    void appendPayload(std::span<const std::uint8_t> bytes);
    // Room for the next payload bytes of the open frame, at most `size` (less at the end of a
    // block), written in place by the caller, then added by commitPayload(). This is how
    // received payload is unmasked while it is copied in, the one copy the design allows. Until
    // committed the room is not part of the frame, and any other append writes over it.
    std::span<std::uint8_t> payloadSpace(std::size_t size);
    void commitPayload(std::size_t size);
    // The store sets the record's payloadOffset and storedLength; endNs is the frame's end.
    FrameId finishFrame(const FrameRecord &record, std::int64_t endNs);
    // Takes back the frame begun and not finished: its payload so far is appended to `out`, and
    // the store continues as if beginFrame() had not been called.
    void abandonFrame(std::vector<std::uint8_t> &out);
    bool inFrame() const { return m_inFrame; }
    // All of the above at once.
    FrameId append(const FrameRecord &record, std::span<const std::uint8_t> payload);
    // A frame whose payload is byte for byte that of a frame already stored (an echo): its
    // record points at the same bytes, kept once. When they are evicted later, both frames lose
    // them. `payload` is the same bytes, stored only when the source's are gone already (the
    // reply waited in a full socket while the store moved on): the echo keeps its own.
    FrameId appendWithPayloadOf(const FrameRecord &record, FrameId source,
                                std::span<const std::uint8_t> payload = {});

    // ---- readers (any thread) ----

    FrameId firstId() const { return {m_first.load(std::memory_order_acquire)}; }
    FrameId endId() const { return {m_end.load(std::memory_order_acquire)}; }
    std::size_t size() const { return endId().value - firstId().value; }
    std::optional<FrameRecord> record(FrameId id) const;
    // Copies the stored payload into `out`; false if the frame or its payload was evicted.
    bool payload(FrameId id, std::vector<std::uint8_t> &out) const;
    // The same for at most the first `maxBytes` (a preview need not copy a 64 MiB payload).
    bool payloadPrefix(FrameId id, std::size_t maxBytes, std::vector<std::uint8_t> &out) const;
    // At most `maxBytes` from `offset` on (a page of a large payload); empty past its end.
    bool payloadSlice(FrameId id, std::uint64_t offset, std::size_t maxBytes,
                      std::vector<std::uint8_t> &out) const;

    std::size_t memoryUsed() const { return m_memoryUsed.load(std::memory_order_relaxed); }
    std::size_t memoryCap() const { return m_limits.memoryCap; }

    // ---- a recorder (one, any thread) ----

    // Frames from `id` on are still to be recorded: at the memory cap the writer waits (up to
    // Limits::retentionWaitMs) rather than evict them, so a recording to a file loses nothing
    // while the writer's thread stops reading, and TCP pushes back on the peers. Given up after
    // one such wait runs out, until the recorder moves on. A frame larger than the cap is the
    // exception: the one being written is never waited for; and a writer on the recorder's own
    // thread does not wait for itself.
    void retainFrom(FrameId id) const;
    // Called on the writer's thread before it would wait: the recorder takes the frames it
    // needs there and then (thread-safely), so the writer need not wait for the recorder's
    // thread. Cleared by stopRetaining(), which must not be called from inside it.
    void setPressureHandler(std::function<void()> handler) const;
    void stopRetaining() const;
    // How long the writer has waited for the recorder, in all (for reports and benchmarks).
    std::int64_t retentionWaitNs() const
    {
        return m_retentionWaitNs.load(std::memory_order_relaxed);
    }
    // The same, the wait under way included, at `nowNs` (steady clock, as session::monotonicNs).
    std::int64_t retentionWaitNs(std::int64_t nowNs) const;

private:
    struct FreeMemory
    {
        void operator()(void *memory) const;
    };
    using Memory = std::unique_ptr<std::uint8_t[], FreeMemory>;
    Memory takeMemory(); // a spare 2 MiB piece, or a new one

    struct Block
    {
        std::uint64_t start = 0; // arena offset of data[0]
        Memory data;
    };

    std::uint8_t *reserve(std::size_t &size);
    void evictIfNeeded(std::size_t incoming);
    bool retainsPayloadBlock(const Block &block) const;
    bool retainsRecordChunk() const;
    bool waitForRecorder(bool (FrameStore::*retains)() const);
    bool retainsFrontBlock() const { return retainsPayloadBlock(m_blocks.front()); }

    Limits m_limits;
    mutable std::shared_mutex m_mutex; // guards the deques' structure, not their contents
    std::deque<Memory> m_chunks;       // each holds kRecordsPerChunk records
    std::deque<Block> m_blocks;
    std::vector<Memory> m_spare; // evicted blocks and chunks, reused by the writer
    std::size_t m_piecesAllocated = 0;
    std::uint64_t m_firstChunkId = 0; // id of the first record in m_chunks.front()

    std::atomic<std::uint64_t> m_first{0};
    std::atomic<std::uint64_t> m_end{0};
    std::atomic<std::uint64_t> m_firstPayload{0}; // arena offsets below this were evicted
    std::atomic<std::size_t> m_memoryUsed{0};

    // Recorder retention (retainFrom()).
    mutable std::atomic<std::uint64_t> m_retainFrom{std::numeric_limits<std::uint64_t>::max()};
    std::atomic<std::int64_t> m_retentionWaitNs{0};
    std::atomic<std::int64_t> m_waitingSinceNs{0}; // 0: the writer is not waiting
    mutable std::mutex m_retainMutex;
    mutable std::condition_variable m_retainMoved;
    bool m_retentionGaveUp = false; // writer-only; cleared when the recorder moves on
    mutable std::atomic<std::uint64_t> m_retainGeneration{0};
    std::uint64_t m_gaveUpAtGeneration = 0;
    mutable std::mutex m_pressureMutex; // guards the handler and its calls
    mutable std::function<void()> m_pressureHandler;
    mutable std::thread::id m_retainer; // the recorder's thread: the writer never waits for itself

    // Writer-only state.
    bool m_inFrame = false;
    Holder *m_holder = nullptr;        // of the open frame, if it has one
    std::uint64_t m_pendingOffset = 0; // arena offset of the open frame's payload
    std::uint64_t m_arenaEnd = 0;      // next free arena offset
    std::uint64_t m_pendingStored = 0;
};

} // namespace framescope::capture
