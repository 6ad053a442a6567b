// Record and replay: a session recorded against the built-in server, replayed frame-exact and
// message by message against the same server (passing, with fresh or recorded mask keys) and
// against changed ones (replies fragmented, delayed, different: failing with a readable
// difference); ignore rules; HAR files in Chrome's and Firefox's form made here, read and
// replayed; a capture exported as HAR (redacted) and read back; the k6 script's secrets.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <replay/harexport.h>
#include <replay/k6script.h>
#include <replay/replayer.h>
#include <session/frontend/capturedescription.h>
#include <session/frontend/sessionmanager.h>
#include <sstream>

using namespace framescope;
using namespace framescope::replay;
using namespace Qt::StringLiterals;

namespace {

QString report(const scripting::ScriptResult &result)
{
    QStringList lines;
    for (const scripting::TestResult &test : result.tests)
        lines << QStringLiteral("%1 %2: %3")
                     .arg(test.passed ? QStringLiteral("PASS") : QStringLiteral("FAIL"), test.name,
                          test.message);
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n') + result.error;
}

IgnoreRule rule(const char *text)
{
    auto parsed = parseIgnoreRule(QString::fromUtf8(text));
    if (auto *error = std::get_if<QString>(&parsed))
        qFatal("%s", qPrintable(*error));
    return std::get<IgnoreRule>(parsed);
}

RecordedMessage text(const char *data)
{
    return RecordedMessage{false, QByteArray(data), 0, {}};
}

// A built-in server of its own, with a behaviour.
struct Server
{
    explicit Server(const session::ServerBehaviour &behaviour = {})
    {
        session::LocalServerOptions options;
        options.addresses = {QHostAddress::LocalHost};
        options.behaviour = behaviour;
        error = manager.startServer(options);
        url = manager.serverUrls().value(0);
    }
    ~Server() { manager.stopServer(1000); }
    session::SessionManager manager;
    QString error;
    QString url;
};

} // namespace

class tst_Replay : public QObject
{
    Q_OBJECT

    std::unique_ptr<Server> m_server;
    capture::CaptureReadResult m_capture; // recorded against m_server

    // Replays `recording` with `options` against `url`; the result once finished.
    scripting::ScriptResult replay(session::SessionManager &manager, const Recording &recording,
                                   ReplayOptions options, const QString &url,
                                   QStringList *notes = nullptr)
    {
        options.connection.url = QUrl(url);
        Replayer replayer(manager, recording, options);
        QSignalSpy finished(&replayer, &Replayer::finished);
        replayer.start();
        if (!finished.wait(20000))
            qWarning("the replay did not finish");
        if (notes)
            *notes = replayer.notes();
        return replayer.result();
    }

    Recording recorded()
    {
        const RecordingRead read = recordingFromCapture(m_capture);
        if (!read.ok())
            qFatal("%s", qPrintable(read.error));
        return read.recording;
    }

private Q_SLOTS:
    // A session against the built-in server, as a capture: text, JSON, binary, a message in
    // three frames with a ping between, then the closing handshake.
    void initTestCase()
    {
        m_server = std::make_unique<Server>();
        QCOMPARE(m_server->error, QString());
        session::SessionManager &manager = m_server->manager;
        session::ClientOptions options;
        options.url = QUrl(m_server->url);
        options.headers = {{"X-Client", "replay-test"}, {"Authorization", "Bearer s3cret"}};
        const quint64 id = manager.open(options);
        QTRY_COMPARE_WITH_TIMEOUT(manager.state(id), session::SessionState::Open, 5000);
        const auto store = manager.store(id);
        manager.sendText(id, "hello");
        manager.sendText(id, R"({"id":17,"op":"order","at":"2026-12-03T10:00:00Z"})");
        manager.sendBinary(id, QByteArray::fromHex("00ff7f"));
        QVERIFY(manager.sendFragments(id, protocol::Opcode::Text, "fragmented", {4, 4}, true));
        const auto received = [&] {
            int messages = 0;
            for (std::uint64_t i = store->firstId().value; i < store->endId().value; ++i) {
                const auto record = store->record({i});
                messages += record && !record->has(capture::FrameRecord::Sent)
                            && record->opcode < 0x8 && record->has(capture::FrameRecord::Fin);
            }
            return messages;
        };
        QTRY_COMPARE_WITH_TIMEOUT(received(), 4, 5000);
        manager.close(id, 1000, "bye");
        QTRY_COMPARE_WITH_TIMEOUT(manager.state(id), session::SessionState::Closed, 5000);
        const auto snapshot = manager.snapshot(id);
        QVERIFY(snapshot);
        QVERIFY(snapshot->handshake.openedNs > 0);
        std::stringstream file;
        capture::RedactionOptions redaction;
        capture::writeCapture(file,
                              session::describeClientSession(*snapshot, 1764756000000, "test"),
                              *store, {}, redaction);
        m_capture = capture::readCapture(file);
        QVERIFY2(m_capture.ok(), m_capture.error.c_str());
        manager.remove(id);
    }

    void cleanupTestCase() { m_server.reset(); }

    void theRecording()
    {
        const Recording r = recorded();
        QCOMPARE(r.clientMessages.size(), std::size_t(4));
        QCOMPARE(r.serverMessages.size(), std::size_t(4));
        QCOMPARE(r.clientMessages[3].data, QByteArray("fragmented"));
        QCOMPARE(r.clientMessages[3].frameLengths, (std::vector<std::uint64_t>{4, 4, 2}));
        QVERIFY(r.clientMessages[2].binary);
        // Frames: 4 + 3 for the fragmented message + 2 pings + the close.
        QCOMPARE(r.clientFrames.size(), std::size_t(3 + 3 + 2 + 1));
        QCOMPARE(r.clientCloseCode, std::optional<std::uint16_t>(1000));
        QCOMPARE(r.clientCloseReason, QByteArray("bye"));
        // Times since the connection opened, in order.
        QVERIFY(r.clientMessages[0].atNs >= 0);
        QVERIFY(r.serverMessages[3].atNs >= r.clientMessages[3].atNs);
        QVERIFY(r.serverMessages[3].atNs < 5000000000LL);
        // The custom header is kept; the secret one was redacted by the capture.
        QVERIFY(r.headers.contains(qMakePair(QByteArray("X-Client"), QByteArray("replay-test"))));
        QCOMPARE(r.redactedHeaders, QStringList{QStringLiteral("Authorization")});
    }

    // The same server: every message matches, frame for frame; the frames the server receives
    // are the recorded ones, with fresh mask keys (or the recorded ones when asked).
    void replayedAgainstTheSameServer_data()
    {
        QTest::addColumn<bool>("keepMaskKeys");
        QTest::newRow("fresh mask keys") << false;
        QTest::newRow("recorded mask keys") << true;
    }
    void replayedAgainstTheSameServer()
    {
        QFETCH(bool, keepMaskKeys);
        Server server;
        const Recording recording = recorded();
        ReplayOptions options;
        options.keepMaskKeys = keepMaskKeys;
        QStringList notes;
        const scripting::ScriptResult result
            = replay(server.manager, recording, options, server.url, &notes);
        QVERIFY2(result.passed(), qPrintable(report(result)));
        QCOMPARE(result.tests.size(), 4);
        QVERIFY2(notes.join(QLatin1Char(' ')).contains(u"Authorization was redacted"_s),
                 qPrintable(notes.join(QLatin1Char('\n'))));

        const auto store = server.manager.serverStore();
        std::vector<capture::FrameRecord> got;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                got.clear();
                for (std::uint64_t i = store->firstId().value; i < store->endId().value; ++i)
                    if (const auto record = store->record({i});
                        record && !record->has(capture::FrameRecord::Sent))
                        got.push_back(*record);
                return got.size() >= recording.clientFrames.size();
            }(),
            5000);
        QCOMPARE(got.size(), recording.clientFrames.size());
        int sameKeys = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            const protocol::FrameHeader sent = recording.clientFrames[i].header;
            QCOMPARE(got[i].opcode, sent.opcode);
            QCOMPARE(got[i].has(capture::FrameRecord::Fin), sent.fin);
            QCOMPARE(got[i].payloadLength, sent.payloadLength);
            // A well-formed close goes through the closing handshake, with a key of its own.
            sameKeys += got[i].maskKey == sent.maskKey && sent.opcode != 0x8;
        }
        if (keepMaskKeys)
            QCOMPARE(sameKeys, int(got.size()) - 1);
        else
            QVERIFY2(sameKeys < 2, "fresh mask keys are random");
    }

    void messageLevelAndSpeed()
    {
        Server server;
        ReplayOptions options;
        options.mode = ReplayOptions::Mode::Messages;
        options.speed = 0; // as fast as possible
        const scripting::ScriptResult result
            = replay(server.manager, recorded(), options, server.url);
        QVERIFY2(result.passed(), qPrintable(report(result)));
        QCOMPARE(result.tests.size(), 4);
    }

    // A server that changed: each failure says what differs, message by message.
    void aChangedServerFails_data()
    {
        QTest::addColumn<int>("delayMs");
        QTest::addColumn<int>("fragmentSize");
        QTest::addColumn<bool>("echoHeaders");
        QTest::addColumn<QString>("firstFailure");
        QTest::newRow("--fragment")
            << 0 << 3 << false
            << QStringLiteral("message 1: \"hello\": the same message, framed "
                              "differently: recorded as 1 frame (5 bytes), "
                              "came as 2 frames (3, 2 bytes)");
        // Late and framed differently: both said, in one run.
        QTest::newRow("--fragment and --delay")
            << 400 << 3 << false
            << QStringLiteral("message 1: \"hello\": the same message, framed "
                              "differently: recorded as 1 frame (5 bytes), "
                              "came as 2 frames (3, 2 bytes); it came ");
        QTest::newRow("--delay") << 400 << 0 << false
                                 << QStringLiteral("message 1: \"hello\": it came ");
        QTest::newRow("a different reply")
            << 0 << 0 << true
            << QStringLiteral("message 1: \"hello\": the text differs from "
                              "character 0: expected \"hello\", got \"GET / HTTP");
    }
    void aChangedServerFails()
    {
        QFETCH(int, delayMs);
        QFETCH(int, fragmentSize);
        QFETCH(bool, echoHeaders);
        QFETCH(QString, firstFailure);
        session::ServerBehaviour behaviour;
        behaviour.replyDelayMs = delayMs;
        behaviour.fragmentSize = std::size_t(fragmentSize);
        behaviour.echoRequestHeaders = echoHeaders;
        Server server(behaviour);
        QCOMPARE(server.error, QString());
        ReplayOptions options;
        options.timingToleranceMs = 200;
        options.replyWaitMs = 1500;
        const scripting::ScriptResult result
            = replay(server.manager, recorded(), options, server.url);
        QVERIFY(!result.passed());
        QVERIFY2(!result.tests.isEmpty() && !result.tests[0].passed, qPrintable(report(result)));
        const QString first = result.tests[0].name + QStringLiteral(": ") + result.tests[0].message;
        QVERIFY2(first.startsWith(firstFailure), qPrintable(report(result)));
        if (delayMs > 0)
            QVERIFY2(first.contains(u"ms later than recorded (the tolerance is 200 ms)"_s),
                     qPrintable(first));
        if (echoHeaders) // one message more than recorded: the last echo is not in the recording
            QVERIFY2(result.tests.last().name == QStringLiteral("message 5: not in the recording"),
                     qPrintable(report(result)));
    }

    // Ignore rules that make two messages of different lengths match: one frame each is not
    // "framed differently".
    void ignoreRulesAndFraming()
    {
        Server server;
        Recording r;
        r.source = u"test"_s;
        r.clientFrames.push_back({});
        protocol::FrameHeader &header = r.clientFrames.back().header;
        header.masked = true;
        header.payloadLength = 9;
        r.clientFrames.back().payload = "{\"id\":42}";
        r.clientMessages.push_back({false, "{\"id\":42}", 0, {9}});
        // Recorded with another id: one digit fewer.
        r.serverMessages.push_back({false, "{\"id\":7}", 1000000, {8}});
        ReplayOptions options;
        options.rules = {rule("$.id")};
        scripting::ScriptResult result = replay(server.manager, r, options, server.url);
        QVERIFY2(result.passed(), qPrintable(report(result)));
        options.rules.clear();
        result = replay(server.manager, r, options, server.url);
        QVERIFY(!result.passed());
        QCOMPARE(result.tests[0].message, u"at $.id: expected 7, got 42"_s);
    }

    void aServerThatIsNotThere()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QString url = QStringLiteral("ws://127.0.0.1:%1/").arg(closed.serverPort());
        closed.close();
        session::SessionManager manager;
        const scripting::ScriptResult result = replay(manager, recorded(), {}, url);
        QCOMPARE(result.ending, scripting::ScriptResult::Ending::Failed);
        QVERIFY2(result.error.startsWith(u"could not connect to "_s + url),
                 qPrintable(result.error));
        QVERIFY(result.tests.isEmpty());
    }

    // Recordings that cannot be replayed as they are get refused with the reason: broken times
    // (a replay at the recorded pace would wait them out), no whole message either way.
    void brokenRecordingsAreRefused()
    {
        capture::CaptureReadResult broken = m_capture;
        QVERIFY(broken.frames.size() > 2);
        broken.frames[1].record.endNs = std::int64_t{1'000'000'000'000'000'000};
        RecordingRead read = recordingFromCapture(broken);
        QVERIFY2(read.error.contains(QStringLiteral("the capture's times are broken")),
                 qPrintable(read.error));
        capture::CaptureReadResult unfinished = m_capture;
        unfinished.frames.resize(1);
        unfinished.frames[0].record.set(capture::FrameRecord::Fin, false);
        read = recordingFromCapture(unfinished);
        QCOMPARE(read.error, QStringLiteral("nothing to replay: the recording has no messages"));
        read = recordingFromHar(
            "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"ws://"
            "127.0.0.1:9/\",\"headers\":[]},\"response\":{\"status\":101,\"headers\":[]},"
            "\"_webSocketMessages\":[{\"type\":\"send\",\"time\":1,\"opcode\":1,\"data\":"
            "\"a\"},{\"type\":\"send\",\"time\":1e15,\"opcode\":1,\"data\":\"b\"}]}]}}");
        QVERIFY2(read.error.contains(QStringLiteral("the times are broken")),
                 qPrintable(read.error));
    }

    void ignoreRules()
    {
        for (const char *bad : {"id", "/unclosed", "/(/", "s/a/b", "$.a[", "$", "$.a[x]"}) {
            auto parsed = parseIgnoreRule(QString::fromLatin1(bad));
            QVERIFY2(std::holds_alternative<QString>(parsed), bad);
        }
        const RecordedMessage want = text(
            R"({"id":1,"status":"ok","items":[{"ts":5,"n":1}],"at":"2026-12-03T10:00:00Z"})");
        const RecordedMessage got = text(
            R"({"status":"ok","at":"2027-01-01T00:00:00Z","id":2,"items":[{"n":1,"ts":9}]})");
        QVERIFY(compareMessages(want, got, {}).has_value());
        // Every difference at once, in the document's (sorted) order: not one a run.
        QCOMPARE(*compareMessages(want, got, {}),
                 QStringLiteral(
                     "at $.at: expected \"2026-12-03T10:00:00Z\", got \"2027-01-01T00:00:00Z\"; "
                     "at $.id: expected 1, got 2; at $.items[0].ts: expected 5, got 9"));
        // Eight named, then how many more.
        QCOMPARE(
            *compareMessages(text("[0,0,0,0,0,0,0,0,0,0]"), text("[1,1,1,1,1,1,1,1,1,1,1]"), {}),
            QStringLiteral("at $[0]: expected 0, got 1; at $[1]: expected 0, got 1; at "
                           "$[2]: expected 0, got 1; at $[3]: expected 0, got 1; at $[4]: "
                           "expected 0, got 1; at $[5]: expected 0, got 1; at $[6]: expected "
                           "0, got 1; at $[7]: expected 0, got 1; 3 more"));
        const QList<IgnoreRule> rules
            = {rule("$.id"), rule("$.items[*].ts"), rule("s/\\d{4}-\\d\\d-\\d\\dT[^\"]+/TIME/")};
        QCOMPARE(compareMessages(want, got, rules), std::nullopt);
        const RecordedMessage changed
            = text(R"({"status":"error","at":"x","id":2,"items":[{"n":1,"ts":9}]})");
        QCOMPARE(
            compareMessages(want, changed, rules),
            std::optional<QString>(QStringLiteral("at $.at: expected \"TIME\", got \"x\"; at "
                                                  "$.status: expected \"ok\", got \"error\"")));
        // A /REGEX/ rule that leaves text that is no longer JSON does not turn the path rules
        // off: they apply first, to the messages as they came.
        const QList<IgnoreRule> breaksJson = {rule("/\"at\":\"[^\"]*\"/"), rule("$.id")};
        QCOMPARE(compareMessages(text("{\"id\":1,\"at\":\"10:00\",\"v\":1}"),
                                 text("{\"id\":2,\"at\":\"11:00\",\"v\":1}"), breaksJson),
                 std::nullopt);
        QCOMPARE(*compareMessages(text("{\"id\":1,\"at\":\"10:00\",\"v\":1}"),
                                  text("{\"id\":2,\"at\":\"11:00\",\"v\":2}"), breaksJson),
                 QStringLiteral("the text differs from character 7: expected \"{…,\"v\":1}\", "
                                "got \"{…,\"v\":2}\""));
        // A path rule that cannot apply (the message is not JSON) is said.
        QCOMPARE(*compareMessages(text("id 1"), text("id 2"), {rule("$.id")}),
                 QStringLiteral("the text differs from character 3: expected \"id 1\", got \"id "
                                "2\" (the $ path rules left nothing out: the messages are not "
                                "JSON)"));
        // Plain text, with a /REGEX/ rule.
        QCOMPARE(compareMessages(text("order 41 at 10:00"), text("order 41 at 11:30"),
                                 {rule(R"(/\d\d:\d\d/)")}),
                 std::nullopt);
        QCOMPARE(*compareMessages(text("order 41"), text("order 42"), {}),
                 QStringLiteral(
                     "the text differs from character 7: expected \"order 41\", got \"order 42\""));
        const RecordedMessage bytes{true, QByteArray::fromHex("0102"), 0, {}};
        QCOMPARE(
            *compareMessages(bytes, RecordedMessage{true, QByteArray::fromHex("0103"), 0, {}}, {}),
            QStringLiteral(
                "the bytes differ from byte 1: expected 2 bytes: 01 02, got 2 bytes: 01 03"));
        QCOMPARE(*compareMessages(bytes, text("x"), {}),
                 QStringLiteral("expected a binary message, got a text message (\"x\")"));
    }

    // HAR files as Chrome writes them, and in Firefox's form (lower-case header names, an
    // https:// URL, a close among the messages, no _resourceType), read and replayed.
    void harFiles_data()
    {
        QTest::addColumn<bool>("firefox");
        QTest::newRow("Chrome") << false;
        QTest::newRow("Firefox") << true;
    }
    void harFiles()
    {
        QFETCH(bool, firefox);
        Server server;
        const QUrl url(server.url);
        QJsonArray messages;
        const auto add = [&](const QString &type, double time, int opcode, const QString &data) {
            messages.append(QJsonObject{
                {u"type"_s, type}, {u"time"_s, time}, {u"opcode"_s, opcode}, {u"data"_s, data}});
        };
        add(u"send"_s, 1764756000.100, 1, u"{\"op\":\"hi\"}"_s);
        add(u"receive"_s, 1764756000.101, 1, u"{\"op\":\"hi\"}"_s);
        add(u"send"_s, 1764756000.150, 2, u"AAEC"_s);
        add(u"receive"_s, 1764756000.151, 2, u"AAEC"_s);
        if (firefox)
            add(u"receive"_s, 1764756000.2, 8, QString());
        // Firefox's header names are lower case.
        const auto header = [&](const QString &name, const QString &value) {
            return QJsonObject{{u"name"_s, firefox ? name.toLower() : name}, {u"value"_s, value}};
        };
        const QString scheme = firefox ? u"https"_s : u"ws"_s;
        QJsonObject entry{
            {u"startedDateTime"_s, u"2026-12-03T10:00:00.000Z"_s},
            {u"time"_s, 12},
            {u"request"_s,
             QJsonObject{{u"method"_s, u"GET"_s},
                         {u"url"_s, u"%1://127.0.0.1:%2/chat"_s.arg(scheme).arg(url.port())},
                         {u"httpVersion"_s, u"HTTP/1.1"_s},
                         {u"headers"_s,
                          QJsonArray{header(u"Host"_s, u"example"_s),
                                     header(u"Sec-WebSocket-Key"_s, u"dGhlIHNhbXBsZSBub25jZQ=="_s),
                                     header(u"X-Trace"_s, u"7"_s)}}}},
            {u"response"_s, QJsonObject{{u"status"_s, 101}, {u"headers"_s, QJsonArray{}}}},
            {u"_webSocketMessages"_s, messages}};
        if (!firefox)
            entry.insert(u"_resourceType"_s, u"websocket"_s);
        const QJsonObject other{
            {u"request"_s, QJsonObject{{u"url"_s, u"https://example/app.js"_s}}}};
        const QByteArray har
            = QJsonDocument(
                  QJsonObject{{u"log"_s, QJsonObject{{u"version"_s, u"1.2"_s},
                                                     {u"entries"_s, QJsonArray{other, entry}}}}})
                  .toJson();
        const RecordingRead read = recordingFromHar(har);
        QVERIFY2(read.ok(), qPrintable(read.error));
        const Recording &r = read.recording;
        QCOMPARE(r.url,
                 u"%1://127.0.0.1:%2/chat"_s.arg(firefox ? u"wss"_s : u"ws"_s).arg(url.port()));
        QCOMPARE(r.clientMessages.size(), std::size_t(2));
        QCOMPARE(r.serverMessages.size(), std::size_t(2));
        QCOMPARE(r.clientMessages[1].data, QByteArray::fromHex("000102"));
        QCOMPARE(r.clientMessages[1].atNs, std::int64_t(50000000));
        QCOMPARE(r.headers.size(), 1); // Host and the key are the handshake's own
        QCOMPARE(r.headers[0].second, QByteArray("7"));
        QCOMPARE(r.notes.size(), firefox ? 1 : 0); // the close is not a message
        QStringList notes;
        const scripting::ScriptResult result = replay(server.manager, r, {}, server.url, &notes);
        QVERIFY2(result.passed(), qPrintable(report(result)));
        QCOMPARE(result.tests.size(), 2);
        QVERIFY2(notes.join(QLatin1Char(' ')).contains(u"message by message"_s),
                 qPrintable(notes.join(QLatin1Char('\n'))));
        // Not a HAR file, or none with WebSocket messages: a clear error.
        QVERIFY(recordingFromHar("{]").error.startsWith(u"not a HAR file"_s));
        QVERIFY(
            recordingFromHar(R"({"log":{"entries":[]}})").error.contains(u"no WebSocket entry"_s));
        QVERIFY(recordingFromHar(har, 3).error.contains(u"1 WebSocket entries"_s));
        // A message that is not as Chrome writes it: named, with what is wrong.
        QJsonObject broken = entry;
        QJsonArray badMessages = messages;
        QJsonObject badBinary = badMessages[2].toObject();
        badBinary[u"data"_s] = u"!!not base64"_s;
        badMessages[2] = badBinary;
        broken[u"_webSocketMessages"_s] = badMessages;
        const auto wrapped = [](const QJsonObject &e) {
            return QJsonDocument(
                       QJsonObject{{u"log"_s, QJsonObject{{u"entries"_s, QJsonArray{e}}}}})
                .toJson();
        };
        QCOMPARE(
            recordingFromHar(wrapped(broken)).error,
            u"WebSocket entry 0, message 2 of _webSocketMessages: binary \"data\" (opcode 2) is not base64"_s);
        badBinary[u"data"_s] = u"AAEC"_s;
        badBinary[u"type"_s] = u"sent"_s;
        badMessages[2] = badBinary;
        broken[u"_webSocketMessages"_s] = badMessages;
        QVERIFY(recordingFromHar(wrapped(broken)).error.contains(u"\"type\" is \"sent\""_s));
        // No message either way: nothing to replay (it would pass whatever the server does).
        broken[u"_webSocketMessages"_s] = QJsonArray{};
        QCOMPARE(recordingFromHar(wrapped(broken)).error,
                 u"nothing to replay: the recording has no messages"_s);
    }

    // A capture as HAR: Chrome's form, secrets redacted unless kept, the messages and their
    // order kept (read back as a recording).
    void harExport()
    {
        capture::CaptureReadResult capture = m_capture;
        capture.session.url += "?access_token=tok3n";
        capture.session.handshakeRequest.insert(capture.session.handshakeRequest.find("\r\n") + 2,
                                                "Cookie: id=c00kie\r\n");
        const QByteArray har = harFromCapture(capture);
        QVERIFY(!har.contains("tok3n"));
        QVERIFY(!har.contains("c00kie"));
        QVERIFY(har.contains("[redacted]"));
        const QJsonObject entry
            = QJsonDocument::fromJson(har)[u"log"_s][u"entries"_s][0].toObject();
        QCOMPARE(entry[u"_resourceType"_s].toString(), QStringLiteral("websocket"));
        QCOMPARE(entry[u"response"_s][u"status"_s].toInt(), 101);
        const QJsonArray messages = entry[u"_webSocketMessages"_s].toArray();
        QCOMPARE(messages.size(), 8);
        QCOMPARE(messages[0][u"type"_s].toString(), QStringLiteral("send"));
        QCOMPARE(messages[0][u"data"_s].toString(), QStringLiteral("hello"));
        // Seconds since 1970, from the session's start.
        QVERIFY(messages[0][u"time"_s].toDouble() >= 1764756000.0);
        QVERIFY(messages[0][u"time"_s].toDouble() < 1764756005.0);
        const RecordingRead back = recordingFromHar(har);
        QVERIFY2(back.ok(), qPrintable(back.error));
        const Recording original = recorded();
        QCOMPARE(back.recording.clientMessages.size(), original.clientMessages.size());
        for (std::size_t i = 0; i < original.serverMessages.size(); ++i) {
            QCOMPARE(back.recording.serverMessages[i].data, original.serverMessages[i].data);
            QCOMPARE(back.recording.serverMessages[i].binary, original.serverMessages[i].binary);
        }
        capture::RedactionOptions keep;
        keep.keepSecrets = true;
        QVERIFY(harFromCapture(capture, keep).contains("c00kie"));
    }

    // No secret goes into a k6 script: redacted or secret-named headers come from the
    // environment.
    void k6ScriptSecrets()
    {
        Recording r = recorded();
        r.headers.append(qMakePair(QByteArray("X-Api-Token"), QByteArray("t0ken-value")));
        r.subprotocols = {"chat", "json"};
        const QByteArray script = k6Script(r, {}).toUtf8();
        QVERIFY(!script.contains("t0ken-value"));
        QVERIFY(!script.contains("s3cret"));
        QVERIFY(script.contains("__ENV.FRAMESCOPE_HEADER_X_API_TOKEN"));
        QVERIFY(script.contains("__ENV.FRAMESCOPE_HEADER_AUTHORIZATION"));
        QVERIFY(script.contains("'Sec-WebSocket-Protocol': \"chat, json\""));
        QVERIFY(script.contains("{ at: "));
        QVERIFY(script.contains("binary: \"AP9/\""));
        // A URL with a token: not written, read from FRAMESCOPE_URL.
        r.url = u"ws://127.0.0.1:1/feed?token=abc123"_s;
        const QByteArray withToken = k6Script(r, {}).toUtf8();
        QVERIFY(!withToken.contains("abc123"));
        QVERIFY(withToken.contains("if (!url) throw new Error("));
        // Rules as JavaScript reads them: $1 for a group; Perl-only forms refused.
        QVERIFY(k6Script(r, {{}, 1, {}, 5000, {rule("s/\"id\":(\\d+)/\"id\":<\\1>$/")}})
                    .contains(u"replacement: \"\\\"id\\\":<$1>$$\""_s));
        QVERIFY(!k6RuleProblem(rule("/[0-9]+/")));
        QVERIFY(k6RuleProblem(rule("/(?i)hello/"))
                    .value_or(QString())
                    .contains(u"not a JavaScript regular expression"_s));
    }
};

QTEST_GUILESS_MAIN(tst_Replay)
#include "tst_replay.moc"
