#include "transport.h"

#include "clock.h"
#include "readbuffer.h"

#include <QAbstractSocket>

namespace framescope::session {

QString Transport::endpointName(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

namespace {

// The pending bytes' buffer shrinks back past this (one large write would pin memory).
constexpr std::size_t kKeptOutBytes = std::size_t{2} << 20;

std::span<const std::uint8_t> bytesOf(QByteArrayView view)
{
    return {reinterpret_cast<const std::uint8_t *>(view.data()), std::size_t(view.size())};
}

} // namespace

Transport::Transport(qsizetype readChunkLimit, QObject *parent)
    : QObject(parent)
    , m_readChunkLimit(std::min(readChunkLimit, LentReadBuffer::kSize))
    , m_readChunk(m_readChunkLimit)
{}

Transport::~Transport() = default;

std::size_t Transport::bytesPending() const
{
    std::size_t pending = 0;
    for (std::size_t i = m_head; i < m_segments.size(); ++i)
        pending += m_segments[i].size();
    return pending - m_handed;
}

void Transport::write(QByteArrayView bytes)
{
    write(bytesOf(bytes));
}

void Transport::write(std::span<const std::uint8_t> wire, const QByteArray &payload,
                      std::uint64_t tag)
{
    const std::size_t size = wire.size() + std::size_t(payload.size());
    if (m_state != State::Open || size == 0)
        return; // nothing goes out after a close was asked for
    const std::int64_t queuedNs = monotonicNs();
    const bool waiting = m_head < m_segments.size();
    if (isCorked() && size < kBatchLimit) {
        queue(wire, payload, tag, queuedNs, 0);
        m_batchBytes += size;
        if (std::size_t(payload.size()) >= kCopyLimit)
            ++m_batchPayloads;
        if (m_batchBytes >= kBatchFlushBytes || m_batchPayloads >= kBatchFlushPayloads)
            flush();
        return;
    }
    if (waiting || reportsHandedLater()) {
        queue(wire, payload, tag, queuedNs, 0); // after what waits, in order
        flush();
        return;
    }
    // Nothing waits: straight to the kernel from the caller's memory, copied only if the kernel
    // does not take it all.
    const platform::ConstBuffer buffers[2]
        = {{wire.data(), wire.size()}, {payload.constData(), std::size_t(payload.size())}};
    const std::int64_t writeNs = monotonicNs();
    const std::ptrdiff_t sent = sendNow(buffers);
    if (sent < 0)
        return; // the stream ended (closed() said so)
    if (std::size_t(sent) == size) {
        if (m_sink) {
            Segment segment{0, 0, payload, tag, queuedNs, true};
            report(segment, wire, writeNs);
        }
        return;
    }
    queue(wire, payload, tag, queuedNs, std::size_t(sent));
    waitUntilWritable();
}

void Transport::queue(std::span<const std::uint8_t> wire, const QByteArray &payload,
                      std::uint64_t tag, std::int64_t queuedNs, std::size_t alreadySent)
{
    Segment segment;
    segment.wireBegin = m_out.size();
    m_out.insert(m_out.end(), wire.begin(), wire.end());
    // A small payload joins the batch; a large one stays where it is until it has gone.
    if (std::size_t(payload.size()) < kCopyLimit)
        m_out.insert(m_out.end(), payload.begin(), payload.end());
    else
        segment.payload = payload;
    segment.wireEnd = m_out.size();
    segment.tag = tag;
    segment.queuedNs = queuedNs;
    segment.report = m_sink != nullptr;
    if (m_head == m_segments.size()) {
        m_taken = alreadySent;
        m_handed = alreadySent;
    }
    m_segments.push_back(std::move(segment));
}

void Transport::uncork()
{
    if (m_corked > 0 && --m_corked == 0 && m_head < m_segments.size())
        flush();
}

void Transport::flush()
{
    m_batchBytes = 0;
    m_batchPayloads = 0;
    while (m_state != State::Closed) {
        // The buffers not yet taken, from the first byte not taken.
        m_buffers.clear();
        std::size_t skip = m_taken;
        std::size_t total = 0;
        for (std::size_t i = m_head;
             i < m_segments.size() && m_buffers.size() + 2 <= platform::kMaxSendBuffers; ++i) {
            const Segment &segment = m_segments[i];
            const std::span<const std::uint8_t> parts[2]
                = {std::span<const std::uint8_t>(m_out).subspan(
                       segment.wireBegin, segment.wireEnd - segment.wireBegin),
                   bytesOf(segment.payload)};
            for (std::span<const std::uint8_t> part : parts) {
                if (skip >= part.size()) {
                    skip -= part.size();
                    continue;
                }
                part = part.subspan(skip);
                skip = 0;
                m_buffers.push_back({part.data(), part.size()});
                total += part.size();
            }
        }
        if (total == 0)
            break;
        const std::int64_t writeNs = monotonicNs();
        const std::ptrdiff_t sent = sendNow(m_buffers);
        if (sent < 0)
            return; // the stream ended
        m_taken += std::size_t(sent);
        if (!reportsHandedLater())
            handed(std::size_t(sent), writeNs);
        if (std::size_t(sent) < total) {
            waitUntilWritable();
            return;
        }
    }
    if (m_state == State::Closing && !reportsHandedLater() && bytesPending() == 0)
        closeNow(false);
}

void Transport::handed(std::size_t bytes, std::int64_t timeNs)
{
    m_handed = std::min(m_handed + bytes, m_taken);
    reportHandedSegments(timeNs);
}

void Transport::reportHandedSegments(std::int64_t timeNs)
{
    while (m_head < m_segments.size()) {
        Segment &segment = m_segments[m_head];
        const std::size_t size = segment.size();
        if (size > m_handed)
            break;
        m_handed -= size;
        m_taken -= size;
        ++m_head;
        if (segment.report && m_sink) {
            report(segment,
                   std::span<const std::uint8_t>(m_out).subspan(
                       segment.wireBegin, segment.wireEnd - segment.wireBegin),
                   timeNs);
        }
        segment.payload = QByteArray();
    }
    if (m_head == m_segments.size()) {
        m_segments.clear();
        m_head = 0;
        m_out.clear();
        if (m_out.capacity() > kKeptOutBytes)
            m_out.shrink_to_fit();
    }
}

void Transport::report(Segment &segment, std::span<const std::uint8_t> wire, std::int64_t writtenNs)
{
    SentSegment sent{wire, std::move(segment.payload), segment.tag, segment.queuedNs, writtenNs};
    m_sink->segmentSent(sent);
}

bool Transport::deliver(QByteArrayView data, std::int64_t arrivalNs)
{
    return m_receiver ? m_receiver->bytesReceived(data, arrivalNs) : true;
}

void Transport::disconnectFromPeer()
{
    if (m_state != State::Open)
        return;
    m_state = State::Closing;
    // What waits goes to the lower layer first. A direct transport closes once the kernel took
    // it all (now, or when writable); Qt sends what it holds, then closes.
    flush();
    if (m_state == State::Closing && reportsHandedLater())
        closeNow(false);
}

void Transport::abort(bool reset)
{
    if (m_state == State::Closed)
        return;
    closeNow(reset);
}

void Transport::closed(const QString &error, bool byPeer)
{
    if (m_state == State::Closed && m_signalled)
        return;
    m_state = State::Closed;
    m_errorString = error;
    m_endedByPeer = byPeer;
    // What never reached the kernel never went on the wire: not reported.
    m_segments.clear();
    m_head = 0;
    m_taken = m_handed = 0;
    m_out.clear();
    m_out.shrink_to_fit();
    if (!m_signalled) {
        m_signalled = true;
        Q_EMIT disconnected();
    }
}

} // namespace framescope::session
