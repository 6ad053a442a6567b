#pragma once

#include <QObject>
#include <QTimer>
#include <capture/capturefile.h>
#include <memory>
#include <session/server/localserverthread.h>

namespace framescope::cli {

struct ServeRequest
{
    session::LocalServerOptions options;
    QString certificateFile; // wss with the user's certificate; empty: the kept self-signed one
    QString keyFile;
    QByteArray keyPassword;
    QString certificateDirectory; // where the self-signed one is kept; empty: app data folder
    QString capturePath;
    bool keepSecrets = false;
};

// `framescope-cli serve`: runs the local server on its thread until SIGINT or SIGTERM, prints
// its URLs (and certificate fingerprint), each connection's comings and goings, and records
// every connection's frames to a capture file when asked.
class ServeCommand : public QObject
{
    Q_OBJECT

public:
    explicit ServeCommand(ServeRequest request, QObject *parent = nullptr);
    ~ServeCommand() override;

    // Starts the server; returns an exit code when it could not start, else -1.
    int start();
    // Closes every client with 1001, finishes the capture; emits done.
    void stop();

Q_SIGNALS:
    void done(int exitCode);

private:
    void recordFrames(quint64 first, quint64 end);
    void recordOpened(quint64 id, bool refused);
    void recordClosed(quint64 id);
    void addEvent(capture::CaptureEvent event);

    ServeRequest m_request;
    std::unique_ptr<session::LocalServerThread> m_server;
    capture::CaptureJournal m_journal;
    bool m_journalOpen = false;
    capture::RedactionOptions m_redaction;
    QTimer m_flushTimer;
    std::uint64_t m_recordedEnd = 0;
    QString m_fingerprint; // of the wss certificate
};

} // namespace framescope::cli
