#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <algorithm>
#include <cstdint>
#include <platform/socketcalls.h>
#include <span>
#include <vector>

namespace framescope::session {

// One connection's byte stream, for both roles, before and after the upgrade: what arrives goes
// to a Receiver with its arrival time; what is written goes out in order, batched while corked,
// and each write ("segment") is reported to a SentSink once its last byte reached the kernel,
// with the time the system call that took it began: on loopback the kernel sends a small segment
// within that call, a few microseconds later, while a time read after the call would count any
// preemption on the way back (a large write's last segment leaves up to the copy's duration
// later). A sent frame's capture time is the wire's.
//
// Two kinds: DescriptorTransport reads and writes a descriptor it owns (Linux, plain TCP);
// QtSocketTransport goes through a QTcpSocket / QSslSocket (TLS, proxies, the portable build).
// Lives on one thread.
class Transport : public QObject
{
    Q_OBJECT

public:
    // Writes below this size are copied into the batch; larger payloads are kept by reference
    // and go out in the same send (a header and a payload without joining them).
    static constexpr std::size_t kCopyLimit = 8 * 1024;
    // Writes of at least this size go out at once, after what waits, rather than batched.
    static constexpr std::size_t kBatchLimit = 256 * 1024;
    // A batch goes out once it holds this much or this many payloads by reference (memory stays
    // bounded however long a read lasts).
    static constexpr std::size_t kBatchFlushBytes = 512 * 1024;
    static constexpr std::size_t kBatchFlushPayloads = 64;

    class Receiver
    {
    public:
        // Bytes arrived; `arrivalNs` (monotonic) is when the kernel received the last of them.
        // False: read no more now (what is left stays unread until the next readiness).
        virtual bool bytesReceived(QByteArrayView data, std::int64_t arrivalNs) = 0;

    protected:
        ~Receiver() = default;
    };

    struct SentSegment
    {
        std::span<const std::uint8_t> wire; // as written, whole
        QByteArray payload;                 // the payload written by reference (moved out)
        std::uint64_t tag = 0;              // as written
        std::int64_t queuedNs = 0;          // when write() was called
        std::int64_t writtenNs = 0;         // when its last byte reached the kernel
    };

    class SentSink
    {
    public:
        virtual void segmentSent(SentSegment &segment) = 0;

    protected:
        ~SentSink() = default;
    };

    ~Transport() override;

    void setReceiver(Receiver *receiver) { m_receiver = receiver; }
    // Writes made while a sink is set are reported to it; others (the handshake heads) are not.
    void setSentSink(SentSink *sink) { m_sink = sink; }

    // Queues `wire` (copied unless it goes out at once) and then `payload` (kept by reference).
    void write(std::span<const std::uint8_t> wire, const QByteArray &payload = {},
               std::uint64_t tag = 0);
    void write(QByteArrayView bytes);

    // While corked (a read in progress), writes wait and go out together at the last uncork:
    // one send for a batch of replies instead of one each.
    void cork() { ++m_corked; }
    void uncork();
    bool isCorked() const { return m_corked > 0; }

    // The most one read takes: the limit the transport was made with, or less if asked.
    qsizetype readChunk() const { return m_readChunk; }
    // Reads of at most `bytes`, never over the limit (ConnectionEngine sizes them to the frames).
    void setReadChunk(qsizetype bytes) { m_readChunk = std::min(bytes, m_readChunkLimit); }

    bool isOpen() const { return m_state == State::Open; }
    // Reads what already waits, now, unless a read is in progress (corked). Called before a send
    // made on our own initiative (the user's message, a timer's ping): what arrived before it
    // then comes before it in the capture store too, instead of after it because this thread
    // was busy when it arrived (its time is the kernel's, so the log's order would contradict
    // its times). Only a direct transport reads here; through Qt a frame's time is when it was
    // read, which keeps the store's order anyway.
    virtual void readWaiting() {}
    // Bytes written and not yet handed to the kernel.
    std::size_t bytesPending() const;
    // Reads and writes a descriptor itself (not through Qt).
    virtual bool isDirect() const = 0;
    // "address:port" of the peer ("[::1]:port" for IPv6).
    virtual QString peerName() const = 0;
    // "address:port" of this end (for a client, the port the system chose).
    virtual QString localName() const = 0;
    // How both name an end: "address:port", "[address]:port" for IPv6.
    static QString endpointName(const QHostAddress &address, quint16 port);

    // Sends what is pending, then closes; disconnected() follows.
    void disconnectFromPeer();
    // Closes now, dropping what is pending; with `reset` the peer gets a TCP RST, not a FIN.
    // disconnected() follows.
    void abort(bool reset = false);

    // Why the stream ended, when it ended by an error (empty for a FIN or our own close).
    QString errorString() const { return m_errorString; }
    bool endedByPeer() const { return m_endedByPeer; }

Q_SIGNALS:
    // Once, when the stream has ended (by either side, or an error): nothing more comes or goes.
    void disconnected();

protected:
    enum class State { Open, Closing, Closed };

    // `readChunkLimit`: the most one read may take (at most LentReadBuffer::kSize).
    explicit Transport(qsizetype readChunkLimit, QObject *parent = nullptr);

    // Hands what it can of `buffers` to the lower layer now: the bytes taken, or -1 on an error
    // (the subclass then ends the stream).
    virtual std::ptrdiff_t sendNow(std::span<const platform::ConstBuffer> buffers) = 0;
    // Bytes the lower layer took are on their way; handed() says when they reach the kernel.
    // A direct transport hands them as it takes them.
    virtual bool reportsHandedLater() const { return false; }
    // What is pending could not all go: call flush() again once the socket can take more.
    virtual void waitUntilWritable() {}
    // Close the lower layer now (gracefully, or with RST).
    virtual void closeNow(bool reset) = 0;

    // Sends what is pending and not yet taken.
    void flush();
    // `bytes` more of what was taken reached the kernel at `timeNs`.
    void handed(std::size_t bytes, std::int64_t timeNs);
    // Delivers read bytes to the receiver; false when reading should stop.
    bool deliver(QByteArrayView data, std::int64_t arrivalNs);
    // The lower layer is gone: by the peer's FIN (`byPeer`, error empty), an error, or our own
    // close. Drops what is pending and emits disconnected() (once).
    void closed(const QString &error, bool byPeer);

    State m_state = State::Open;

private:
    struct Segment
    {
        std::size_t wireBegin = 0; // in m_out
        std::size_t wireEnd = 0;
        QByteArray payload;
        std::uint64_t tag = 0;
        std::int64_t queuedNs = 0;
        bool report = false;
        std::size_t size() const { return wireEnd - wireBegin + std::size_t(payload.size()); }
    };

    void queue(std::span<const std::uint8_t> wire, const QByteArray &payload, std::uint64_t tag,
               std::int64_t queuedNs, std::size_t alreadySent);
    void report(Segment &segment, std::span<const std::uint8_t> wire, std::int64_t writtenNs);
    void reportHandedSegments(std::int64_t timeNs);

    Receiver *m_receiver = nullptr;
    SentSink *m_sink = nullptr;
    qsizetype m_readChunkLimit;
    qsizetype m_readChunk;
    int m_corked = 0;
    std::vector<std::uint8_t> m_out; // the wire bytes of pending segments
    std::vector<Segment> m_segments; // pending, from m_head on
    std::size_t m_head = 0;
    std::size_t m_taken = 0;      // bytes from the head segment on that the lower layer took
    std::size_t m_handed = 0;     // of those, the bytes that reached the kernel
    std::size_t m_batchBytes = 0; // queued while corked, not yet flushed
    std::size_t m_batchPayloads = 0;
    std::vector<platform::ConstBuffer> m_buffers; // scratch for flush()
    QString m_errorString;
    bool m_endedByPeer = false;
    bool m_signalled = false;
};

} // namespace framescope::session
