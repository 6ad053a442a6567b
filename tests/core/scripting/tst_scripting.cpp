// Scripts against the built-in server: send and expect (text, JSON subsets, binary, a ping's
// round trip), raw frames and chosen fragment sizes, checks that fail with their file and line,
// a timeout that fails properly, a runaway loop stopped by the watchdog, the time limit, stop(),
// and a sandbox without code from strings or host objects.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>
#include <scripting/scriptrunner.h>
#include <session/frontend/sessionmanager.h>

using namespace framescope;
using namespace framescope::scripting;

namespace {

QString names(const ScriptResult &result)
{
    QStringList lines;
    for (const TestResult &test : result.tests)
        lines << QStringLiteral("%1 %2 %3")
                     .arg(test.passed ? QStringLiteral("PASS") : QStringLiteral("FAIL"), test.name,
                          test.message);
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n') + result.error;
}

} // namespace

class tst_Scripting : public QObject
{
    Q_OBJECT

    session::SessionManager *m_manager = nullptr;
    QString m_url;

    ScriptResult run(const QString &source, ScriptOptions options = {})
    {
        if (options.defaultUrl.isEmpty())
            options.defaultUrl = m_url;
        ScriptRunner runner(*m_manager, options);
        return runner.run(source, QStringLiteral("check.js"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_manager = new session::SessionManager(this);
        session::LocalServerOptions options;
        QCOMPARE(m_manager->startServer(options), QString());
        m_url = m_manager->serverUrls().value(0);
    }

    void cleanupTestCase() { m_manager->stopServer(1000); }

    void sendAndExpect()
    {
        ScriptOptions options;
        options.env.insert(QStringLiteral("GREETING"), QStringLiteral("héllo"));
        ScriptRunner runner(*m_manager, [&] {
            options.defaultUrl = m_url;
            return options;
        }());
        QSignalSpy logged(&runner, &ScriptRunner::output);
        const ScriptResult result = runner.run(QStringLiteral(R"(
const conn = connect();
test('text echo', () => {
    conn.send(env.GREETING);
    assertEqual(conn.next().data, 'héllo');
});
test('JSON subset and RegExp', () => {
    conn.send({ op: 'order', id: 42, items: [1, 2] });
    const reply = conn.expect({ op: 'order', items: [1] }, 2000);
    assertEqual(reply.json().id, 42);
    conn.send('order 17 shipped');
    assert(/order \d+ shipped/.test(conn.expect(/shipped$/).text()));
});
test('binary', () => {
    conn.sendBinary('00ff7f');
    const reply = conn.next();
    assertEqual(reply.type, 'binary');
    assertEqual(reply.hex(), '00ff7f');
    conn.send(new Uint8Array([1, 2, 3]));
    assertEqual(hex(conn.next().data), '010203');
    assertEqual(base64('hi'), 'aGk=');
    assertEqual(hex(fromBase64('AQI=')), '0102');
});
test('ping round trip', () => {
    const ms = conn.ping('rtt');
    assert(typeof ms === 'number' && ms >= 0 && ms < 2000, 'round trip ' + ms);
});
test('a function matcher and onMessage', () => {
    let seen = 0;
    conn.onMessage(m => { seen += 1; });
    conn.send('skip me'); conn.send('take me');
    const got = conn.expect(m => m.data.startsWith('take'));
    assertEqual(got.data, 'take me');
    assertEqual(seen, 2);
});
log('state', conn.state());
conn.close(1000, 'done');
)"),
                                               QStringLiteral("check.js"));
        QVERIFY2(result.passed(), qPrintable(names(result)));
        QCOMPARE(result.tests.size(), 5);
        QCOMPARE(logged.size(), 1);
        QCOMPARE(logged.at(0).at(0).toString(), QStringLiteral("state open"));
    }

    // Sends are grouped, but none is lost: the last ones go when the script ends, and 1,000
    // sent in a row arrive in order. A connection left open is closed with the handshake.
    void groupedSendsAllArrive()
    {
        const ScriptResult result = run(QStringLiteral(R"(
const conn = connect();
for (let i = 0; i < 1000; ++i)
    conn.send('n' + i);
test('in order', () => {
    for (let i = 0; i < 1000; ++i)
        assertEqual(conn.next().data, 'n' + i);
});
conn.send('last words');
)"));
        QVERIFY2(result.passed(), qPrintable(names(result)));
        const auto store = m_manager->serverStore();
        const auto received = [&](const QByteArray &wanted) {
            std::vector<std::uint8_t> bytes;
            for (std::uint64_t id = store->endId().value; id > store->firstId().value; --id)
                if (store->payload({id - 1}, bytes)
                    && QByteArray(reinterpret_cast<const char *>(bytes.data()),
                                  qsizetype(bytes.size()))
                           == wanted)
                    return true;
            return false;
        };
        QVERIFY(received("last words"));
        QVERIFY(received(QByteArrayLiteral("\x03\xe8script ended")));
    }

    // A check that fails says what and where; the next one still runs; a wait that times out
    // fails in time, naming what it waited for.
    void failingChecksSayWhere()
    {
        const ScriptResult result = run(QStringLiteral(R"(const conn = connect();
test('wrong echo', () => {
    conn.send('a');
    assertEqual(conn.next().data, 'b');
});
test('nothing comes', () => {
    conn.expect('never sent', 150);
});
test('still runs', () => {
    conn.send('c');
    conn.expect('c');
});
)"));
        QVERIFY(!result.passed());
        QCOMPARE(result.ending, ScriptResult::Ending::Completed);
        QCOMPARE(result.tests.size(), 3);
        QCOMPARE(result.tests[0].message,
                 QStringLiteral("expected \"b\", got \"a\" (check.js:4:5)"));
        QVERIFY2(result.tests[1].message.startsWith(
                     QStringLiteral("expect(\"never sent\"): no message within 150 ms")),
                 qPrintable(result.tests[1].message));
        QVERIFY2(result.tests[1].message.endsWith(QStringLiteral("(check.js:7:10)")),
                 qPrintable(result.tests[1].message));
        QVERIFY(result.tests[1].seconds < 2);
        QVERIFY(result.tests[2].passed);
    }

    // An error outside test() ends the script, naming the file, line and column: the parser's
    // column for a syntax error; at run time, the API call that threw, or what the error names
    // on the line (Qt 6.4's engine gives lines only: the column is found from the line).
    void anUncaughtErrorNamesItsPlace_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("error");
        QTest::newRow("not defined")
            << QStringLiteral("const a = 1;\n\nnoSuchThing.call();\n")
            << QStringLiteral("check.js:3:1: ReferenceError: noSuchThing is not defined");
        QTest::newRow("API call") << QStringLiteral("const conn = connect();\nconn.next(100);\n")
                                  << QStringLiteral(
                                         "check.js:2:6: Error: no message within 100 ms");
        QTest::newRow("API call in a function")
            << QStringLiteral("function f() {\n  assert(false, 'inner');\n}\n\nf();\n")
            << QStringLiteral("check.js:2:3: Error: inner");
        QTest::newRow("connect") << QStringLiteral("connect('ws://127.0.0.1:1/');")
                                 << QStringLiteral(
                                        "check.js:1:1: Error: connect(ws://127.0.0.1:1/): ");
        QTest::newRow("syntax") << QStringLiteral("let x = ;")
                                << QStringLiteral("check.js:1:9: SyntaxError");
        QTest::newRow("syntax on line 2") << QStringLiteral("log('a');\n  foo(1, 2 3);\n")
                                          << QStringLiteral("check.js:2:12: SyntaxError");
        QTest::newRow("not a function")
            << QStringLiteral("const o = {};\nlog('x'); o.missing();\n")
            << QStringLiteral("check.js:2:13: TypeError: Property 'missing' of object");
        QTest::newRow("cannot read")
            << QStringLiteral("let o;\nconst v = 1 + o.deep;\n")
            << QStringLiteral("check.js:2:17: TypeError: Cannot read property 'deep' of undefined");
        QTest::newRow("throw") << QStringLiteral("\n    if (1) throw new Error('mine');\n")
                               << QStringLiteral("check.js:2:12: Error: mine");
        // A value that is not an Error, thrown: the script fails (it did not complete).
        QTest::newRow("throw a string")
            << QStringLiteral("log(1);\nthrow 'x';\nlog(2);\n")
            << QStringLiteral("check.js:2:1: uncaught exception: \"x\"");
        QTest::newRow("throw a number in a function")
            << QStringLiteral("function f() {\n  throw 42; }\n\nf();\n")
            << QStringLiteral("check.js:2:3: uncaught exception: 42");
        // A SyntaxError at run time is placed as one: where the line calls what threw.
        QTest::newRow("JSON.parse")
            << QStringLiteral("const v = 1;\nconst o = JSON.parse('{bad');\n")
            << QStringLiteral("check.js:2:11: SyntaxError: JSON.parse");
        // A message that names a value, not a name: the statement's start, not the value's.
        QTest::newRow("a value is not a function")
            << QStringLiteral("  let k = 1; k();\n")
            << QStringLiteral("check.js:1:3: TypeError: 1 is not a function");
        QTest::newRow("close code")
            << QStringLiteral("const c = connect();\nc.close(999, 'x');\n")
            << QStringLiteral("check.js:2:3: Error: close(): 999 is not a code");
        QTest::newRow("close reason")
            << QStringLiteral("const c = connect();\nc.close(1000, 'x'.repeat(124));\n")
            << QStringLiteral("check.js:2:3: Error: close(): the reason is 124 bytes");
        QTest::newRow("opcode")
            << QStringLiteral("const c = connect();\nc.sendFrame({opcode: 16});\n")
            << QStringLiteral("check.js:2:3: Error: sendFrame(): opcode 16 is not");
    }

    // What a script gives as text goes to the console and the JUnit report readable: a lone
    // surrogate becomes U+FFFD, a NUL is written out; a thrown value that is no Error is named.
    void textIsKeptReadable()
    {
        const ScriptResult result = run(
            QStringLiteral("test('x \\ud800', () => {});\ntest('nul', () => fail('a \\u0000 b'));\n"
                           "test('not an Error', () => { throw 'plain'; });\n"));
        QCOMPARE(result.tests.size(), 3);
        QCOMPARE(result.tests[0].name, QStringLiteral("x \uFFFD"));
        QVERIFY2(result.tests[1].message.startsWith(QStringLiteral("a \\u0000 b (check.js:2:")),
                 qPrintable(result.tests[1].message));
        QCOMPARE(result.tests[2].message, QStringLiteral("threw \"plain\""));
    }

    void anUncaughtErrorNamesItsPlace()
    {
        QFETCH(QString, source);
        QFETCH(QString, error);
        QElapsedTimer took;
        took.start();
        const ScriptResult result = run(source);
        QCOMPARE(result.ending, ScriptResult::Ending::Failed);
        QVERIFY2(result.error.startsWith(error), qPrintable(result.error));
        QVERIFY2(took.elapsed() < 4000, "refused at once, not after a wait"); // waits are 5 s
        QVERIFY(!result.passed());
    }

    // Frames of chosen sizes make one message; a frame that breaks the rules (RSV2 with no
    // extension) gets the server's 1002, and the script is told the connection closed.
    void rawFramesAndFragments()
    {
        const ScriptResult result = run(QStringLiteral(R"(
const conn = connect();
test('fragments of 3 and 4', () => {
    conn.sendFragmented('abcdefghij', [3, 4]);
    assertEqual(conn.next().data, 'abcdefghij');
    conn.sendFragmented(bytes('0102030405'), [2]);
    assertEqual(hex(conn.next().data), '0102030405');
});
test('a frame by hand', () => {
    conn.sendFrame({ fin: true, opcode: 1, maskKey: '37fa213d', payload: 'Hello' });
    assertEqual(conn.next().data, 'Hello');
});
test('RSV2 is refused with 1002', () => {
    conn.sendFrame({ rsv2: true, payload: 'x' });
    try {
        conn.next(2000);
        fail('a message came');
    } catch (e) {
        assert(/closed \(1002/.test(e.message), e.message);
    }
});
)"));
        QVERIFY2(result.passed(), qPrintable(names(result)));
    }

    // `while (true) {}` never calls the API: the watchdog stops it. A script over its time
    // limit is stopped as timed out, even while waiting.
    void runawayLoopAndTimeLimit()
    {
        ScriptOptions options;
        options.watchdogMs = 300;
        ScriptResult result
            = run(QStringLiteral("let n = 0;\nwhile (true) { n += 1; }\n"), options);
        QCOMPARE(result.ending, ScriptResult::Ending::Stopped);
        QVERIFY2(result.error.contains(QStringLiteral("watchdog")), qPrintable(result.error));
        QVERIFY(result.seconds < 5);

        options.watchdogMs = 0;
        options.timeoutMs = 300;
        result = run(QStringLiteral("sleep(20000);"), options);
        QCOMPARE(result.ending, ScriptResult::Ending::TimedOut);
        QVERIFY(result.seconds < 5);
        QVERIFY(!result.passed());
    }

    void stopInterruptsAtOnce()
    {
        ScriptRunner runner(*m_manager, {});
        QSignalSpy finished(&runner, &ScriptRunner::finished);
        runner.start(QStringLiteral("while (true) {}"), QStringLiteral("loop.js"));
        QTest::qWait(100);
        QVERIFY(runner.isRunning());
        runner.stop();
        QVERIFY(finished.wait(5000));
        QCOMPARE(runner.result().ending, ScriptResult::Ending::Stopped);
    }

    // The examples docs/scripting.md points to run and pass against the built-in server.
    void theExamplesPass_data()
    {
        QTest::addColumn<QString>("file");
        const QDir examples(QStringLiteral(FRAMESCOPE_SOURCE_DIR "/resources/scripts"));
        const QStringList files = examples.entryList({QStringLiteral("*.js")}, QDir::Files);
        QVERIFY(files.size() >= 3);
        for (const QString &file : files)
            QTest::newRow(qPrintable(file)) << examples.filePath(file);
    }

    void theExamplesPass()
    {
        QFETCH(QString, file);
        QFile source(file);
        QVERIFY(source.open(QIODevice::ReadOnly));
        ScriptOptions options;
        options.defaultUrl = m_url;
        options.env.insert(QStringLiteral("URL"), m_url);
        ScriptRunner runner(*m_manager, options);
        const ScriptResult result
            = runner.run(QString::fromUtf8(source.readAll()), QFileInfo(file).fileName());
        QVERIFY2(result.passed(), qPrintable(names(result)));
        QVERIFY(!result.tests.isEmpty());
    }

    // Only the API: no code from strings, no host objects.
    void theSandbox()
    {
        const ScriptResult result = run(QStringLiteral(R"(
function refused(f) {
    try { f(); return false; } catch (e) { return /not allowed/.test(e.message); }
}
test('no eval', () => assert(refused(() => eval('1 + 1'))));
test('no Function', () => assert(refused(() => Function('return 1')())));
test('no constructor', () => assert(refused(() => (function () {}).constructor('return 1')())));
test('no generator constructor', () => assert(refused(() => (function* () {}).constructor('yield 1'))));
test('nothing else', () => {
    for (const name of ['require', 'process', 'XMLHttpRequest', 'Qt', 'console', 'print', 'fetch'])
        assertEqual(typeof this[name], 'undefined', name);
});
test('the API cannot be replaced', () => {
    connect = null;
    assertEqual(typeof connect, 'function');
});
)"));
        QVERIFY2(result.passed(), qPrintable(names(result)));
        // A module import is not even valid script.
        const ScriptResult imported = run(QStringLiteral("import('file:///etc/hostname');"));
        QCOMPARE(imported.ending, ScriptResult::Ending::Failed);
        QVERIFY2(imported.error.contains(QStringLiteral("SyntaxError")),
                 qPrintable(imported.error));
    }
};

QTEST_MAIN(tst_Scripting)
#include "tst_scripting.moc"
