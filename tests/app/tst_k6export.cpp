// `framescope-cli export-k6`: every script it writes type-checks with TypeScript against
// @types/k6 (both from the npm registry, installed by scripts/framescope.sh test), for captures
// with text, binary, a subprotocol and secrets, and for a HAR file; the secrets are not in the
// scripts but read from the environment. A script with a type error fails the same check, so
// the check can fail.

#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class tst_K6Export : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // tsc over the scripts; its exit code (-1 when it could not run) and output.
    std::pair<int, QByteArray> typeCheck(const QStringList &scripts)
    {
        QFile config(m_dir.filePath(QStringLiteral("tsconfig.json")));
        if (!config.open(QIODevice::WriteOnly))
            return {-1, "cannot write tsconfig.json"};
        QStringList files;
        for (const QString &script : scripts)
            files << QLatin1Char('"') + script + QLatin1Char('"');
        config.write(QStringLiteral(R"({
  "compilerOptions": {
    "allowJs": true, "checkJs": true, "noEmit": true, "strict": true,
    "target": "es2020", "module": "es2020", "moduleResolution": "node",
    "lib": ["es2020"], "types": ["k6"], "typeRoots": ["%1/@types"]
  },
  "files": [%2]
}
)")
                         .arg(QStringLiteral(FRAMESCOPE_NODE_MODULES), files.join(QLatin1Char(',')))
                         .toUtf8());
        config.close();
        QProcess tsc;
        tsc.setProcessChannelMode(QProcess::MergedChannels);
        tsc.start(QStringLiteral(FRAMESCOPE_NODE_MODULES "/.bin/tsc"),
                  {QStringLiteral("-p"), config.fileName()});
        if (!tsc.waitForStarted(10000) || !tsc.waitForFinished(120000))
            return {-1, "tsc did not run: " + tsc.errorString().toUtf8()};
        return {tsc.exitCode(), tsc.readAll()};
    }

    // export-k6 of `source` (to SOURCE.k6.js) with `options`: the script, empty when it failed.
    QByteArray exportK6(const QString &source, const QStringList &options)
    {
        const QString script = source + QStringLiteral(".k6.js");
        const Run run
            = runCli(QStringList{QStringLiteral("export-k6"), source, QStringLiteral("-o"), script}
                     + options);
        if (run.exitCode != 0) {
            qWarning("export-k6 failed: %s", run.err.constData());
            return {};
        }
        QFile file(script);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(FRAMESCOPE_NODE_MODULES "/.bin/tsc"))
                     && QDir(QStringLiteral(FRAMESCOPE_NODE_MODULES "/@types/k6")).exists(),
                 "typescript and @types/k6 from npm are needed: scripts/framescope.sh test "
                 "installs them into build/dev/npm");
    }

    // The script's checks leave out what replay's do: a text rule that breaks the JSON does not
    // turn the path rules off (the generated comparison run in Node.js).
    void rulesCompareAsReplayDoes()
    {
        const QString har = m_dir.filePath(QStringLiteral("rules.har"));
        QFile file(har);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"log\":{\"version\":\"1.2\",\"entries\":[{\"request\":{\"method\":\"GET\","
                   "\"url\":\"ws://127.0.0.1:9/\",\"headers\":[]},\"response\":{\"status\":101,"
                   "\"headers\":[]},\"_resourceType\":\"websocket\",\"_webSocketMessages\":["
                   "{\"type\":\"send\",\"time\":1.0,\"opcode\":1,\"data\":\"hi\"},"
                   "{\"type\":\"receive\",\"time\":1.1,\"opcode\":1,"
                   "\"data\":\"{\\\"id\\\":1,\\\"at\\\":\\\"10:00\\\",\\\"v\\\":1}\"}]}]}}");
        file.close();
        const QByteArray text
            = exportK6(har, {QStringLiteral("--ignore"), QStringLiteral("/\"at\":\"[^\"]*\"/"),
                             QStringLiteral("--ignore"), QStringLiteral("$.id")});
        QVERIFY(!text.isEmpty());
        const qsizetype from = text.indexOf("const ignore = [");
        const qsizetype to = text.indexOf("export default function");
        QVERIFY(from > 0 && to > from);
        const QByteArray probe = text.mid(from, to - from)
                                 + "\nconst a = normalized('{\"id\":1,\"at\":\"10:00\",\"v\":1}');"
                                   "\nconst b = normalized('{\"at\":\"11:00\",\"v\":1,\"id\":2}');"
                                   "\nconst c = normalized('{\"id\":2,\"at\":\"11:00\",\"v\":2}');"
                                   "\nconsole.log(JSON.stringify([a === b, a === c]));\n";
        QProcess node;
        node.setProcessChannelMode(QProcess::MergedChannels);
        node.start(QStringLiteral("node"), {QStringLiteral("-e"), QString::fromUtf8(probe)});
        QVERIFY2(node.waitForStarted(10000), "node is needed (Debian's nodejs)");
        QVERIFY(node.waitForFinished(30000));
        QCOMPARE(node.readAll().trimmed(), QByteArray("[true,false]"));
    }

    void scriptsTypeCheck()
    {
        QProcess server;
        const QString url
            = startServe(server, {QStringLiteral("--require-subprotocol"), QStringLiteral("chat")});
        QVERIFY(!url.isEmpty());
        // One capture redacted (the default), one that kept its secrets: neither may leak.
        const QString capture = m_dir.filePath(QStringLiteral("session.jsonl"));
        const QString kept = m_dir.filePath(QStringLiteral("kept.jsonl"));
        Run run;
        for (const QString &path : {capture, kept}) {
            QStringList arguments{QStringLiteral("connect"),
                                  url + QStringLiteral("?access_token=urlsecret"),
                                  QStringLiteral("--subprotocol"),
                                  QStringLiteral("chat"),
                                  QStringLiteral("-H"),
                                  QStringLiteral("Authorization: Bearer s3cret"),
                                  QStringLiteral("-H"),
                                  QStringLiteral("X-Api-Token: t0ken"),
                                  QStringLiteral("-H"),
                                  QStringLiteral("X-Tenant: blue"),
                                  QStringLiteral("--send"),
                                  QStringLiteral("{\"op\":\"subscribe\",\"id\":1}"),
                                  QStringLiteral("--send-binary"),
                                  QStringLiteral("00ff10"),
                                  QStringLiteral("--send"),
                                  QStringLiteral("it's \"quoted\"\\ and\nnew"),
                                  QStringLiteral("--wait-messages"),
                                  QStringLiteral("3"),
                                  QStringLiteral("--capture"),
                                  path};
            if (path == kept)
                arguments << QStringLiteral("--keep-secrets");
            run = runCli(arguments);
            QVERIFY2(run.exitCode == 0, run.err.constData());
        }
        QVERIFY(stopServe(server));
        const QString har = m_dir.filePath(QStringLiteral("session.har"));
        QCOMPARE(
            runCli({QStringLiteral("export-har"), capture, QStringLiteral("-o"), har}).exitCode, 0);

        QStringList scripts;
        for (const QString &source : {capture, kept, har}) {
            const QByteArray text
                = exportK6(source, {QStringLiteral("--vus"), QStringLiteral("20"),
                                    QStringLiteral("--duration"), QStringLiteral("2m"),
                                    QStringLiteral("--ignore"), QStringLiteral("$.id"),
                                    QStringLiteral("--ignore"), QStringLiteral("s/[0-9]+/N/")});
            QVERIFY(!text.isEmpty());
            for (const char *secret : {"s3cret", "t0ken", "urlsecret"})
                QVERIFY2(!text.contains(secret), secret);
            QVERIFY2(text.contains("__ENV.FRAMESCOPE_HEADER_AUTHORIZATION"), text.constData());
            QVERIFY(text.contains("__ENV.FRAMESCOPE_HEADER_X_API_TOKEN"));
            QVERIFY(text.contains("if (!url) throw new Error(")); // the URL had a token
            QVERIFY(text.contains("\"X-Tenant\": \"blue\""));
            QVERIFY(text.contains("'Sec-WebSocket-Protocol': \"chat\""));
            QVERIFY(text.contains("vus: Number(__ENV.VUS || 20)"));
            QVERIFY(text.contains("duration: __ENV.DURATION || \"2m\""));
            QVERIFY(text.contains("binary: \"AP8Q\""));
            scripts << source + QStringLiteral(".k6.js");
        }
        const auto [exitCode, output] = typeCheck(scripts);
        QVERIFY2(exitCode == 0, output.constData());

        // The same check on a script with a type error fails.
        QFile good(scripts.front());
        QVERIFY(good.open(QIODevice::ReadOnly));
        QByteArray broken = good.readAll();
        QVERIFY(broken.contains("socket.sendBinary(b64decode(item.binary))"));
        broken.replace("socket.sendBinary(b64decode(item.binary))",
                       "socket.sendBinary(item.binary)");
        const QString brokenPath = m_dir.filePath(QStringLiteral("broken.js"));
        QFile out(brokenPath);
        QVERIFY(out.open(QIODevice::WriteOnly) && out.write(broken) == broken.size());
        out.close();
        const auto [brokenExit, brokenOutput] = typeCheck({brokenPath});
        QVERIFY2(brokenExit != 0 && brokenOutput.contains("ArrayBuffer"), brokenOutput.constData());
    }
};

QTEST_GUILESS_MAIN(tst_K6Export)
#include "tst_k6export.moc"
