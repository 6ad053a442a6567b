#include "sessionmanager.h"

#include <QMetaObject>
#include <QMutexLocker>

namespace framescope::session {

SessionManager::SessionManager(QObject *parent)
    : QObject(parent)
    , m_thread(std::make_unique<QThread>())
{
    qRegisterMetaType<SessionState>();
    qRegisterMetaType<SessionError>();
    m_thread->setObjectName(QStringLiteral("framescope-network"));
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();
}

SessionManager::~SessionManager()
{
    // Sessions are children of the context and go with it on the network thread.
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            const auto children = m_context->children();
            for (QObject *child : children)
                delete child;
        },
        Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

quint64 SessionManager::open(const ClientOptions &options,
                             const capture::FrameStore::Limits &limits)
{
    quint64 id = 0;
    auto store = std::make_shared<capture::FrameStore>(limits);
    {
        QMutexLocker lock(&m_mutex);
        id = m_nextId++;
        m_entries.insert(id, Entry{store, nullptr, SessionState::Idle});
    }
    QMetaObject::invokeMethod(m_context, [this, id, options, store] {
        auto *session = new ClientSession(options, *store, m_context);
        {
            QMutexLocker lock(&m_mutex);
            if (!m_entries.contains(id)) {
                delete session;
                return;
            }
            m_entries[id].session = session;
        }
        connect(
            session, &ClientSession::stateChanged, this,
            [this, id](SessionState state) {
                {
                    QMutexLocker lock(&m_mutex);
                    if (m_entries.contains(id))
                        m_entries[id].state = state;
                }
                Q_EMIT sessionStateChanged(id, state);
            },
            Qt::DirectConnection);
        connect(
            session, &ClientSession::framesCaptured, this,
            [this, id](quint64 first, quint64 end) { Q_EMIT framesReady(id, first, end); },
            Qt::DirectConnection);
        connect(
            session, &ClientSession::finished, this,
            [this, id, session] {
                Q_EMIT sessionFinished(id, session->error(), session->errorString());
            },
            Qt::DirectConnection);
        session->open();
    });
    return id;
}

void SessionManager::onNetworkThread(quint64 id, std::function<void(ClientSession &)> work)
{
    QMetaObject::invokeMethod(m_context, [this, id, work = std::move(work)] {
        ClientSession *session = nullptr;
        {
            QMutexLocker lock(&m_mutex);
            session = m_entries.value(id).session;
        }
        if (session)
            work(*session);
    });
}

void SessionManager::sendText(quint64 id, const QByteArray &text, std::size_t fragmentSize)
{
    onNetworkThread(id, [text, fragmentSize](ClientSession &s) { s.sendText(text, fragmentSize); });
}

void SessionManager::sendBinary(quint64 id, const QByteArray &data, std::size_t fragmentSize)
{
    onNetworkThread(id,
                    [data, fragmentSize](ClientSession &s) { s.sendBinary(data, fragmentSize); });
}

void SessionManager::ping(quint64 id, const QByteArray &payload)
{
    onNetworkThread(id, [payload](ClientSession &s) { s.ping(payload); });
}

void SessionManager::close(quint64 id, std::uint16_t code, const QByteArray &reason)
{
    onNetworkThread(id, [code, reason](ClientSession &s) { s.close(code, reason); });
}

void SessionManager::remove(quint64 id)
{
    QMetaObject::invokeMethod(m_context, [this, id] {
        ClientSession *session = nullptr;
        {
            QMutexLocker lock(&m_mutex);
            session = m_entries.take(id).session;
        }
        if (session) {
            session->abort();
            session->deleteLater();
        }
    });
}

std::shared_ptr<capture::FrameStore> SessionManager::store(quint64 id) const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.value(id).store;
}

SessionState SessionManager::state(quint64 id) const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.value(id).state;
}

QList<quint64> SessionManager::sessions() const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.keys();
}

} // namespace framescope::session
