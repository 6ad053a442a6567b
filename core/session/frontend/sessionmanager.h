#pragma once

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QThread>
#include <memory>
#include <session/client/clientsession.h>

namespace framescope::session {

// Runs many client sessions on one network thread, each with its own capture store. Callable
// from any thread; what it emits carries ids, states and counts, never payloads. Frames are
// read from the session's store, which any thread may read while the network thread writes.
class SessionManager : public QObject
{
    Q_OBJECT

public:
    explicit SessionManager(QObject *parent = nullptr);
    ~SessionManager() override;

    // Starts a session and returns its id (from 1).
    quint64 open(const ClientOptions &options, const capture::FrameStore::Limits &limits = {});
    void sendText(quint64 id, const QByteArray &text, std::size_t fragmentSize = 0);
    void sendBinary(quint64 id, const QByteArray &data, std::size_t fragmentSize = 0);
    void ping(quint64 id, const QByteArray &payload = {});
    void close(quint64 id, std::uint16_t code = 1000, const QByteArray &reason = {});
    // Forgets a finished session (its store stays alive while someone holds it).
    void remove(quint64 id);

    std::shared_ptr<capture::FrameStore> store(quint64 id) const;
    SessionState state(quint64 id) const;
    QList<quint64> sessions() const;
    QThread *networkThread() const { return m_thread.get(); }

Q_SIGNALS:
    void sessionStateChanged(quint64 id, framescope::session::SessionState state);
    void framesReady(quint64 id, quint64 first, quint64 end);
    void sessionFinished(quint64 id, framescope::session::SessionError error,
                         const QString &errorString);

private:
    struct Entry
    {
        std::shared_ptr<capture::FrameStore> store;
        ClientSession *session = nullptr; // lives on the network thread
        SessionState state = SessionState::Idle;
    };

    // Runs `work` on the network thread with the session, if it still exists.
    void onNetworkThread(quint64 id, std::function<void(ClientSession &)> work);

    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr; // parent of the sessions, on the network thread
    mutable QMutex m_mutex;
    QHash<quint64, Entry> m_entries;
    quint64 m_nextId = 1;
};

} // namespace framescope::session
