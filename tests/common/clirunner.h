#pragma once

// Running framescope-cli from a test: a command to its end, or `serve` in the background.
// Header-only, for the tests that need it; FRAMESCOPE_CLI is the program's path.

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTest>

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

inline Run runCli(const QStringList &arguments, const QByteArray &input = {}, int timeoutMs = 20000,
                  const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(FRAMESCOPE_CLI), arguments);
    if (!process.waitForStarted(5000))
        return {};
    if (!input.isNull()) {
        process.write(input);
        process.closeWriteChannel();
    }
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
}

// Starts `serve` with these arguments; returns its first URL, or empty.
inline QString startServe(QProcess &server, const QStringList &arguments,
                          const QProcessEnvironment &environment
                          = QProcessEnvironment::systemEnvironment())
{
    server.setProcessEnvironment(environment);
    server.start(
        QStringLiteral(FRAMESCOPE_CLI),
        QStringList{QStringLiteral("serve"), QStringLiteral("--host"), QStringLiteral("127.0.0.1")}
            + arguments);
    if (!server.waitForStarted(5000) || !server.waitForReadyRead(10000))
        return {};
    const QByteArray line = server.readLine().trimmed();
    return line.startsWith("listening ") ? QString::fromLatin1(line.mid(10)) : QString();
}

inline bool stopServe(QProcess &server)
{
    server.terminate();
    return QTest::qWaitFor([&] { return server.state() == QProcess::NotRunning; }, 10000)
           && server.exitCode() == 0;
}
