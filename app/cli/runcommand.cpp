// framescope-cli run SCRIPT.js: a script against a server, for CI. Its test() checks are printed
// as they finish, with a summary; --junit writes them as JUnit XML. Exit code 0 only when the
// script completed and every check passed.

#include "checkreport.h"
#include "cliexit.h"
#include "offlinecommands.h"
#include "optionparsing.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <cstdio>
#include <scripting/junitreport.h>
#include <scripting/scriptrunner.h>
#include <session/client/websocketurl.h>
#include <session/frontend/sessionmanager.h>

namespace framescope::cli {

int runScript(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Runs a script (docs/scripting.md) and reports its test() checks."));
    parser.addPositionalArgument(QStringLiteral("SCRIPT"),
                                 QStringLiteral("the script, a .js file"));
    const QCommandLineOption url(QStringLiteral("url"),
                                 QStringLiteral("the URL connect() uses when given none"),
                                 QStringLiteral("URL"));
    const QCommandLineOption variable(QStringList{QStringLiteral("e"), QStringLiteral("env")},
                                      QStringLiteral("a variable for the script's env (repeat)"),
                                      QStringLiteral("NAME=VALUE"));
    const QCommandLineOption junit(QStringLiteral("junit"),
                                   QStringLiteral("write the results as JUnit XML to FILE"),
                                   QStringLiteral("FILE"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("stop the script after S seconds (default "
                                                    "60; 0: no limit)"),
                                     QStringLiteral("S"));
    const QCommandLineOption watchdog(QStringLiteral("watchdog"),
                                      QStringLiteral("stop a script running S seconds without "
                                                     "calling the API (default 10; 0: off)"),
                                      QStringLiteral("S"));
    parser.addOptions({url, variable, junit, timeout, watchdog});
    if (const std::optional<int> exit = parseCommandLine(parser, QStringLiteral("run"), arguments))
        return *exit;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usage(QStringLiteral("run takes one script file"));
    // A report that cannot be written is said before the script runs, not after it.
    if (parser.isSet(junit))
        if (const auto error = checkOutputFile(QStringLiteral("junit"), parser.value(junit), true))
            return usage(*error);
    scripting::ScriptOptions options;
    options.defaultUrl = parser.value(url);
    if (parser.isSet(url)) { // read as `connect` reads its URL
        const session::ParsedUrl given = session::parseWebSocketUrl(options.defaultUrl);
        if (!given.error.isEmpty())
            return usage(QStringLiteral("--url needs a ws:// or wss:// URL, not \"%1\"")
                             .arg(options.defaultUrl));
        if (!given.note.isEmpty())
            std::fprintf(stderr, "note: %s\n", qPrintable(given.note));
        options.defaultUrl = given.url.toString();
    }
    int timeoutSeconds = options.timeoutMs / 1000;
    int watchdogSeconds = options.watchdogMs / 1000;
    if (const std::optional<QString> error
        = readIntOptions(parser, {{timeout, timeoutSeconds}, {watchdog, watchdogSeconds}}))
        return usage(*error);
    options.timeoutMs = timeoutSeconds * 1000;
    options.watchdogMs = watchdogSeconds * 1000;
    for (const QString &pair : parser.values(variable)) {
        const qsizetype equals = pair.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return usage(QStringLiteral("-e takes NAME=VALUE, not \"%1\"").arg(pair));
        options.env.insert(pair.left(equals), pair.mid(equals + 1));
    }
    QFile file(positional.front());
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "framescope-cli: cannot read %s: %s\n", qPrintable(positional.front()),
                     qPrintable(file.errorString()));
        return ExitUsage;
    }
    const QString source = QString::fromUtf8(file.readAll());
    const QString name = QFileInfo(file.fileName()).fileName();

    session::SessionManager manager;
    scripting::ScriptRunner runner(manager, options);
    QObject::connect(&runner, &scripting::ScriptRunner::output, [](const QString &line) {
        std::printf("%s\n", qPrintable(line));
        std::fflush(stdout);
    });
    QObject::connect(&runner, &scripting::ScriptRunner::testFinished, &printCheck);
    const scripting::ScriptResult result = runner.run(source, name);
    printSummary(result, QStringLiteral("the script did not complete"));
    if (parser.isSet(junit)
        && !writeOutput(parser.value(junit), scripting::junitReport(name, result)))
        return ExitUsage;
    if (result.ending == scripting::ScriptResult::Ending::TimedOut)
        return ExitTimeout;
    return result.passed() ? ExitSuccess : ExitFailedCheck;
}

} // namespace framescope::cli
