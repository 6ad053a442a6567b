#include "connectcommand.h"

#include "frameprinter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <cstdio>
#include <protocol/frameheader.h>
#include <protocol/utf8validator.h>
#include <session/diagnosis/handshakedoctor.h>
#include <session/engine/certificatefingerprint.h>
#include <session/engine/clock.h>
#include <unistd.h>

using namespace framescope;
using session::SessionError;
using session::SessionState;

namespace {

int exitCodeFor(SessionError error)
{
    switch (error) {
    case SessionError::None:
        return ExitSuccess;
    case SessionError::InvalidUrl:
    case SessionError::LocalError:
        return ExitUsage;
    case SessionError::HandshakeFailed:
        return ExitHandshake;
    case SessionError::TlsFailed:
        return ExitTls;
    case SessionError::ConnectionFailed:
    case SessionError::ConnectionLost:
        return ExitConnection;
    case SessionError::PeerProtocolError:
        return ExitProtocol;
    case SessionError::ConnectionTimeout:
    case SessionError::HandshakeTimeout:
    case SessionError::IdleTimeout:
    case SessionError::CloseTimeout:
        return ExitTimeout;
    }
    return ExitFailedCheck;
}

capture::SessionInfo sessionInfo(const session::ClientSession &session, std::int64_t startedAtMs)
{
    capture::SessionInfo info;
    info.url = session.options().url.toString().toStdString();
    info.tool = "framescope-cli " + QCoreApplication::applicationVersion().toStdString();
    info.startedAtUnixMs = startedAtMs;
    info.handshakeRequest = session.handshake().request.toStdString();
    info.handshakeResponse = session.handshake().response.toStdString();
    info.subprotocol = session.handshake().subprotocol.toStdString();
    info.extensions = session.handshake().extensions.toStdString();
    for (const auto &[name, value] : session.options().headers)
        info.options["header:" + name.toStdString()] = value.toStdString();
    if (!session.options().origin.isEmpty())
        info.options["origin"] = session.options().origin.toStdString();
    if (session.options().acceptInvalidCertificate)
        info.options["insecure"] = "true";
    if (!session.options().pinnedSha256.isEmpty())
        info.options["pin-sha256"]
            = session::fingerprintText(session.options().pinnedSha256).toStdString();
    for (auto it = session.handshake().tls.cbegin(); it != session.handshake().tls.cend(); ++it)
        info.tls[it.key().toStdString()] = it.value().toStdString();
    const session::HandshakeRecord &handshake = session.handshake();
    for (const auto &[phase, ns] : {std::pair{"lookup", handshake.lookupNs},
                                    {"connect", handshake.connectNs},
                                    {"tls", handshake.tlsNs},
                                    {"upgrade", handshake.upgradeNs}}) {
        if (ns > 0)
            info.phasesNs[phase] = ns;
    }
    return info;
}

session::HandshakeDoctor::Input doctorInput(const session::ClientSession &session)
{
    session::HandshakeDoctor::Input input;
    input.url = session.options().url;
    input.handshake = session.handshake();
    input.error = session.error();
    input.errorString = session.errorString();
    input.offeredSubprotocols = session.options().subprotocols;
    input.offeredDeflate = session.options().offerDeflate;
    input.close = session.closeInfo();
    return input;
}

} // namespace

void ConnectCommand::printFindings(bool onlyWarnings)
{
    const QList<session::Finding> findings
        = session::HandshakeDoctor::examine(doctorInput(*m_session));
    for (const session::Finding &finding : findings) {
        if (onlyWarnings && finding.severity != session::Finding::Severity::Warning)
            continue;
        if (m_request.json) {
            capture::CaptureEvent event;
            event.timeNs = session::monotonicNs();
            event.kind = capture::EventKind::Diagnosis;
            event.reason = finding.title.toStdString();
            event.detail
                = (session::describe(finding.severity) + QStringLiteral(" ") + finding.id
                   + QStringLiteral(": ") + finding.detail
                   + (finding.fix.isEmpty() ? QString() : QStringLiteral(" | fix: ") + finding.fix))
                      .toStdString();
            m_out << QString::fromStdString(capture::eventLine(event)) << '\n';
        } else {
            m_err << session::describe(finding.severity) << ": " << finding.title << '\n';
            if (!finding.detail.isEmpty())
                m_err << "    seen: " << printable(finding.detail) << '\n';
            if (!finding.fix.isEmpty())
                m_err << "    try:  " << finding.fix << '\n';
        }
    }
}

ConnectCommand::ConnectCommand(const ConnectRequest &request, QObject *parent)
    : QObject(parent)
    , m_request(request)
    , m_out(stdout)
    , m_err(stderr)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        m_err << "timeout: fewer than " << m_request.waitMessages << " messages after "
              << m_request.timeoutMs << " ms\n";
        m_err.flush();
        if (!m_session->close(m_request.closeCode.value_or(1000), m_request.closeReason))
            m_session->abort();
    });
}

void ConnectCommand::start()
{
    m_startNs = session::monotonicNs();
    m_session = std::make_unique<session::ClientSession>(m_request.options, m_store);
    connect(m_session.get(), &session::ClientSession::framesCaptured, this,
            &ConnectCommand::printFrames);
    connect(m_session.get(), &session::ClientSession::stateChanged, this,
            [this](SessionState state) {
                if (state == SessionState::Open)
                    handleOpen();
            });
    connect(m_session.get(), &session::ClientSession::messagesReceivedChanged, this,
            [this](quint64 count) {
                if (m_request.waitMessages >= 0 && count >= quint64(m_request.waitMessages)
                    && m_session->state() == SessionState::Open) {
                    closeWithRequestedCode();
                }
            });
    connect(m_session.get(), &session::ClientSession::finished, this,
            &ConnectCommand::handleFinished);
    connect(m_session.get(), &session::ClientSession::redirected, this,
            [this](const QString &step) {
                m_err << "redirect: " << printable(step) << '\n';
                m_err.flush();
            });
    connect(m_session.get(), &session::ClientSession::reconnectScheduled, this,
            [this](int attempt, int delayMs, const QString &reason) {
                // The capture and --json keep the connection's end and the attempt as events.
                capture::CaptureEvent event;
                event.timeNs = session::monotonicNs();
                event.kind = capture::EventKind::Reconnect;
                event.detail = QStringLiteral("attempt %1 in %2 ms: %3")
                                   .arg(attempt)
                                   .arg(delayMs)
                                   .arg(reason)
                                   .toStdString();
                if (const auto code = m_session->closeInfo().codeReceived)
                    event.code = *code;
                if (m_journalOpen)
                    m_journal.addEvent(event);
                if (m_request.json)
                    m_out << QString::fromStdString(capture::eventLine(event)) << '\n';
                m_out.flush();
                m_err << "reconnecting in " << delayMs << " ms (attempt " << attempt
                      << "): " << reason << '\n';
                m_err.flush();
            });
    m_session->open();
}

void ConnectCommand::handleOpen()
{
    const auto &handshake = m_session->handshake();
    if (m_request.json) {
        m_out << QString::fromStdString(
            capture::sessionLine(sessionInfo(*m_session, QDateTime::currentMSecsSinceEpoch()),
                                 {m_request.keepSecrets, {}, {}}))
              << '\n';
    } else {
        m_err << "connected to " << m_request.options.url.toString(QUrl::RemoveUserInfo)
              << " (HTTP " << handshake.status << ")";
        if (!handshake.subprotocol.isEmpty())
            m_err << ", subprotocol " << printable(QString::fromUtf8(handshake.subprotocol));
        if (!handshake.extensions.isEmpty())
            m_err << ", extensions " << printable(QString::fromUtf8(handshake.extensions));
        m_err << '\n';
    }
    printFindings(true);
    m_out.flush();
    m_err.flush();
    // After a reconnect the capture and stdin carry on; scripted messages go out again.
    if (!m_request.capturePath.isEmpty() && !m_journalOpen) {
        capture::RedactionOptions redaction;
        redaction.keepSecrets = m_request.keepSecrets;
        const std::string error = m_journal.open(
            m_request.capturePath.toStdString(),
            sessionInfo(*m_session, QDateTime::currentMSecsSinceEpoch()), redaction);
        if (!error.empty())
            m_err << "capture: " << QString::fromStdString(error) << '\n';
        m_journalOpen = error.empty();
    }

    if (!m_request.isScripted()) {
        if (m_stdin)
            return;
        m_stdin = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        connect(m_stdin.get(), &QSocketNotifier::activated, this, &ConnectCommand::readStdin);
        return;
    }
    for (const QByteArray &text : m_request.texts)
        m_session->sendText(text);
    for (const QByteArray &binary : m_request.binaries)
        m_session->sendBinary(binary);
    if (m_request.waitMessages > 0) {
        if (m_session->messagesReceived() >= quint64(m_request.waitMessages))
            closeWithRequestedCode();
        else
            m_timeout.start(m_request.timeoutMs);
        return;
    }
    closeWithRequestedCode();
}

void ConnectCommand::closeWithRequestedCode()
{
    m_timeout.stop();
    m_session->close(m_request.closeCode.value_or(1000), m_request.closeReason);
}

void ConnectCommand::readStdin()
{
    char buffer[65536];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        m_stdin->setEnabled(false);
        closeWithRequestedCode();
        return;
    }
    QByteArray data(buffer, n);
    for (QByteArray line : data.split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (!line.isEmpty())
            m_session->sendText(line);
    }
}

void ConnectCommand::printFrames(quint64 first, quint64 end)
{
    std::vector<std::uint8_t> payload;
    for (std::uint64_t id = first; id < end; ++id) {
        const auto record = m_store.record({id});
        if (!record)
            continue;
        const bool kept = m_store.payload({id}, payload);
        if (m_request.json)
            m_out << QString::fromStdString(
                capture::frameLine(id, *record, kept ? &payload : nullptr))
                  << '\n';
        else
            m_out << formatFrame(*record, payload, m_startNs) << '\n';
        if (m_journalOpen)
            m_journal.addFrame(id, *record, kept ? &payload : nullptr);
    }
    if (m_journalOpen)
        m_journal.flushIfDue(session::monotonicNs());
    m_out.flush();
}

void ConnectCommand::handleFinished()
{
    const auto &close = m_session->closeInfo();
    capture::CaptureEvent ended;
    ended.timeNs = session::monotonicNs();
    ended.kind = m_session->error() == SessionError::None ? capture::EventKind::Ended
                                                          : capture::EventKind::Error;
    if (close.codeReceived)
        ended.code = close.codeReceived;
    ended.reason = close.reasonReceived.toStdString();
    ended.detail = std::string(capture::endReasonName(close.endedBy));
    if (m_request.json) {
        m_out << QString::fromStdString(capture::eventLine(ended)) << '\n';
        if (m_session->error() != SessionError::None) {
            capture::CaptureEvent error;
            error.timeNs = ended.timeNs;
            error.kind = capture::EventKind::Error;
            error.detail = m_session->errorString().toStdString();
            m_out << QString::fromStdString(capture::eventLine(error)) << '\n';
        }
    } else {
        if (m_session->error() != SessionError::None)
            m_err << "error: " << printable(m_session->errorString()) << '\n';
        if (!m_session->handshake().response.isEmpty() && m_session->handshake().status != 101)
            m_err << "response:\n"
                  << printable(QString::fromUtf8(m_session->handshake().response), true) << '\n';
    }
    // The Handshake Doctor explains failures before the connection was up.
    switch (m_session->error()) {
    case SessionError::HandshakeFailed:
    case SessionError::HandshakeTimeout:
    case SessionError::TlsFailed:
    case SessionError::ConnectionFailed:
    case SessionError::ConnectionTimeout:
        printFindings(false);
        break;
    default:
        break;
    }
    if (!m_request.json) {
        m_err << "closed (" << session::describe(close.endedBy) << ")";
        if (close.codeSent)
            m_err << ", sent " << *close.codeSent;
        if (close.codeReceived)
            m_err << ", received " << *close.codeReceived;
        if (!close.reasonReceived.isEmpty())
            m_err << " \"" << printable(QString::fromUtf8(close.reasonReceived)) << '"';
        m_err << '\n';
    }
    m_out.flush();
    m_err.flush();
    if (m_journalOpen) {
        m_journal.addEvent(ended);
        const std::string error = m_journal.finish();
        if (!error.empty())
            m_err << "capture: " << QString::fromStdString(error) << '\n';
    }
    m_exitCode = exitCodeFor(m_session->error());
    if (m_exitCode == ExitSuccess && m_timedOut)
        m_exitCode = ExitTimeout;
    Q_EMIT done(m_exitCode);
}
