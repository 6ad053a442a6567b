// framescope: the desktop application. A composition root: it makes the SessionManager and the
// main window, which starts the built-in server and connects to it (or connects to the URL, or
// opens the capture file, given on the command line).

#include <QApplication>
#include <QCommandLineParser>
#include <QEvent>
#include <QFileInfo>
#include <QStatusBar>
#include <QTimer>
#include <cstdio>
#include <session/frontend/sessionmanager.h>
#include <window/mainwindow.h>

namespace {

// Without a display (an SSH session, CI), Qt would abort on its own: said in one line instead,
// with the command-line twin to use.
bool hasDisplay()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return !qEnvironmentVariableIsEmpty("DISPLAY")
           || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
           || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

// The argument names a file (it exists, or reads as a path and not as a URL): opened as a
// capture, or why not said, rather than taken for a URL without a host.
bool namesAFile(const QString &argument)
{
    if (QFileInfo::exists(argument))
        return true;
    if (argument.contains(QLatin1String("://")))
        return false;
    const QString suffix = QFileInfo(argument).suffix().toLower();
    return suffix == QLatin1String("jsonl") || suffix == QLatin1String("json")
           || suffix == QLatin1String("har") || argument.startsWith(QLatin1Char('/'))
           || argument.startsWith(QLatin1String("./")) || argument.startsWith(QLatin1String("../"));
}

// For the startup benchmark (bench_gui_log): with FRAMESCOPE_EXIT_AFTER_FIRST_PAINT set, the
// first time the window has painted, say so on standard output and quit.
class FirstPaintReporter : public QObject
{
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_reported) {
            m_reported = true;
            QTimer::singleShot(0, qApp, [] {
                std::printf("first-paint\n");
                std::fflush(stdout);
                QApplication::quit();
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    bool m_reported = false;
};

} // namespace

int main(int argc, char **argv)
{
    if (!hasDisplay()) {
        std::fprintf(stderr, "framescope: no display here; use the command-line twin instead: "
                             "framescope-cli serve, then framescope-cli connect URL\n");
        return 1;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Framescope"));
    QApplication::setOrganizationName(QStringLiteral("Framescope"));
    QApplication::setApplicationVersion(QStringLiteral(FRAMESCOPE_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("WebSocket test client and frame inspector. Starts the built-in server "
                       "and connects to it, or to URL."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("URL|CAPTURE"),
                                 QStringLiteral("ws:// or wss:// to connect to, or a capture file "
                                                "to open"));
    // A usage error is exit 2, as for framescope-cli (process() would exit 1), and an argument
    // more is one, not ignored.
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "framescope: %s (try --help)\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (parser.positionalArguments().size() > 1) {
        std::fprintf(stderr,
                     "framescope: one URL or capture file, got %lld arguments: %s (try --help)\n",
                     static_cast<long long>(parser.positionalArguments().size()),
                     qPrintable(parser.positionalArguments().join(QLatin1Char(' '))));
        return 2;
    }

    framescope::session::SessionManager manager;
    framescope::ui::MainWindow window(manager);
    FirstPaintReporter reporter;
    if (qEnvironmentVariableIsSet("FRAMESCOPE_EXIT_AFTER_FIRST_PAINT"))
        window.installEventFilter(&reporter);
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        const QString argument = parser.positionalArguments().constFirst();
        // Why a file given could not be opened stays in the status bar (not the few seconds a
        // problem met while working stays): nothing else on the screen says it.
        if (namesAFile(argument)) {
            if (!window.openCapture(argument))
                window.statusBar()->showMessage(window.statusBar()->currentMessage());
        } else
            window.connectTo(argument);
    } else
        window.start();
    const int code = QApplication::exec();
    manager.stopServer(1000);
    return code;
}
