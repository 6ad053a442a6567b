// framescope-cli as a user runs it: a separate process against servers in this test's event loop.
// Checks what it prints, what it records, what went on the wire and its documented exit codes.

#include "clirunner.h"
#include "hostileserver.h"
#include "testcertificates.h"
#include "wiresniffer.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QProcess>
#include <QSslKey>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <capture/capturefile.h>
#include <csignal>
#include <optional>
#include <tuple>

namespace capture = framescope::capture;

namespace {

QByteArray serverFrame(std::uint8_t opcode, const QByteArray &payload)
{
    return QByteArray(1, char(0x80 | opcode)) + char(payload.size()) + payload;
}

class EchoServer : public QObject
{
public:
    explicit EchoServer(const QHostAddress &address = QHostAddress::LocalHost)
        : m_server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode)
    {
        m_server.listen(address);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket *peer = m_server.nextPendingConnection();
            peer->setParent(this);
            lastRequest = peer->request();
            connect(peer, &QWebSocket::textMessageReceived, peer,
                    [peer](const QString &text) { peer->sendTextMessage(text); });
            connect(peer, &QWebSocket::binaryMessageReceived, peer,
                    [peer](const QByteArray &data) { peer->sendBinaryMessage(data); });
        });
    }
    QString url() const
    {
        return QStringLiteral("ws://%1:%2/echo")
            .arg(m_server.serverAddress().toString())
            .arg(m_server.serverPort());
    }
    QNetworkRequest lastRequest;

private:
    QWebSocketServer m_server;
};

// wss:// echo with the test CA's localhost certificate; with `requireClientCertificate`, only
// for clients that show one the CA issued.
class TlsEchoServer : public QObject
{
public:
    TlsEchoServer(const testcertificates::Set &certificates, bool requireClientCertificate)
        : m_server(QStringLiteral("tls-echo"), QWebSocketServer::SecureMode)
    {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(QSslCertificate(certificates.valid.certificate));
        configuration.setPrivateKey(QSslKey(certificates.valid.key, QSsl::Ec));
        configuration.setCaCertificates({QSslCertificate(certificates.ca.certificate)});
        configuration.setPeerVerifyMode(requireClientCertificate ? QSslSocket::VerifyPeer
                                                                 : QSslSocket::VerifyNone);
        m_server.setSslConfiguration(configuration);
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket *peer = m_server.nextPendingConnection();
            peer->setParent(this);
            connect(peer, &QWebSocket::textMessageReceived, peer,
                    [peer](const QString &text) { peer->sendTextMessage(text); });
        });
        connect(&m_server, &QWebSocketServer::sslErrors, this, [] {});
    }
    QString url() const { return QStringLiteral("wss://127.0.0.1:%1/").arg(m_server.serverPort()); }

private:
    QWebSocketServer m_server;
};

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scriptedRoundTrip();
    void jsonLines();
    void captureFileIsRedactedAndInspectable();
    void interactiveStdin();
    void peerTextIsPrintedEscaped();
    void exitCodes_data();
    void exitCodes();
    void waitingTooLongIsATimeout();
    void redirectsAreShown();
    void serveAndConnect();
    void usageErrors_data();
    void usageErrors();
    void optionsWithoutEffect_data();
    void optionsWithoutEffect();
    void theDesktopAppsCommandLine();
    void aLineOverMaxMessageIsNamed();
    void httpUrlsAreTakenAsWebSocketUrls();
    void ctrlCClosesAndFinishesTheCapture();
    void outputFilesAreCheckedFirst();
    void errorsSayWhatIsWrong_data();
    void errorsSayWhatIsWrong();
    void aCaptureNotMadeFailsTheCommand();
    void slashCommandsInInteractiveMode();
    void timeLimitsOfZeroMeanNone();
    void aTlsHandshakeThatStallsIsATimeout();
    void credentialHelpers();
    void reconnectsWhenTheServerDrops();
    void serveCapturesTheServerSide();
    void serveRecordsHandshakesAtTheServersTimes();
    void serveCaptureKeepsEveryPayloadInTimeOrder();
    void serveEmulatesIis();
    void serveOverTls();
    void capturesMatchTsharksDissection();
    void commandsTakeOnlyTheirOwnOptions_data();
    void commandsTakeOnlyTheirOwnOptions();
    void messagesGoOutInTheOrderGiven();
    void stdinLinesAreWholeMessages();
    void framesArePrintedInTimeOrder();
    void aTerminalLineTooLongIsRefusedNotCut();
    void waitingForMoreThanArrivesIsNoSuccess();
    void reconnectsOnlyWhileMessagesAreMissing();
    void failedUpgradeLeavesACapture();
    void runAScriptForCi();
    void replayACaptureForCi();
    void legacyPkcs12ClientCertificate();
    void plainAndTlsPortsMixedUp();
};

void tst_Cli::scriptedRoundTrip()
{
    EchoServer server;
    const Run run = runCli(
        {QStringLiteral("connect"), server.url(), QStringLiteral("--send"), QStringLiteral("hi"),
         QStringLiteral("--send-binary"), QStringLiteral("00ff"), QStringLiteral("--wait-messages"),
         QStringLiteral("2"), QStringLiteral("--close"), QStringLiteral("4000:done")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("<- FIN RSV=000 TEXT LEN=2  \"hi\""), run.out.constData());
    QVERIFY(run.out.contains("<- FIN RSV=000 BINARY LEN=2  00 ff"));
    QVERIFY(QRegularExpression(QStringLiteral("-> FIN RSV=000 TEXT MASK=[0-9a-f]{8} LEN=2"))
                .match(QString::fromUtf8(run.out))
                .hasMatch());
    QVERIFY(run.out.contains("CLOSE") && run.out.contains("code 4000 \"done\""));
    QVERIFY(run.err.contains("sent 4000"));
}

void tst_Cli::jsonLines()
{
    EchoServer server;
    const Run run = runCli({QStringLiteral("connect"), server.url(), QStringLiteral("--send"),
                            QStringLiteral("json please"), QStringLiteral("--wait-messages"),
                            QStringLiteral("1"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    QVERIFY(lines.size() >= 5); // session, sent, received, close both ways, end
    QStringList types;
    for (const QByteArray &line : lines) {
        QJsonParseError error;
        const QJsonObject object = QJsonDocument::fromJson(line, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
        types << (object.contains(QStringLiteral("format"))
                      ? QStringLiteral("session")
                      : object.value(QStringLiteral("type")).toString());
        if (object.value(QStringLiteral("dir")).toString() == QLatin1String("received")
            && object.value(QStringLiteral("opcode")).toInt() == 1)
            QCOMPARE(object.value(QStringLiteral("text")).toString(),
                     QStringLiteral("json please"));
    }
    QCOMPARE(types.first(), QStringLiteral("session"));
    QCOMPARE(types.last(), QStringLiteral("event"));
    QVERIFY(types.count(QStringLiteral("frame")) >= 4);
}

void tst_Cli::captureFileIsRedactedAndInspectable()
{
    EchoServer server;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("session.jsonl"));
    const Run run = runCli(
        {QStringLiteral("connect"), server.url() + QStringLiteral("?access_token=QUERY-SECRET"),
         QStringLiteral("-H"), QStringLiteral("Authorization: Bearer HEADER-SECRET"),
         QStringLiteral("-H"), QStringLiteral("X-Auth-Token: CUSTOM-SECRET"),
         QStringLiteral("--send"), QStringLiteral("recorded"), QStringLiteral("--wait-messages"),
         QStringLiteral("1"), QStringLiteral("--capture"), path});
    QCOMPARE(run.exitCode, 0);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(!content.contains("HEADER-SECRET"));
    // A custom header named like a credential is redacted in the options and the request head.
    QVERIFY(!content.contains("CUSTOM-SECRET"));
    QVERIFY(content.contains("X-Auth-Token: [redacted]"));
    QVERIFY(!content.contains("QUERY-SECRET"));
    QVERIFY(content.contains("\"text\":\"recorded\""));
    QVERIFY(!QFile::exists(path + QStringLiteral(".partial")));

    const Run inspect = runCli({QStringLiteral("inspect"), path});
    QCOMPARE(inspect.exitCode, 0);
    QCOMPARE(inspect.out.count("\"recorded\""), 2);
    const Run missing
        = runCli({QStringLiteral("inspect"), dir.filePath(QStringLiteral("nope.jsonl"))});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains("nope.jsonl: No such file or directory"),
             missing.err.constData());
    const Run folder = runCli({QStringLiteral("inspect"), dir.path()});
    QCOMPARE(folder.exitCode, 2);
    QVERIFY2(folder.err.contains(": a folder, not a capture file"), folder.err.constData());
    const QString har = dir.filePath(QStringLiteral("page.har"));
    QFile harFile(har);
    QVERIFY(harFile.open(QIODevice::WriteOnly));
    harFile.write(R"({"log": {"version": "1.2", "entries": []}})");
    harFile.close();
    const Run harRun = runCli({QStringLiteral("inspect"), har});
    QCOMPARE(harRun.exitCode, 2);
    QVERIFY2(harRun.err.contains("this is a HAR file, not a capture"), harRun.err.constData());
    // A recording still running has only its journal: named, and it can be read.
    const QString recording = dir.filePath(QStringLiteral("running.jsonl"));
    QVERIFY(QFile::copy(path, recording + QStringLiteral(".partial")));
    const Run running = runCli({QStringLiteral("inspect"), recording});
    QCOMPARE(running.exitCode, 2);
    QVERIFY2(running.err.contains("running.jsonl.partial is there: the recording is still "
                                  "running"),
             running.err.constData());
    QCOMPARE(runCli({QStringLiteral("inspect"), recording + QStringLiteral(".partial")}).exitCode,
             0);
}

void tst_Cli::interactiveStdin()
{
    EchoServer server;
    // An empty line is a message too (an empty text frame), in its place.
    const Run run = runCli({QStringLiteral("connect"), server.url()}, "one\n\ntwo\n");
    QCOMPARE(run.exitCode, 0);
    const qsizetype one = run.out.indexOf("<- FIN RSV=000 TEXT LEN=3  \"one\"");
    const qsizetype empty = run.out.indexOf("<- FIN RSV=000 TEXT LEN=0");
    const qsizetype two = run.out.indexOf("<- FIN RSV=000 TEXT LEN=3  \"two\"");
    QVERIFY2(one >= 0 && empty > one && two > empty, run.out.constData());
}

// What a peer sends reaches the terminal escaped: a newline cannot break the one line per frame,
// an escape sequence cannot drive the terminal, a bidi override cannot reorder what is shown.
// Live and in inspect, where the handshake heads and TLS details come first.
void tst_Cli::peerTextIsPrintedEscaped()
{
    const QByteArray hostile = "one\ntwo\x1b[2J\r\t\xe2\x80\xae!";
    HostileServer server(
        [&](const std::string &key) {
            QByteArray answer = HostileServer::acceptFor(key);
            answer.insert(answer.size() - 2, "X-Title: \x1b]0;owned\x07\r\n");
            return answer + serverFrame(1, hostile)
                   + serverFrame(8, QByteArray::fromHex("03e8") + "bye\x1b[0m");
        },
        {},
        [](QTcpSocket *socket, HostileServer *self) {
            if (self->closeCodeFromClient() >= 0) // our close came: done
                socket->disconnectFromHost();
        });
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("hostile.jsonl"));
    const Run run = runCli({QStringLiteral("connect"), server.url().toString(),
                            QStringLiteral("--wait-messages"), QStringLiteral("1"),
                            QStringLiteral("--capture"), path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QByteArray escaped = "\"one\\ntwo\\x1b[2J\\r\\t\\u{202e}!\"";
    const Run inspect = runCli({QStringLiteral("inspect"), path});
    QCOMPARE(inspect.exitCode, 0);
    for (const Run &printed : {run, inspect}) {
        const QByteArray all = printed.out + printed.err;
        QVERIFY2(!all.contains('\x1b') && !all.contains('\x07') && !all.contains('\r')
                     && !all.contains("\xe2\x80\xae"),
                 all.constData());
        QVERIFY2(printed.out.contains(escaped), printed.out.constData());
        QVERIFY2(printed.out.contains("code 1000 \"bye\\x1b[0m\""), printed.out.constData());
    }
    // inspect begins with the session: phases, the heads as they crossed (escaped too).
    const QList<QByteArray> lines = inspect.out.split('\n');
    QVERIFY2(lines.value(1).startsWith("phases: connect ")
                 && lines.value(1).contains(" ms, upgrade "),
             inspect.out.constData());
    QVERIFY2(inspect.out.contains("\n    > GET / HTTP/1.1\n"), inspect.out.constData());
    QVERIFY2(inspect.out.contains("\n    < HTTP/1.1 101 Switching Protocols\n"),
             inspect.out.constData());
    QVERIFY2(inspect.out.contains("\n    < X-Title: \\x1b]0;owned\\x07\n"),
             inspect.out.constData());
    QVERIFY(inspect.out.indexOf("HTTP/1.1 101") < inspect.out.indexOf(escaped));
}

void tst_Cli::exitCodes_data()
{
    QTest::addColumn<QByteArray>("afterHandshake");
    QTest::addColumn<bool>("validAccept");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<int>("closeCodeOnWire");
    QTest::newRow("handshake failure: wrong accept") << QByteArray() << false << 3 << -1;
    QTest::newRow("peer protocol violation: reserved opcode")
        << serverFrame(3, "x") << true << 6 << 1002;
    QTest::newRow("peer protocol violation: invalid UTF-8")
        << serverFrame(1, "\xff") << true << 6 << 1007;
    QTest::newRow("timeout: stall mid-frame") << QByteArray::fromHex("827e") << true << 7 << -1;
}

void tst_Cli::exitCodes()
{
    QFETCH(QByteArray, afterHandshake);
    QFETCH(bool, validAccept);
    QFETCH(int, exitCode);
    QFETCH(int, closeCodeOnWire);
    HostileServer server([&](const std::string &key) {
        if (!validAccept)
            return QByteArray(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");
        return HostileServer::acceptFor(key) + afterHandshake;
    });
    const Run run = runCli({QStringLiteral("connect"), server.url().toString(),
                            QStringLiteral("--wait-messages"), QStringLiteral("1"),
                            QStringLiteral("--idle-timeout"), QStringLiteral("300")});
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY(run.err.contains("error:"));
    if (exitCode == 3) // the Handshake Doctor explains it
        QVERIFY2(run.err.contains("Sec-WebSocket-Accept does not match the key")
                     && run.err.contains("try:"),
                 run.err.constData());
    if (closeCodeOnWire > 0)
        QCOMPARE(server.closeCodeFromClient(), closeCodeOnWire);
}

void tst_Cli::waitingTooLongIsATimeout()
{
    EchoServer server;
    const Run run
        = runCli({QStringLiteral("connect"), server.url(), QStringLiteral("--send"),
                  QStringLiteral("only one"), QStringLiteral("--wait-messages"),
                  QStringLiteral("2"), QStringLiteral("--timeout"), QStringLiteral("300")});
    QCOMPARE(run.exitCode, 7);
    QVERIFY(run.err.contains("timeout"));

    QTcpServer placeholder;
    QVERIFY(placeholder.listen(QHostAddress::LocalHost));
    const QString refusedUrl = QStringLiteral("ws://127.0.0.1:%1/").arg(placeholder.serverPort());
    placeholder.close();
    const Run refusedRun = runCli(
        {QStringLiteral("connect"), refusedUrl, QStringLiteral("--send"), QStringLiteral("x")});
    QCOMPARE(refusedRun.exitCode, 5);
    // Said once as the error and once as what the Handshake Doctor saw; no library log beside.
    QVERIFY2(refusedRun.err.count("Connection refused") == 2, refusedRun.err.constData());
}

void tst_Cli::redirectsAreShown()
{
    // The redirecting server is on 127.0.0.1: a redirect to 127.0.0.2 goes to another host.
    EchoServer sameHost;
    EchoServer otherHost(QHostAddress(QStringLiteral("127.0.0.2")));
    const QUrl elsewhere(otherHost.url());
    for (const QUrl &to : {QUrl(sameHost.url()), elsewhere}) {
        HostileServer redirector([&](const std::string &) {
            return "HTTP/1.1 301 Moved Permanently\r\nLocation: " + to.toEncoded()
                   + "\r\nContent-Length: 0\r\n\r\n";
        });
        const Run run = runCli(
            {QStringLiteral("connect"), redirector.url().toString(), QStringLiteral("-L"),
             QStringLiteral("-u"), QStringLiteral("user:secret"), QStringLiteral("--send"),
             QStringLiteral("moved"), QStringLiteral("--wait-messages"), QStringLiteral("1")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QByteArray line = "redirect: 301 " + to.toEncoded()
                                + (to == elsewhere ? " (credentials not forwarded)\n" : "\n");
        QVERIFY2(run.err.contains(line), run.err.constData());
        // Where it is connected now, not the URL it was given.
        QVERIFY2(run.err.contains("connected to " + to.toString().toUtf8()), run.err.constData());
        QVERIFY(run.out.contains("\"moved\""));
    }
    // The capture (and --json) keeps the redirect as an event after the session line.
    HostileServer redirector([&](const std::string &) {
        return "HTTP/1.1 302 Found\r\nLocation: " + QUrl(sameHost.url()).toEncoded()
               + "\r\nContent-Length: 0\r\n\r\n";
    });
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("redirected.jsonl"));
    const Run json = runCli({QStringLiteral("connect"), redirector.url().toString(),
                             QStringLiteral("-L"), QStringLiteral("--send"), QStringLiteral("x"),
                             QStringLiteral("--wait-messages"), QStringLiteral("1"),
                             QStringLiteral("--json"), QStringLiteral("--capture"), path});
    QVERIFY2(json.exitCode == 0, json.err.constData());
    QVERIFY(json.out.startsWith("{\"format\""));
    const capture::CaptureReadResult read = capture::readCaptureFile(path.toStdString());
    QVERIFY2(read.ok(), read.error.c_str());
    const auto redirect = std::find_if(read.events.cbegin(), read.events.cend(), [](const auto &e) {
        return e.kind == capture::EventKind::Redirect;
    });
    QVERIFY(redirect != read.events.cend());
    QCOMPARE(redirect->code, std::optional<std::uint16_t>(302));
    QCOMPARE(QString::fromStdString(redirect->detail), sameHost.url());
}

void tst_Cli::serveAndConnect()
{
    QProcess server;
    server.start(QStringLiteral(FRAMESCOPE_CLI),
                 {QStringLiteral("serve"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                  QStringLiteral("--deflate")});
    QVERIFY(server.waitForStarted(5000));
    QVERIFY(server.waitForReadyRead(5000));
    const QByteArray line = server.readLine().trimmed();
    QVERIFY2(line.startsWith("listening ws://127.0.0.1:"), line.constData());
    const QString url = QString::fromLatin1(line.mid(10));
    const Run run = runCli({QStringLiteral("connect"), url, QStringLiteral("--deflate"),
                            QStringLiteral("--send"), QStringLiteral("to our own server"),
                            QStringLiteral("--wait-messages"), QStringLiteral("1")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.out.contains("<- FIN RSV=100 TEXT"));
    QVERIFY(run.out.contains("\"to our own server\""));
    // A client that stays connected is told 1001 when the server stops.
    QProcess client;
    client.start(QStringLiteral(FRAMESCOPE_CLI), {QStringLiteral("connect"), url});
    QVERIFY(client.waitForStarted(5000));
    QVERIFY(
        QTest::qWaitFor([&] { return client.readAllStandardError().contains("connected"); }, 5000));
    server.terminate(); // SIGTERM
    QVERIFY(QTest::qWaitFor([&] { return server.state() == QProcess::NotRunning; }, 10000));
    QCOMPARE(server.exitCode(), 0);
    QVERIFY(QTest::qWaitFor([&] { return client.state() == QProcess::NotRunning; }, 10000));
    QVERIFY(client.readAllStandardOutput().contains("code 1001"));
}

void tst_Cli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("connect without URL") << QStringList{QStringLiteral("connect")};
    QTest::newRow("not a ws URL") << QStringList{QStringLiteral("connect"),
                                                 QStringLiteral("ftp://127.0.0.1:1/")};
    QTest::newRow("capture folder missing")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--capture"), QStringLiteral("/nonexistent-folder/x.jsonl")};
    QTest::newRow("reconnect delay without reconnect")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--reconnect-delay"), QStringLiteral("100")};
    QTest::newRow("serve refusal body without refuse") << QStringList{
        QStringLiteral("serve"), QStringLiteral("--refuse-body"), QStringLiteral("x")};
    QTest::newRow("serve header with emulate")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--emulate"),
                       QStringLiteral("iis-403"), QStringLiteral("-H"), QStringLiteral("X: y")};
    QTest::newRow("serve with no connections allowed") << QStringList{
        QStringLiteral("serve"), QStringLiteral("--max-connections"), QStringLiteral("0")};
    QTest::newRow("serve body for 204")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--refuse"), QStringLiteral("204"),
                       QStringLiteral("--refuse-body"), QStringLiteral("x")};
    QTest::newRow("serve close code without close-after")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--close"), QStringLiteral("4000")};
    QTest::newRow("port out of range")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:99999/")};
    QTest::newRow("no scheme") << QStringList{QStringLiteral("connect"),
                                              QStringLiteral("127.0.0.1:8080")};
    QTest::newRow("a header with a line break")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("-H"), QStringLiteral("X-A: 1\r\nX-Injected: 2")};
    QTest::newRow("a header name that is no token")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("-H"), QStringLiteral("X A: 1")};
    QTest::newRow("serve: a header with a line break")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--refuse"), QStringLiteral("403"),
                       QStringLiteral("-H"), QStringLiteral("X-A: 1\nSet-Cookie: x=1")};
    QTest::newRow("space in the host")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://local host/")};
    QTest::newRow("close code 1005")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--close"), QStringLiteral("1005")};
    QTest::newRow("bad hex") << QStringList{QStringLiteral("connect"),
                                            QStringLiteral("ws://127.0.0.1:1/"),
                                            QStringLiteral("--send-binary"), QStringLiteral("xyz")};
    QTest::newRow("bad header") << QStringList{QStringLiteral("connect"),
                                               QStringLiteral("ws://127.0.0.1:1/"),
                                               QStringLiteral("-H"), QStringLiteral("no colon")};
    const QStringList connect{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/")};
    QTest::newRow("cookie without =")
        << connect + QStringList{QStringLiteral("--cookie"), QStringLiteral("novalue")};
    QTest::newRow("cookie value with ;")
        << connect + QStringList{QStringLiteral("--cookie"), QStringLiteral("a=1; admin=1")};
    QTest::newRow("user without password separator")
        << connect + QStringList{QStringLiteral("-u"), QStringLiteral("alice")};
    QTest::newRow("bearer with a space")
        << connect + QStringList{QStringLiteral("--bearer"), QStringLiteral("a b")};
    QTest::newRow("pin too short")
        << connect + QStringList{QStringLiteral("--pin-sha256"), QStringLiteral("AB:CD")};
    QTest::newRow("pin not hex") << connect
                                        + QStringList{QStringLiteral("--pin-sha256"),
                                                      QString(64, QLatin1Char('g'))};
    QTest::newRow("Basic and Bearer")
        << connect
               + QStringList{QStringLiteral("-u"), QStringLiteral("a:b"),
                             QStringLiteral("--bearer"), QStringLiteral("t")};
}

void tst_Cli::usageErrors()
{
    QFETCH(QStringList, arguments);
    const Run run = runCli(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY(!run.err.isEmpty());
    // A bad URL is named in the message, with what is wrong with it.
    if (arguments.size() == 2 && arguments[0] == QLatin1String("connect"))
        QVERIFY2(run.err.contains(arguments[1].toUtf8()), run.err.constData());
}

// An option that would change nothing in the command line given is a usage error that names it
// and says what it needs (it was accepted and ignored: a user believed it in effect).
void tst_Cli::optionsWithoutEffect_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("said");
    const QStringList serve{QStringLiteral("serve")};
    const QStringList connect{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/")};
    const QStringList secure{QStringLiteral("connect"), QStringLiteral("wss://127.0.0.1:1/")};
    const auto row = [](const char *name, QStringList arguments,
                        std::initializer_list<const char *> options, const char *said) {
        for (const char *option : options)
            arguments << QString::fromUtf8(option);
        QTest::newRow(name) << arguments << QString::fromUtf8(said);
    };
    row("push text without interval", serve, {"--push-text", "hi"},
        "--push-text has no effect without --push-interval");
    row("serve pass without key", serve, {"--pass", "x"}, "--pass has no effect without --key");
    row("serve keep-secrets alone", serve, {"--keep-secrets"},
        "--keep-secrets has no effect without --capture or --echo-headers");
    row("emulate with deflate", serve, {"--emulate", "iis-401", "--deflate"},
        "--deflate has no effect with --emulate: every upgrade is refused");
    row("emulate with require-auth", serve, {"--emulate", "iis-401", "--require-auth"},
        "--require-auth has no effect with --emulate");
    row("refuse with echo-headers", serve, {"--refuse", "404", "--echo-headers"},
        "--echo-headers has no effect with --refuse");
    row("refuse with delay", serve, {"--refuse", "404", "--delay", "100"},
        "--delay has no effect with --refuse");
    row("close after no messages", serve, {"--close-after-messages", "0"},
        "--close-after-messages needs 1 or more");
    row("close after 0 ms", serve, {"--close-after", "0"}, "--close-after needs 1 or more");
    row("fragments of 0 bytes", serve, {"--fragment", "0"},
        "--fragment needs 1 or more (leave it out for whole messages)");
    row("TLS key on ws://", connect, {"--key", "/nope.key"},
        "--key has no effect on a ws:// URL (no TLS)");
    row("insecure on ws://", connect, {"--insecure"}, "--insecure has no effect on a ws:// URL");
    row("cacert on ws://", connect, {"--cacert", "/nope.pem"},
        "--cacert has no effect on a ws:// URL");
    row("pass without cert", secure, {"--pass", "x"}, "--pass has no effect without --cert");
    row("max redirects without -L", connect, {"--max-redirects", "3"},
        "--max-redirects has no effect without -L (--follow-redirects)");
    row("timeout without wait-messages", connect, {"--timeout", "5"},
        "--timeout has no effect without --wait-messages");
    row("slash with send", connect, {"--slash", "--send", "hi"},
        "--slash has no effect with --send");
    row("keep-secrets without capture or json", connect, {"--keep-secrets"},
        "--keep-secrets has no effect without --capture or --json");
    row("a close reason too long (203 bytes)", connect,
        {"--close", "4000:"
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
        "the close reason is 203 bytes (UTF-8): a close frame holds at most 123");
    row("a number too large", serve, {"--delay", "99999999999"},
        "--delay takes at most 2147483647, not 99999999999");
    row("a close code not to send", connect, {"--close", "1005"},
        "close code 1005 may not be sent (RFC 6455 section 7.4");
    row("a close code out of range", connect, {"--close", "99999"},
        "close code 99999 may not be sent (RFC 6455 section 7.4");
    row("a close code that is no number", connect, {"--close", "bye"},
        "--close needs CODE[:REASON], a number first (1000:done)");
}

void tst_Cli::optionsWithoutEffect()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, said);
    const Run run = runCli(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(said.toUtf8()), run.err.constData());
}

// The desktop application's command line, as framescope-cli's: a usage error is exit 2 that
// names what is wrong (an unknown option, a second argument, not silently ignored).
void tst_Cli::theDesktopAppsCommandLine()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    const auto runGui = [&](const QStringList &arguments) {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(FRAMESCOPE_GUI), arguments);
        Run run;
        if (!process.waitForFinished(20000)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    };
    Run run = runGui({QStringLiteral("--bogus")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("Unknown option 'bogus'"), run.err.constData());
    run = runGui({QStringLiteral("ws://127.0.0.1:1/a"), QStringLiteral("ws://127.0.0.1:1/b")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("one URL or capture file, got 2 arguments"), run.err.constData());
    run = runGui({QStringLiteral("--version")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith("Framescope "), run.out.constData());
}

// A page's address pasted as it is (http://, https://) is taken as ws:// (wss://), with a note.
void tst_Cli::httpUrlsAreTakenAsWebSocketUrls()
{
    EchoServer server;
    QString url = server.url();
    url.replace(QStringLiteral("ws://"), QStringLiteral("http://"));
    const Run run
        = runCli({QStringLiteral("connect"), url, QStringLiteral("--send"), QStringLiteral("hi"),
                  QStringLiteral("--wait-messages"), QStringLiteral("1")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("note: http:// taken as ws://"), run.err.constData());
    QVERIFY(run.err.contains("connected to ws://"));
}

void tst_Cli::credentialHelpers()
{
    EchoServer server;
    const Run run
        = runCli({QStringLiteral("connect"), server.url(), QStringLiteral("--cookie"),
                  QStringLiteral("session=s3cr3t-cookie"), QStringLiteral("--cookie"),
                  QStringLiteral("lang=en"), QStringLiteral("-u"), QStringLiteral("alice:pa55word"),
                  QStringLiteral("--send"), QStringLiteral("hi"), QStringLiteral("--wait-messages"),
                  QStringLiteral("1"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(server.lastRequest.rawHeader("Cookie"), QByteArray("session=s3cr3t-cookie; lang=en"));
    QCOMPARE(server.lastRequest.rawHeader("Authorization"),
             "Basic " + QByteArray("alice:pa55word").toBase64());
    // The JSON output carries the handshake, redacted.
    QVERIFY(!run.out.contains("s3cr3t-cookie"));
    QVERIFY(!run.out.contains(QByteArray("alice:pa55word").toBase64()));
    QVERIFY(run.out.contains("Cookie"));
}

void tst_Cli::reconnectsWhenTheServerDrops()
{
    // The first connection is dropped after the upgrade; the second one greets.
    HostileServer server(
        &HostileServer::acceptFor,
        [](QTcpSocket *socket, HostileServer *self) {
            if (self->connections() == 1)
                socket->disconnectFromHost();
            else
                socket->write(serverFrame(0x1, "welcome back"));
        },
        [](QTcpSocket *socket, HostileServer *self) {
            if (self->closeCodeFromClient() == 1000) {
                socket->write(serverFrame(0x8, QByteArray("\x03\xe8", 2)));
                socket->disconnectFromHost();
            }
        });
    const Run run
        = runCli({QStringLiteral("connect"), server.url().toString(), QStringLiteral("--reconnect"),
                  QStringLiteral("--reconnect-delay"), QStringLiteral("20"),
                  QStringLiteral("--wait-messages"), QStringLiteral("1")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("reconnecting in"), run.err.constData());
    QVERIFY(run.out.contains("welcome back"));
    QCOMPARE(server.connections(), 2);

    // In JSON, the reconnect is an event between the two connections' frames.
    HostileServer again(
        &HostileServer::acceptFor,
        [](QTcpSocket *socket, HostileServer *self) {
            if (self->connections() == 1)
                socket->write(serverFrame(0x8, QByteArray("\x03\xe9", 2))); // 1001 going away
            else
                socket->write(serverFrame(0x1, "welcome back"));
        },
        [](QTcpSocket *socket, HostileServer *self) {
            if (self->closeCodeFromClient() > 0) {
                if (self->connections() > 1)
                    socket->write(serverFrame(0x8, QByteArray("\x03\xe8", 2)));
                socket->disconnectFromHost();
            }
        });
    const Run json = runCli({QStringLiteral("connect"), again.url().toString(),
                             QStringLiteral("--reconnect"), QStringLiteral("--reconnect-delay"),
                             QStringLiteral("20"), QStringLiteral("--wait-messages"),
                             QStringLiteral("1"), QStringLiteral("--json")});
    QVERIFY2(json.exitCode == 0, json.err.constData());
    const qsizetype reconnect = json.out.indexOf("\"event\":\"reconnect\"");
    QVERIFY2(reconnect > 0, json.out.constData());
    QVERIFY(json.out.indexOf("welcome back") > reconnect);
    QVERIFY(json.out.mid(reconnect - 100, 200).contains("\"code\":1001"));
    // One session line however many connections; each event names its connection; and the
    // output is a capture inspect reads.
    QCOMPARE(json.out.count("\"format\":\"framescope-capture\""), 1);
    bool endedSecond = false;
    QStringList firstConnectionEvents; // before the reconnect event
    bool reconnected = false;
    bool secondHandshake = false;
    for (const QByteArray &line : json.out.split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        const QString event = object.value(QStringLiteral("event")).toString();
        if (!event.isEmpty() && !reconnected)
            firstConnectionEvents << event;
        reconnected = reconnected || event == QStringLiteral("reconnect");
        secondHandshake = secondHandshake
                          || (event == QStringLiteral("handshake-response")
                              && object.value(QStringLiteral("conn")).toInt() == 1
                              && object.value(QStringLiteral("code")).toInt() == 101);
        if (event == QStringLiteral("reconnect")) // after the first connection, number 0
            QVERIFY2(!object.contains(QStringLiteral("conn")), line.constData());
        if (event == QStringLiteral("ended"))
            endedSecond = object.value(QStringLiteral("conn")).toInt() == 1;
    }
    QVERIFY2(endedSecond, json.out.constData());
    // How the first connection ended comes before the attempt; the second's heads after it.
    QVERIFY2(firstConnectionEvents.contains(QStringLiteral("close-received"))
                 && firstConnectionEvents.contains(QStringLiteral("ended")),
             qPrintable(firstConnectionEvents.join(QLatin1Char(' '))));
    QVERIFY2(secondHandshake, json.out.constData());
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("json.jsonl"));
    QFile file(saved);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json.out);
    file.close();
    const Run inspect = runCli({QStringLiteral("inspect"), saved});
    QVERIFY2(inspect.exitCode == 0, inspect.err.constData());
    QVERIFY(inspect.out.contains("== reconnect"));
}

namespace {} // namespace

// Four clients at once push 19 MiB through a server whose store holds 8 MiB: its capture holds
// every payload (the server waits for the recorder rather than evict), its lines are in time
// order although the connections were served in batches, and each close-sent event has the
// time its close frame went out, not the time the connection ended.
void tst_Cli::serveCaptureKeepsEveryPayloadInTimeOrder()
{
    QTemporaryDir dir;
    const QString capturePath = dir.filePath(QStringLiteral("load.jsonl"));
    QProcess server;
    const QString url
        = startServe(server, {QStringLiteral("--capture"), capturePath,
                              QStringLiteral("--capture-memory"), QStringLiteral("8")});
    QVERIFY(!url.isEmpty());
    constexpr int kClients = 4;
    constexpr int kLines = 150;
    std::vector<std::unique_ptr<QProcess>> clients;
    for (int c = 0; c < kClients; ++c) {
        QByteArray input;
        for (int i = 0; i < kLines; ++i)
            input += QByteArray(32 * 1024, char('a' + (i + c) % 26)) + '\n';
        auto client = std::make_unique<QProcess>();
        // The server stops reading while its recorder catches up, which in a sanitizer build
        // can take longer than the default 5 s wait for the close.
        client->start(QStringLiteral(FRAMESCOPE_CLI),
                      {QStringLiteral("connect"), url, QStringLiteral("--close-timeout"),
                       QStringLiteral("60000")});
        QVERIFY(client->waitForStarted(5000));
        client->write(input);
        client->closeWriteChannel();
        clients.push_back(std::move(client));
    }
    for (auto &client : clients) {
        QVERIFY(QTest::qWaitFor([&] { return client->state() == QProcess::NotRunning; }, 60000));
        QVERIFY2(client->exitCode() == 0, client->readAllStandardError().constData());
    }
    QVERIFY(stopServe(server));
    const QByteArray serverErr = server.readAllStandardError();
    QVERIFY2(!serverErr.contains("lost"), serverErr.constData());

    QFile file(capturePath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    qint64 lastTime = 0;
    int textFrames = 0;
    QHash<int, qint64> closeFrameSent; // connection: the end of its close frame on the wire
    QHash<int, qint64> closeSentEvent;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QJsonObject line = QJsonDocument::fromJson(lines[i]).object();
        const bool frame = line.value(QStringLiteral("type")).toString() == QLatin1String("frame");
        const qint64 time
            = line.value(frame ? QStringLiteral("endNs") : QStringLiteral("timeNs")).toInteger();
        QVERIFY2(time >= lastTime, qPrintable(QStringLiteral("line %1 goes back %2 us")
                                                  .arg(i + 1)
                                                  .arg((lastTime - time) / 1000)));
        lastTime = time;
        const int connection = line.value(QStringLiteral("conn")).toInt();
        if (frame) {
            QVERIFY2(!line.contains(QStringLiteral("payloadEvicted")),
                     lines[i].left(200).constData());
            textFrames += line.value(QStringLiteral("opcode")).toInt() == 1;
            if (line.value(QStringLiteral("opcode")).toInt() == 8
                && line.value(QStringLiteral("dir")).toString() == QLatin1String("sent"))
                closeFrameSent.insert(connection, time);
        } else {
            QVERIFY2(line.value(QStringLiteral("event")).toString() != QLatin1String("dropped"),
                     lines[i].constData());
            if (line.value(QStringLiteral("event")).toString() == QLatin1String("close-sent"))
                closeSentEvent.insert(connection, time);
        }
    }
    QCOMPARE(textFrames, 2 * kClients * kLines);
    QCOMPARE(closeSentEvent.size(), kClients);
    for (auto it = closeSentEvent.cbegin(); it != closeSentEvent.cend(); ++it) {
        QVERIFY(closeFrameSent.contains(it.key()));
        // Stamped as the write began; the frame's time is when that write reached the kernel.
        const qint64 before = closeFrameSent.value(it.key()) - it.value();
        QVERIFY2(before >= 0 && before < 5'000'000, qPrintable(QString::number(before)));
    }
}

void tst_Cli::serveCapturesTheServerSide()
{
    QTemporaryDir dir;
    const QString serverCapture = dir.filePath(QStringLiteral("server.jsonl"));
    const QString clientCapture = dir.filePath(QStringLiteral("client.jsonl"));
    QProcess server;
    const QString url = startServe(server, {QStringLiteral("--capture"), serverCapture});
    QVERIFY(!url.isEmpty());
    QVERIFY(url.endsWith(QLatin1Char('/')));
    const Run run = runCli({QStringLiteral("connect"), url + QStringLiteral("chat?room=1"),
                            QStringLiteral("--send"), QStringLiteral("side by side"),
                            QStringLiteral("--wait-messages"), QStringLiteral("1"),
                            QStringLiteral("-H"), QStringLiteral("Authorization: Bearer hush"),
                            QStringLiteral("--capture"), clientCapture});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(stopServe(server));
    const QByteArray serverErr = server.readAllStandardError();
    QVERIFY2(serverErr.contains("connection 1 open") && serverErr.contains("connection 1 closed"),
             serverErr.constData());

    const auto serverSide = capture::readCaptureFile(serverCapture.toStdString());
    const auto clientSide = capture::readCaptureFile(clientCapture.toStdString());
    QVERIFY2(serverSide.ok(), serverSide.error.c_str());
    QVERIFY2(clientSide.ok(), clientSide.error.c_str());
    QCOMPARE(serverSide.session.options.at("role"), std::string("server"));
    // The same frames on both sides: what the client sent masked, the server received masked
    // with the same key; the echo is the same bytes.
    QCOMPARE(serverSide.frames.size(), clientSide.frames.size());
    for (std::size_t i = 0; i < clientSide.frames.size(); ++i) {
        const auto &client = clientSide.frames[i];
        const auto &match = serverSide.frames[i];
        QCOMPARE(match.record.connection, std::uint32_t(1));
        QCOMPARE(match.record.opcode, client.record.opcode);
        QCOMPARE(match.payload, client.payload);
        QCOMPARE(match.record.has(capture::FrameRecord::Sent),
                 !client.record.has(capture::FrameRecord::Sent));
        QCOMPARE(match.record.maskKey, client.record.maskKey);
    }
    // Connection events, with the request head redacted.
    bool sawRequest = false;
    for (const auto &event : serverSide.events) {
        if (event.kind == capture::EventKind::HandshakeRequest) {
            sawRequest = true;
            QCOMPARE(event.connection, std::uint32_t(1));
            QVERIFY(event.detail.find("GET /chat?room=1 HTTP/1.1") == 0);
            QVERIFY(event.detail.find("hush") == std::string::npos);
        }
    }
    QVERIFY(sawRequest);
    QFile raw(serverCapture);
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray file = raw.readAll();
    QVERIFY(!file.contains("hush"));
    // Exported, the connection's URL is the one the client asked for: the server's address with
    // the request's path and query.
    const QString har = dir.filePath(QStringLiteral("server.har"));
    QCOMPARE(
        runCli({QStringLiteral("export-har"), serverCapture, QStringLiteral("-o"), har}).exitCode,
        0);
    QFile exported(har);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    const QByteArray harText = exported.readAll();
    QVERIFY2(harText.contains((url + QStringLiteral("chat?room=1")).toUtf8()), harText.constData());

    // inspect shows it in time order, each line with its connection; --json gives the file's
    // lines back, in the file's order.
    const Run inspected = runCli({QStringLiteral("inspect"), serverCapture});
    QCOMPARE(inspected.exitCode, 0);
    const QList<QByteArray> lines = inspected.out.split('\n');
    QVERIFY2(lines.first().startsWith("capture of the built-in server at "),
             inspected.out.constData());
    const qsizetype request = inspected.out.indexOf("#1 == handshake-request from 127.0.0.1:");
    const qsizetype firstFrame = inspected.out.indexOf("#1 <- FIN RSV=000 TEXT MASK=");
    const qsizetype ended = inspected.out.indexOf("#1 == ended: close-frame");
    QVERIFY2(request > 0 && request < firstFrame && firstFrame < ended, inspected.out.constData());
    QVERIFY(inspected.out.contains("#1 -> FIN RSV=000 TEXT LEN=12  \"side by side\""));
    const Run asJson = runCli({QStringLiteral("inspect"), QStringLiteral("--json"), serverCapture});
    QCOMPARE(asJson.exitCode, 0);
    const QList<QByteArray> fileLines = file.trimmed().split('\n');
    const QList<QByteArray> jsonLines = asJson.out.trimmed().split('\n');
    QCOMPARE(jsonLines.size(), fileLines.size());
    for (qsizetype i = 0; i < fileLines.size(); ++i)
        QCOMPARE(QJsonDocument::fromJson(jsonLines[i]), QJsonDocument::fromJson(fileLines[i]));

    // A recording cut off by a crash: what came before, still JSON lines; the cut said apart.
    const QString cut = dir.filePath(QStringLiteral("cut.jsonl"));
    QFile cutFile(cut);
    QVERIFY(cutFile.open(QIODevice::WriteOnly));
    cutFile.write(file.left(file.lastIndexOf('\n', file.size() - 2) + 1) + "{\"type\":\"fra");
    cutFile.close();
    const Run truncated = runCli({QStringLiteral("inspect"), QStringLiteral("--json"), cut});
    QCOMPARE(truncated.exitCode, 0);
    const QList<QByteArray> kept = truncated.out.trimmed().split('\n');
    QCOMPARE(kept.size(), fileLines.size() - 1);
    for (const QByteArray &line : kept)
        QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
    QVERIFY2(truncated.err.contains("the last line was cut off"), truncated.err.constData());
}

// The handshake events carry the server's own times, like its frames: a client that sends its
// first frame with the request (in one segment) has that frame start with the request, and the
// echo goes out after the 101.
void tst_Cli::serveRecordsHandshakesAtTheServersTimes()
{
    QTemporaryDir dir;
    const QString serverCapture = dir.filePath(QStringLiteral("server.jsonl"));
    QProcess server;
    const QString url = startServe(server, {QStringLiteral("--capture"), serverCapture});
    QVERIFY(!url.isEmpty());
    const quint16 port = quint16(QUrl(url).port());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(5000));
    const QByteArray maskedHi = QByteArray::fromHex("818200000000") + "hi";
    client.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        + maskedHi);
    QByteArray answer;
    QVERIFY(QTest::qWaitFor(
        [&] {
            client.waitForReadyRead(50);
            answer += client.readAll();
            return answer.endsWith(serverFrame(1, "hi"));
        },
        5000));
    client.write(QByteArray::fromHex("888200000000") + QByteArray::fromHex("03e8"));
    QVERIFY(client.waitForDisconnected(5000));
    QVERIFY(stopServe(server));

    const auto recorded = capture::readCaptureFile(serverCapture.toStdString());
    QVERIFY2(recorded.ok(), recorded.error.c_str());
    QVERIFY(recorded.frames.size() >= 2);
    const auto &hi = recorded.frames[0].record;
    const auto &echo = recorded.frames[1].record;
    QVERIFY(!hi.has(capture::FrameRecord::Sent) && echo.has(capture::FrameRecord::Sent));
    std::int64_t requestNs = -1, responseNs = -1;
    for (const auto &event : recorded.events) {
        if (event.kind == capture::EventKind::HandshakeRequest)
            requestNs = event.timeNs;
        else if (event.kind == capture::EventKind::HandshakeResponse)
            responseNs = event.timeNs;
    }
    QCOMPARE(requestNs, hi.startNs); // the same read brought both
    QVERIFY(responseNs >= requestNs);
    QVERIFY2(responseNs <= echo.startNs,
             qPrintable(
                 QStringLiteral("101 at %1, echo queued at %2").arg(responseNs).arg(echo.startNs)));
}

void tst_Cli::serveEmulatesIis()
{
    QProcess server;
    const QString url
        = startServe(server, {QStringLiteral("--emulate"), QStringLiteral("iis-401")});
    QVERIFY(!url.isEmpty());
    const Run run
        = runCli({QStringLiteral("connect"), url, QStringLiteral("--send"), QStringLiteral("x")});
    QCOMPARE(run.exitCode, 3); // handshake failure
    QVERIFY2(run.err.contains("Windows Authentication"), run.err.constData());
    QVERIFY(stopServe(server));
    // One line, in order: the status and its reason phrase (the HTML page went to the client).
    const QByteArray serverErr = server.readAllStandardError();
    const qsizetype refused = serverErr.indexOf("connection 1 refused: 401 Unauthorized\n");
    QVERIFY2(refused >= 0 && refused < serverErr.indexOf("connection 1 closed"),
             serverErr.constData());
    QVERIFY(!serverErr.contains("<html"));
    // A 101 without its Accept header: the status said once.
    QProcess broken;
    const QString brokenUrl
        = startServe(broken, {QStringLiteral("--emulate"), QStringLiteral("iis-101-no-accept")});
    QVERIFY(!brokenUrl.isEmpty());
    QCOMPARE(runCli({QStringLiteral("connect"), brokenUrl, QStringLiteral("--send"),
                     QStringLiteral("x")})
                 .exitCode,
             3);
    QVERIFY(stopServe(broken));
    const QByteArray brokenErr = broken.readAllStandardError();
    QVERIFY2(brokenErr.contains("connection 1 refused: 101 without Sec-WebSocket-Accept"),
             brokenErr.constData());
    QCOMPARE(
        runCli({QStringLiteral("serve"), QStringLiteral("--emulate"), QStringLiteral("iis-999")})
            .exitCode,
        2);
}

void tst_Cli::serveOverTls()
{
    QTemporaryDir data;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), data.path());
    QProcess server;
    const QString url = startServe(server, {QStringLiteral("--tls")}, environment);
    QVERIFY2(url.startsWith(QStringLiteral("wss://127.0.0.1:")), qPrintable(url));
    const QString certificate = data.filePath(QStringLiteral("framescope/server-cert.pem"));
    QVERIFY(QFile::exists(certificate));
    const Run untrusted
        = runCli({QStringLiteral("connect"), url, QStringLiteral("--send"), QStringLiteral("x")});
    QCOMPARE(untrusted.exitCode, 4); // TLS failure: verified by default
    const Run pinned = runCli({QStringLiteral("connect"), url, QStringLiteral("--cacert"),
                               certificate, QStringLiteral("--send"), QStringLiteral("secure"),
                               QStringLiteral("--wait-messages"), QStringLiteral("1")});
    QVERIFY2(pinned.exitCode == 0, pinned.err.constData());
    QVERIFY(pinned.out.contains("\"secure\""));

    // The fingerprint serve prints is what a client pins, instead of trusting the file.
    QByteArray err;
    QVERIFY(QTest::qWaitFor(
        [&] {
            err += server.readAllStandardError();
            return err.contains("certificate SHA-256 ")
                   && err.indexOf('\n', err.indexOf("SHA-256")) > 0;
        },
        5000));
    QVERIFY(err.contains("made now"));
    const qsizetype start = err.indexOf("certificate SHA-256 ") + 20;
    const QString fingerprint
        = QString::fromLatin1(err.mid(start, err.indexOf('\n', start) - start).trimmed());
    QCOMPARE(fingerprint.size(), 32 * 3 - 1);
    const Run byFingerprint = runCli(
        {QStringLiteral("connect"), url, QStringLiteral("--pin-sha256"), fingerprint,
         QStringLiteral("--send"), QStringLiteral("pinned"), QStringLiteral("--wait-messages"),
         QStringLiteral("1"), QStringLiteral("--json")});
    QVERIFY2(byFingerprint.exitCode == 0, byFingerprint.err.constData());
    QVERIFY(byFingerprint.out.contains("\"pinned\""));
    QVERIFY2(byFingerprint.out.contains("\"pin-sha256\""), byFingerprint.out.constData());
    // Another fingerprint: a TLS failure, explained, even with --insecure.
    QString other = fingerprint;
    other[0] = other[0] == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
    for (const bool insecure : {false, true}) {
        QStringList arguments{QStringLiteral("connect"),      url,
                              QStringLiteral("--pin-sha256"), other,
                              QStringLiteral("--send"),       QStringLiteral("x")};
        if (insecure)
            arguments << QStringLiteral("--insecure");
        const Run wrongPin = runCli(arguments);
        QCOMPARE(wrongPin.exitCode, 4);
        QVERIFY2(wrongPin.err.contains("is not the pinned one"), wrongPin.err.constData());
        QVERIFY2(wrongPin.err.contains("intercepting TLS"), wrongPin.err.constData());
    }
    QVERIFY(stopServe(server));
}

namespace {

// The frame headers a capture recorded for one connection: what it sent, what it received.
bool recordedFrames(const QString &file, std::optional<std::uint32_t> connection,
                    QList<WireFrame> &sent, QList<WireFrame> &received)
{
    const auto recorded = capture::readCaptureFile(file.toStdString());
    if (!recorded.ok())
        return false;
    for (const auto &frame : recorded.frames) {
        if (!connection || frame.record.connection == *connection)
            (frame.record.has(capture::FrameRecord::Sent) ? sent : received)
                << WireFrame::of(frame.record);
    }
    return true;
}

} // namespace

// An independent check of what the captures show: tshark records the loopback traffic of three
// sessions (fragmented replies, permessage-deflate, 16- and 64-bit lengths, closes) and
// dissects it; every frame header each side's capture recorded must be the one on the wire.
void tst_Cli::capturesMatchTsharksDissection()
{
    WireSniffer sniffer;
    if (!sniffer.available())
        QSKIP("tshark is not installed (scripts/framescope.sh test installs it)");
    QTemporaryDir dir;
    const QString captureA = dir.filePath(QStringLiteral("a.jsonl"));
    const QString captureB = dir.filePath(QStringLiteral("b.jsonl"));
    // Server A cuts its replies into 7-byte frames; server B takes permessage-deflate.
    QProcess serverA, serverB;
    const QString urlA = startServe(serverA, {QStringLiteral("--fragment"), QStringLiteral("7"),
                                              QStringLiteral("--capture"), captureA});
    const QString urlB
        = startServe(serverB, {QStringLiteral("--deflate"), QStringLiteral("--capture"), captureB});
    QVERIFY(!urlA.isEmpty() && !urlB.isEmpty());
    const quint16 portA = quint16(QUrl(urlA).port());
    const quint16 portB = quint16(QUrl(urlB).port());
    if (const QString why = sniffer.start({portA, portB}); !why.isEmpty()) {
        if (why.startsWith(QStringLiteral("permission")))
            QSKIP(qPrintable(why));
        QFAIL(qPrintable(why));
    }

    QString text70k;
    for (int i = 0; i < 70000; ++i)
        text70k += QLatin1Char(char('a' + (i * 7919) % 26));
    const QList<QStringList> clients = {
        {QStringLiteral("connect"), urlA, QStringLiteral("--send"), QStringLiteral("hello"),
         QStringLiteral("--send"), QString(300, QLatin1Char('a')), QStringLiteral("--send-binary"),
         QStringLiteral("00ff10"), QStringLiteral("--wait-messages"), QStringLiteral("3")},
        {QStringLiteral("connect"), urlB, QStringLiteral("--deflate"), QStringLiteral("--send"),
         QStringLiteral("compress me, compress me, compress me"), QStringLiteral("--wait-messages"),
         QStringLiteral("1"), QStringLiteral("--close"), QStringLiteral("4000:bye")},
        {QStringLiteral("connect"), urlB, QStringLiteral("--send"), text70k,
         QStringLiteral("--wait-messages"), QStringLiteral("1")},
    };
    QStringList clientCaptures;
    for (const QStringList &arguments : clients) {
        clientCaptures << dir.filePath(QStringLiteral("client%1.jsonl").arg(clientCaptures.size()));
        const Run run
            = runCli(arguments + QStringList{QStringLiteral("--capture"), clientCaptures.last()});
        QVERIFY2(run.exitCode == 0, run.err.constData());
    }
    QVERIFY(stopServe(serverA));
    QVERIFY(stopServe(serverB));
    const QList<WireConnection> wire = sniffer.stopAndDissect();
    QCOMPARE(wire.size(), 3);

    // Each client's capture against its connection; then the servers' (A's connection 1, B's
    // 1 and 2), the other way round.
    for (int c = 0; c < 3; ++c) {
        QList<WireFrame> sent, received;
        QVERIFY(recordedFrames(clientCaptures[c], std::nullopt, sent, received));
        QCOMPARE(sent, wire[c].fromClient);
        QCOMPARE(received, wire[c].fromServer);
    }
    const std::tuple<QString, std::uint32_t, int> servers[]
        = {{captureA, 1, 0}, {captureB, 1, 1}, {captureB, 2, 2}};
    for (const auto &[file, connection, c] : servers) {
        QList<WireFrame> sent, received;
        QVERIFY(recordedFrames(file, connection, sent, received));
        QCOMPARE(received, wire[c].fromClient);
        QCOMPARE(sent, wire[c].fromServer);
    }

    // What the sessions were there to show: fragments, compression, each length form, closes.
    QVERIFY(std::count_if(wire[0].fromServer.cbegin(), wire[0].fromServer.cend(),
                          [](const WireFrame &f) { return !f.fin && f.opcode == 0; })
            > 40);
    QCOMPARE(wire[1].fromClient.first().rsv, 4);
    QCOMPARE(wire[1].fromServer.first().rsv, 4);
    QCOMPARE(wire[0].fromClient[1].length, quint64(300));
    QCOMPARE(wire[2].fromClient.first().length, quint64(70000));
    for (const WireConnection &connection : wire) {
        QVERIFY(!connection.fromClient.isEmpty() && !connection.fromServer.isEmpty());
        QCOMPARE(connection.fromClient.last().opcode, 8);
        QCOMPARE(connection.fromServer.last().opcode, 8);
    }
}

// An option of another command is a usage error that names it, not silently ignored.
void tst_Cli::commandsTakeOnlyTheirOwnOptions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("option");
    QTest::newRow("connect --tls")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--tls")}
        << QStringLiteral("--tls");
    QTest::newRow("connect --emulate")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--emulate"), QStringLiteral("iis-401")}
        << QStringLiteral("--emulate");
    QTest::newRow("serve --send") << QStringList{QStringLiteral("serve"), QStringLiteral("--send"),
                                                 QStringLiteral("x")}
                                  << QStringLiteral("--send");
    QTest::newRow("serve --reconnect")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--reconnect")}
        << QStringLiteral("--reconnect");
    QTest::newRow("inspect --deflate")
        << QStringList{QStringLiteral("inspect"), QStringLiteral("x.jsonl"),
                       QStringLiteral("--deflate")}
        << QStringLiteral("--deflate");
    QTest::newRow("demo --capture")
        << QStringList{QStringLiteral("demo"), QStringLiteral("--capture"), QStringLiteral("x")}
        << QStringLiteral("--capture");
}

void tst_Cli::commandsTakeOnlyTheirOwnOptions()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, option);
    const Run run = runCli(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(option.toUtf8()), run.err.constData());
}

// --send and --send-binary go out in the order they were given, mixed as they are.
void tst_Cli::messagesGoOutInTheOrderGiven()
{
    EchoServer server;
    const Run run
        = runCli({QStringLiteral("connect"), server.url(), QStringLiteral("--send-binary"),
                  QStringLiteral("01"), QStringLiteral("--send"), QStringLiteral("a"),
                  QStringLiteral("--send-binary"), QStringLiteral("02"), QStringLiteral("--send"),
                  QStringLiteral("b"), QStringLiteral("--wait-messages"), QStringLiteral("4"),
                  QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QStringList sent;
    for (const QByteArray &line : run.out.split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.value(QStringLiteral("type")) != QStringLiteral("frame")
            || object.value(QStringLiteral("dir")) != QStringLiteral("sent")
            || object.value(QStringLiteral("opcode")).toInt() > 2)
            continue;
        const QByteArray payload
            = object.contains(QStringLiteral("text"))
                  ? object.value(QStringLiteral("text")).toString().toUtf8()
                  : QByteArray::fromBase64(
                      object.value(QStringLiteral("base64")).toString().toLatin1());
        sent << (object.value(QStringLiteral("opcode")).toInt() == 2
                     ? QString::fromLatin1(payload.toHex())
                     : QString::fromUtf8(payload));
    }
    QCOMPARE(sent, (QStringList{QStringLiteral("01"), QStringLiteral("a"), QStringLiteral("02"),
                                QStringLiteral("b")}));
}

// A line over --max-message is not sent, and named by its number: one found whole, and one found
// too long before its end came (it spans reads of standard input); the lines around them are sent.
void tst_Cli::aLineOverMaxMessageIsNamed()
{
    EchoServer server;
    const QByteArray input
        = "a\n" + QByteArray(2000, 'x') + "\nb\n" + QByteArray(100000, 'y') + "\nc\n";
    const Run run = runCli({QStringLiteral("connect"), server.url(),
                            QStringLiteral("--max-message"), QStringLiteral("1000")},
                           input, 30000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    for (const char *said : {"line 2 was not sent: it is longer than --max-message (1000 bytes)",
                             "line 4 was not sent: it is longer than --max-message (1000 bytes)"})
        QVERIFY2(run.err.contains(said), run.err.constData());
    for (const char *sent : {"TEXT MASK=", "LEN=1  \"a\"", "LEN=1  \"b\"", "LEN=1  \"c\""})
        QVERIFY2(run.out.contains(sent), run.out.constData());
    QVERIFY2(!run.out.contains("LEN=2000") && !run.out.contains("LEN=100000"), run.out.constData());
}

// A line on standard input is one message whatever its length (here 1 MiB of multi-byte text,
// read in 64 KiB pieces that cut characters in two); a line that is not UTF-8 is refused.
void tst_Cli::stdinLinesAreWholeMessages()
{
    EchoServer server;
    QByteArray longLine;
    while (longLine.size() < (1 << 20))
        longLine += "κόσμε ";
    const QByteArray input = longLine + "\n" + "\xff\xfe not text\n" + "short\n";
    const Run run
        = runCli({QStringLiteral("connect"), server.url(), QStringLiteral("--json")}, input, 30000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("line 2 was not sent: it is not UTF-8 text"), run.err.constData());
    QList<QByteArray> echoed; // messages, joined from their frames
    bool inMessage = false;
    for (const QByteArray &line : run.out.split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        const int opcode = object.value(QStringLiteral("opcode")).toInt(-1);
        if (object.value(QStringLiteral("dir")) != QStringLiteral("received")
            || (opcode != 0 && opcode != 1))
            continue;
        if (!inMessage)
            echoed << QByteArray();
        // A frame's payload is text when it is UTF-8 on its own, else base64 (a frame boundary
        // may cut a character).
        echoed.last() += object.contains(QStringLiteral("text"))
                             ? object.value(QStringLiteral("text")).toString().toUtf8()
                             : QByteArray::fromBase64(
                                 object.value(QStringLiteral("base64")).toString().toLatin1());
        inMessage = !object.value(QStringLiteral("fin")).toBool();
    }
    QCOMPARE(echoed.size(), 2);
    QVERIFY(echoed[0] == longLine);
    QCOMPARE(echoed[1], QByteArray("short"));
}

// Frames are printed in the order of their times, as the capture keeps them: an echo that
// arrived before the next message was sent is not printed after it (it is read later, and was
// printed later, when printed as read). Several sessions, each sending eight messages at once.
void tst_Cli::framesArePrintedInTimeOrder()
{
    QProcess server;
    const QString url = startServe(server, {});
    QVERIFY(!url.isEmpty());
    QStringList arguments{QStringLiteral("connect"), url};
    for (int i = 0; i < 8; ++i)
        arguments << QStringLiteral("--send") << QStringLiteral("message %1").arg(i);
    arguments << QStringLiteral("--wait-messages") << QStringLiteral("8");
    for (int session = 0; session < 5; ++session) {
        const Run run = runCli(arguments);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        double previous = -1;
        int frames = 0;
        for (const QByteArray &line : run.out.split('\n')) {
            const QByteArray time = line.trimmed().split(' ').value(0);
            if (!time.endsWith("ms"))
                continue;
            const double ms = time.chopped(2).toDouble();
            QVERIFY2(ms >= previous, run.out.constData());
            previous = ms;
            ++frames;
        }
        QCOMPARE(frames, 18); // eight each way and the two closes
    }
    QVERIFY(stopServe(server));
}

// Typed or pasted into a terminal, a line longer than the terminal's line editor keeps (4095
// bytes on Linux; it drops the rest) is not sent cut: it is refused, saying why and what to do;
// the next line goes out. The terminal is a pseudo-terminal made by script(1).
void tst_Cli::aTerminalLineTooLongIsRefusedNotCut()
{
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    if (script.isEmpty())
        QSKIP("script(1) (util-linux) is not installed");
    EchoServer server;
    QProcess terminal;
    terminal.setProcessChannelMode(QProcess::MergedChannels);
    terminal.start(
        script, {QStringLiteral("-qc"),
                 QStringLiteral("%1 connect %2").arg(QStringLiteral(FRAMESCOPE_CLI), server.url()),
                 QStringLiteral("/dev/null")});
    QVERIFY(terminal.waitForStarted(5000));
    QByteArray out;
    QVERIFY(QTest::qWaitFor(
        [&] {
            out += terminal.readAll();
            return out.contains("connected to");
        },
        10000));
    terminal.write(QByteArray(6000, 'q') + "\nshort\n");
    QVERIFY(QTest::qWaitFor(
        [&] {
            out += terminal.readAll();
            return out.contains("<- FIN RSV=000 TEXT LEN=5");
        },
        10000));
    terminal.write("\x04"); // Ctrl-D: the session closes
    QVERIFY(terminal.waitForFinished(10000));
    out += terminal.readAll();
    QVERIFY2(out.contains("error: line 1 was not sent: a terminal passes at most 4095 bytes"),
             out.constData());
    QVERIFY2(!out.contains("LEN=4095"), out.constData()); // nothing cut went out
}

// The peer ending the session before --wait-messages N arrived is no success (exit 1).
void tst_Cli::waitingForMoreThanArrivesIsNoSuccess()
{
    QProcess server;
    const QString url
        = startServe(server, {QStringLiteral("--close-after-messages"), QStringLiteral("1")});
    QVERIFY(!url.isEmpty());
    const Run run = runCli({QStringLiteral("connect"), url, QStringLiteral("--send"),
                            QStringLiteral("a"), QStringLiteral("--send"), QStringLiteral("b"),
                            QStringLiteral("--wait-messages"), QStringLiteral("2")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("1 of 2 messages"), run.err.constData());
    QVERIFY(stopServe(server));
}

// With --reconnect, messages are counted as each arrives: a server that closes after every
// message is connected to exactly twice for two messages, never a third time.
void tst_Cli::reconnectsOnlyWhileMessagesAreMissing()
{
    QProcess server;
    const QString url
        = startServe(server, {QStringLiteral("--close-after-messages"), QStringLiteral("1")});
    QVERIFY(!url.isEmpty());
    const Run run = runCli({QStringLiteral("connect"), url, QStringLiteral("--reconnect"),
                            QStringLiteral("--reconnect-delay"), QStringLiteral("100"),
                            QStringLiteral("--send"), QStringLiteral("order-42"),
                            QStringLiteral("--wait-messages"), QStringLiteral("2")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(stopServe(server));
    const QByteArray serverErr = server.readAllStandardError();
    QCOMPARE(serverErr.count(" open ("), 2);
    QCOMPARE(run.out.count("\"order-42\""), 4); // sent twice, echoed twice
}

// `run` for CI: the checks printed as they finish, exit 0 only when all passed (1 when one
// failed, 7 on the time limit), and JUnit XML that validates against the schema CI servers
// read (tests/app/junit.xsd, checked with xmllint).
void tst_Cli::runAScriptForCi()
{
    QProcess server;
    const QString url = startServe(server, {});
    QVERIFY(!url.isEmpty());
    QTemporaryDir dir;
    auto write = [&](const QString &name, const QByteArray &text) {
        QFile file(dir.filePath(name));
        return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
    };
    QVERIFY(write(QStringLiteral("ok.js"), "const conn = connect();\n"
                                           "test('echo', () => { conn.send('hi ' + env.WHO); "
                                           "conn.expect('hi you'); });\n"
                                           "log('done');\n"));
    QVERIFY(write(QStringLiteral("bad.js"), "const conn = connect();\n"
                                            "test('wrong', () => { conn.send('x'); "
                                            "assertEqual(conn.next().data, 'y'); });\n"
                                            "test('right <&>', () => { conn.send('z'); "
                                            "conn.expect('z'); });\n"));
    QVERIFY(write(QStringLiteral("slow.js"), "sleep(30000);\n"));
    const QString okReport = dir.filePath(QStringLiteral("ok.xml"));
    const QString badReport = dir.filePath(QStringLiteral("bad.xml"));
    const QString slowReport = dir.filePath(QStringLiteral("slow.xml"));
    Run run = runCli({QStringLiteral("run"), dir.filePath(QStringLiteral("ok.js")),
                      QStringLiteral("--url"), url, QStringLiteral("-e"), QStringLiteral("WHO=you"),
                      QStringLiteral("--junit"), okReport});
    QVERIFY2(run.exitCode == 0, run.out.constData());
    QVERIFY2(run.out.contains("PASS  echo\ndone\n1 passed, 0 failed"), run.out.constData());
    run = runCli({QStringLiteral("run"), dir.filePath(QStringLiteral("bad.js")),
                  QStringLiteral("--url"), url, QStringLiteral("--junit"), badReport});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.contains("FAIL  wrong: expected \"y\", got \"x\" (bad.js:2:39)"),
             run.out.constData());
    // A --url that is not a WebSocket URL is a usage error, before the script runs.
    run = runCli({QStringLiteral("run"), dir.filePath(QStringLiteral("ok.js")),
                  QStringLiteral("--url"), QStringLiteral("notaurl")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--url needs a ws:// or wss:// URL, not \"notaurl\""),
             run.err.constData());
    // A time that is not a whole number of seconds is a usage error that says so.
    run = runCli({QStringLiteral("run"), dir.filePath(QStringLiteral("ok.js")),
                  QStringLiteral("--timeout"), QStringLiteral("-3")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--timeout needs a whole number, 0 or more, not \"-3\""),
             run.err.constData());
    run = runCli({QStringLiteral("run"), dir.filePath(QStringLiteral("slow.js")),
                  QStringLiteral("--timeout"), QStringLiteral("1"), QStringLiteral("--junit"),
                  slowReport});
    QCOMPARE(run.exitCode, 7);
    QVERIFY2(run.out.contains("ERROR timed out after 1 s"), run.out.constData());
    QCOMPARE(runCli({QStringLiteral("run")}).exitCode, 2);
    QVERIFY(stopServe(server));

    QFile bad(badReport);
    QVERIFY(bad.open(QIODevice::ReadOnly));
    const QByteArray xml = bad.readAll();
    QVERIFY2(xml.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), xml.constData());
    QVERIFY(xml.contains("<testcase name=\"right &lt;&amp;&gt;\""));
    QVERIFY(xml.contains("failures=\"1\""));
    QProcess lint;
    lint.start(QStringLiteral("xmllint"),
               {QStringLiteral("--noout"), QStringLiteral("--schema"),
                QStringLiteral(FRAMESCOPE_SOURCE_DIR "/tests/app/junit.xsd"), okReport, badReport,
                slowReport});
    QVERIFY2(lint.waitForStarted(5000), "xmllint (libxml2-utils) is needed");
    QVERIFY(lint.waitForFinished(20000));
    QVERIFY2(lint.exitCode() == 0, lint.readAllStandardError().constData());
}

// `replay` for CI: a session recorded with `connect --capture` replays against the same server
// (exit 0), fails readably against a changed one (exit 1), writes JUnit XML that validates;
// the capture exported as HAR replays too; bad input is a usage error (exit 2).
void tst_Cli::replayACaptureForCi()
{
    QProcess server;
    const QString url = startServe(server, {});
    QVERIFY(!url.isEmpty());
    QProcess fragmenting;
    const QString fragmentingUrl
        = startServe(fragmenting, {QStringLiteral("--fragment"), QStringLiteral("2")});
    QVERIFY(!fragmentingUrl.isEmpty());
    QTemporaryDir dir;
    const QString capture = dir.filePath(QStringLiteral("session.jsonl"));
    Run run
        = runCli({QStringLiteral("connect"), url, QStringLiteral("--send"),
                  QStringLiteral("{\"id\":1,\"op\":\"hello\"}"), QStringLiteral("--send-binary"),
                  QStringLiteral("00ff"), QStringLiteral("--wait-messages"), QStringLiteral("2"),
                  QStringLiteral("--capture"), capture});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString okReport = dir.filePath(QStringLiteral("ok.xml"));
    const QString badReport = dir.filePath(QStringLiteral("bad.xml"));
    run = runCli({QStringLiteral("replay"), capture, QStringLiteral("--url"), url,
                  QStringLiteral("--junit"), okReport});
    QVERIFY2(run.exitCode == 0, (run.out + run.err).constData());
    QVERIFY2(run.out.contains("PASS  message 1: \"{\"id\":1,\"op\":\"hello\"}\"\n"
                              "PASS  message 2: 2 bytes: 00 ff\n2 passed, 0 failed"),
             run.out.constData());
    run = runCli({QStringLiteral("replay"), capture, QStringLiteral("--url"), fragmentingUrl,
                  QStringLiteral("--junit"), badReport});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.contains("FAIL  message 1: \"{\"id\":1,\"op\":\"hello\"}\": the same "
                              "message, framed differently: recorded as 1 frame (21 bytes), came "
                              "as 11 frames (2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1 bytes)"),
             run.out.constData());
    // Message level ignores the framing.
    run = runCli({QStringLiteral("replay"), capture, QStringLiteral("--url"), fragmentingUrl,
                  QStringLiteral("--messages"), QStringLiteral("--speed"), QStringLiteral("max")});
    QVERIFY2(run.exitCode == 0, (run.out + run.err).constData());
    // As HAR (Chrome's form), read back and replayed message by message.
    const QString har = dir.filePath(QStringLiteral("session.har"));
    QCOMPARE(runCli({QStringLiteral("export-har"), capture, QStringLiteral("-o"), har}).exitCode,
             0);
    run = runCli({QStringLiteral("replay"), har, QStringLiteral("--url"), url});
    QVERIFY2(run.exitCode == 0, (run.out + run.err).constData());
    QVERIFY2(run.err.contains("a HAR file keeps messages, not frames"), run.err.constData());
    // Bad input: a usage error that says what is wrong.
    run = runCli({QStringLiteral("replay"), capture});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("replay needs --url"), run.err.constData());
    run = runCli({QStringLiteral("replay"), dir.filePath(QStringLiteral("none.jsonl")),
                  QStringLiteral("--url"), url});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("cannot open"), run.err.constData());
    run = runCli({QStringLiteral("replay"), capture, QStringLiteral("--url"), url,
                  QStringLiteral("--ignore"), QStringLiteral("id")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("is not an ignore rule"), run.err.constData());
    run = runCli({QStringLiteral("replay"), capture, QStringLiteral("--url"), url,
                  QStringLiteral("--ignore"), QString()});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--ignore needs a rule"), run.err.constData());
    for (const char *speed : {"nan", "inf", "-1", "0"}) {
        run = runCli({QStringLiteral("replay"), capture, QStringLiteral("--url"), url,
                      QStringLiteral("--speed"), QString::fromLatin1(speed)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--speed takes a number > 0, or max"), speed);
    }
    run = runCli({QStringLiteral("replay"), capture, QStringLiteral("--url"), url,
                  QStringLiteral("--connection"), QStringLiteral("5")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("no connection 5 (its connections: 0)"), run.err.constData());
    QVERIFY(stopServe(server));
    QVERIFY(stopServe(fragmenting));

    QProcess lint;
    lint.start(QStringLiteral("xmllint"),
               {QStringLiteral("--noout"), QStringLiteral("--schema"),
                QStringLiteral(FRAMESCOPE_SOURCE_DIR "/tests/app/junit.xsd"), okReport, badReport});
    QVERIFY2(lint.waitForStarted(5000), "xmllint (libxml2-utils) is needed");
    QVERIFY(lint.waitForFinished(20000));
    QVERIFY2(lint.exitCode() == 0, lint.readAllStandardError().constData());
}

// A failed upgrade leaves a capture with the request, the answer and the Doctor's findings.
void tst_Cli::failedUpgradeLeavesACapture()
{
    QProcess server;
    const QString url
        = startServe(server, {QStringLiteral("--emulate"), QStringLiteral("iis-401")});
    QVERIFY(!url.isEmpty());
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("failed.jsonl"));
    const Run run = runCli({QStringLiteral("connect"), url, QStringLiteral("--send"),
                            QStringLiteral("x"), QStringLiteral("--capture"), path});
    QCOMPARE(run.exitCode, 3);
    QVERIFY(stopServe(server));
    const capture::CaptureReadResult read = capture::readCaptureFile(path.toStdString());
    QVERIFY2(read.ok(), read.error.c_str());
    QVERIFY(read.session.handshakeRequest.find("GET ") == 0);
    QVERIFY(read.session.handshakeResponse.find("401") != std::string::npos);
    QVERIFY(read.session.handshakeResponse.find("HTTP Error 401.2") != std::string::npos);
    QVERIFY(std::any_of(read.events.cbegin(), read.events.cend(), [](const auto &event) {
        return event.kind == capture::EventKind::Diagnosis
               && event.detail.find("Windows") != std::string::npos;
    }));
    const Run inspect = runCli({QStringLiteral("inspect"), path});
    QCOMPARE(inspect.exitCode, 0);
    QVERIFY(inspect.out.contains("< HTTP/1.1 401"));

    // A refused connection and a TLS failure leave a capture too, with the Doctor's finding.
    QTcpServer placeholder;
    QVERIFY(placeholder.listen(QHostAddress::LocalHost));
    const QString refusedUrl = QStringLiteral("ws://127.0.0.1:%1/").arg(placeholder.serverPort());
    placeholder.close();
    QProcess tlsServer;
    const QString tlsUrl = startServe(tlsServer, {QStringLiteral("--tls")}); // not trusted
    QVERIFY(!tlsUrl.isEmpty());
    for (const auto &[target, exitCode, finding] :
         {std::tuple{refusedUrl, 5, "connection-failed"}, std::tuple{tlsUrl, 4, "tls-failed"}}) {
        const QString failedPath = dir.filePath(QStringLiteral("failed-%1.jsonl").arg(exitCode));
        const Run failed
            = runCli({QStringLiteral("connect"), target, QStringLiteral("--capture"), failedPath});
        QCOMPARE(failed.exitCode, exitCode);
        const capture::CaptureReadResult failedRead
            = capture::readCaptureFile(failedPath.toStdString());
        QVERIFY2(failedRead.ok(), failedRead.error.c_str());
        QCOMPARE(QString::fromStdString(failedRead.session.url), target);
        QVERIFY(std::any_of(failedRead.events.cbegin(), failedRead.events.cend(),
                            [finding = std::string(finding)](const auto &event) {
                                return event.kind == capture::EventKind::Diagnosis
                                       && event.detail.find(finding) != std::string::npos;
                            }));
        const Run inspectFailed = runCli({QStringLiteral("inspect"), failedPath});
        QVERIFY2(inspectFailed.exitCode == 0, inspectFailed.err.constData());
        QVERIFY2(inspectFailed.out.contains(finding), inspectFailed.out.constData());
    }
    QVERIFY(stopServe(tlsServer));
}

// A client certificate in a legacy PKCS#12 file (RC2-40, 3DES: older Windows exports) works in
// the program, and its capture records it; when OpenSSL's legacy provider cannot be loaded, that
// is what the program says, not "wrong password".
void tst_Cli::legacyPkcs12ClientCertificate()
{
    const testcertificates::Set certificates;
    QTemporaryDir dir;
    const QString ca = dir.filePath(QStringLiteral("ca.pem"));
    const QString pfx = dir.filePath(QStringLiteral("client.pfx"));
    const QByteArray legacy = testcertificates::legacyPkcs12(certificates.client, "secret");
    QVERIFY2(!legacy.isEmpty(), "OpenSSL's legacy provider is needed to make the test file");
    QVERIFY(writeFile(ca, certificates.ca.certificate));
    QVERIFY(writeFile(pfx, legacy));
    TlsEchoServer server(certificates, true);
    const QString capturePath = dir.filePath(QStringLiteral("client-certificate.jsonl"));
    const QStringList arguments{QStringLiteral("connect"),         server.url(),
                                QStringLiteral("--cacert"),        ca,
                                QStringLiteral("--cert"),          pfx,
                                QStringLiteral("--pass"),          QStringLiteral("secret"),
                                QStringLiteral("--send"),          QStringLiteral("x"),
                                QStringLiteral("--wait-messages"), QStringLiteral("1")};
    const Run run = runCli(arguments + QStringList{QStringLiteral("--capture"), capturePath});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const capture::CaptureReadResult read = capture::readCaptureFile(capturePath.toStdString());
    QVERIFY2(read.ok(), read.error.c_str());
    QCOMPARE(read.session.tls.count("clientCertificate"), std::size_t(1));
    QCOMPARE(read.session.tls.at("clientCertificate"), std::string("framescope-test-client"));

    QTemporaryDir noModules; // where OpenSSL finds no legacy.so
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("OPENSSL_MODULES"), noModules.path());
    const Run withoutLegacy = runCli(arguments, {}, 20000, environment);
    QCOMPARE(withoutLegacy.exitCode, 2);
    QVERIFY2(withoutLegacy.err.contains("legacy provider, and that provider could not be loaded"),
             withoutLegacy.err.constData());
    QVERIFY2(withoutLegacy.err.contains("RC2-40-CBC"), withoutLegacy.err.constData());
    QVERIFY(!withoutLegacy.err.contains("wrong password"));
}

// ws:// to `serve --tls`, wss:// to a plain WebSocket server: the advice is the other scheme,
// with the URL to use, not a certificate.
void tst_Cli::plainAndTlsPortsMixedUp()
{
    QTemporaryDir data;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), data.path());
    QProcess server;
    const QString tlsUrl = startServe(server, {QStringLiteral("--tls")}, environment);
    QVERIFY2(tlsUrl.startsWith(QStringLiteral("wss://")), qPrintable(tlsUrl));
    const QString plainUrl = QStringLiteral("ws://") + tlsUrl.mid(6);
    const Run toTls = runCli(
        {QStringLiteral("connect"), plainUrl, QStringLiteral("--send"), QStringLiteral("x")});
    QCOMPARE(toTls.exitCode, 3);
    // serve --tls answers plain HTTP with a 400 that says so; the Doctor puts that first.
    QVERIFY2(toTls.err.contains("error: This port speaks TLS: use wss://\n"),
             toTls.err.constData());
    QVERIFY2(toTls.err.contains("Use wss:// instead: " + tlsUrl.toLatin1()), toTls.err.constData());
    QVERIFY(!toTls.err.contains("--insecure"));
    QVERIFY(stopServe(server));

    // Qt's WebSocket server waits for the rest of a request that never ends (10 s): the TLS
    // time limit runs out first.
    EchoServer plain;
    const QString secureUrl = QStringLiteral("wss://") + plain.url().mid(5);
    const Run toPlain
        = runCli({QStringLiteral("connect"), secureUrl, QStringLiteral("--send"),
                  QStringLiteral("x"), QStringLiteral("--tls-timeout"), QStringLiteral("2000")});
    QCOMPARE(toPlain.exitCode, 7);
    QVERIFY2(toPlain.err.contains(plain.url().toLatin1()), toPlain.err.constData());
    QVERIFY2(!toPlain.err.contains("--cacert") && !toPlain.err.contains("--insecure"),
             toPlain.err.constData());
}

// Ctrl-C in interactive mode: a close frame (1001, going away), the server's answer, and the
// capture finished under its name (not left as FILE.partial); exit 0.
// A file to be written when the command ends (--capture, --junit) that cannot be is a usage
// error before anything runs, naming the option: a folder given for it, a folder that is not.
void tst_Cli::outputFilesAreCheckedFirst()
{
    QTemporaryDir dir;
    const QString folder = dir.path();
    const QByteArray isAFolder = ": that is a folder; give a file name in it";
    Run run = runCli({QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                      QStringLiteral("--capture"), folder});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--capture " + folder.toUtf8() + isAFolder), run.err.constData());
    QVERIFY2(!run.err.contains("connection failed"), run.err.constData()); // never connected

    run = runCli({QStringLiteral("serve"), QStringLiteral("--capture"), folder});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--capture " + folder.toUtf8() + isAFolder), run.err.constData());

    run = runCli({QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                  QStringLiteral("--capture"), dir.filePath(QStringLiteral("no/such/c.jsonl"))});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("does not exist or is not writable"), run.err.constData());

    // The script does not run when its report could not be written.
    const QString script = dir.filePath(QStringLiteral("s.js"));
    QFile file(script);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("log('the script ran');\n");
    file.close();
    run = runCli({QStringLiteral("run"), script, QStringLiteral("--junit"), folder});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--junit " + folder.toUtf8() + isAFolder), run.err.constData());
    QVERIFY2(!run.out.contains("the script ran"), run.out.constData());
    run = runCli({QStringLiteral("run"), script, QStringLiteral("--junit"), QStringLiteral("-")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.out.contains("the script ran"));
}

// An error names what was given and what is wrong with it, not a rule that does not apply.
void tst_Cli::errorsSayWhatIsWrong_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("said");
    QTest::newRow("refuse 999") << QStringList{QStringLiteral("serve"), QStringLiteral("--refuse"),
                                               QStringLiteral("999")}
                                << 2 << QStringLiteral("not \"999\"");
    QTest::newRow("an odd number of hex digits")
        << QStringList{QStringLiteral("connect"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--send-binary"), QStringLiteral("0")}
        << 2 << QStringLiteral("two hex digits a byte: \"0\" has an odd number of them (1)");
    QTest::newRow("a CA file not there")
        << QStringList{QStringLiteral("connect"), QStringLiteral("wss://127.0.0.1:1/"),
                       QStringLiteral("--cacert"), QStringLiteral("/nonexistent/ca.pem")}
        << 2 << QStringLiteral("cannot read /nonexistent/ca.pem: No such file or directory");
    QTest::newRow("a certificate not there")
        << QStringList{QStringLiteral("connect"), QStringLiteral("wss://127.0.0.1:1/"),
                       QStringLiteral("--cert"), QStringLiteral("/nonexistent/me.p12")}
        << 2 << QStringLiteral("cannot read /nonexistent/me.p12: No such file or directory");
    QTest::newRow("replay of a text file")
        << QStringList{QStringLiteral("replay"), QStringLiteral(FRAMESCOPE_SOURCE_DIR "/README.md"),
                       QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/")}
        << 2
        << QStringLiteral("README.md: neither a Framescope capture (its first line is the session "
                          "line) nor a HAR file");
}

void tst_Cli::errorsSayWhatIsWrong()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, said);
    const Run run = runCli(arguments);
    QVERIFY2(run.err.contains(said.toUtf8()), run.err.constData());
    QCOMPARE(run.exitCode, exitCode);
}

namespace {

// Starts `framescope-cli connect ARGUMENTS` reading its standard input, and waits until it has
// connected; what it said on standard error so far goes to `err`.
bool startConnected(QProcess &client, const QStringList &arguments, QByteArray &err)
{
    client.start(QStringLiteral(FRAMESCOPE_CLI),
                 QStringList{QStringLiteral("connect")} + arguments);
    return client.waitForStarted(5000)
           && QTest::qWaitFor(
               [&] {
                   err += client.readAllStandardError();
                   return err.contains("connected to");
               },
               10000);
}

} // namespace

// The capture's folder gone while the session ran: the recording is not made, and `connect`
// says so and fails (exit 5, as `serve` does), not 0.
void tst_Cli::aCaptureNotMadeFailsTheCommand()
{
    QProcess server;
    const QString url = startServe(server, {});
    QVERIFY(!url.isEmpty());
    auto dir = std::make_unique<QTemporaryDir>();
    const QString path = dir->filePath(QStringLiteral("gone.jsonl"));
    QProcess client;
    QByteArray err;
    QVERIFY(startConnected(client, {url, QStringLiteral("--capture"), path}, err));
    dir.reset(); // the folder and the journal in it removed
    client.write("into a capture that cannot be made\n");
    client.closeWriteChannel();
    QVERIFY(client.waitForFinished(10000));
    err += client.readAllStandardError();
    QVERIFY2(err.contains("capture: "), err.constData());
    QCOMPARE(client.exitCode(), 5);
    QVERIFY(stopServe(server));
}

void tst_Cli::ctrlCClosesAndFinishesTheCapture()
{
    QProcess server;
    const QString url = startServe(server, {});
    QVERIFY(!url.isEmpty());
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("interrupted.jsonl"));
    QProcess client;
    QByteArray err;
    QVERIFY(startConnected(client, {url, QStringLiteral("--capture"), path}, err));
    client.write("typed before Ctrl-C\n");
    QByteArray out;
    QVERIFY(QTest::qWaitFor(
        [&] {
            out += client.readAllStandardOutput();
            return out.contains("<- FIN RSV=000 TEXT");
        },
        10000));
    ::kill(pid_t(client.processId()), SIGINT);
    QVERIFY(client.waitForFinished(10000));
    err += client.readAllStandardError();
    QCOMPARE(client.exitCode(), 0);
    QVERIFY2(err.contains("sent 1001, received 1001"), err.constData());
    QVERIFY(QFile::exists(path));
    QVERIFY(!QFile::exists(path + QStringLiteral(".partial")));
    const capture::CaptureReadResult read = capture::readCaptureFile(path.toStdString());
    QVERIFY2(read.ok(), read.error.c_str());
    QVERIFY(std::any_of(read.frames.cbegin(), read.frames.cend(), [](const auto &frame) {
        return frame.record.opcode == 8 && frame.record.has(capture::FrameRecord::Sent);
    }));
    QVERIFY(stopServe(server));
}

// 0 means no limit for every time option (it used to fail at once for some of them).
void tst_Cli::timeLimitsOfZeroMeanNone()
{
    EchoServer server;
    const Run run = runCli({QStringLiteral("connect"), server.url(), QStringLiteral("--send"),
                            QStringLiteral("hi"), QStringLiteral("--wait-messages"),
                            QStringLiteral("1"), QStringLiteral("--connect-timeout"),
                            QStringLiteral("0"), QStringLiteral("--handshake-timeout"),
                            QStringLiteral("0"), QStringLiteral("--close-timeout"),
                            QStringLiteral("0"), QStringLiteral("--timeout"), QStringLiteral("0")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

// A port that takes TCP but never answers TLS: a timeout (exit 7) after --tls-timeout, with the
// Doctor's word on it, not a certificate failure (exit 4).
void tst_Cli::aTlsHandshakeThatStallsIsATimeout()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    const Run run = runCli({QStringLiteral("connect"),
                            QStringLiteral("wss://127.0.0.1:%1/").arg(silent.serverPort()),
                            QStringLiteral("--tls-timeout"), QStringLiteral("300"),
                            QStringLiteral("--send"), QStringLiteral("x")});
    QCOMPARE(run.exitCode, 7);
    QVERIFY2(run.err.contains("TLS handshake timed out"), run.err.constData());
    QVERIFY2(run.err.contains("The TLS handshake did not finish"), run.err.constData());
}

// --slash: /ping sends a ping (its pong is printed), /binary a binary message, //text the text
// "/text", and /close closes with the code and reason given.
void tst_Cli::slashCommandsInInteractiveMode()
{
    EchoServer server;
    const Run run = runCli({QStringLiteral("connect"), server.url(), QStringLiteral("--slash")},
                           "/ping are you there\n/binary 00ff\n//not a command\n/nope\n"
                           "/close 4001 done here\nnever sent\n");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.out.contains("PING MASK=") && run.out.contains("\"are you there\""),
             run.out.constData());
    QVERIFY(run.out.contains("<- FIN RSV=000 PONG"));
    QVERIFY(run.out.contains("<- FIN RSV=000 BINARY LEN=2  00 ff"));
    QVERIFY(run.out.contains("\"/not a command\""));
    QVERIFY2(run.err.contains("unknown command /nope"), run.err.constData());
    QVERIFY(run.out.contains("code 4001 \"done here\""));
    QVERIFY(!run.out.contains("never sent"));
    QVERIFY2(run.err.contains("sent 4001"), run.err.constData());
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
