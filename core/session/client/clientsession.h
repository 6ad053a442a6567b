#pragma once

#include "clientoptions.h"
#include "handshakerecord.h"
#include "sessionerror.h"

#include <QLoggingCategory>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <capture/framestore.h>
#include <memory>
#include <protocol/frameheader.h>
#include <protocol/handshake.h>
#include <protocol/permessagedeflate.h>
#include <session/engine/closeinfo.h>
#include <session/engine/frameannouncer.h>
#include <session/engine/framecapture.h>
#include <session/engine/sessionstate.h>

class QTcpSocket;
class QSslSocket;
class QSslConfiguration;

namespace framescope::protocol {
class MessageReader;
class MessageWriter;
class HttpHeadParser;
} // namespace framescope::protocol

namespace framescope::session {

Q_DECLARE_LOGGING_CATEGORY(lcSession)

// One WebSocket client connection driving core/protocol over QTcpSocket / QSslSocket. Every frame
// in both directions goes into the capture store; signals carry ids and counts, never payloads.
// Lives on one thread (the network thread in the apps); all calls come from that thread.
class ClientSession : public QObject
{
    Q_OBJECT

public:
    ClientSession(const ClientOptions &options, capture::FrameStore &store,
                  QObject *parent = nullptr);
    ~ClientSession() override;

    void open();

    // Messages, split into frames of at most fragmentSize bytes when it is not 0.
    bool sendText(QByteArrayView text, std::size_t fragmentSize = 0);
    bool sendBinary(QByteArrayView data, std::size_t fragmentSize = 0);
    bool sendMessage(protocol::Opcode opcode, QByteArrayView data, std::size_t fragmentSize = 0,
                     bool pingBetweenFragments = false);
    // Exactly this header and payload, valid or not (masked with the header's key if it says so).
    bool sendRawFrame(const protocol::FrameHeader &header, QByteArrayView payload);
    bool ping(QByteArrayView payload = {});
    // Starts the closing handshake; an invalid code is refused (use sendRawFrame for that).
    bool close(std::uint16_t code = 1000, QByteArrayView reason = {});
    void abort();

    SessionState state() const { return m_state; }
    SessionError error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    const CloseInfo &closeInfo() const { return m_close; }
    const HandshakeRecord &handshake() const { return m_handshake; }
    const ClientOptions &options() const { return m_options; }
    std::uint64_t messagesReceived() const { return m_messagesReceived; }
    capture::FrameStore &store() const { return m_store; }

Q_SIGNALS:
    void stateChanged(framescope::session::SessionState state);
    // Frames [first, end) of the store are new; batched, about every 30 ms.
    void framesCaptured(quint64 first, quint64 end);
    void messagesReceivedChanged(quint64 count);
    void pongReceived(qint64 roundTripNs);
    void errorOccurred(framescope::session::SessionError error, const QString &detail);
    // A redirect is being followed: "301 ws://host/path", plus " (credentials not forwarded)"
    // when they stay behind (as kept in handshake().redirects).
    void redirected(const QString &step);
    // A connection ended and, as the reconnect policy asks, another one starts in delayMs.
    void reconnectScheduled(int attempt, int delayMs, const QString &reason);
    // The session is over (no reconnect follows); state(), error() and closeInfo() are final.
    void finished();

private:
    class CaptureListener;
    friend class CaptureListener;

    void setState(SessionState state);
    void fail(SessionError error, const QString &detail, EndReason endedBy);
    bool applyProxy();
    bool loadClientCertificate(QSslConfiguration &configuration);
    void startConnect(const QString &address);
    void handleConnected();
    // With a pin: compares the server's certificate with it and records the outcome in the TLS
    // details (`setAside`: the chain errors it stands in for). Returns what differs; empty when
    // it is the pinned one, or nothing is pinned.
    QString checkPin(const QString &setAside = {});
    void handleEncrypted();
    void handleReadyRead();
    void handleDisconnected();
    void handleSocketError();
    void handleHandshakeBytes(const QByteArray &data);
    void finishHandshakeFailure();
    bool followRedirect(const protocol::HttpHead &head);
    void feedFrames(QByteArrayView data);
    bool writeWire(const std::vector<std::uint8_t> &wire);
    void handleControlFrame(protocol::Opcode opcode, std::span<const std::uint8_t> payload);
    void failConnection(protocol::ProtocolError error);
    void frameCaptured() { m_announcer.frameCaptured(); }
    void finish();
    bool scheduleReconnect();
    void reconnect();

    ClientOptions m_options;
    const ClientOptions
        m_initialOptions; // what a reconnect starts from (redirects change m_options)
    capture::FrameStore &m_store;
    SessionState m_state = SessionState::Idle;
    SessionError m_error = SessionError::None;
    QString m_errorString;
    CloseInfo m_close;
    HandshakeRecord m_handshake;

    QTcpSocket *m_socket = nullptr;
    QSslSocket *m_sslSocket = nullptr; // the same object when the URL is wss://
    QString m_host;
    quint16 m_port = 0;
    protocol::ClientRequest m_request;
    std::optional<protocol::DeflateOffer> m_deflateOffer;
    std::unique_ptr<protocol::HttpHeadParser> m_headParser;
    bool m_collectingBody = false;
    qsizetype m_bodyExpected = -1;

    std::unique_ptr<CaptureListener> m_receivedListener;
    std::unique_ptr<CaptureListener> m_sentListener;
    std::unique_ptr<FrameCapture> m_receivedHandler;
    std::unique_ptr<FrameCapture> m_sentHandler;
    std::unique_ptr<protocol::MessageReader> m_reader;
    std::unique_ptr<protocol::MessageReader> m_sentReader; // our own frames, decoded for capture
    std::unique_ptr<protocol::MessageWriter> m_writer;

    QByteArray m_ownReadBuffer; // only when the thread's read buffer is lent out (LentReadBuffer)
    std::int64_t m_phaseStartNs = 0;
    std::int64_t m_readTimeNs = 0;
    std::uint64_t m_messagesReceived = 0;
    int m_redirects = 0;
    QByteArray m_lastPingPayload;
    std::int64_t m_lastPingNs = 0;

    QTimer m_phaseTimer;        // connect, TLS and handshake timeouts
    QTimer m_idleTimer;         // mid-frame stalls
    QTimer m_closeTimer;        // the closing handshake
    QTimer m_pingTimer;         // keep-alive pings
    FrameAnnouncer m_announcer; // batches framesCaptured
    QTimer m_reconnectTimer;
    bool m_finished = false;
    bool m_endRequested = false; // close() or abort(): no reconnect
    int m_reconnectAttempt = 0;
    std::uint32_t m_connectionNumber = 0; // recorded with each frame; counts reconnects
};

} // namespace framescope::session
