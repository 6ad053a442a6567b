#include "connectionengine.h"

#include "clock.h"
#include "readbuffer.h"

#include <QTimerEvent>
#include <algorithm>
#include <protocol/closeframe.h>
#include <protocol/framedecoder.h>
#include <protocol/messagereader.h>
#include <protocol/messagewriter.h>

namespace framescope::session {

namespace {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// A FrameId in a segment's tag: 0 is none.
std::uint64_t tagFor(std::optional<capture::FrameId> frame)
{
    return frame ? frame->value + 1 : 0;
}

} // namespace

// Received frames drive the connection (pongs, the closing handshake, message counts) and reach
// the role after they are in the capture.
class ConnectionEngine::ReceivedListener : public FrameCapture::Listener
{
public:
    explicit ReceivedListener(ConnectionEngine &engine)
        : m_engine(engine)
    {}
    void frameCaptured() override
    {
        ++m_engine.m_framesReceived;
        m_engine.m_delegate.frameCaptured();
    }
    void messageStarted(protocol::Opcode opcode) override
    {
        m_engine.m_delegate.messageStarted(opcode);
    }
    void messageData(std::span<const std::uint8_t> data) override
    {
        m_engine.m_delegate.messageData(data);
    }
    void messageFinished() override
    {
        ++m_engine.m_messagesReceived;
        m_engine.m_delegate.messageFinished();
    }
    void controlFrame(protocol::Opcode opcode, std::span<const std::uint8_t> payload) override
    {
        m_engine.handleControlFrame(opcode, payload);
    }

private:
    ConnectionEngine &m_engine;
};

// Sent frames only need announcing.
class ConnectionEngine::SentListener : public FrameCapture::Listener
{
public:
    explicit SentListener(ConnectionEngine &engine)
        : m_engine(engine)
    {}
    void frameCaptured() override { m_engine.m_delegate.frameCaptured(); }

private:
    ConnectionEngine &m_engine;
};

ConnectionEngine::ConnectionEngine(Transport &transport, capture::FrameStore &store,
                                   const EngineSettings &settings, Delegate &delegate,
                                   QObject *parent)
    : QObject(parent)
    , m_transport(&transport)
    , m_store(store)
    , m_settings(settings)
    , m_delegate(delegate)
    , m_receivedListener(std::make_unique<ReceivedListener>(*this))
    , m_sentListener(std::make_unique<SentListener>(*this))
    , m_receivedCapture(store, capture::Direction::Received, *m_receivedListener)
    , m_sentCapture(store, capture::Direction::Sent, *m_sentListener)
{
    protocol::ReaderOptions options;
    options.decoder.role = settings.role;
    options.decoder.maxFramePayload = settings.maxFrameSize;
    options.decoder.maxMessageSize = settings.maxMessageSize;
    options.assembler.maxMessageSize = settings.maxMessageSize;
    options.assembler.maxFragments = settings.maxFragments;
    m_reader = std::make_unique<protocol::MessageReader>(options, m_receivedCapture);
    m_receivedCapture.setConnection(settings.connection);
    m_sentCapture.setConnection(settings.connection);
    m_sentReader = makeSentFrameReader(settings.role, m_sentCapture, settings.deflate);
    m_writer = std::make_unique<protocol::MessageWriter>(settings.role);
    if (settings.deflate) {
        m_reader->enableDeflate(*settings.deflate);
        m_writer->enableDeflate(*settings.deflate);
    }
    m_transport->setSentSink(this);
}

ConnectionEngine::~ConnectionEngine()
{
    if (m_transport) // its owner may have let it go first
        m_transport->setSentSink(nullptr);
}

void ConnectionEngine::consume(QByteArrayView data, std::int64_t arrivalNs)
{
    if (m_reader->hasFailed() || m_state == SessionState::Closed)
        return; // after a violation, and after the end, further bytes are dropped
    m_receivedCapture.setTimes(arrivalNs, arrivalNs);
    m_lastArrivalNs = arrivalNs;
    const std::uint64_t framesBefore = m_framesReceived;
    const protocol::ProtocolError error = m_reader->feed(byteSpan(data));
    sizeReads(std::size_t(data.size()), m_framesReceived - framesBefore);
    if (error != protocol::ProtocolError::None) {
        m_receivedCapture.failFrame(error);
        failConnection(error);
        return;
    }
    if (m_settings.midFrameTimeoutMs > 0 && m_reader->decoder().isMidFrame())
        m_midFrameTimer.start(m_settings.midFrameTimeoutMs, Qt::PreciseTimer, this);
    else if (m_midFrameTimer.isActive())
        m_midFrameTimer.stop();
}

// The next reads sized to the frames that came: the bytes read since a frame last ended, over
// the frames that ended since (a read holding only a large frame's end is no small frame).
// Large frames are read in pieces that are still in the cache when their payloads are copied
// into the store; small frames cost per frame, not per byte, and come fastest in the largest
// reads (each read also pays for a window update, which on loopback includes sending the peer's
// next segments). bench_client, A/B in the same runs (docs/benchmarks.md): 16 KiB frames
// 73-104% of the raw floor with 128 KiB reads against 65-78% with 2 MiB; 64 B frames 2.9-3.7x
// QWebSocket with 2 MiB reads against 2.2-3.1x with 128 KiB, so small frames keep the large reads.
void ConnectionEngine::sizeReads(std::size_t bytes, std::uint64_t frames)
{
    constexpr std::size_t kLargeFrame = 4096;
    constexpr qsizetype kCachedRead = 128 * 1024;
    m_bytesSinceFrameEnd += bytes;
    if (frames == 0 && m_bytesSinceFrameEnd < kLargeFrame)
        return; // too early to say
    const bool largeFrames
        = m_bytesSinceFrameEnd >= kLargeFrame * std::max<std::uint64_t>(frames, 1);
    m_transport->setReadChunk(largeFrames ? kCachedRead : LentReadBuffer::kSize);
    if (frames > 0)
        m_bytesSinceFrameEnd = 0;
}

void ConnectionEngine::writeFrames(const std::vector<std::uint8_t> &wire)
{
    m_transport->write(std::span<const std::uint8_t>(wire));
}

// Our close frame, noted in the close information with the time it was handed over.
bool ConnectionEngine::sendCloseFrame(std::uint16_t code, QByteArrayView reason)
{
    m_wire.clear();
    if (!m_writer->writeClose(code, std::string_view(reason.data(), std::size_t(reason.size())),
                              m_wire))
        return false;
    m_close.codeSent = code;
    m_close.reasonSent = reason.toByteArray();
    m_close.sentNs = monotonicNs();
    writeFrames(m_wire);
    return true;
}

void ConnectionEngine::segmentSent(Transport::SentSegment &segment)
{
    if (segment.tag != 0) {
        captureSharing(segment, capture::FrameId{segment.tag - 1});
    } else {
        m_sentCapture.setTimes(segment.queuedNs, segment.writtenNs);
        for (const std::span<const std::uint8_t> part : {segment.wire, byteSpan(segment.payload)}) {
            if (part.empty())
                continue;
            if (const protocol::ProtocolError error = m_sentReader->feed(part);
                error != protocol::ProtocolError::None) {
                m_sentCapture.failFrame(error);
                // A deliberately broken frame the decoder cannot follow: start afresh for the
                // next one, with the same settings (deflate included).
                m_sentReader
                    = makeSentFrameReader(m_settings.role, m_sentCapture, m_settings.deflate);
                break;
            }
        }
    }
    if (!segment.payload.isEmpty())
        m_delegate.payloadSent(std::move(segment.payload));
}

// A one-frame reply (our own header, then the payload) into the capture with the received
// frame's stored payload rather than a second copy of it. (Not decoded again by the sent frames'
// reader: one unfragmented, uncompressed frame leaves it where it was.)
void ConnectionEngine::captureSharing(const Transport::SentSegment &segment,
                                      capture::FrameId source)
{
    protocol::FrameHeader sent;
    sent.fin = (segment.wire[0] & 0x80) != 0;
    sent.opcode = segment.wire[0] & 0x0F;
    sent.payloadLength = std::uint64_t(segment.payload.size());
    capture::FrameRecord record;
    record.setHeader(sent, std::uint8_t(segment.wire.size()), capture::Direction::Sent);
    record.startNs = segment.queuedNs;
    record.endNs = segment.writtenNs;
    record.connection = m_settings.connection;
    m_store.appendWithPayloadOf(record, source, byteSpan(segment.payload));
    m_delegate.frameCaptured();
}

bool ConnectionEngine::sendMessage(protocol::Opcode opcode, QByteArrayView data,
                                   std::size_t fragmentSize, bool pingBetweenFragments)
{
    if (m_state != SessionState::Open)
        return false;
    m_wire.clear();
    if (!m_writer->writeMessage(opcode, byteSpan(data), m_wire, fragmentSize))
        return false;
    if (!pingBetweenFragments || fragmentSize == 0) {
        writeFrames(m_wire);
        return true;
    }
    // Split the frames apart and put a ping after each but the last. They are our own valid
    // frames (compressed ones carry RSV1), so the decoder only has to find their ends.
    protocol::DecoderOptions options;
    options.role = m_settings.role == protocol::Role::Client ? protocol::Role::Server
                                                             : protocol::Role::Client;
    options.rsv1Negotiated = m_writer->isDeflateEnabled();
    options.reportMode = true;
    options.maxFramePayload = options.maxMessageSize = ~std::uint64_t{0} >> 1;
    protocol::FrameDecoder decoder(options);
    std::span<const std::uint8_t> rest(m_wire);
    std::size_t frameStart = 0;
    std::size_t position = 0;
    std::vector<std::uint8_t> withPings;
    for (;;) {
        const protocol::DecodeEvent event = decoder.next(rest);
        rest = rest.subspan(event.consumed);
        position += event.consumed;
        if (event.type == protocol::DecodeEventType::FrameEnd) {
            withPings.insert(withPings.end(), m_wire.begin() + std::ptrdiff_t(frameStart),
                             m_wire.begin() + std::ptrdiff_t(position));
            frameStart = position;
            if (!decoder.frame().header.fin) {
                m_writer->writeControl(protocol::Opcode::Ping, {}, withPings);
                awaitPong({});
            }
        } else if (event.type == protocol::DecodeEventType::NeedMoreData
                   || event.type == protocol::DecodeEventType::Error) {
            break;
        }
    }
    if (frameStart != m_wire.size())
        return false; // nothing goes out rather than part of a message
    writeFrames(withPings);
    return true;
}

bool ConnectionEngine::sendReply(protocol::Opcode opcode, const QByteArray &payload,
                                 std::size_t fragmentSize, std::optional<capture::FrameId> sameAs)
{
    if (m_state != SessionState::Open)
        return false;
    const std::size_t size = std::size_t(payload.size());
    m_wire.clear();
    if (fragmentSize == 0 && size >= Transport::kCopyLimit
        && m_writer->writeUnmaskedHeader(opcode, size, m_wire)) {
        m_transport->write(m_wire, payload, tagFor(sameAs));
        return true;
    }
    return sendMessage(opcode, payload, fragmentSize);
}

bool ConnectionEngine::sendRawFrame(const protocol::FrameHeader &header, QByteArrayView payload)
{
    if (m_state == SessionState::Closed)
        return false;
    m_wire.clear();
    if (!protocol::appendFrame(header, byteSpan(payload), m_wire))
        return false;
    writeFrames(m_wire);
    return true;
}

bool ConnectionEngine::ping(QByteArrayView payload)
{
    if (m_state != SessionState::Open)
        return false;
    m_wire.clear();
    if (!m_writer->writeControl(protocol::Opcode::Ping, byteSpan(payload), m_wire))
        return false;
    awaitPong(payload.toByteArray());
    writeFrames(m_wire);
    return true;
}

void ConnectionEngine::awaitPong(QByteArray payload)
{
    if (m_pingsAwaited.size() == kMaxPingsAwaited)
        m_pingsAwaited.pop_front();
    m_pingsAwaited.push_back({std::move(payload), monotonicNs()});
}

bool ConnectionEngine::close(std::uint16_t code, QByteArrayView reason)
{
    if (m_state != SessionState::Open)
        return false;
    if (!sendCloseFrame(code, reason))
        return false;
    enterClosing();
    // Waiting for the peer's close frame, but not forever.
    startCloseTimer();
    return true;
}

void ConnectionEngine::abort(bool reset)
{
    noteEnd(EngineEnd::Aborted, EndReason::LocalAbort, {});
    m_transport->abort(reset);
}

// Waiting for the closing handshake (or TCP after it), not forever: 0 means no limit.
void ConnectionEngine::startCloseTimer()
{
    if (m_settings.closeTimeoutMs > 0)
        m_closeTimer.start(m_settings.closeTimeoutMs, Qt::PreciseTimer, this);
}

void ConnectionEngine::enterClosing()
{
    if (m_state != SessionState::Open)
        return;
    m_state = SessionState::Closing;
    m_delegate.closingStarted();
}

void ConnectionEngine::closeTcp()
{
    m_midFrameTimer.stop();
    m_transport->disconnectFromPeer();
}

void ConnectionEngine::noteEnd(EngineEnd how, EndReason reason, const QString &detail)
{
    if (m_end)
        return;
    m_end = how;
    m_endDetail = detail;
    if (m_close.endedBy == EndReason::None)
        m_close.endedBy = reason;
}

void ConnectionEngine::handleControlFrame(protocol::Opcode opcode,
                                          std::span<const std::uint8_t> payload)
{
    switch (opcode) {
    case protocol::Opcode::Ping:
        if (m_settings.autoPong && m_state == SessionState::Open) {
            m_wire.clear();
            m_writer->writeControl(protocol::Opcode::Pong, payload, m_wire);
            writeFrames(m_wire);
        }
        break;
    case protocol::Opcode::Pong:
        for (auto ping = m_pingsAwaited.begin(); ping != m_pingsAwaited.end(); ++ping) {
            if (bytesView(payload) != ping->payload)
                continue;
            const std::int64_t roundTrip = monotonicNs() - ping->sentNs;
            m_pingsAwaited.erase(m_pingsAwaited.begin(), ping + 1);
            m_delegate.roundTripMeasured(roundTrip);
            break;
        }
        break;
    case protocol::Opcode::Close: {
        protocol::ClosePayload parsed;
        protocol::parseClosePayload(payload, parsed);
        m_close.closeFrameReceived = true;
        m_close.receivedNs = m_lastArrivalNs;
        m_close.codeReceived = parsed.code;
        m_close.reasonReceived = QByteArray::fromStdString(std::string(parsed.reason));
        if (m_state == SessionState::Open) {
            // RFC 6455 §5.5.1: answer with the same code (1000 when none was given).
            sendCloseFrame(parsed.code.value_or(protocol::CloseCode::Normal), {});
            enterClosing();
        }
        if (m_settings.role == protocol::Role::Server) {
            // RFC 6455 §7.1.1: the server closes TCP first, once its close frame is out.
            noteEnd(EngineEnd::ClosingHandshake, EndReason::CloseFrame, {});
            closeTcp();
        } else {
            // The client waits for the server to close TCP, but not forever.
            startCloseTimer();
        }
        break;
    }
    default:
        break;
    }
}

void ConnectionEngine::failConnection(protocol::ProtocolError error)
{
    // RFC 6455 §7.1.7: send a close frame with the code for the violation, then close TCP.
    const std::uint16_t code = protocol::closeCodeFor(error);
    if (!m_close.codeSent) {
        const std::string_view reason = protocol::errorId(error);
        sendCloseFrame(code, QByteArrayView(reason.data(), qsizetype(reason.size())));
    }
    // Going over our own limits is not breaking the protocol: said as what it is.
    const bool overLimit = error == protocol::ProtocolError::FrameTooBig
                           || error == protocol::ProtocolError::MessageTooBig
                           || error == protocol::ProtocolError::TooManyFragments;
    noteEnd(overLimit ? EngineEnd::LimitExceeded : EngineEnd::ProtocolViolation,
            overLimit ? EndReason::Limit : EndReason::ProtocolError,
            toQString(protocol::describe(error)) + QStringLiteral(" (closed with %1)").arg(code));
    enterClosing();
    // Not waiting for the peer's close: it broke the protocol. What we queued goes first, but a
    // peer that reads nothing does not hold the connection open past the close timeout.
    startCloseTimer();
    closeTcp();
}

void ConnectionEngine::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_midFrameTimer.timerId()) {
        m_midFrameTimer.stop();
        // A peer stalling inside a frame is failed: a close frame saying so, then TCP closes.
        noteEnd(EngineEnd::MidFrameTimeout, EndReason::Timeout,
                QStringLiteral("no bytes for %1 ms in the middle of a frame")
                    .arg(m_settings.midFrameTimeoutMs));
        if (m_state == SessionState::Open) {
            sendCloseFrame(protocol::CloseCode::PolicyViolation, "stalled mid-frame");
            enterClosing();
        }
        startCloseTimer();
        closeTcp();
    } else if (event->timerId() == m_closeTimer.timerId()) {
        m_closeTimer.stop();
        if (m_close.closeFrameReceived)
            noteEnd(EngineEnd::ClosingHandshake, EndReason::CloseFrame, {}); // TCP lingered
        else
            noteEnd(EngineEnd::CloseTimeout, EndReason::Timeout,
                    QStringLiteral("no close frame within %1 ms").arg(m_settings.closeTimeoutMs));
        m_transport->abort();
    } else {
        QObject::timerEvent(event);
    }
}

void ConnectionEngine::transportClosed()
{
    if (m_state == SessionState::Closed)
        return;
    m_midFrameTimer.stop();
    m_closeTimer.stop();
    m_receivedCapture.finishIncomplete();
    if (!m_end) {
        if (m_state == SessionState::Closing && m_close.closeFrameReceived)
            noteEnd(EngineEnd::ClosingHandshake, EndReason::CloseFrame, {});
        else if (!m_transport->endedByPeer() && !m_transport->errorString().isEmpty())
            noteEnd(EngineEnd::SocketError, EndReason::Reset, m_transport->errorString());
        else
            noteEnd(EngineEnd::PeerClosedTcp, EndReason::TcpFin,
                    QStringLiteral("the peer closed the connection"));
    }
    m_state = SessionState::Closed;
    m_delegate.ended(*m_end, m_endDetail);
}

} // namespace framescope::session
