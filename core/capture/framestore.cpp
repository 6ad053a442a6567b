#include "framestore.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <platform/memory.h>
#include <utility>

namespace framescope::capture {

void FrameStore::FreeMemory::operator()(void *memory) const
{
    std::free(memory);
}

FrameStore::Memory FrameStore::takeMemory()
{
    if (!m_spare.empty()) {
        Memory memory = std::move(m_spare.back());
        m_spare.pop_back();
        return memory;
    }
    void *memory = std::aligned_alloc(kBlockSize, kBlockSize);
    if (!memory)
        throw std::bad_alloc();
    // On huge pages past the first two pieces: a store that fills fresh memory went 1.4-2x as
    // fast (16 KiB frames 180 k -> 265 k fr/s, 64 B 6.7 M -> 13.4 M; bench_client, A/B in
    // docs/benchmarks.md), since one 2 MiB page is one fault and one TLB entry. The first two
    // stay on small pages: with THP defrag on madvise, a huge page can wait for compaction
    // (once seen as a 40 ms first echo), and a session's first frames should not.
    if (m_piecesAllocated++ >= 2)
        platform::adviseLargePages(memory, kBlockSize);
    // Its pages mapped now, in one call, rather than faulted in one by one as frames fill it:
    // receiving 64 B frames went 1.40x-1.51x as fast, 16 KiB ones 1.05x-1.33x (A/B here).
    platform::populateMemory(memory, kBlockSize);
    return Memory(static_cast<std::uint8_t *>(memory));
}

namespace {

FrameRecord *recordsOf(const std::uint8_t *chunk)
{
    return reinterpret_cast<FrameRecord *>(const_cast<std::uint8_t *>(chunk));
}

} // namespace

FrameStore::FrameStore()
    : FrameStore(Limits{})
{}

FrameStore::FrameStore(const Limits &limits)
    : m_limits(limits)
{}

FrameStore::~FrameStore() = default;

void FrameStore::beginFrame(Holder *holder)
{
    if (m_inFrame && m_holder)
        std::exchange(m_holder, nullptr)->yieldFrame();
    assert(!m_inFrame);
    m_holder = holder;
    m_pendingOffset = m_arenaEnd;
    m_pendingStored = 0;
    m_inFrame = true;
}

// Room for up to `size` bytes at the arena's end; `size` is cut to what the current block holds.
std::uint8_t *FrameStore::reserve(std::size_t &size)
{
    const std::uint64_t blockOffset = m_arenaEnd % kBlockSize;
    // A block already taken for this offset (room asked for and not used) is not taken twice.
    if (m_blocks.empty() || (blockOffset == 0 && m_blocks.back().start != m_arenaEnd)) {
        // At the memory cap the piece just evicted is reused: its pages are already mapped, so
        // steady capture costs no page faults.
        evictIfNeeded(kBlockSize);
        Block block;
        block.start = m_arenaEnd;
        block.data = takeMemory();
        {
            std::unique_lock lock(m_mutex);
            m_blocks.push_back(std::move(block));
        }
        m_memoryUsed.fetch_add(kBlockSize, std::memory_order_relaxed);
    }
    size = std::min<std::size_t>(size, kBlockSize - blockOffset);
    return m_blocks.back().data.get() + blockOffset;
}

void FrameStore::appendPayload(std::span<const std::uint8_t> bytes)
{
    assert(m_inFrame);
    while (!bytes.empty()) {
        std::size_t size = bytes.size();
        std::uint8_t *target = reserve(size);
        std::memcpy(target, bytes.data(), size);
        m_arenaEnd += size;
        m_pendingStored += size;
        bytes = bytes.subspan(size);
    }
}

std::span<std::uint8_t> FrameStore::payloadSpace(std::size_t size)
{
    assert(m_inFrame);
    if (size == 0)
        return {};
    std::uint8_t *target = reserve(size);
    return {target, size};
}

void FrameStore::commitPayload(std::size_t size)
{
    assert(m_inFrame);
    assert(size <= kBlockSize - m_arenaEnd % kBlockSize);
    m_arenaEnd += size;
    m_pendingStored += size;
}

FrameId FrameStore::finishFrame(const FrameRecord &record, std::int64_t endNs)
{
    assert(m_inFrame);
    m_inFrame = false;
    m_holder = nullptr;

    const std::uint64_t id = m_end.load(std::memory_order_relaxed);
    const std::uint64_t slot = id % kRecordsPerChunk;
    if (slot == 0) {
        evictIfNeeded(kBlockSize);
        Memory chunk = takeMemory();
        {
            std::unique_lock lock(m_mutex);
            if (m_chunks.empty())
                m_firstChunkId = id;
            m_chunks.push_back(std::move(chunk));
        }
        m_memoryUsed.fetch_add(kBlockSize, std::memory_order_relaxed);
    }
    // Copied, then completed where it lies: completing a copy first and storing that would reload
    // freshly stored fields in wide words (a store-forwarding stall on every frame).
    FrameRecord &stored = recordsOf(m_chunks.back().get())[slot];
    stored = record;
    stored.endNs = endNs;
    stored.payloadOffset = m_pendingOffset;
    stored.storedLength
        = static_cast<std::uint32_t>(std::min<std::uint64_t>(m_pendingStored, UINT32_MAX));
    // Publishing: readers that see the new end also see the record and its payload.
    m_end.store(id + 1, std::memory_order_release);
    return {id};
}

void FrameStore::abandonFrame(std::vector<std::uint8_t> &out)
{
    assert(m_inFrame);
    m_inFrame = false;
    m_holder = nullptr;
    const std::uint64_t start = m_pendingOffset;
    if (m_blocks.empty() || m_arenaEnd == start)
        return;
    const std::uint64_t keptStart = std::max(start, m_blocks.front().start);
    out.reserve(out.size() + std::size_t(m_arenaEnd - keptStart));
    std::size_t index = static_cast<std::size_t>((keptStart - m_blocks.front().start) / kBlockSize);
    for (std::uint64_t offset = keptStart; offset < m_arenaEnd;) {
        const Block &block = m_blocks[index++];
        const std::size_t within = static_cast<std::size_t>(offset - block.start);
        const std::size_t take = static_cast<std::size_t>(
            std::min<std::uint64_t>(m_arenaEnd - offset, kBlockSize - within));
        out.insert(out.end(), block.data.get() + within, block.data.get() + within + take);
        offset += take;
    }
    if (keptStart != start)
        return; // its start was evicted already: the arena keeps the rest as unused space
    // Give the space back: blocks that start inside the abandoned payload become spare.
    while (!m_blocks.empty() && m_blocks.back().start >= start) {
        std::unique_lock lock(m_mutex);
        m_spare.push_back(std::move(m_blocks.back().data));
        m_blocks.pop_back();
        m_memoryUsed.fetch_sub(kBlockSize, std::memory_order_relaxed);
    }
    if (m_spare.size() > 1)
        m_spare.resize(1);
    m_arenaEnd = start;
}

FrameId FrameStore::append(const FrameRecord &record, std::span<const std::uint8_t> payload)
{
    beginFrame();
    appendPayload(payload);
    return finishFrame(record, record.endNs);
}

FrameId FrameStore::appendWithPayloadOf(const FrameRecord &record, FrameId source,
                                        std::span<const std::uint8_t> payload)
{
    const std::optional<FrameRecord> from = this->record(source);
    // The writer's own view of what is evicted: no lock needed.
    const bool gone = !from || from->payloadOffset < m_firstPayload.load(std::memory_order_relaxed);
    if (gone && (!payload.empty() || record.payloadLength == 0))
        return append(record, payload);
    beginFrame();
    if (gone) { // nothing to point at, and no bytes of its own
        FrameRecord dropped = record;
        dropped.set(FrameRecord::PayloadDropped);
        return finishFrame(dropped, record.endNs);
    }
    m_pendingOffset = from->payloadOffset;
    m_pendingStored = from->storedLength;
    return finishFrame(record, record.endNs);
}

void FrameStore::retainFrom(FrameId id) const
{
    {
        std::lock_guard lock(m_retainMutex);
        m_retainFrom.store(id.value, std::memory_order_release);
        m_retainGeneration.fetch_add(1, std::memory_order_relaxed);
    }
    m_retainMoved.notify_all();
}

std::int64_t FrameStore::retentionWaitNs(std::int64_t nowNs) const
{
    const std::int64_t since = m_waitingSinceNs.load(std::memory_order_acquire);
    return m_retentionWaitNs.load(std::memory_order_relaxed)
           + (since > 0 ? std::max<std::int64_t>(0, nowNs - since) : 0);
}

void FrameStore::setPressureHandler(std::function<void()> handler) const
{
    {
        std::lock_guard lock(m_retainMutex);
        m_retainer = std::this_thread::get_id(); // the recorder's own thread
    }
    std::lock_guard lock(m_pressureMutex);
    m_pressureHandler = std::move(handler);
}

void FrameStore::stopRetaining() const
{
    retainFrom({std::numeric_limits<std::uint64_t>::max()});
    std::lock_guard lock(m_pressureMutex);
    m_pressureHandler = nullptr;
}

// Writer only. Does `block` hold payload bytes of a finished frame the recorder still needs? Every
// frame not taken yet is looked at, not only the first: an echo's record points back at its
// source's payload (appendWithPayloadOf), so a later frame can need an older block.
bool FrameStore::retainsPayloadBlock(const Block &block) const
{
    const std::uint64_t end = m_end.load(std::memory_order_relaxed);
    std::uint64_t id = m_retainFrom.load(std::memory_order_acquire);
    if (id >= end || m_chunks.empty())
        return false; // nothing finished is waiting (the open frame is never waited for)
    for (id = std::max(id, m_firstChunkId); id < end; ++id) {
        const std::uint64_t index = (id - m_firstChunkId) / kRecordsPerChunk;
        const FrameRecord &record = recordsOf(m_chunks[index].get())[id % kRecordsPerChunk];
        if (record.storedLength > 0 && record.payloadOffset < block.start + kBlockSize)
            return true;
    }
    return false;
}

// Writer only. Does the oldest record chunk hold records the recorder still needs?
bool FrameStore::retainsRecordChunk() const
{
    const std::uint64_t id = m_retainFrom.load(std::memory_order_acquire);
    return id < m_end.load(std::memory_order_relaxed) && id < m_firstChunkId + kRecordsPerChunk;
}

// Waits until the recorder no longer needs what `retains` names: false when the wait ran out
// (and waiting is given up until the recorder moves on).
bool FrameStore::waitForRecorder(bool (FrameStore::*retains)() const)
{
    if (m_retentionGaveUp) {
        if (m_retainGeneration.load(std::memory_order_relaxed) == m_gaveUpAtGeneration)
            return false;
        m_retentionGaveUp = false;
    }
    if (!(this->*retains)())
        return true;
    {
        std::lock_guard lock(m_retainMutex);
        if (m_retainer == std::this_thread::get_id())
            return false;
    }
    {
        // The recorder takes what it needs here, on this thread: no wait for its own thread,
        // which may itself be waiting for this one. Under its own lock, so that stopRetaining()
        // cannot clear the handler meanwhile (the handler calls retainFrom()).
        std::lock_guard lock(m_pressureMutex);
        if (m_pressureHandler)
            m_pressureHandler();
    }
    if (!(this->*retains)())
        return true;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::milliseconds(m_limits.retentionWaitMs);
    const auto startNs
        = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
    std::unique_lock lock(m_retainMutex);
    m_waitingSinceNs.store(startNs, std::memory_order_release);
    const bool freed
        = m_retainMoved.wait_until(lock, deadline, [&] { return !(this->*retains)(); });
    m_retentionWaitNs.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count(),
                                std::memory_order_relaxed);
    m_waitingSinceNs.store(0, std::memory_order_release);
    if (!freed) {
        m_retentionGaveUp = true;
        m_gaveUpAtGeneration = m_retainGeneration.load(std::memory_order_relaxed);
    }
    return freed;
}

void FrameStore::evictIfNeeded(std::size_t incoming)
{
    auto overCap = [this, incoming] {
        return m_memoryUsed.load(std::memory_order_relaxed) + incoming > m_limits.memoryCap;
    };
    // Payload first: it is what fills memory; the block being written always stays. A block a
    // recorder still needs goes only after it took it, or the wait ran out.
    while (overCap() && m_blocks.size() > 1) {
        waitForRecorder(&FrameStore::retainsFrontBlock);
        std::unique_lock lock(m_mutex);
        m_spare.push_back(std::move(m_blocks.front().data));
        m_blocks.pop_front();
        m_firstPayload.store(m_blocks.front().start, std::memory_order_release);
        m_memoryUsed.fetch_sub(kBlockSize, std::memory_order_relaxed);
    }
    // Then whole record chunks, never the one being written.
    while (overCap() && m_chunks.size() > 1) {
        waitForRecorder(&FrameStore::retainsRecordChunk);
        std::unique_lock lock(m_mutex);
        m_spare.push_back(std::move(m_chunks.front()));
        m_chunks.pop_front();
        m_firstChunkId += kRecordsPerChunk;
        m_first.store(m_firstChunkId, std::memory_order_release);
        m_memoryUsed.fetch_sub(kBlockSize, std::memory_order_relaxed);
    }
    // One spare piece is enough for the next allocation.
    if (m_spare.size() > 1)
        m_spare.resize(1);
}

std::optional<FrameRecord> FrameStore::record(FrameId id) const
{
    if (id.value >= m_end.load(std::memory_order_acquire))
        return std::nullopt;
    std::shared_lock lock(m_mutex);
    if (m_chunks.empty() || id.value < m_firstChunkId)
        return std::nullopt;
    const std::uint64_t index = (id.value - m_firstChunkId) / kRecordsPerChunk;
    return recordsOf(m_chunks[index].get())[id.value % kRecordsPerChunk];
}

bool FrameStore::payload(FrameId id, std::vector<std::uint8_t> &out) const
{
    return payloadPrefix(id, std::numeric_limits<std::size_t>::max(), out);
}

bool FrameStore::payloadPrefix(FrameId id, std::size_t maxBytes,
                               std::vector<std::uint8_t> &out) const
{
    return payloadSlice(id, 0, maxBytes, out);
}

bool FrameStore::payloadSlice(FrameId id, std::uint64_t from, std::size_t maxBytes,
                              std::vector<std::uint8_t> &out) const
{
    out.clear();
    const std::optional<FrameRecord> found = record(id);
    if (!found)
        return false;
    std::shared_lock lock(m_mutex);
    if (found->payloadOffset < m_firstPayload.load(std::memory_order_acquire))
        return false;
    if (from >= found->storedLength)
        return true;
    out.resize(std::min<std::size_t>(std::size_t(found->storedLength - from), maxBytes));
    std::uint64_t offset = found->payloadOffset + from;
    std::size_t copied = 0;
    // Blocks are contiguous in arena offsets: the first one needed is found by arithmetic.
    std::size_t index = static_cast<std::size_t>((offset - m_blocks.front().start) / kBlockSize);
    while (copied < out.size()) {
        const Block &block = m_blocks[index++];
        const std::size_t within = static_cast<std::size_t>(offset - block.start);
        const std::size_t take = std::min(out.size() - copied, kBlockSize - within);
        std::memcpy(out.data() + copied, block.data.get() + within, take);
        copied += take;
        offset += take;
    }
    return true;
}

} // namespace framescope::capture
