// framescope-cli: the command-line twin of the desktop application. A composition root: it picks
// the command, whose own options are read by its parser, and wires the core to the terminal.

#include "cliexit.h"
#include "connectcommand.h"
#include "offlinecommands.h"
#include "servecommand.h"

#include <QCoreApplication>
#include <QTimer>
#include <atomic>
#include <csignal>
#include <cstdio>

using namespace framescope::cli;

namespace {

std::atomic<int> g_stopSignal{0};

constexpr char kHelp[]
    = "Usage: framescope-cli COMMAND [options]\n"
      "Framescope command-line client.\n\n"
      "Commands:\n"
      "  connect URL    connect to a WebSocket server; interactive (stdin lines are sent) unless\n"
      "                 --send, --send-binary, --wait-messages or --close is given\n"
      "  serve          the built-in echo server on loopback, until Ctrl-C\n"
      "  run SCRIPT.js  run a script (docs/scripting.md); exit 0 when every check passed\n"
      "  replay FILE    replay a capture or a browser's HAR file against --url and compare the\n"
      "                 replies with the recording; exit 0 when all match\n"
      "  inspect FILE   print a capture file\n"
      "  export-har FILE      a capture as a HAR file (Chrome's form, secrets redacted)\n"
      "  export-k6 FILE       a k6 load-test script from a capture or HAR file (docs/load.md)\n"
      "  demo           a full WebSocket conversation through the codec, printed frame by frame\n\n"
      "framescope-cli COMMAND --help lists a command's options.\n\n"
      "Exit codes: 0 success, 1 failed check, 2 usage error, 3 handshake failure, 4 TLS failure,\n"
      "5 connection failure, 6 peer protocol violation, 7 timeout.\n";

int runServe(QCoreApplication &app, const QStringList &arguments)
{
    std::variant<ServeRequest, int> parsed = parseServeRequest(arguments);
    if (const int *exit = std::get_if<int>(&parsed))
        return *exit;
    // Caught from before "listening" is printed: whoever starts serve may stop it as soon as it
    // reads that line, and still gets the clean 1001 stop.
    std::signal(SIGINT, [](int signal) { g_stopSignal = signal; });
    std::signal(SIGTERM, [](int signal) { g_stopSignal = signal; });
    ServeCommand command(std::move(std::get<ServeRequest>(parsed)));
    if (const int failed = command.start(); failed >= 0)
        return failed;
    QObject::connect(&command, &ServeCommand::done, &app,
                     [](int code) { QCoreApplication::exit(code); });
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &command, [&command, &poll] {
        if (g_stopSignal == 0)
            return;
        poll.stop();
        command.stop();
    });
    poll.start(50);
    return app.exec();
}

int runConnect(QCoreApplication &app, const QStringList &arguments)
{
    std::variant<ConnectRequest, int> parsed = parseConnectRequest(arguments);
    if (const int *exit = std::get_if<int>(&parsed))
        return *exit;
    // Ctrl-C (or SIGTERM) closes the session properly: a close frame, then the capture is
    // finished. A second one drops the connection at once.
    std::signal(SIGINT, [](int signal) { g_stopSignal = signal; });
    std::signal(SIGTERM, [](int signal) { g_stopSignal = signal; });
    ConnectCommand command(std::get<ConnectRequest>(parsed));
    QObject::connect(&command, &ConnectCommand::done, &app,
                     [](int code) { QCoreApplication::exit(code); });
    QTimer::singleShot(0, &command, &ConnectCommand::start);
    QTimer poll;
    int interrupts = 0;
    QObject::connect(&poll, &QTimer::timeout, &command, [&command, &interrupts] {
        if (g_stopSignal.exchange(0) == 0)
            return;
        command.interrupt(++interrupts > 1);
    });
    poll.start(50);
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // The libraries' warnings in the same words as the tool's own (QT_MESSAGE_PATTERN wins).
    qSetMessagePattern(QStringLiteral("%{if-warning}warning: %{endif}%{if-critical}error: "
                                      "%{endif}%{if-fatal}error: %{endif}%{message}"));
    QCoreApplication::setApplicationName(QStringLiteral("framescope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FRAMESCOPE_VERSION));

    QStringList arguments = QCoreApplication::arguments();
    const QString command = arguments.value(1);
    if (command == QLatin1String("--help") || command == QLatin1String("-h")) {
        std::fputs(kHelp, stdout);
        return ExitSuccess;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        std::printf("framescope-cli %s\n", FRAMESCOPE_VERSION);
        return ExitSuccess;
    }
    if (command.isEmpty())
        return usage(QStringLiteral("a command is needed: connect, serve, run, replay, inspect, "
                                    "export-har, export-k6 or demo"));
    arguments.removeAt(1); // each command's parser sees the program name, then its own part
    if (command == QLatin1String("connect"))
        return runConnect(app, arguments);
    if (command == QLatin1String("serve"))
        return runServe(app, arguments);
    if (command == QLatin1String("inspect"))
        return runInspect(arguments);
    if (command == QLatin1String("demo"))
        return runDemo(arguments);
    if (command == QLatin1String("run"))
        return runScript(arguments);
    if (command == QLatin1String("replay"))
        return runReplay(arguments);
    if (command == QLatin1String("export-har"))
        return runExportHar(arguments);
    if (command == QLatin1String("export-k6"))
        return runExportK6(arguments);
    return usage(QStringLiteral("unknown command \"%1\": connect, serve, run, replay, inspect, "
                                "export-har, export-k6 or demo")
                     .arg(command));
}
