#include "servecommand.h"

#include "connectcommand.h"
#include "frameprinter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <capture/redaction.h>
#include <cstdio>
#include <session/engine/clock.h>
#include <session/server/servercertificate.h>

namespace framescope::cli {

namespace {

void say(const QString &text)
{
    std::fprintf(stderr, "%s\n", qPrintable(text));
    std::fflush(stderr);
}

std::map<std::string, std::string> describeOptions(const session::LocalServerOptions &options)
{
    const session::ServerBehaviour &b = options.behaviour;
    std::map<std::string, std::string> out;
    out["role"] = "server";
    out["deflate"] = options.deflate ? "true" : "false";
    out["tls"] = options.tls ? "true" : "false";
    out["echo"] = b.echo ? "true" : "false";
    auto number = [&out](const char *name, long long value) {
        if (value != 0)
            out[name] = std::to_string(value);
    };
    number("replyDelayMs", b.replyDelayMs);
    number("fragmentSize", static_cast<long long>(b.fragmentSize));
    number("pingIntervalMs", b.pingIntervalMs);
    number("pushIntervalMs", b.pushIntervalMs);
    number("closeAfterMessages", b.closeAfterMessages);
    number("closeAfterMs", b.closeAfterMs);
    number("idleTimeoutMs", options.idleTimeoutMs);
    if (b.closeAfterMessages != 0 || b.closeAfterMs != 0)
        out["closeCode"] = std::to_string(b.closeCode);
    if (b.refuse)
        out["refuse"] = std::to_string(b.refuse->status)
                        + (b.refuse->upgradeWithoutAccept ? " without Sec-WebSocket-Accept" : "");
    if (!b.requiredSubprotocol.isEmpty())
        out["requireSubprotocol"] = b.requiredSubprotocol.toStdString();
    if (b.requireAuthorization)
        out["requireAuthorization"] = "true";
    if (b.echoRequestHeaders)
        out["echoRequestHeaders"] = "true";
    if (!b.answerPings)
        out["answerPings"] = "false";
    return out;
}

} // namespace

ServeCommand::ServeCommand(ServeRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
{
    m_redaction.keepSecrets = m_request.keepSecrets;
    connect(&m_flushTimer, &QTimer::timeout, this, [this] {
        if (m_journalOpen)
            m_journal.flushIfDue(session::monotonicNs());
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
    m_server = std::make_unique<session::LocalServerThread>(options);
    const QString error = m_server->start();
    if (!error.isEmpty()) {
        say(QStringLiteral("framescope-cli: %1").arg(error));
        return ExitConnection;
    }
    using session::LocalServer;
    LocalServer *server = m_server->server();
    connect(server, &LocalServer::connectionOpened, this, [this](quint64 id) {
        const auto info = m_server->connectionInfo(id);
        say(QStringLiteral("connection %1 open (%2)").arg(id).arg(info ? info->peer : QString()));
        recordOpened(id, false);
    });
    connect(server, &LocalServer::handshakeRefused, this,
            [this](quint64 id, int status, const QString &reason) {
                say(QStringLiteral("connection %1 refused: %2 %3")
                        .arg(id)
                        .arg(status)
                        .arg(printable(reason)));
                recordOpened(id, true);
            });
    connect(server, &LocalServer::connectionClosed, this, [this](quint64 id) {
        const auto info = m_server->connectionInfo(id);
        QString text = QStringLiteral("connection %1 closed").arg(id);
        if (info) {
            text += QStringLiteral(" (%1").arg(session::describe(info->close.endedBy));
            if (info->close.codeSent)
                text += QStringLiteral(", sent %1").arg(*info->close.codeSent);
            if (info->close.codeReceived)
                text += QStringLiteral(", received %1").arg(*info->close.codeReceived);
            text += QLatin1Char(')');
        }
        say(text);
        recordClosed(id);
    });
    connect(server, &LocalServer::framesCaptured, this, &ServeCommand::recordFrames);

    if (!m_request.capturePath.isEmpty()) {
        capture::SessionInfo info;
        info.url = m_server->urls().value(0).toStdString();
        info.tool = "framescope-cli " + QCoreApplication::applicationVersion().toStdString();
        info.startedAtUnixMs = QDateTime::currentMSecsSinceEpoch();
        info.options = describeOptions(options);
        if (options.tls)
            info.tls["sha256"] = m_fingerprint.toStdString();
        const std::string journalError
            = m_journal.open(m_request.capturePath.toStdString(), info, m_redaction);
        if (!journalError.empty()) {
            say(QStringLiteral("capture: %1").arg(QString::fromStdString(journalError)));
            m_server->stop(0);
            return ExitUsage;
        }
        m_journalOpen = true;
        m_flushTimer.start(250);
    }
    for (const QString &url : m_server->urls())
        std::fprintf(stdout, "listening %s\n", qPrintable(url));
    std::fflush(stdout);
    return -1;
}

void ServeCommand::stop()
{
    if (!m_server)
        return;
    say(QStringLiteral("stopping: closing %1 connection(s) with 1001")
            .arg(m_server->connectionCount()));
    m_server->stop(2000);
    // The last signals from the server thread (frames, closes) are queued here.
    QCoreApplication::sendPostedEvents();
    recordFrames(m_recordedEnd, m_server->store() ? m_server->store()->endId().value : 0);
    int exitCode = ExitSuccess;
    if (m_journalOpen) {
        const std::string error = m_journal.finish();
        m_journalOpen = false;
        if (!error.empty()) {
            say(QStringLiteral("capture: %1").arg(QString::fromStdString(error)));
            exitCode = ExitConnection;
        } else {
            say(QStringLiteral("capture written to %1").arg(m_request.capturePath));
        }
    }
    Q_EMIT done(exitCode);
}

void ServeCommand::recordFrames(quint64 first, quint64 end)
{
    if (!m_journalOpen || !m_server)
        return;
    const std::shared_ptr<capture::FrameStore> store = m_server->store();
    first = std::max<quint64>({first, m_recordedEnd, store->firstId().value});
    std::vector<std::uint8_t> payload;
    for (quint64 id = first; id < end; ++id) {
        const auto record = store->record({id});
        if (!record)
            continue;
        const bool kept = store->payload({id}, payload);
        m_journal.addFrame(id, *record, kept ? &payload : nullptr);
    }
    m_recordedEnd = std::max<quint64>(m_recordedEnd, end);
}

void ServeCommand::addEvent(capture::CaptureEvent event)
{
    if (m_journalOpen)
        m_journal.addEvent(event);
}

void ServeCommand::recordOpened(quint64 id, bool refused)
{
    if (!m_journalOpen)
        return;
    const auto info = m_server->connectionInfo(id);
    if (!info)
        return;
    // At the server's own times, as the frames are: not when the news reached this thread.
    capture::CaptureEvent request;
    request.timeNs = info->requestNs;
    request.connection = std::uint32_t(id);
    request.kind = capture::EventKind::HandshakeRequest;
    request.reason = info->peer.toStdString();
    request.detail = capture::redactHttpHead(info->request.toStdString(), m_redaction);
    addEvent(request);
    capture::CaptureEvent response = request;
    response.kind
        = refused ? capture::EventKind::HandshakeRefused : capture::EventKind::HandshakeResponse;
    response.timeNs = info->openedNs;
    response.code = std::uint16_t(info->status);
    response.reason.clear();
    response.detail = capture::redactHttpHead(info->response.toStdString(), m_redaction);
    addEvent(response);
}

void ServeCommand::recordClosed(quint64 id)
{
    if (!m_journalOpen)
        return;
    const auto info = m_server->connectionInfo(id);
    if (!info || info->status != 101)
        return;
    capture::CaptureEvent event;
    event.timeNs = info->closedNs;
    event.connection = std::uint32_t(id);
    if (info->close.codeSent) {
        event.kind = capture::EventKind::CloseSent;
        event.code = info->close.codeSent;
        event.reason = info->close.reasonSent.toStdString();
        addEvent(event);
    }
    if (info->close.closeFrameReceived) {
        event.kind = capture::EventKind::CloseReceived;
        event.code = info->close.codeReceived;
        event.reason = info->close.reasonReceived.toStdString();
        addEvent(event);
    }
    event.kind = capture::EventKind::Ended;
    event.code.reset();
    event.reason.clear();
    event.detail = std::string(capture::endReasonName(info->close.endedBy));
    addEvent(event);
}

} // namespace framescope::cli
