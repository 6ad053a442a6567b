#include "scriptrunner.h"

#include "errorlocation.h"
#include "scriptprelude.h"

#include <QEventLoop>
#include <QJSEngine>
#include <session/engine/clock.h>

namespace framescope::scripting {

namespace {

constexpr char kPreludeName[] = "framescope:prelude";

// "checks.js:12:5: Error: boom": where in the user's script it was thrown (when known), then
// what.
QString located(const ScriptLocation &at, const QString &what)
{
    return at.isValid() ? QStringLiteral("%1: %2").arg(at.toString(), what) : what;
}

} // namespace

ScriptRunner::ScriptRunner(session::SessionManager &manager, const ScriptOptions &options,
                           QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_options(options)
{
    m_watchdog.setInterval(50);
    connect(&m_watchdog, &QTimer::timeout, this, &ScriptRunner::watch);
}

ScriptRunner::~ScriptRunner()
{
    stop();
    if (m_thread.joinable())
        m_thread.join();
}

void ScriptRunner::start(const QString &source, const QString &fileName)
{
    if (m_running)
        return;
    if (m_thread.joinable())
        m_thread.join();
    m_stopping = false;
    m_running = true;
    {
        QMutexLocker lock(&m_mutex);
        m_result = {};
        m_interruptedAs = ScriptResult::Ending::Completed;
        m_interruptedWhy.clear();
    }
    m_startedNs = session::monotonicNs();
    m_watchdog.start();
    m_thread = std::thread([this, source, fileName] { work(source, fileName); });
}

void ScriptRunner::stop()
{
    if (m_running)
        interrupt(ScriptResult::Ending::Stopped, QStringLiteral("stopped"));
}

ScriptResult ScriptRunner::result() const
{
    QMutexLocker lock(&m_mutex);
    return m_result;
}

ScriptResult ScriptRunner::run(const QString &source, const QString &fileName)
{
    QEventLoop loop;
    connect(this, &ScriptRunner::finished, &loop, &QEventLoop::quit);
    start(source, fileName);
    if (m_running)
        loop.exec();
    return result();
}

void ScriptRunner::interrupt(ScriptResult::Ending ending, const QString &why)
{
    QMutexLocker lock(&m_mutex);
    if (m_interruptedAs == ScriptResult::Ending::Completed) {
        m_interruptedAs = ending;
        m_interruptedWhy = why;
    }
    m_stopping = true; // waiting calls return
    if (m_engine)
        m_engine->setInterrupted(true); // running JavaScript stops
}

// Every 50 ms on the runner's thread: the time limit, and a script that runs without calling
// the API (an endless loop never yields).
void ScriptRunner::watch()
{
    if (!m_running) {
        m_watchdog.stop();
        return;
    }
    const qint64 now = session::monotonicNs();
    if (m_options.timeoutMs > 0 && now - m_startedNs > qint64(m_options.timeoutMs) * 1'000'000) {
        interrupt(ScriptResult::Ending::TimedOut,
                  QStringLiteral("timed out after %1 s").arg(m_options.timeoutMs / 1000.0));
        return;
    }
    QMutexLocker lock(&m_mutex);
    if (m_host && m_options.watchdogMs > 0 && !m_host->inCall
        && now - m_host->lastCallNs > qint64(m_options.watchdogMs) * 1'000'000) {
        lock.unlock();
        interrupt(ScriptResult::Ending::Stopped,
                  QStringLiteral("stopped by the watchdog: %1 s without calling the script API "
                                 "(an endless loop?)")
                      .arg(m_options.watchdogMs / 1000.0));
    }
}

void ScriptRunner::work(QString source, QString fileName)
{
    ScriptResult result;
    {
        QJSEngine engine; // no extensions: no console, no Qt object, no module loading
        ScriptHost host(engine, m_manager, m_options, m_stopping);
        const ErrorLocator locator(source, fileName, QString::fromLatin1(kPreludeName));
        host.locator = &locator;
        QJSEngine::setObjectOwnership(&host, QJSEngine::CppOwnership);
        host.onLog = [this](const QString &line) {
            Q_EMIT output(line);
        };
        host.onOpened = [this](quint64 id, const QString &url,
                               const std::shared_ptr<const capture::FrameStore> &store,
                               qint64 startedNs, qint64 startedAtMs) {
            Q_EMIT connectionOpened(id, url, store, startedNs, startedAtMs);
        };
        host.onRemoved = [this](quint64 id) {
            Q_EMIT connectionEnded(id);
        };
        host.onTest = [this](const TestResult &test) {
            Q_EMIT testFinished(test.name, test.passed, test.message);
        };
        {
            QMutexLocker lock(&m_mutex);
            m_engine = &engine;
            m_host = &host;
            if (m_stopping) // stopped before it began
                engine.setInterrupted(true);
        }
        const QJSValue prelude
            = engine.evaluate(scriptPrelude(), QString::fromLatin1(kPreludeName), 1);
        const QJSValue installed = prelude.call({engine.newQObject(&host), engine.globalObject()});
        if (installed.isError()) {
            result.ending = ScriptResult::Ending::Failed;
            result.error
                = QStringLiteral("the script API did not load: %1").arg(installed.toString());
        } else {
            QStringList thrownAt; // not empty when the script threw
            const QJSValue value = engine.evaluate(source, fileName, 1, &thrownAt);
            // What the script sent last may still be grouped: it goes now, unless stopped.
            if (!m_stopping)
                installed.property(QStringLiteral("flush")).call();
            if (value.isError()) {
                result.ending = ScriptResult::Ending::Failed;
                result.error = readableText(located(locator.locate(value), value.toString()));
            } else if (!thrownAt.isEmpty()) { // `throw "text"`: a value that is not an Error
                result.ending = ScriptResult::Ending::Failed;
                const QString thrown = value.isString()
                                           ? QStringLiteral("\"%1\"").arg(value.toString())
                                           : value.toString();
                result.error
                    = readableText(located(locator.locateThrow(thrownAt),
                                           QStringLiteral("uncaught exception: %1").arg(thrown)));
            }
        }
        result.tests = host.tests;
        QMutexLocker lock(&m_mutex);
        m_engine = nullptr;
        m_host = nullptr;
        if (m_interruptedAs != ScriptResult::Ending::Completed) {
            result.ending = m_interruptedAs;
            result.error = m_interruptedWhy;
        }
    } // the host closes what the script left open
    result.seconds = double(session::monotonicNs() - m_startedNs) / 1e9;
    {
        QMutexLocker lock(&m_mutex);
        m_result = result;
    }
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_running = false;
            m_watchdog.stop();
            if (m_thread.joinable())
                m_thread.join();
            Q_EMIT finished();
        },
        Qt::QueuedConnection);
}

} // namespace framescope::scripting
