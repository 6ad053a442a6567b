#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>
#include <memory>
#include <protocol/frameheader.h>
#include <session/client/clientoptions.h>
#include <session/frontend/recorder.h>
#include <session/frontend/sessionmanager.h>

namespace framescope::cli {

// What `framescope-cli connect URL ...` asks for.
struct ConnectRequest
{
    session::ClientOptions options;
    // --send and --send-binary, in the order given.
    QList<QPair<protocol::Opcode, QByteArray>> messages;
    int waitMessages = -1;
    std::optional<std::uint16_t> closeCode;
    QByteArray closeReason;
    QString capturePath;
    bool keepSecrets = false;
    bool json = false;
    int timeoutMs = 30000;      // scripted mode: how long to wait for the expected messages
    bool slashCommands = false; // interactive: /ping, /close and /binary lines are commands
    capture::FrameStore::Limits storeLimits; // --capture-memory

    bool isScripted() const
    {
        return !messages.isEmpty() || waitMessages >= 0 || closeCode.has_value();
    }
};

// Reads connect's command line (its own options only). Either the request, or the exit code to
// end with (a usage error, or 0 after --help).
std::variant<ConnectRequest, int> parseConnectRequest(const QStringList &arguments);

// `framescope-cli connect URL`: drives one session through the SessionManager (as the GUI and
// scripts do) and wires it to the terminal. Interactive (stdin lines are sent) unless any
// scripted option is given. Exit codes are documented in docs/cli.md.
class ConnectCommand : public QObject
{
    Q_OBJECT

public:
    explicit ConnectCommand(const ConnectRequest &request, QObject *parent = nullptr);
    ~ConnectCommand() override;

    void start();
    // Ctrl-C: closes with 1001 (going away; or the --close code) and finishes the capture; with
    // `now`, drops the connection at once.
    void interrupt(bool now);
    int exitCode() const { return m_exitCode; }

Q_SIGNALS:
    void done(int exitCode);

private:
    void handleStateChanged(session::SessionState state);
    void handleOpen();
    void handleFrames(capture::FrameId first, capture::FrameId end);
    // Prints the frames held back, in time order: those older than the reorder window, or all.
    void printHeld(bool all);
    void handleReconnect(int attempt, int delayMs, const QString &reason);
    void handleFinished();
    void readStdin();
    void sendLine(QByteArray line);
    void runSlashCommand(const QByteArray &line);
    void closeWithRequestedCode();
    void printFindings(const session::ClientSnapshot &snapshot, bool onlyWarnings);
    void printEvent(const capture::CaptureEvent &event);
    // Says why the capture could not be made; the command then fails (exit 5).
    void captureFailed(const std::string &error);
    void writePendingEvents();

    ConnectRequest m_request;
    session::SessionManager m_manager;
    quint64 m_id = 0;
    std::shared_ptr<capture::FrameStore> m_store;
    std::unique_ptr<session::Recorder> m_recorder;
    std::unique_ptr<QSocketNotifier> m_stdin;
    QByteArray m_partialLine; // stdin bytes after the last line break
    bool m_lineTooLong = false;
    std::uint64_t m_lineNumber = 0; // of standard input, for what is said of a line not sent
    bool m_stdinIsTerminal = false;
    QTextStream m_out;
    QTextStream m_err;
    QTimer m_timeout;
    // Frames come in the order they were finished, not always in time order: a frame received
    // (stamped with its arrival) can be read after one sent later. Held back a moment, they are
    // printed in the order of their times.
    std::vector<std::uint64_t> m_held;
    QTimer m_heldTimer;
    QTimer m_flushTimer;
    std::int64_t m_startNs = 0;
    std::int64_t m_startedAtMs = 0; // wall clock, the same in the capture and --json
    std::uint64_t m_printedEnd = 0;
    int m_exitCode = 0;
    bool m_timedOut = false;
    bool m_captureFailed = false;
    bool m_sessionLinePrinted = false;
    std::vector<std::uint8_t> m_payload;                // reused
    std::vector<capture::CaptureEvent> m_pendingEvents; // before the session line was out
};

} // namespace framescope::cli
