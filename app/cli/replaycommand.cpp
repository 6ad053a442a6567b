// framescope-cli replay, export-har and export-k6: a recording (a capture or a browser's HAR
// file) replayed against a server for CI, or handed to other tools.

#include "checkreport.h"
#include "cliexit.h"
#include "offlinecommands.h"
#include "optionparsing.h"

#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QTimer>
#include <cmath>
#include <cstdio>
#include <replay/harexport.h>
#include <replay/k6script.h>
#include <replay/replayer.h>
#include <scripting/junitreport.h>
#include <session/frontend/sessionmanager.h>

namespace framescope::cli {

namespace {

void printNotes(const QStringList &notes)
{
    for (const QString &note : notes)
        std::fprintf(stderr, "note: %s\n", qPrintable(note));
}

// The recording named on the command line, or nothing after saying why.
std::optional<replay::Recording> readRecordingArgument(const QCommandLineParser &parser,
                                                       const QCommandLineOption &connection,
                                                       int &exitCode)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        exitCode = usage(QStringLiteral("give one capture or HAR file"));
        return std::nullopt;
    }
    std::optional<int> which;
    if (parser.isSet(connection)) {
        bool ok = false;
        which = parser.value(connection).toInt(&ok);
        if (!ok || *which < 0) {
            exitCode = usage(QStringLiteral("--connection takes a number >= 0"));
            return std::nullopt;
        }
    }
    replay::RecordingRead read = replay::readRecording(positional.front(), which);
    if (!read.ok()) {
        std::fprintf(stderr, "framescope-cli: %s: %s\n", qPrintable(positional.front()),
                     qPrintable(read.error));
        exitCode = ExitUsage;
        return std::nullopt;
    }
    return std::move(read.recording);
}

QCommandLineOption connectionOption()
{
    return QCommandLineOption(QStringLiteral("connection"),
                              QStringLiteral("which connection of a capture with several, as "
                                             "numbered in it (a client's from 0, the built-in "
                                             "server's from 1), or which WebSocket entry of a HAR "
                                             "file (from 0); default the first"),
                              QStringLiteral("N"));
}

// The --ignore rules given, into `rules`; why the first that is not a rule is not one (a blank
// one included: on the command line it is a slip, not a rule).
std::optional<QString> readIgnoreRules(const QStringList &texts, QList<replay::IgnoreRule> &rules)
{
    for (const QString &text : texts)
        if (text.trimmed().isEmpty())
            return QStringLiteral("--ignore needs a rule ($.json.path, /REGEX/ or "
                                  "s/REGEX/REPLACEMENT/), not an empty one");
    return replay::parseIgnoreRules(texts, rules);
}

QCommandLineOption ignoreOption()
{
    return QCommandLineOption(QStringLiteral("ignore"),
                              QStringLiteral("leave out of the comparison (repeat): $.json.path, "
                                             "/REGEX/ or s/REGEX/REPLACEMENT/"),
                              QStringLiteral("RULE"));
}

} // namespace

int runReplay(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Replays a recording (a capture, or a HAR file saved by a browser) against a server and "
        "compares each message received with the recording. Exit code 0 only when all match."));
    parser.addPositionalArgument(QStringLiteral("CAPTURE"),
                                 QStringLiteral("a capture file, or a HAR file"));
    const QCommandLineOption url(QStringLiteral("url"),
                                 QStringLiteral("the server to replay against"),
                                 QStringLiteral("URL"));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("the recorded pace times X (2: twice as fast); "
                                                  "max: as fast as possible"),
                                   QStringLiteral("X"));
    const QCommandLineOption ignore = ignoreOption();
    const QCommandLineOption junit(QStringLiteral("junit"),
                                   QStringLiteral("write the comparison as JUnit XML to FILE"),
                                   QStringLiteral("FILE"));
    const QCommandLineOption messages(QStringLiteral("messages"),
                                      QStringLiteral("send the client's messages, framed normally, "
                                                     "instead of its frames as recorded"));
    const QCommandLineOption keepMasks(QStringLiteral("keep-mask-keys"),
                                       QStringLiteral("frame-exact: the recorded mask keys, not "
                                                      "fresh ones"));
    const QCommandLineOption header(QStringList{QStringLiteral("H"), QStringLiteral("header")},
                                    QStringLiteral("a request header, replacing the recorded one "
                                                   "of that name (repeat)"),
                                    QStringLiteral("NAME: VALUE"));
    const QCommandLineOption cacert(QStringLiteral("cacert"),
                                    QStringLiteral("trust these CA certificates (PEM)"),
                                    QStringLiteral("FILE"));
    const QCommandLineOption insecure(QStringLiteral("insecure"),
                                      QStringLiteral("accept an invalid certificate"));
    const QCommandLineOption replyWait(QStringLiteral("reply-wait"),
                                       QStringLiteral("after the last send, how long a reply may "
                                                      "take, in ms (default 5000)"),
                                       QStringLiteral("MS"));
    const QCommandLineOption tolerance(QStringLiteral("timing-tolerance"),
                                       QStringLiteral("a reply later than recorded by more than MS "
                                                      "fails (default 1000; 0: timing not "
                                                      "compared)"),
                                       QStringLiteral("MS"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("stop after S seconds (default 300; 0: none)"),
                                     QStringLiteral("S"));
    const QCommandLineOption connection = connectionOption();
    parser.addOptions({url, speed, ignore, junit, messages, keepMasks, header, cacert, insecure,
                       replyWait, tolerance, timeout, connection});
    if (const std::optional<int> exit
        = parseCommandLine(parser, QStringLiteral("replay"), arguments))
        return *exit;
    if (!parser.isSet(url))
        return usage(QStringLiteral("replay needs --url, the server to replay against"));
    replay::ReplayOptions options;
    options.connection.url = QUrl(parser.value(url));
    if (!replay::isReplayUrl(options.connection.url))
        return usage(
            QStringLiteral("--url needs a ws:// or wss:// URL, not \"%1\"").arg(parser.value(url)));
    if (parser.isSet(speed)) {
        bool ok = true;
        options.speed
            = parser.value(speed) == QLatin1String("max") ? 0 : parser.value(speed).toDouble(&ok);
        if (!ok || !std::isfinite(options.speed) || options.speed < 0
            || (options.speed == 0 && parser.value(speed) != QLatin1String("max")))
            return usage(QStringLiteral("--speed takes a number > 0, or max"));
    }
    if (const auto error = readIgnoreRules(parser.values(ignore), options.rules))
        return usage(*error);
    if (const auto error = readHeaders(parser.values(header), options.connection.headers))
        return usage(*error);
    options.mode = parser.isSet(messages) ? replay::ReplayOptions::Mode::Messages
                                          : replay::ReplayOptions::Mode::FrameExact;
    options.keepMaskKeys = parser.isSet(keepMasks);
    options.connection.caFile = parser.value(cacert);
    options.connection.acceptInvalidCertificate = parser.isSet(insecure);
    int timeoutSeconds = 300;
    if (const auto error = readIntOptions(parser, {{replyWait, options.replyWaitMs},
                                                   {tolerance, options.timingToleranceMs},
                                                   {timeout, timeoutSeconds}}))
        return usage(*error);
    // A report that cannot be written is said before the replay, not after it.
    if (parser.isSet(junit))
        if (const auto error = checkOutputFile(QStringLiteral("junit"), parser.value(junit), true))
            return usage(*error);
    int exitCode = ExitSuccess;
    std::optional<replay::Recording> recording
        = readRecordingArgument(parser, connection, exitCode);
    if (!recording)
        return exitCode;
    const QString name = QFileInfo(parser.positionalArguments().front()).fileName();
    printNotes(recording->notes);
    const auto count = [](std::size_t n) {
        return n == 1 ? QStringLiteral("1 message") : QStringLiteral("%1 messages").arg(n);
    };
    std::printf("replaying %s (%s sent, %s received) against %s\n", qPrintable(name),
                qPrintable(count(recording->clientMessages.size())),
                qPrintable(count(recording->serverMessages.size())),
                qPrintable(options.connection.url.toString()));
    std::fflush(stdout);

    session::SessionManager manager;
    replay::Replayer replayer(manager, std::move(*recording), options);
    QEventLoop loop;
    QObject::connect(&replayer, &replay::Replayer::finished, &loop, &QEventLoop::quit);
    QObject::connect(&replayer, &replay::Replayer::compared, [](const replay::Comparison &c) {
        printCheck(c.name(), c.passed, c.message);
    });
    bool timedOut = false;
    QTimer limit;
    limit.setSingleShot(true);
    limit.setTimerType(Qt::PreciseTimer);
    QObject::connect(&limit, &QTimer::timeout, [&] {
        timedOut = true;
        replayer.stop();
    });
    if (timeoutSeconds > 0)
        limit.start(timeoutSeconds * 1000);
    replayer.start();
    printNotes(replayer.notes());
    if (replayer.isRunning())
        loop.exec();

    scripting::ScriptResult result = replayer.result();
    if (timedOut) {
        result.ending = scripting::ScriptResult::Ending::TimedOut;
        result.error = QStringLiteral("the replay took over %1 s (--timeout)").arg(timeoutSeconds);
    }
    printSummary(result);
    if (parser.isSet(junit)
        && !writeOutput(parser.value(junit),
                        scripting::junitReport(QStringLiteral("replay ") + name, result,
                                               QStringLiteral("(replay)"))))
        return ExitUsage;
    if (timedOut)
        return ExitTimeout;
    if (result.ending == scripting::ScriptResult::Ending::Failed && result.tests.isEmpty()) {
        // Could not connect: as `connect` says it (3 a failed upgrade, 4 TLS, 5 connection).
        const int code = exitCodeFor(replayer.sessionError());
        return code == ExitSuccess || code == ExitFailedCheck ? ExitConnection : code;
    }
    return result.passed() ? ExitSuccess : ExitFailedCheck;
}

int runExportHar(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes a capture as a HAR file in the form Chrome's DevTools write (secrets redacted)."));
    parser.addPositionalArgument(QStringLiteral("CAPTURE"), QStringLiteral("a capture file"));
    const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("where to write it (default: standard output)"),
                                    QStringLiteral("FILE"));
    const QCommandLineOption keepSecrets(QStringLiteral("keep-secrets"),
                                         QStringLiteral("keep what the capture kept of secret "
                                                        "headers and URL parts"));
    parser.addOptions({output, keepSecrets});
    if (const std::optional<int> exit
        = parseCommandLine(parser, QStringLiteral("export-har"), arguments))
        return *exit;
    if (parser.positionalArguments().size() != 1)
        return usage(QStringLiteral("export-har takes one capture file"));
    const QString path = parser.positionalArguments().front();
    const capture::CaptureReadResult read = capture::readCaptureFile(path.toStdString());
    if (!read.ok() && read.frames.empty() && read.events.empty()) {
        std::fprintf(stderr, "framescope-cli: %s: %s\n", qPrintable(path),
                     qPrintable(captureReadError(path, read.error)));
        return ExitUsage;
    }
    if (!read.ok())
        std::fprintf(stderr, "note: %s\n", read.error.c_str());
    else if (read.truncated)
        std::fprintf(stderr, "note: the capture's last line was cut off (the recording was "
                             "interrupted): the rest is exported\n");
    capture::RedactionOptions redaction;
    redaction.keepSecrets = parser.isSet(keepSecrets);
    return writeOutput(parser.isSet(output) ? parser.value(output) : QStringLiteral("-"),
                       replay::harFromCapture(read, redaction))
               ? ExitSuccess
               : ExitUsage;
}

int runExportK6(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes a k6 script that replays a recording (a capture or a HAR file) with many virtual "
        "users: docs/load.md."));
    parser.addPositionalArgument(QStringLiteral("CAPTURE_OR_HAR"),
                                 QStringLiteral("a capture file, or a HAR file"));
    const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("where to write it (default: standard output)"),
                                    QStringLiteral("FILE"));
    const QCommandLineOption vus(QStringLiteral("vus"), QStringLiteral("virtual users (default 1)"),
                                 QStringLiteral("N"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("how long k6 runs (default 30s)"),
                                      QStringLiteral("DURATION"));
    const QCommandLineOption replyWait(QStringLiteral("reply-wait"),
                                       QStringLiteral("after the last send, how long replies may "
                                                      "take, in ms (default 5000)"),
                                       QStringLiteral("MS"));
    const QCommandLineOption ignore = ignoreOption();
    const QCommandLineOption connection = connectionOption();
    parser.addOptions({output, vus, duration, replyWait, ignore, connection});
    if (const std::optional<int> exit
        = parseCommandLine(parser, QStringLiteral("export-k6"), arguments))
        return *exit;
    replay::K6Options options;
    if (const auto error
        = readIntOptions(parser, {{vus, options.vus}, {replyWait, options.replyWaitMs}}))
        return usage(*error);
    if (options.vus < 1)
        return usage(QStringLiteral("--vus takes a number >= 1"));
    if (parser.isSet(duration)) {
        options.duration = parser.value(duration);
        static const QRegularExpression k6Duration(
            QStringLiteral("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"));
        if (!k6Duration.match(options.duration).hasMatch())
            return usage(QStringLiteral("--duration takes a k6 duration such as 30s, 5m or 1h30m"));
    }
    if (const auto error = readIgnoreRules(parser.values(ignore), options.rules))
        return usage(*error);
    for (const replay::IgnoreRule &rule : options.rules)
        if (const auto problem = replay::k6RuleProblem(rule))
            return usage(*problem);
    int exitCode = ExitSuccess;
    const std::optional<replay::Recording> recording
        = readRecordingArgument(parser, connection, exitCode);
    if (!recording)
        return exitCode;
    printNotes(recording->notes);
    options.sourceName = QFileInfo(parser.positionalArguments().front()).fileName();
    return writeOutput(parser.isSet(output) ? parser.value(output) : QStringLiteral("-"),
                       replay::k6Script(*recording, options).toUtf8())
               ? ExitSuccess
               : ExitUsage;
}

} // namespace framescope::cli
