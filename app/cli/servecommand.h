#pragma once

#include <QObject>
#include <QTimer>
#include <memory>
#include <session/frontend/recorder.h>
#include <session/frontend/sessionmanager.h>
#include <variant>

namespace framescope::cli {

// What `framescope-cli serve ...` asks for.
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

// Reads serve's command line (its own options only). Either the request, or the exit code to
// end with (a usage error, or 0 after --help).
std::variant<ServeRequest, int> parseServeRequest(const QStringList &arguments);

// `framescope-cli serve`: runs the built-in server through the SessionManager until SIGINT or
// SIGTERM, prints its URLs (and certificate fingerprint), each connection's comings and goings,
// and records every connection's frames to a capture file when asked.
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
    void handleConnectionChanged(quint64 id, session::SessionState state);
    void handleRefused(quint64 id, int status, const QString &reason);
    void handleDropped(const QString &peer, const QString &reason);
    void recordFrames(capture::FrameId end);
    void addEvents(const std::vector<capture::CaptureEvent> &events);

    ServeRequest m_request;
    session::SessionManager m_manager;
    std::unique_ptr<session::Recorder> m_recorder;
    std::uint64_t m_lostSaid = 0; // lost payloads already said on stderr
    capture::RedactionOptions m_redaction;
    QTimer m_flushTimer;
    QString m_fingerprint; // of the wss certificate
};

} // namespace framescope::cli
