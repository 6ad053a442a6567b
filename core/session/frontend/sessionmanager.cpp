#include "sessionmanager.h"

#include <QMetaObject>
#include <QMutexLocker>
#include <algorithm>
#include <openssl/crypto.h>
#include <protocol/masking.h>
#include <session/client/clientsession.h>
#include <session/server/localserverthread.h>

namespace framescope::session {

SessionManager::SessionManager(QObject *parent)
    : QObject(parent)
    , m_thread(std::make_unique<QThread>())
{
    qRegisterMetaType<SessionState>();
    qRegisterMetaType<SessionError>();
    qRegisterMetaType<capture::FrameId>();
    m_thread->setObjectName(QStringLiteral("framescope-network"));
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();
}

SessionManager::~SessionManager()
{
    stopServer(0);
    // Sessions are children of the context and go with it on the network thread.
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            const auto children = m_context->children();
            for (QObject *child : children)
                delete child;
            // OpenSSL's state for this thread (keys, masks and TLS were made here) goes with it.
            OPENSSL_thread_stop();
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
        Entry entry;
        entry.store = store;
        entry.snapshot.options = options;
        m_entries.insert(id, entry);
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
        watch(id, session);
        session->open();
    });
    return id;
}

// The session's signals, on the network thread: the entry is refreshed first, then the news
// goes out (queued to whoever listens elsewhere).
void SessionManager::watch(quint64 id, ClientSession *session)
{
    const auto direct = Qt::DirectConnection;
    connect(
        session, &ClientSession::stateChanged, this,
        [this, id, session](SessionState state) {
            refresh(id, *session);
            Q_EMIT sessionStateChanged(id, state);
        },
        direct);
    connect(
        session, &ClientSession::framesCaptured, this,
        [this, id, session](quint64 first, quint64 end) {
            std::uint64_t firstKept = 0;
            bool evicted = false;
            {
                QMutexLocker lock(&m_mutex);
                const auto it = m_entries.find(id);
                if (it == m_entries.end())
                    return;
                firstKept = it->store->firstId().value;
                evicted = firstKept > it->firstKept;
                it->firstKept = firstKept;
            }
            refresh(id, *session);
            if (evicted)
                Q_EMIT framesEvicted(id, capture::FrameId{firstKept});
            Q_EMIT framesReady(id, capture::FrameId{std::max<std::uint64_t>(first, firstKept)},
                               capture::FrameId{end});
        },
        direct);
    connect(
        session, &ClientSession::messagesReceivedChanged, this,
        [this, id](quint64 count) { Q_EMIT messagesReceived(id, count); }, direct);
    connect(
        session, &ClientSession::pongReceived, this,
        [this, id](qint64 roundTripNs) { Q_EMIT pongReceived(id, roundTripNs); }, direct);
    connect(
        session, &ClientSession::errorOccurred, this,
        [this, id, session](SessionError error, const QString &detail) {
            refresh(id, *session);
            Q_EMIT errorOccurred(id, error, detail);
        },
        direct);
    connect(
        session, &ClientSession::redirected, this,
        [this, id, session](const QString &step) {
            refresh(id, *session);
            Q_EMIT redirected(id, step);
        },
        direct);
    connect(
        session, &ClientSession::reconnectScheduled, this,
        [this, id, session](int attempt, int delayMs, const QString &reason) {
            refresh(id, *session);
            Q_EMIT reconnectScheduled(id, attempt, delayMs, reason);
        },
        direct);
    connect(
        session, &ClientSession::finished, this,
        [this, id, session] {
            refresh(id, *session);
            Q_EMIT sessionFinished(id, session->error(), session->errorString());
        },
        direct);
}

void SessionManager::refresh(quint64 id, const ClientSession &session)
{
    ClientSnapshot snapshot = session.snapshot();
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.find(id);
    if (it != m_entries.end())
        it->snapshot = std::move(snapshot);
}

void SessionManager::withSession(quint64 id, std::function<void(ClientSession &)> work)
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
    withSession(id, [text, fragmentSize](ClientSession &s) { s.sendText(text, fragmentSize); });
}

void SessionManager::sendBinary(quint64 id, const QByteArray &data, std::size_t fragmentSize)
{
    withSession(id, [data, fragmentSize](ClientSession &s) { s.sendBinary(data, fragmentSize); });
}

void SessionManager::sendMessage(quint64 id, protocol::Opcode opcode, const QByteArray &data,
                                 std::size_t fragmentSize, bool pingBetweenFragments)
{
    withSession(id, [=](ClientSession &s) {
        s.sendMessage(opcode, data, fragmentSize, pingBetweenFragments);
    });
}

void SessionManager::sendRawFrame(quint64 id, const protocol::FrameHeader &header,
                                  const QByteArray &payload)
{
    withSession(id, [header, payload](ClientSession &s) { s.sendRawFrame(header, payload); });
}

bool SessionManager::sendFragments(quint64 id, protocol::Opcode opcode, const QByteArray &payload,
                                   const std::vector<std::size_t> &sizes, bool pingBetweenFragments)
{
    if (sizes.empty() || std::find(sizes.cbegin(), sizes.cend(), 0) != sizes.cend())
        return false;
    // The frames first (each needs a mask key), then all of them in one go to the network
    // thread, so that nothing goes between them but the pings asked for.
    std::vector<std::pair<protocol::FrameHeader, QByteArray>> frames;
    qsizetype offset = 0;
    do {
        const qsizetype size = std::min<qsizetype>(
            qsizetype(frames.size() < sizes.size() ? sizes[frames.size()] : sizes.back()),
            payload.size() - offset);
        protocol::FrameHeader header;
        header.opcode = frames.empty() ? std::uint8_t(opcode) : std::uint8_t(0x0);
        header.fin = offset + size >= payload.size();
        header.masked = true;
        if (!protocol::randomBytes(header.maskKey))
            return false;
        header.payloadLength = std::uint64_t(size);
        frames.emplace_back(header, payload.mid(offset, size));
        offset += size;
    } while (offset < payload.size());
    withSession(id, [frames = std::move(frames), pingBetweenFragments](ClientSession &s) {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            s.sendRawFrame(frames[i].first, frames[i].second);
            if (pingBetweenFragments && i + 1 < frames.size())
                s.ping({});
        }
    });
    return true;
}

void SessionManager::ping(quint64 id, const QByteArray &payload)
{
    withSession(id, [payload](ClientSession &s) { s.ping(payload); });
}

void SessionManager::close(quint64 id, std::uint16_t code, const QByteArray &reason)
{
    withSession(id, [code, reason](ClientSession &s) { s.close(code, reason); });
}

void SessionManager::abort(quint64 id, bool reset)
{
    withSession(id, [reset](ClientSession &s) { s.abort(reset); });
}

void SessionManager::remove(quint64 id)
{
    QMetaObject::invokeMethod(m_context, [this, id] {
        Entry entry;
        {
            QMutexLocker lock(&m_mutex);
            entry = m_entries.take(id);
        }
        if (ClientSession *session = entry.session) {
            session->disconnect(this);
            // The session writes to its store until it is gone (abort() announces its last
            // frames): the store, perhaps no longer held by any front end, goes with it.
            QObject::connect(session, &QObject::destroyed, [store = std::move(entry.store)] {});
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
    return m_entries.value(id).snapshot.state;
}

std::optional<ClientSnapshot> SessionManager::snapshot(quint64 id) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(id);
    if (it == m_entries.cend())
        return std::nullopt;
    return it->snapshot;
}

QList<quint64> SessionManager::sessions() const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.keys();
}

QString SessionManager::startServer(const LocalServerOptions &options)
{
    if (isServerRunning())
        return QStringLiteral("the built-in server is running already");
    m_server.reset(); // a stopped one: started again with the new options
    auto server = std::make_unique<LocalServerThread>(options);
    if (QString error = server->start(); !error.isEmpty())
        return error;
    const auto direct = Qt::DirectConnection;
    LocalServer *local = server->server();
    connect(
        local, &LocalServer::connectionOpened, this,
        [this](quint64 id) { Q_EMIT serverConnectionChanged(id, SessionState::Open); }, direct);
    connect(
        local, &LocalServer::connectionClosed, this,
        [this](quint64 id) { Q_EMIT serverConnectionChanged(id, SessionState::Closed); }, direct);
    connect(
        local, &LocalServer::handshakeRefused, this,
        [this](quint64 id, int status, const QString &reason) {
            Q_EMIT serverHandshakeRefused(id, status, reason);
        },
        direct);
    connect(
        local, &LocalServer::connectionDropped, this,
        [this](const QString &peer, const QString &reason) {
            Q_EMIT serverConnectionDropped(peer, reason);
        },
        direct);
    connect(
        local, &LocalServer::framesCaptured, this,
        [this](quint64 first, quint64 end) {
            Q_EMIT serverFramesReady(capture::FrameId{first}, capture::FrameId{end});
        },
        direct);
    m_server = std::move(server);
    return {};
}

void SessionManager::stopServer(int timeoutMs)
{
    if (m_server)
        m_server->stop(timeoutMs);
}

bool SessionManager::isServerRunning() const
{
    return m_server && m_server->server();
}

QStringList SessionManager::serverUrls() const
{
    return m_server ? m_server->urls() : QStringList();
}

QStringList SessionManager::serverWarnings() const
{
    return m_server ? m_server->warnings() : QStringList();
}

std::shared_ptr<capture::FrameStore> SessionManager::serverStore() const
{
    return m_server ? m_server->store() : nullptr;
}

std::optional<ServerConnectionInfo> SessionManager::serverConnection(quint64 id) const
{
    return m_server ? m_server->connectionInfo(id) : std::nullopt;
}

QList<quint64> SessionManager::serverConnections() const
{
    return m_server ? m_server->connectionIds() : QList<quint64>();
}

int SessionManager::serverConnectionCount() const
{
    return m_server ? m_server->connectionCount() : 0;
}

} // namespace framescope::session
