#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>
#include <capture/capturefile.h>
#include <capture/framestore.h>
#include <memory>
#include <session/client/clientsession.h>

// `framescope-cli connect URL`: wires a ClientSession to the terminal. Interactive (stdin lines
// are sent) unless any scripted option is given. Exit codes are documented in docs/cli.md.
struct ConnectRequest
{
    framescope::session::ClientOptions options;
    QList<QByteArray> texts;
    QList<QByteArray> binaries;
    int waitMessages = -1;
    std::optional<std::uint16_t> closeCode;
    QByteArray closeReason;
    QString capturePath;
    bool keepSecrets = false;
    bool json = false;
    int timeoutMs = 30000; // scripted mode: how long to wait for the expected messages

    bool isScripted() const
    {
        return !texts.isEmpty() || !binaries.isEmpty() || waitMessages >= 0
               || closeCode.has_value();
    }
};

enum CliExit {
    ExitSuccess = 0,
    ExitFailedCheck = 1,
    ExitUsage = 2,
    ExitHandshake = 3,
    ExitTls = 4,
    ExitConnection = 5,
    ExitProtocol = 6,
    ExitTimeout = 7,
};

class ConnectCommand : public QObject
{
    Q_OBJECT

public:
    explicit ConnectCommand(const ConnectRequest &request, QObject *parent = nullptr);

    void start();
    int exitCode() const { return m_exitCode; }

Q_SIGNALS:
    void done(int exitCode);

private:
    void handleOpen();
    void printFrames(quint64 first, quint64 end);
    void handleFinished();
    void readStdin();
    void closeWithRequestedCode();
    void printFindings(bool onlyWarnings);

    ConnectRequest m_request;
    framescope::capture::FrameStore m_store;
    std::unique_ptr<framescope::session::ClientSession> m_session;
    std::unique_ptr<QSocketNotifier> m_stdin;
    framescope::capture::CaptureJournal m_journal;
    bool m_journalOpen = false;
    QTextStream m_out;
    QTextStream m_err;
    QTimer m_timeout;
    std::int64_t m_startNs = 0;
    int m_exitCode = ExitSuccess;
    bool m_timedOut = false;
};
