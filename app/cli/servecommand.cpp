#include "servecommand.h"

#include "cliexit.h"

#include <QCoreApplication>
#include <QDateTime>
#include <cstdio>
#include <session/engine/clock.h>
#include <session/frontend/capturedescription.h>
#include <session/frontend/frameformatter.h>
#include <session/server/servercertificate.h>

namespace framescope::cli {

namespace {

void say(const QString &text)
{
    std::fprintf(stderr, "%s\n", qPrintable(text));
    std::fflush(stderr);
}

} // namespace

ServeCommand::ServeCommand(ServeRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
{
    m_redaction.keepSecrets = m_request.keepSecrets;
    connect(&m_flushTimer, &QTimer::timeout, this, [this] {
        if (m_recorder)
            m_recorder->flushIfDue(session::monotonicNs());
    });
}

ServeCommand::~ServeCommand() = default;

int ServeCommand::start()
{
    session::LocalServerOptions &options = m_request.options;
    if (options.tls) {
        const session::ServerCertificateResult loaded
            = m_request.certificateFile.isEmpty()
                  ? session::loadOrCreateServerCertificate(
                      m_request.certificateDirectory.isEmpty()
                          ? session::defaultCertificateDirectory()
                          : m_request.certificateDirectory)
                  : session::loadServerCertificate(m_request.certificateFile, m_request.keyFile,
                                                   m_request.keyPassword);
        if (!loaded.certificate) {
            say(QStringLiteral("framescope-cli: %1").arg(loaded.error));
            return ExitTls;
        }
        options.certificate = loaded.certificate->certificate;
        options.key = loaded.certificate->key;
        say(QStringLiteral("certificate %1 (%2)%3")
                .arg(loaded.certificate->certificatePath,
                     loaded.certificate->certificate.subjectDisplayName(),
                     loaded.certificate->created ? QStringLiteral(", made now") : QString()));
        m_fingerprint = loaded.certificate->sha256Fingerprint();
        say(QStringLiteral("certificate SHA-256 %1").arg(m_fingerprint));
    }
    using session::SessionManager;
    connect(&m_manager, &SessionManager::serverConnectionChanged, this,
            &ServeCommand::handleConnectionChanged);
    connect(&m_manager, &SessionManager::serverHandshakeRefused, this,
            &ServeCommand::handleRefused);
    connect(&m_manager, &SessionManager::serverConnectionDropped, this,
            &ServeCommand::handleDropped);
    connect(&m_manager, &SessionManager::serverFramesReady, this,
            [this](capture::FrameId, capture::FrameId end) { recordFrames(end); });
    if (const QString error = m_manager.startServer(options); !error.isEmpty()) {
        say(QStringLiteral("framescope-cli: %1").arg(error));
        return ExitConnection;
    }
    if (!m_request.capturePath.isEmpty()) {
        m_recorder = std::make_unique<session::Recorder>(*m_manager.serverStore());
        const std::string error = m_recorder->open(
            m_request.capturePath.toStdString(),
            session::describeServer(options, m_manager.serverUrls().value(0), m_fingerprint,
                                    QDateTime::currentMSecsSinceEpoch(),
                                    "framescope-cli "
                                        + QCoreApplication::applicationVersion().toStdString()),
            m_redaction);
        if (!error.empty()) {
            say(QStringLiteral("capture: %1").arg(QString::fromStdString(error)));
            m_manager.stopServer(0);
            return ExitUsage;
        }
        m_flushTimer.start(250);
    }
    for (const QString &warning : m_manager.serverWarnings())
        say(QStringLiteral("warning: %1").arg(warning));
    for (const QString &url : m_manager.serverUrls())
        std::fprintf(stdout, "listening %s\n", qPrintable(url));
    std::fflush(stdout);
    return -1;
}

void ServeCommand::stop()
{
    say(QStringLiteral("stopping: closing %1 connection(s) with 1001")
            .arg(m_manager.serverConnectionCount()));
    m_manager.stopServer(2000);
    // The last news from the server thread (frames, closes) is queued here.
    QCoreApplication::sendPostedEvents();
    int exitCode = ExitSuccess;
    if (m_recorder) {
        const std::string error = m_recorder->finish();
        if (!error.empty()) {
            say(QStringLiteral("capture: %1").arg(QString::fromStdString(error)));
            exitCode = ExitConnection;
        } else {
            say(QStringLiteral("capture written to %1").arg(m_request.capturePath));
        }
        m_recorder.reset();
    }
    Q_EMIT done(exitCode);
}

void ServeCommand::recordFrames(capture::FrameId end)
{
    if (!m_recorder)
        return;
    m_recorder->recordFrames(end.value);
    // Counted wherever they were found (also by the server's thread, taking frames itself).
    if (const std::uint64_t lost = m_recorder->lostPayloads(); lost > m_lostSaid) {
        say(QStringLiteral("warning: %1 frame(s) lost their payload to the capture's memory cap "
                           "before they were recorded")
                .arg(lost - m_lostSaid));
        m_lostSaid = lost;
    }
}

void ServeCommand::addEvents(const std::vector<capture::CaptureEvent> &events)
{
    if (!m_recorder)
        return;
    for (const capture::CaptureEvent &event : events)
        m_recorder->addEvent(event);
}

void ServeCommand::handleConnectionChanged(quint64 id, session::SessionState state)
{
    const std::optional<session::ServerConnectionInfo> info = m_manager.serverConnection(id);
    if (state == session::SessionState::Open) {
        say(QStringLiteral("connection %1 open (%2)").arg(id).arg(info ? info->peer : QString()));
        if (info) // at the server's own times, as the frames are
            addEvents(session::serverHandshakeEvents(*info, m_redaction));
        return;
    }
    if (state != session::SessionState::Closed)
        return;
    QString text = QStringLiteral("connection %1 closed").arg(id);
    if (info) {
        text += QStringLiteral(" (%1").arg(session::describe(info->close.endedBy));
        if (info->close.codeSent)
            text += QStringLiteral(", sent %1").arg(*info->close.codeSent);
        if (info->close.codeReceived)
            text += QStringLiteral(", received %1").arg(*info->close.codeReceived);
        text += QLatin1Char(')');
        if (info->status == 101 && info->close.endedBy != session::EndReason::Refused)
            addEvents(session::closeEvents(info->close, info->closedNs, std::uint32_t(id)));
    }
    say(text);
}

void ServeCommand::handleRefused(quint64 id, int status, const QString &reason)
{
    // The reason may name the status itself ("101 without Sec-WebSocket-Accept"): said once.
    const QString number = QString::number(status);
    say(QStringLiteral("connection %1 refused: %2")
            .arg(id)
            .arg(reason.startsWith(number)
                     ? session::printable(reason)
                     : number + QLatin1Char(' ') + session::printable(reason)));
    if (const std::optional<session::ServerConnectionInfo> info = m_manager.serverConnection(id))
        addEvents(session::serverHandshakeEvents(*info, m_redaction));
}

// Said, and recorded: a client that never became a connection has no id, only its address.
void ServeCommand::handleDropped(const QString &peer, const QString &reason)
{
    say(QStringLiteral("connection from %1 dropped: %2").arg(peer, session::printable(reason)));
    capture::CaptureEvent event;
    event.timeNs = session::monotonicNs();
    event.kind = capture::EventKind::Error;
    event.reason = peer.toStdString();
    event.detail = reason.toStdString();
    addEvents({event});
}

} // namespace framescope::cli
