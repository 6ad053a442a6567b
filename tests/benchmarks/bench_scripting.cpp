// A script's send loop against the same loop through the C++ API (issue 14's goal: the script
// reaches at least 0.5x the C++ rate). Both send N text messages of 64 bytes to the built-in
// server on one connection, then read the N echoes; the rate is messages per second, end to
// end. Run it on a quiet machine: ./bench_scripting [N] (default 100000).

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTest>
#include <cstdio>
#include <scripting/scriptrunner.h>
#include <session/frontend/sessionmanager.h>

using namespace framescope;

namespace {

double cppRate(session::SessionManager &manager, const QString &url, int count)
{
    session::ClientOptions options;
    options.url = QUrl(url);
    const quint64 id = manager.open(options, capture::FrameStore::Limits{std::size_t{1} << 30});
    if (!QTest::qWaitFor([&] { return manager.state(id) == session::SessionState::Open; }, 10000))
        return 0;
    const auto store = manager.store(id);
    const QByteArray message(64, 'x');
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; ++i)
        manager.sendText(id, message);
    const qint64 sentMs = timer.elapsed();
    // The echoes, counted in the store as the script's next() reads them.
    std::uint64_t cursor = store->firstId().value;
    int received = 0;
    while (received < count && timer.elapsed() < 120'000) {
        for (; cursor < store->endId().value; ++cursor) {
            const auto record = store->record({cursor});
            if (record && !record->has(capture::FrameRecord::Sent) && record->opcode == 0x1)
                ++received;
        }
        QThread::yieldCurrentThread();
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    std::printf("  C++: sending %lld ms, reading the echoes %lld ms\n", sentMs,
                timer.elapsed() - sentMs);
    manager.close(id);
    manager.remove(id);
    return received == count ? count / seconds : 0;
}

double scriptRate(session::SessionManager &manager, const QString &url, int count)
{
    scripting::ScriptOptions options;
    options.defaultUrl = url;
    options.timeoutMs = 300'000;
    options.watchdogMs = 0;
    double rate = 0;
    scripting::ScriptRunner runner(manager, options);
    QObject::connect(&runner, &scripting::ScriptRunner::output, [&](const QString &line) {
        if (line.startsWith(QLatin1String("rate ")))
            rate = line.mid(5).toDouble();
        else
            std::printf("  script: %s\n", qPrintable(line));
    });
    const scripting::ScriptResult result = runner.run(QStringLiteral(R"(
const conn = connect();
const message = 'x'.repeat(64);
const started = Date.now();
for (let i = 0; i < %1; ++i)
    conn.send(message);
const sent = Date.now();
for (let i = 0; i < %1; ++i)
    conn.next(60000);
log('sending ' + (sent - started) + ' ms, reading the echoes ' + (Date.now() - sent) + ' ms');
log('rate ' + String(%1 / ((Date.now() - started) / 1000)));
conn.close();
)")
                                                          .arg(count),
                                                      QStringLiteral("bench.js"));
    if (result.ending != scripting::ScriptResult::Ending::Completed)
        std::printf("the script did not complete: %s\n", qPrintable(result.error));
    return rate;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int count = argc > 1 ? std::atoi(argv[1]) : 100'000;
    session::SessionManager manager;
    if (const QString error = manager.startServer({}); !error.isEmpty()) {
        std::printf("the built-in server did not start: %s\n", qPrintable(error));
        return 1;
    }
    const QString url = manager.serverUrls().value(0);
    std::printf("%d text messages of 64 bytes sent, then their echoes read, to the built-in "
                "server\n",
                count);
    for (int round = 1; round <= 3; ++round) {
        const double cpp = cppRate(manager, url, count);
        const double script = scriptRate(manager, url, count);
        std::printf("round %d: C++ API %.0f msg/s, script %.0f msg/s, ratio %.2fx (goal 0.5x)\n",
                    round, cpp, script, cpp > 0 ? script / cpp : 0);
    }
    manager.stopServer(1000);
    return 0;
}
