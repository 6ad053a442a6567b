#pragma once

#include "scriptresult.h"

#include <QHash>
#include <QJSValue>
#include <QMap>
#include <QObject>
#include <atomic>
#include <capture/framestore.h>
#include <functional>

class QJSEngine;

namespace framescope::session {
class SessionManager;
}

namespace framescope::scripting {

class ErrorLocator;

// What a script may set from outside: the URL connect() uses when given none, the variables
// `env` holds, and its limits.
struct ScriptOptions
{
    QString defaultUrl;
    QMap<QString, QString> env;
    int timeoutMs = 60'000;  // the whole run; 0: none
    int watchdogMs = 10'000; // running this long without calling the API stops it
    qsizetype maxSendBytes = qsizetype{64} << 20; // one message or frame
    int defaultWaitMs = 5'000;                    // next() and expect() without a timeout
};

// The native side of the script API, on the script's thread: it drives sessions through the
// SessionManager (callable from any thread) and reads what arrives straight from their stores
// (any thread may read a store while the network thread writes). The JavaScript side
// (scriptprelude) wraps it into connect(), Connection, test() and the helpers. Waiting calls
// poll the store and return early when stopped.
class ScriptHost : public QObject
{
    Q_OBJECT

public:
    ScriptHost(QJSEngine &engine, session::SessionManager &manager, const ScriptOptions &options,
               const std::atomic<bool> &stopping);
    ~ScriptHost() override;

    std::function<void(const QString &line)> onLog;
    std::function<void(const TestResult &result)> onTest;
    // A connection the script opened (once open: its id, URL, store, and when connect() began
    // on the monotonic clock and the wall clock), and its end, when the host removes it.
    std::function<void(quint64 id, const QString &url,
                       const std::shared_ptr<const capture::FrameStore> &store, qint64 startedNs,
                       qint64 startedAtMs)>
        onOpened;
    std::function<void(quint64 id)> onRemoved;
    // When the script last entered or left a native call, and whether it is inside one: the
    // watchdog's view.
    std::atomic<qint64> lastCallNs{0};
    std::atomic<bool> inCall{false};
    QList<TestResult> tests;

    Q_INVOKABLE QJSValue open(const QString &url, const QJSValue &options);
    Q_INVOKABLE void sendFrame(double id, const QJSValue &frame);
    Q_INVOKABLE void sendFragmented(double id, const QByteArray &payload, bool binary,
                                    const QJSValue &sizes);
    Q_INVOKABLE double ping(double id, const QByteArray &payload, int timeoutMs);
    Q_INVOKABLE void close(double id, int code, const QString &reason, int timeoutMs);
    // Messages in one call each way, as the JavaScript side groups them (a call into the
    // engine's host object costs more than a message on loopback): the items of a JavaScript
    // array (strings as text, bytes as binary), and up to `max` messages received (an array;
    // waits for the first; a timeout is reported as `askedMs`, the whole wait the script asked
    // for, when this is what is left of it).
    Q_INVOKABLE void sendBatch(double id, const QJSValue &items);
    Q_INVOKABLE QJSValue nextBatch(double id, int max, int timeoutMs, int askedMs);
    Q_INVOKABLE QJSValue state(double id);
    Q_INVOKABLE void sleep(int ms);
    Q_INVOKABLE void log(const QString &line);
    Q_INVOKABLE void testResult(const QString &name, bool passed, const QString &message,
                                double seconds);
    Q_INVOKABLE QJSValue env() const;
    Q_INVOKABLE QString toHex(const QByteArray &bytes) const;
    Q_INVOKABLE QJSValue fromHex(const QString &hex);
    Q_INVOKABLE QString toBase64(const QByteArray &bytes) const;
    Q_INVOKABLE QJSValue fromBase64(const QString &text);
    Q_INVOKABLE QByteArray utf8(const QString &text) const { return text.toUtf8(); }
    Q_INVOKABLE int defaultWaitMs() const { return m_options.defaultWaitMs; }
    // "file.js:12:5": where in the user's script `error` was thrown (empty when not known).
    Q_INVOKABLE QString where(const QJSValue &error) const;

    const ErrorLocator *locator = nullptr; // set by the runner for where()

private:
    struct Reader
    {
        std::shared_ptr<capture::FrameStore> store;
        std::uint64_t next = 0; // the next frame to read
        QByteArray partial;     // a fragmented message so far
        int partialOpcode = -1;
        QString url;
    };
    // Scope of a native call, for the watchdog.
    struct Call
    {
        explicit Call(ScriptHost &of);
        ~Call();
        ScriptHost &host;
    };

    Reader *reader(double id);
    // Reads whole messages from the store into `into` (an array), at most `max`; how many.
    int collect(Reader &source, int max, QJSValue &into);
    bool ensureOpen(double id);
    bool checkSize(qsizetype size);
    // Waits until `done` or the deadline (or a stop); true when done.
    bool waitFor(const std::function<bool()> &done, int timeoutMs);
    void fail(const QString &message);

    QJSEngine &m_engine;
    session::SessionManager &m_manager;
    ScriptOptions m_options;
    const std::atomic<bool> &m_stopping;
    QHash<quint64, Reader> m_readers;
};

} // namespace framescope::scripting
