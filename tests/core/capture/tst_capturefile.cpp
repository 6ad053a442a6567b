#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <capture/capturefile.h>
#include <fstream>
#include <protocol/protocolerror.h>
#include <sstream>

using namespace framescope::capture;
using framescope::protocol::LengthForm;
using framescope::protocol::ProtocolError;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes bytesOf(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

FrameRecord record(std::uint8_t opcode, std::int64_t t, bool sent)
{
    FrameRecord r;
    r.opcode = opcode;
    r.startNs = t;
    r.endNs = t + 10;
    r.set(FrameRecord::Fin);
    r.set(FrameRecord::Sent, sent);
    r.headerSize = 2;
    return r;
}

struct Sample
{
    SessionInfo session;
    FrameStore store;
    std::vector<CaptureEvent> events;
    std::vector<CapturedFrame> frames;
};

// A session with known secrets and every kind of frame field.
void fillSample(Sample &s)
{
    s.session.url = "wss://alice:s3cr3t-pass@example.com:8443/hub?id=42&access_token=tok-AAAA&v=1";
    s.session.tool = "framescope 0.1.0";
    s.session.startedAtUnixMs = 1764100000000;
    s.session.handshakeRequest
        = "GET /hub?id=42&access_token=tok-AAAA HTTP/1.1\r\nHost: example.com\r\n"
          "Authorization: Bearer eyJ-SECRET-JWT\r\nCookie: session=COOKIE-VALUE\r\n"
          "Proxy-Authorization: Basic UFJPWFk=\r\nX-Api-Key: APIKEY-123\r\n\r\n";
    s.session.handshakeResponse
        = "HTTP/1.1 101 Switching Protocols\r\nSet-Cookie: srv=SETCOOKIE-VALUE\r\n"
          "Upgrade: websocket\r\n\r\n";
    s.session.subprotocol = "json";
    s.session.extensions = "permessage-deflate";
    s.session.options
        = {{"header:Authorization", "Bearer eyJ-SECRET-JWT"}, {"origin", "https://example.com"}};
    s.session.tls = {{"protocol", "TLSv1.3"}, {"sha256", "ab:cd"}};
    s.session.phasesNs = {{"connect", 210000}, {"tls", 4100000}, {"upgrade", 520000}};

    auto add = [&s](FrameRecord r, Bytes payload) {
        r.payloadLength = payload.size();
        s.frames.push_back({r, payload, false});
        s.frames.back().record.storedLength = std::uint32_t(payload.size());
        s.store.append(r, payload);
    };
    FrameRecord text = record(1, 100, true);
    text.set(FrameRecord::Masked);
    text.maskKey = {0x37, 0xfa, 0x21, 0x3d};
    text.headerSize = 6;
    add(text, bytesOf("Hello, κόσμε"));
    FrameRecord binary = record(2, 200, false);
    binary.lengthForm = LengthForm::Extended64;
    binary.headerSize = 10;
    add(binary, Bytes{0x00, 0xff, 0xfe, 0x80, 0xc0});
    FrameRecord compressed = record(1, 300, false);
    compressed.set(FrameRecord::Rsv1);
    compressed.set(FrameRecord::Compressed);
    add(compressed, bytesOf("{\"a\":1}"));
    FrameRecord broken = record(0xB, 400, false);
    broken.set(FrameRecord::Fin, false);
    broken.violations = (1u << unsigned(ProtocolError::ReservedOpcode))
                        | (1u << unsigned(ProtocolError::FragmentedControlFrame));
    add(broken, {});
    s.events = {{150, EventKind::CloseSent, 1000, "bye", ""},
                {450, EventKind::Ended, std::nullopt, "", "tcp-fin"}};
}

std::string writeSample(Sample &s, const RedactionOptions &redaction = {})
{
    std::ostringstream out;
    writeCapture(out, s.session, s.store, s.events, redaction);
    return out.str();
}

} // namespace

class tst_CaptureFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripGivesBackTheSameFrames();
    void secretsAreRedactedByDefault();
    void secretsKeptOnlyWhenAsked();
    void redactsUrlsAndHeads_data();
    void redactsUrlsAndHeads();
    void badInputGetsAClearErrorAndKeepsWhatCameBefore_data();
    void badInputGetsAClearErrorAndKeepsWhatCameBefore();
    void evictedPayloadSurvivesTheRoundTrip();
    void atomicWrite();
    void journalSurvivesACrash();
    void lateLinesArePutInPlace();
};

void tst_CaptureFile::roundTripGivesBackTheSameFrames()
{
    Sample s;
    fillSample(s);
    const std::string file = writeSample(s);
    std::istringstream in(file);
    const CaptureReadResult read = readCapture(in);
    QVERIFY2(read.ok(), read.error.c_str());
    QVERIFY(!read.truncated);
    QCOMPARE(read.frames.size(), s.frames.size());
    for (std::size_t i = 0; i < s.frames.size(); ++i) {
        QCOMPARE(read.frames[i].payload, s.frames[i].payload);
        FrameRecord expected = s.frames[i].record;
        expected.payloadOffset
            = read.frames[i].record.payloadOffset; // arena position is not exported
        QVERIFY(read.frames[i].record == expected);
        QCOMPARE(read.frames[i].id, std::uint64_t(i));
    }
    QCOMPARE(read.events, s.events);
    // Ids come back as written, gaps (evicted frames) included.
    std::istringstream gaps(sessionLine(s.session) + '\n'
                            + frameLine(5, s.frames[0].record, &s.frames[0].payload) + '\n'
                            + frameLine(9, s.frames[1].record, &s.frames[1].payload) + '\n');
    const CaptureReadResult withGaps = readCapture(gaps);
    QVERIFY2(withGaps.ok(), withGaps.error.c_str());
    QCOMPARE(withGaps.frames.size(), std::size_t(2));
    QCOMPARE(withGaps.frames[0].id, std::uint64_t(5));
    QCOMPARE(withGaps.frames[1].id, std::uint64_t(9));
    QCOMPARE(read.session.tls, s.session.tls);
    QCOMPARE(read.session.phasesNs, s.session.phasesNs);
    QCOMPARE(read.session.subprotocol, std::string("json"));

    // Importing into a new store and exporting again gives the same file.
    FrameStore again;
    importFrames(read.frames, again);
    std::ostringstream second;
    writeCapture(second, read.session, again, read.events);
    QCOMPARE(second.str(), file);

    // Events are merged in time order: the close-sent event sits between frame 0 and frame 1.
    QVERIFY(file.find("close-sent") > file.find("\"startNs\":100"));
    QVERIFY(file.find("close-sent") < file.find("\"startNs\":200"));
}

void tst_CaptureFile::secretsAreRedactedByDefault()
{
    Sample s;
    fillSample(s);
    RedactionOptions redaction;
    redaction.extraHeaders = {"X-Api-Key"};
    const std::string file = writeSample(s, redaction);
    for (const char *secret : {"s3cr3t-pass", "tok-AAAA", "eyJ-SECRET-JWT", "COOKIE-VALUE",
                               "SETCOOKIE-VALUE", "UFJPWFk=", "APIKEY-123", "alice"}) {
        QVERIFY2(file.find(secret) == std::string::npos, secret);
    }
    QVERIFY(file.find("[redacted]") != std::string::npos);
    // What is not secret stays.
    QVERIFY(file.find("id=42") != std::string::npos);
    QVERIFY(file.find("example.com") != std::string::npos);
}

void tst_CaptureFile::secretsKeptOnlyWhenAsked()
{
    Sample s;
    fillSample(s);
    RedactionOptions keep;
    keep.keepSecrets = true;
    const std::string file = writeSample(s, keep);
    QVERIFY(file.find("eyJ-SECRET-JWT") != std::string::npos);
    QVERIFY(file.find("tok-AAAA") != std::string::npos);
    QVERIFY(file.find("[redacted]") == std::string::npos);
}

void tst_CaptureFile::redactsUrlsAndHeads_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("userinfo") << "ws://user:pw@host/x"
                              << "ws://[redacted]@host/x";
    QTest::newRow("token params")
        << "wss://h/p?a=1&token=T&api_key=K&connectionToken=C#frag"
        << "wss://h/p?a=1&token=[redacted]&api_key=[redacted]&connectionToken=[redacted]#frag";
    QTest::newRow("nothing secret") << "ws://localhost:8080/echo?room=5"
                                    << "ws://localhost:8080/echo?room=5";
    QTest::newRow("no query") << "ws://h"
                              << "ws://h";
    QTest::newRow("custom secret headers, and the protocol's own kept")
        << "GET / HTTP/1.1\r\nX-Auth-Token: T1\r\nX-Api-Key: K1\r\nX-Session-Id: S1\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Trace: t\r\n\r\n"
        << "GET / HTTP/1.1\r\nX-Auth-Token: [redacted]\r\nX-Api-Key: [redacted]\r\n"
           "X-Session-Id: [redacted]\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "X-Trace: t\r\n\r\n";
    QTest::newRow("request line")
        << "GET /x?access_token=T HTTP/1.1\r\nauthorization: Basic AAA\r\nHost: h\r\n\r\n"
        << "GET /x?access_token=[redacted] HTTP/1.1\r\nauthorization: [redacted]\r\nHost: "
           "h\r\n\r\n";
}

void tst_CaptureFile::redactsUrlsAndHeads()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    const std::string text = input.toStdString();
    const std::string result = text.starts_with("GET ") ? redactHttpHead(text) : redactUrl(text);
    QCOMPARE(QString::fromStdString(result), expected);
}

void tst_CaptureFile::badInputGetsAClearErrorAndKeepsWhatCameBefore_data()
{
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<QString>("error");
    QTest::addColumn<int>("framesKept");
    QTest::addColumn<bool>("truncated");
    QTest::newRow("not a capture") << "first-line"
                                   << "line 1: not a Framescope capture" << 0 << false;
    QTest::newRow("newer version") << "version"
                                   << "line 1: capture version 99" << 0 << false;
    QTest::newRow("bad mask key") << "mask"
                                  << "line 2: maskKey" << 0 << false;
    QTest::newRow("bad base64") << "base64"
                                << "line 3: base64" << 1 << false;
    QTest::newRow("cut-off last line") << "cut"
                                       << "" << 3 << true;
    QTest::newRow("garbage line") << "garbage"
                                  << "line 3: not a JSON object" << 1 << false;
    // Read as unsigned, a negative length would have wrapped around to 2^64 - 5.
    QTest::newRow("negative length") << "negative-length"
                                     << "line 2: length must be a whole number" << 0 << false;
}

void tst_CaptureFile::badInputGetsAClearErrorAndKeepsWhatCameBefore()
{
    QFETCH(QString, mutation);
    QFETCH(QString, error);
    QFETCH(int, framesKept);
    QFETCH(bool, truncated);
    Sample s;
    fillSample(s);
    s.events.clear();
    std::string file = writeSample(s);
    auto replace = [&file](const std::string &from, const std::string &to) {
        const std::size_t at = file.find(from);
        QVERIFY(at != std::string::npos);
        file.replace(at, from.size(), to);
    };
    if (mutation == QLatin1String("first-line"))
        replace("framescope-capture", "something-else");
    else if (mutation == QLatin1String("version"))
        replace("\"version\":1", "\"version\":99");
    else if (mutation == QLatin1String("mask"))
        replace("37fa213d", "37fa21zz");
    else if (mutation == QLatin1String("base64"))
        replace("\"base64\":\"", "\"base64\":\"!!");
    else if (mutation == QLatin1String("cut"))
        file.resize(file.size() - 20);
    else if (mutation == QLatin1String("negative-length"))
        replace("\"length\":", "\"length\":-");
    else if (mutation == QLatin1String("garbage"))
        file.insert(file.find('\n', file.find('\n') + 1) + 1, "{not json\n");
    std::istringstream in(file);
    const CaptureReadResult read = readCapture(in);
    QVERIFY2(read.error.starts_with(error.toStdString()), read.error.c_str());
    QCOMPARE(int(read.frames.size()), framesKept);
    QCOMPARE(read.truncated, truncated);
}

void tst_CaptureFile::evictedPayloadSurvivesTheRoundTrip()
{
    FrameStore::Limits limits;
    limits.memoryCap = 2 * FrameStore::kBlockSize;
    FrameStore store(limits);
    for (int i = 0; i < 40; ++i)
        store.append(record(2, i * 100, false), Bytes(200000, std::uint8_t(i)));
    std::ostringstream out;
    writeCapture(out, {}, store, {});
    std::istringstream in(out.str());
    const CaptureReadResult read = readCapture(in);
    QVERIFY2(read.ok(), read.error.c_str());
    QCOMPARE(read.frames.size(), std::size_t(40));
    QVERIFY(read.frames.front().payloadEvicted);
    QCOMPARE(read.frames.front().record.storedLength, std::uint32_t(200000));
    QVERIFY(!read.frames.back().payloadEvicted);
    QCOMPARE(read.frames.back().payload, Bytes(200000, std::uint8_t(39)));
    // Re-exporting keeps the frame marked as without payload, not as empty.
    FrameStore again;
    importFrames(read.frames, again);
    std::ostringstream second;
    writeCapture(second, {}, again, {});
    std::istringstream secondIn(second.str());
    QVERIFY(readCapture(secondIn).frames.front().payloadEvicted);
}

void tst_CaptureFile::atomicWrite()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("capture.jsonl")).toStdString();
    QCOMPARE(writeFileAtomically(path, "first\n"), std::string());
    QCOMPARE(writeFileAtomically(path, "second\n"), std::string());
    std::ifstream in(path);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QCOMPARE(content, std::string("second\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1); // no temporary left behind
    const std::string error
        = writeFileAtomically(dir.filePath(QStringLiteral("missing/x.jsonl")).toStdString(), "x");
    QVERIFY(error.find("cannot create") != std::string::npos);
}

void tst_CaptureFile::journalSurvivesACrash()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("live.jsonl")).toStdString();
    Sample s;
    fillSample(s);
    {
        CaptureJournal journal;
        QCOMPARE(journal.open(path, s.session), std::string());
        const Bytes payload = bytesOf("frame");
        for (std::uint64_t id = 0; id < 5; ++id)
            journal.addFrame(id, record(1, std::int64_t(id), false), &payload);
        QCOMPARE(journal.flushIfDue(2'000'000'000), std::string()); // a second has passed: on disk
        journal.addFrame(5, record(1, 5, false), &payload);         // not yet due
        QCOMPARE(journal.flushIfDue(2'500'000'000), std::string());
        // "Crash": read the journal as it is on disk now.
        const CaptureReadResult crashed = readCaptureFile(CaptureJournal::partialPath(path));
        QVERIFY2(crashed.ok(), crashed.error.c_str());
        QCOMPARE(crashed.frames.size(), std::size_t(5));
        QVERIFY(crashed.session.handshakeRequest.find("eyJ-SECRET-JWT") == std::string::npos);
        QCOMPARE(journal.finish(), std::string());
    }
    const CaptureReadResult finished = readCaptureFile(path);
    QVERIFY2(finished.ok(), finished.error.c_str());
    QCOMPARE(finished.frames.size(), std::size_t(6));
    QVERIFY(!QFile::exists(QString::fromStdString(CaptureJournal::partialPath(path))));
}

// A line that came later than the recorder's window is in the journal where it came (nothing
// waits), and in its place in the finished file: by time, frames before events at the same time.
void tst_CaptureFile::lateLinesArePutInPlace()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("late.jsonl")).toStdString();
    Sample s;
    fillSample(s);
    CaptureJournal journal;
    QCOMPARE(journal.open(path, s.session), std::string());
    const Bytes payload = bytesOf("endNs\":1 \"timeNs\":2"); // the keys' words in a payload
    auto frame = [&](std::uint64_t id, std::int64_t time) {
        return frameLine(id, record(1, time - 10, false), &payload); // ends at `time`
    };
    auto event = [](std::int64_t time) {
        return eventLine({time, EventKind::CloseSent, 1000, "late", ""});
    };
    journal.addLine(frame(0, 10));
    journal.addLine(frame(1, 30));
    journal.addLateLine(frame(2, 20), 20, false);
    journal.addLine(frame(3, 50));
    journal.addLateLine(event(30), 30, true);
    journal.addLine(eventLine({50, EventKind::Ended, std::nullopt, "", "tcp-fin"}));
    journal.addLateLine(frame(4, 5), 5, false);
    QCOMPARE(journal.lateLines(), std::size_t(3));
    QCOMPARE(journal.flushIfDue(2'000'000'000), std::string());
    const CaptureReadResult journaled = readCaptureFile(CaptureJournal::partialPath(path));
    QVERIFY2(journaled.ok(), journaled.error.c_str());
    QCOMPARE(journaled.frames.size(), std::size_t(5));
    QCOMPARE(journal.finish(), std::string());

    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QStringList order;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QJsonObject line = QJsonDocument::fromJson(lines[i]).object();
        const bool isFrame
            = line.value(QStringLiteral("type")).toString() == QLatin1String("frame");
        order << QStringLiteral("%1 %2")
                     .arg(line.value(isFrame ? QStringLiteral("endNs") : QStringLiteral("timeNs"))
                              .toInteger())
                     .arg(isFrame ? QStringLiteral("frame") : QStringLiteral("event"));
    }
    QCOMPARE(order, QStringList({QStringLiteral("5 frame"), QStringLiteral("10 frame"),
                                 QStringLiteral("20 frame"), QStringLiteral("30 frame"),
                                 QStringLiteral("30 event"), QStringLiteral("50 frame"),
                                 QStringLiteral("50 event")}));
    const CaptureReadResult finished = readCaptureFile(path);
    QVERIFY2(finished.ok(), finished.error.c_str());
    QCOMPARE(finished.frames.size(), std::size_t(5));
    QCOMPARE(finished.frames.front().payload, payload);
    QVERIFY(!QFile::exists(QString::fromStdString(CaptureJournal::partialPath(path))));
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".sorting")));
}

QTEST_GUILESS_MAIN(tst_CaptureFile)
#include "tst_capturefile.moc"
