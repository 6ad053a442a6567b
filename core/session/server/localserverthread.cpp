#include "localserverthread.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <openssl/crypto.h>

namespace framescope::session {

LocalServerThread::LocalServerThread(const LocalServerOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_thread.setObjectName(QStringLiteral("framescope-server"));
}

LocalServerThread::~LocalServerThread()
{
    stop(0);
}

template<typename F>
void LocalServerThread::onServerThread(F function) const
{
    QMetaObject::invokeMethod(m_context, function, Qt::BlockingQueuedConnection);
}

QString LocalServerThread::start()
{
    if (m_thread.isRunning())
        return QStringLiteral("the server is running already");
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    QString error;
    // Created on its thread, so its timers and sockets belong there.
    onServerThread([this, &error] {
        m_server = new LocalServer(m_options);
        error = m_server->listen();
        m_port = m_server->port();
        m_urls = m_server->urls();
        m_warnings = m_server->warnings();
        m_store = m_server->store();
    });
    if (!error.isEmpty())
        stop(0);
    return error;
}

void LocalServerThread::stop(int timeoutMs)
{
    if (!m_thread.isRunning())
        return;
    if (m_server) {
        onServerThread([this] { m_server->shutdown(); });
        // Clients answer the close and the server closes TCP; wait for that, within reason.
        const QDeadlineTimer deadline(timeoutMs);
        while (connectionCount() > 0 && !deadline.hasExpired())
            QThread::msleep(5);
        onServerThread([this] {
            // What was known about each connection stays readable after the server is gone.
            for (const quint64 id : m_server->connectionIds())
                m_finalInfos.insert(id, *m_server->connectionInfo(id));
            delete m_server;
            m_server = nullptr;
            // OpenSSL's state for this thread (TLS connections were served here) goes with it.
            OPENSSL_thread_stop();
        });
    }
    m_thread.quit();
    m_thread.wait();
    m_context = nullptr;
}

int LocalServerThread::connectionCount() const
{
    int count = 0;
    if (m_server)
        onServerThread([this, &count] { count = m_server->connectionCount(); });
    return count;
}

std::optional<ServerConnectionInfo> LocalServerThread::connectionInfo(quint64 id) const
{
    std::optional<ServerConnectionInfo> info;
    if (m_server)
        onServerThread([this, id, &info] { info = m_server->connectionInfo(id); });
    else if (m_finalInfos.contains(id))
        info = m_finalInfos.value(id);
    return info;
}

QList<quint64> LocalServerThread::connectionIds() const
{
    QList<quint64> ids;
    if (m_server) {
        onServerThread([this, &ids] { ids = m_server->connectionIds(); });
    } else {
        ids = m_finalInfos.keys();
        std::sort(ids.begin(), ids.end());
    }
    return ids;
}

} // namespace framescope::session
