#pragma once

#include "serveroptions.h"

#include <QBasicTimer>
#include <QObject>
#include <deque>
#include <memory>
#include <protocol/handshake.h>
#include <session/engine/connectionengine.h>
#include <session/engine/transport.h>

namespace framescope::protocol {
class HttpHeadParser;
}

namespace framescope::session {

// One accepted connection of the built-in server: reads the opening handshake and answers it
// (101, or a refusal the behaviours or the checks ask for), then hands the stream to a
// ConnectionEngine and plays the behaviours over it: echo byte for byte, reply delays,
// fragmented replies, periodic pings and pushes, closing after N messages or T ms, idle
// timeouts.
class ServerConnection : public QObject,
                         private Transport::Receiver,
                         private ConnectionEngine::Delegate
{
    Q_OBJECT

public:
    // What the connection tells its server.
    class Host
    {
    public:
        virtual void frameCaptured() = 0;
        virtual void connectionUpgraded(quint64 id) = 0;
        virtual void connectionRefused(quint64 id, int status, const QString &reason) = 0;
        // The connection is over; it may be deleted (later, not now).
        virtual void connectionEnded(quint64 id) = 0;

    protected:
        ~Host() = default;
    };

    // Takes over `transport` (its parent becomes this connection).
    ServerConnection(quint64 id, Transport *transport, const LocalServerOptions &options,
                     capture::FrameStore &store, Host &host, QObject *parent = nullptr);
    ~ServerConnection() override;

    ServerConnectionInfo info() const;
    // Closes with 1001 (going away) if open; drops the connection if still in the handshake.
    void goAway();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    struct Reply
    {
        std::int64_t dueNs = 0;
        protocol::Opcode opcode = protocol::Opcode::Text;
        QByteArray payload;
        bool close = false; // the close asked for by closeAfterMessages, after the replies
    };

    bool bytesReceived(QByteArrayView data, std::int64_t arrivalNs) override;
    bool upgrade();
    void refuse(int status, const QByteArray &reason,
                const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &body);
    void sendRefusal(const QByteArray &response, int status, const QString &detail);
    void handleDisconnected();
    void end(EndReason endedBy);

    void reply(protocol::Opcode opcode, const QByteArray &payload, bool close = false,
               std::optional<capture::FrameId> sameAs = std::nullopt);
    void sendDueReplies();
    void closeAsAsked();
    std::optional<capture::FrameId> wholeMessageFrame() const;
    void stopBehaviours();
    bool isOpen() const { return m_engine && m_engine->state() == SessionState::Open; }
    bool readWaitingAndStillOpen();

    // ConnectionEngine::Delegate
    void frameCaptured() override { m_host.frameCaptured(); }
    void messageStarted(protocol::Opcode opcode) override;
    void messageData(std::span<const std::uint8_t> data) override;
    void messageFinished() override;
    void closingStarted() override { stopBehaviours(); }
    void payloadSent(QByteArray &&payload) override;
    void ended(EngineEnd how, const QString &detail) override;

    const LocalServerOptions &m_options;
    capture::FrameStore &m_store;
    Host &m_host;
    Transport *m_transport;
    ServerConnectionInfo m_info;
    std::unique_ptr<protocol::HttpHeadParser> m_head; // until the upgrade is answered
    std::unique_ptr<ConnectionEngine> m_engine;       // once upgraded
    bool m_refused = false;
    QByteArray m_message;
    protocol::Opcode m_opcode = protocol::Opcode::Text;
    std::vector<QByteArray> m_spareMessages; // message buffers back from large replies
    std::deque<Reply> m_replies;
    quint64 m_messages = 0;
    quint64 m_pings = 0;
    quint64 m_pushes = 0;
    QBasicTimer m_handshakeTimer;
    QBasicTimer m_idleTimer;
    QBasicTimer m_replyTimer;
    QBasicTimer m_closeAfterTimer;
    QBasicTimer m_pingTimer;
    QBasicTimer m_pushTimer;
};

} // namespace framescope::session
