#pragma once

#include "clientoptions.h"
#include "clientsnapshot.h"
#include "handshakerecord.h"
#include "sessionerror.h"

#include <QLoggingCategory>
#include <QObject>
#include <QTimer>
#include <capture/framestore.h>
#include <memory>
#include <protocol/frameheader.h>
#include <protocol/handshake.h>
#include <protocol/permessagedeflate.h>
#include <session/engine/closeinfo.h>
#include <session/engine/connectionengine.h>
#include <session/engine/frameannouncer.h>
#include <session/engine/sessionstate.h>
#include <session/engine/transport.h>

class QTcpSocket;
class QSslSocket;

namespace framescope::protocol {
class HttpHeadParser;
struct HttpHead;
} // namespace framescope::protocol

namespace framescope::session {

Q_DECLARE_LOGGING_CATEGORY(lcSession)

class Dialer;
class UpgradeResponse;

// One WebSocket client session: connects (through a proxy and TLS when asked), upgrades, follows
// redirects and reconnects as its options say, then hands the stream to a ConnectionEngine.
// Every frame in both directions goes into the capture store; signals carry ids and counts,
// never payloads. Lives on one thread (the network thread in the apps); all calls come from it.
class ClientSession : public QObject,
                      private Transport::Receiver,
                      private ConnectionEngine::Delegate
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
    // Ends the session now, without a closing handshake: TCP FIN, or RST with `reset`.
    void abort(bool reset = false);

    SessionState state() const { return m_state; }
    SessionError error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    const CloseInfo &closeInfo() const;
    const HandshakeRecord &handshake() const { return m_handshake; }
    const ClientOptions &options() const { return m_options; }
    std::uint64_t messagesReceived() const { return m_messagesReceived; }
    capture::FrameStore &store() const { return m_store; }
    // The connection number frames are recorded with: 0, then 1, 2, ... after reconnects.
    std::uint32_t connectionNumber() const { return m_connectionNumber; }
    // The transport reads and writes its descriptor itself (not through Qt).
    bool isDirect() const { return m_transport && m_transport->isDirect(); }
    // All of the above, copied.
    ClientSnapshot snapshot() const;

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
    void setState(SessionState state);
    void startPhaseTimer(int limitMs);
    void fail(SessionError error, const QString &detail, EndReason endedBy);
    void dropConnection();
    bool buildRequest();
    void takeOver(Transport *transport);
    void sendRequest();
    void handleTransportClosed();
    bool bytesReceived(QByteArrayView data, std::int64_t arrivalNs) override;
    void handleResponseHead(QByteArrayView rest, std::int64_t arrivalNs);
    void finishHandshakeFailure();
    void readWaiting();
    bool followRedirect(const protocol::HttpHead &head);
    void upgraded(const protocol::ClientHandshakeResult &result);
    void finish();
    bool scheduleReconnect();
    void reconnect();

    // ConnectionEngine::Delegate
    void frameCaptured() override { m_announcer.frameCaptured(); }
    void messageFinished() override;
    void roundTripMeasured(std::int64_t roundTripNs) override;
    void closingStarted() override;
    void ended(EngineEnd how, const QString &detail) override;

    ClientOptions m_options;
    const ClientOptions m_initialOptions; // what a reconnect starts from (redirects change it)
    capture::FrameStore &m_store;
    SessionState m_state = SessionState::Idle;
    SessionError m_error = SessionError::None;
    QString m_errorString;
    CloseInfo m_close; // until the engine has one, and after it is gone
    HandshakeRecord m_handshake;

    QString m_host;
    quint16 m_port = 0;
    Dialer *m_dialer = nullptr;                 // while connecting (and negotiating TLS)
    Transport *m_transport = nullptr;           // from TCP (and TLS) up
    std::unique_ptr<ConnectionEngine> m_engine; // from the upgrade on
    protocol::ClientRequest m_request;
    std::optional<protocol::DeflateOffer> m_deflateOffer;
    std::unique_ptr<UpgradeResponse> m_response; // while the upgrade is answered
    std::int64_t m_phaseStartNs = 0;
    std::uint64_t m_messagesReceived = 0;
    int m_redirects = 0;

    QTimer m_phaseTimer; // connect, TLS and handshake timeouts
    QTimer m_pingTimer;  // keep-alive pings
    FrameAnnouncer m_announcer;
    QTimer m_reconnectTimer;
    bool m_finished = false;
    bool m_endRequested = false; // close() or abort(): no reconnect
    int m_reconnectAttempt = 0;
    std::int64_t m_openedAtNs = 0;        // when the connection opened; 0 when none did
    std::uint32_t m_connectionNumber = 0; // recorded with each frame; counts reconnects
};

} // namespace framescope::session
