#pragma once

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QThread>
#include <capture/framestore.h>
#include <functional>
#include <memory>
#include <protocol/frameheader.h>
#include <session/client/clientsnapshot.h>
#include <session/server/serveroptions.h>

namespace framescope::session {

class ClientSession;
class LocalServerThread;

// The one door through which every front end (the CLI, the GUI, scripts) drives sessions and
// the built-in server. Client sessions run on one network thread, each with its own capture
// store; the server runs on a thread of its own (LocalServerThread). Callable from any thread;
// what it emits carries ids, states and counts, never payloads, and reaches other threads
// queued, in order. Frames are read from the stores, which any thread may read while the
// network thread writes; snapshot() gives the rest (handshake, TLS, close), fresh after every
// change.
class SessionManager : public QObject
{
    Q_OBJECT

public:
    explicit SessionManager(QObject *parent = nullptr);
    ~SessionManager() override;

    // ---- client sessions ----

    // Starts a session and returns its id (from 1).
    quint64 open(const ClientOptions &options, const capture::FrameStore::Limits &limits = {});
    void sendText(quint64 id, const QByteArray &text, std::size_t fragmentSize = 0);
    void sendBinary(quint64 id, const QByteArray &data, std::size_t fragmentSize = 0);
    // A message cut into frames of at most fragmentSize bytes, with a ping after each frame but
    // the last when asked.
    void sendMessage(quint64 id, protocol::Opcode opcode, const QByteArray &data,
                     std::size_t fragmentSize, bool pingBetweenFragments);
    // One message in frames of the sizes given, in order (the last size repeats until the
    // payload is out), masked with fresh keys, with a ping after each frame but the last when
    // asked. The frames go uncompressed. False (nothing sent) for an empty or non-positive size
    // or when no random mask key could be had.
    bool sendFragments(quint64 id, protocol::Opcode opcode, const QByteArray &payload,
                       const std::vector<std::size_t> &sizes, bool pingBetweenFragments);
    // Exactly this header and payload (any FIN, RSV, opcode, mask, declared length).
    void sendRawFrame(quint64 id, const protocol::FrameHeader &header, const QByteArray &payload);
    void ping(quint64 id, const QByteArray &payload = {});
    void close(quint64 id, std::uint16_t code = 1000, const QByteArray &reason = {});
    // Ends the connection without a close frame: TCP FIN, or RST with `reset`.
    void abort(quint64 id, bool reset = false);
    // Runs `work` on the network thread with the session, if it still exists (what the calls
    // above do; for front ends that need more, such as a script's waiting calls).
    void withSession(quint64 id, std::function<void(ClientSession &)> work);
    // Forgets a finished session (its store stays alive while someone holds it).
    void remove(quint64 id);

    std::shared_ptr<capture::FrameStore> store(quint64 id) const;
    SessionState state(quint64 id) const;
    // Everything about the session but its frames, copied at its last change.
    std::optional<ClientSnapshot> snapshot(quint64 id) const;
    QList<quint64> sessions() const;
    QThread *networkThread() const { return m_thread.get(); }

    // ---- the built-in server ----

    // Starts it on its own thread; empty string on success, else why it could not listen.
    QString startServer(const LocalServerOptions &options);
    // Closes its clients with 1001 (waiting up to timeoutMs for them), then stops it.
    void stopServer(int timeoutMs = 2000);
    bool isServerRunning() const;
    QStringList serverUrls() const;
    // What the server left out when it started (an address it could not listen on), in words.
    QStringList serverWarnings() const;
    std::shared_ptr<capture::FrameStore> serverStore() const;
    std::optional<ServerConnectionInfo> serverConnection(quint64 id) const;
    // Its connections so far (open ones and the last 10000 closed), by id.
    QList<quint64> serverConnections() const;
    int serverConnectionCount() const;

Q_SIGNALS:
    void sessionStateChanged(quint64 id, framescope::session::SessionState state);
    // Frames [first, end) of the session's store are new; batched, about every 30 ms.
    void framesReady(quint64 id, framescope::capture::FrameId first,
                     framescope::capture::FrameId end);
    // The store's memory cap evicted frames: those before `firstKept` are gone (a model drops
    // their rows).
    void framesEvicted(quint64 id, framescope::capture::FrameId firstKept);
    void messagesReceived(quint64 id, quint64 count);
    void pongReceived(quint64 id, qint64 roundTripNs);
    void errorOccurred(quint64 id, framescope::session::SessionError error, const QString &detail);
    // A redirect is being followed ("301 ws://host/path").
    void redirected(quint64 id, const QString &step);
    // The connection ended and another starts in delayMs, as the reconnect policy asks.
    void reconnectScheduled(quint64 id, int attempt, int delayMs, const QString &reason);
    // The session is over (no reconnect follows); snapshot() is final.
    void sessionFinished(quint64 id, framescope::session::SessionError error,
                         const QString &errorString);

    // The server's connections: one changed state (Open after the upgrade, Closed when gone).
    void serverConnectionChanged(quint64 id, framescope::session::SessionState state);
    // A client's upgrade was refused (the status, and why in a few words).
    void serverHandshakeRefused(quint64 id, int status, const QString &reason);
    // A client dropped before it became a connection (over the limit, a failed TLS handshake).
    void serverConnectionDropped(const QString &peer, const QString &reason);
    void serverFramesReady(framescope::capture::FrameId first, framescope::capture::FrameId end);

private:
    struct Entry
    {
        std::shared_ptr<capture::FrameStore> store;
        ClientSession *session = nullptr; // lives on the network thread
        ClientSnapshot snapshot;
        std::uint64_t firstKept = 0;
    };

    void watch(quint64 id, ClientSession *session);
    // Copies the session's state into its entry (on the network thread, before any signal).
    void refresh(quint64 id, const ClientSession &session);

    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr; // parent of the sessions, on the network thread
    mutable QMutex m_mutex;
    QHash<quint64, Entry> m_entries;
    quint64 m_nextId = 1;
    std::unique_ptr<LocalServerThread> m_server;
};

} // namespace framescope::session

Q_DECLARE_METATYPE(framescope::capture::FrameId)
