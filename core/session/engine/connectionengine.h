#pragma once

#include "closeinfo.h"
#include "framecapture.h"
#include "sessionstate.h"
#include "transport.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <capture/framestore.h>
#include <deque>
#include <memory>
#include <optional>
#include <protocol/frameheader.h>
#include <protocol/permessagedeflate.h>

namespace framescope::protocol {
class MessageReader;
class MessageWriter;
} // namespace framescope::protocol

namespace framescope::session {

// What the engine needs to know of a connection once it is upgraded.
struct EngineSettings
{
    protocol::Role role = protocol::Role::Client;
    std::uint64_t maxFrameSize = std::uint64_t{64} << 20;
    std::uint64_t maxMessageSize = std::uint64_t{64} << 20;
    std::uint32_t maxFragments = 131072;
    int midFrameTimeoutMs = 30000; // the peer stalls inside a frame this long: fail (0: off)
    int closeTimeoutMs = 5000;     // the closing handshake, then TCP is dropped (0: no limit)
    bool autoPong = true;          // answer pings
    std::optional<protocol::DeflateParameters> deflate;
    std::uint32_t connection = 0; // recorded with every frame
};

// How a connection ended, as the engine saw it (CloseInfo::endedBy says it for the capture).
enum class EngineEnd {
    ClosingHandshake,  // close frames both ways, then TCP closed
    PeerClosedTcp,     // TCP ended before the closing handshake finished
    SocketError,       // the connection broke (reset, unreachable)
    MidFrameTimeout,   // the peer stalled inside a frame
    CloseTimeout,      // no answer to our close frame in time
    ProtocolViolation, // the peer broke the protocol; we failed the connection
    LimitExceeded,     // the peer went over our limits (frame, message, fragments)
    Aborted,           // dropped without a closing handshake, as asked
};

// Everything after the opening handshake, the same for a client session and a server's
// connection: bytes in through the protocol reader into the capture (received frames, with the
// kernel's arrival times), frames out through the writer and the transport (captured when their
// last byte reached the kernel, decoded again from the wire bytes), answers to pings, the
// closing handshake (the server closes TCP first, RFC 6455 §7.1.1), failing the connection on a
// violation (§7.1.7), and the mid-frame and close timeouts. The role (client or server) gets
// what it needs through Delegate. Lives on the transport's thread.
class ConnectionEngine : public QObject, private Transport::SentSink
{
    Q_OBJECT

public:
    class Delegate
    {
    public:
        // A frame went into the capture (either direction).
        virtual void frameCaptured() = 0;
        // A received data message, as it arrives (after its frames are in the capture).
        virtual void messageStarted(protocol::Opcode) {}
        virtual void messageData(std::span<const std::uint8_t>) {}
        virtual void messageFinished() {}
        // A pong with the payload of our last ping, `roundTripNs` after it went.
        virtual void roundTripMeasured(std::int64_t /*roundTripNs*/) {}
        // The closing handshake began (ours or the peer's): no more data messages go out.
        virtual void closingStarted() {}
        // A payload written by reference has gone: its buffer may be reused.
        virtual void payloadSent(QByteArray && /*payload*/) {}
        // TCP is gone; closeInfo() is final. The engine may be deleted later, not now.
        virtual void ended(EngineEnd how, const QString &detail) = 0;

    protected:
        ~Delegate() = default;
    };

    ConnectionEngine(Transport &transport, capture::FrameStore &store,
                     const EngineSettings &settings, Delegate &delegate, QObject *parent = nullptr);
    ~ConnectionEngine() override;

    // Received bytes, after the upgrade (the role forwards them from its transport).
    void consume(QByteArrayView data, std::int64_t arrivalNs);
    // The transport ended: the connection is over.
    void transportClosed();

    SessionState state() const { return m_state; }
    const CloseInfo &closeInfo() const { return m_close; }
    std::uint64_t messagesReceived() const { return m_messagesReceived; }
    // The received frame stored last (valid once one was).
    capture::FrameId lastReceivedFrame() const { return m_receivedCapture.lastFrame(); }
    bool isDeflateOn() const { return m_settings.deflate.has_value(); }

    // A message, split into frames of at most fragmentSize bytes when it is not 0, with a ping
    // after each frame but the last when asked. Only while open.
    bool sendMessage(protocol::Opcode opcode, QByteArrayView data, std::size_t fragmentSize = 0,
                     bool pingBetweenFragments = false);
    // A server's reply in one frame whose payload stays where it is when large (no copy into
    // the wire); `sameAs`: a received frame with this very payload (an echo), whose stored bytes
    // the capture of the reply then shares. Falls back to sendMessage() where that cannot be.
    bool sendReply(protocol::Opcode opcode, const QByteArray &payload, std::size_t fragmentSize,
                   std::optional<capture::FrameId> sameAs);
    // Exactly this header and payload, valid or not (masked with the header's key if it says
    // so). While open or closing.
    bool sendRawFrame(const protocol::FrameHeader &header, QByteArrayView payload);
    bool ping(QByteArrayView payload = {});
    // Starts the closing handshake; an invalid code is refused (use sendRawFrame for that).
    bool close(std::uint16_t code, QByteArrayView reason = {});
    // Drops the connection without a closing handshake: TCP FIN, or RST with `reset`.
    void abort(bool reset = false);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    class ReceivedListener;
    class SentListener;

    void segmentSent(Transport::SentSegment &segment) override;
    void captureSharing(const Transport::SentSegment &segment, capture::FrameId source);
    void sizeReads(std::size_t bytes, std::uint64_t frames);
    void writeFrames(const std::vector<std::uint8_t> &wire);
    bool sendCloseFrame(std::uint16_t code, QByteArrayView reason);
    void handleControlFrame(protocol::Opcode opcode, std::span<const std::uint8_t> payload);
    void failConnection(protocol::ProtocolError error);
    void enterClosing();
    void startCloseTimer();
    void closeTcp();
    void noteEnd(EngineEnd how, EndReason reason, const QString &detail);

    QPointer<Transport> m_transport; // the role's, and normally deleted after the engine
    capture::FrameStore &m_store;
    EngineSettings m_settings;
    Delegate &m_delegate;
    std::unique_ptr<ReceivedListener> m_receivedListener;
    std::unique_ptr<SentListener> m_sentListener;
    FrameCapture m_receivedCapture;
    FrameCapture m_sentCapture;
    std::unique_ptr<protocol::MessageReader> m_reader;
    std::unique_ptr<protocol::MessageReader> m_sentReader; // our own frames, for the capture
    std::unique_ptr<protocol::MessageWriter> m_writer;
    std::vector<std::uint8_t> m_wire; // scratch, reused
    SessionState m_state = SessionState::Open;
    CloseInfo m_close;
    std::optional<EngineEnd> m_end; // decided before TCP went (a timeout, a violation, abort)
    QString m_endDetail;
    std::uint64_t m_messagesReceived = 0;
    std::uint64_t m_framesReceived = 0;
    std::size_t m_bytesSinceFrameEnd = 0; // read since a received frame last ended
    // Our pings not yet answered, oldest first (the user's, a timer's, those between a message's
    // fragments); a pong answers the oldest with its payload, and the ones before it are given
    // up on (a peer may answer only the latest ping). At most kMaxPingsAwaited.
    struct AwaitedPing
    {
        QByteArray payload;
        std::int64_t sentNs = 0;
    };
    static constexpr std::size_t kMaxPingsAwaited = 64;
    void awaitPong(QByteArray payload);
    std::deque<AwaitedPing> m_pingsAwaited;
    std::int64_t m_lastArrivalNs = 0; // of the bytes being decoded
    QBasicTimer m_midFrameTimer;
    QBasicTimer m_closeTimer;
};

} // namespace framescope::session
