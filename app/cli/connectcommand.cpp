#include "connectcommand.h"

#include "cliexit.h"
#include "optionparsing.h"

#include <QCoreApplication>
#include <QDateTime>
#include <cstdio>
#include <protocol/utf8validator.h>
#include <session/client/clientsession.h>
#include <session/diagnosis/handshakedoctor.h>
#include <session/engine/clock.h>
#include <session/frontend/capturedescription.h>
#include <session/frontend/frameformatter.h>
#include <unistd.h>

namespace framescope::cli {

using session::SessionError;
using session::SessionState;

namespace {

std::string toolName()
{
    return "framescope-cli " + QCoreApplication::applicationVersion().toStdString();
}

// Failures before the connection was up: the Handshake Doctor explains them.
bool isUpgradeFailure(const session::ClientSnapshot &snapshot)
{
    switch (snapshot.error) {
    case SessionError::HandshakeFailed:
    case SessionError::HandshakeTimeout:
    case SessionError::TlsFailed:
    case SessionError::TlsTimeout:
    case SessionError::ConnectionFailed:
    case SessionError::ConnectionTimeout:
        return true;
    case SessionError::ConnectionLost: // reset before the answer (a TLS port may do that)
        return snapshot.handshake.status != 101;
    default:
        return false;
    }
}

} // namespace

ConnectCommand::ConnectCommand(const ConnectRequest &request, QObject *parent)
    : QObject(parent)
    , m_request(request)
    , m_out(stdout)
    , m_err(stderr)
{
    // --wait-messages is counted where the messages arrive, as each completes (and no
    // connection opens that the count no longer needs).
    if (m_request.waitMessages > 0) {
        m_request.options.closeAfterMessages = std::uint64_t(m_request.waitMessages);
        m_request.options.closeCode = m_request.closeCode.value_or(1000);
        m_request.options.closeReason = m_request.closeReason;
    }
    m_timeout.setSingleShot(true);
    m_timeout.setTimerType(Qt::PreciseTimer); // a coarse timer may end 5% before --timeout
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        m_err << "timeout: fewer than " << m_request.waitMessages << " messages after "
              << m_request.timeoutMs << " ms\n";
        m_err.flush();
        closeWithRequestedCode();
    });
    connect(&m_flushTimer, &QTimer::timeout, this, [this] {
        if (m_recorder)
            m_recorder->flushIfDue(session::monotonicNs());
    });
}

ConnectCommand::~ConnectCommand() = default;

void ConnectCommand::start()
{
    using session::SessionManager;
    m_startNs = session::monotonicNs();
    m_startedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_heldTimer.setSingleShot(true);
    connect(&m_heldTimer, &QTimer::timeout, this, [this] { printHeld(false); });
    // One session: the manager's news is all about it.
    connect(&m_manager, &SessionManager::sessionStateChanged, this,
            [this](quint64, SessionState state) { handleStateChanged(state); });
    connect(&m_manager, &SessionManager::framesReady, this,
            [this](quint64, capture::FrameId first, capture::FrameId end) {
                handleFrames(first, end);
            });
    connect(&m_manager, &SessionManager::redirected, this, [this](quint64, const QString &step) {
        // Kept in the capture and --json too, once the session line is out.
        capture::CaptureEvent event;
        event.timeNs = session::monotonicNs();
        event.kind = capture::EventKind::Redirect;
        event.code = std::uint16_t(step.section(QLatin1Char(' '), 0, 0).toUInt());
        event.detail = step.section(QLatin1Char(' '), 1).toStdString();
        m_pendingEvents.push_back(event); // written after the session line
        m_err << "redirect: " << session::printable(step) << '\n';
        m_err.flush();
    });
    connect(&m_manager, &SessionManager::reconnectScheduled, this,
            [this](quint64, int attempt, int delayMs, const QString &reason) {
                handleReconnect(attempt, delayMs, reason);
            });
    connect(&m_manager, &SessionManager::sessionFinished, this, &ConnectCommand::handleFinished);
    m_id = m_manager.open(m_request.options, m_request.storeLimits);
    m_store = m_manager.store(m_id);
    m_recorder = std::make_unique<session::Recorder>(*m_store);
    m_flushTimer.start(250);
}

void ConnectCommand::interrupt(bool now)
{
    m_timeout.stop();
    if (m_stdin)
        m_stdin->setEnabled(false);
    if (now) {
        m_manager.abort(m_id);
        return;
    }
    m_err << "interrupted: closing\n";
    m_err.flush();
    const std::uint16_t code = m_request.closeCode.value_or(1001);
    const QByteArray reason = m_request.closeCode ? m_request.closeReason : QByteArray();
    m_manager.withSession(m_id, [code, reason](session::ClientSession &session) {
        if (!session.close(code, reason) && session.state() != SessionState::Closing)
            session.abort();
    });
}

void ConnectCommand::handleStateChanged(SessionState state)
{
    if (state == SessionState::Open)
        handleOpen();
}

void ConnectCommand::captureFailed(const std::string &error)
{
    m_err << "capture: " << QString::fromStdString(error) << '\n';
    m_captureFailed = true;
}

void ConnectCommand::printEvent(const capture::CaptureEvent &event)
{
    printHeld(true); // the frames before it first
    if (m_recorder->isOpen())
        m_recorder->addEvent(event);
    if (m_request.json)
        m_out << QString::fromStdString(capture::eventLine(event)) << '\n';
}

void ConnectCommand::writePendingEvents()
{
    for (const capture::CaptureEvent &event : std::exchange(m_pendingEvents, {}))
        printEvent(event);
}

void ConnectCommand::printFindings(const session::ClientSnapshot &snapshot, bool onlyWarnings)
{
    const QList<session::Finding> findings
        = session::HandshakeDoctor::examine(session::HandshakeDoctor::inputFor(snapshot));
    for (const session::Finding &finding : findings) {
        if (onlyWarnings && finding.severity != session::Finding::Severity::Warning)
            continue;
        printEvent(session::findingEvent(finding, session::monotonicNs()));
        if (m_request.json)
            continue;
        m_err << session::describe(finding.severity) << ": " << finding.title << '\n';
        if (!finding.detail.isEmpty())
            m_err << "    seen: " << session::printable(finding.detail) << '\n';
        if (!finding.fix.isEmpty())
            m_err << "    try:  " << finding.fix << '\n';
    }
}

void ConnectCommand::handleOpen()
{
    const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(m_id);
    if (!snapshot)
        return;
    const session::HandshakeRecord &handshake = snapshot->handshake;
    // The first connection opens the capture (a reconnect carries on in the same one).
    if (!m_recorder->isOpen() && !m_request.capturePath.isEmpty()) {
        capture::RedactionOptions redaction;
        redaction.keepSecrets = m_request.keepSecrets;
        const std::string error = m_recorder->open(
            m_request.capturePath.toStdString(),
            session::describeClientSession(*snapshot, m_startedAtMs, toolName()), redaction);
        if (!error.empty())
            captureFailed(error);
    }
    // A later connection's heads are events (the session line holds the first one's).
    if (snapshot->connectionNumber > 0) {
        capture::RedactionOptions redaction;
        redaction.keepSecrets = m_request.keepSecrets;
        for (const capture::CaptureEvent &event :
             session::clientHandshakeEvents(*snapshot, redaction, session::monotonicNs()))
            printEvent(event);
    }
    if (m_request.json) {
        if (!m_sessionLinePrinted) // one session line: later connections follow reconnect events
            m_out << QString::fromStdString(capture::sessionLine(
                session::describeClientSession(*snapshot, m_startedAtMs, toolName()),
                {m_request.keepSecrets, {}, {}}))
                  << '\n';
        m_sessionLinePrinted = true;
    } else {
        // Where it is connected now: after redirects, the URL it ended up at.
        m_err << "connected to " << snapshot->options.url.toString(QUrl::RemoveUserInfo)
              << " (HTTP " << handshake.status << ")";
        if (!handshake.subprotocol.isEmpty())
            m_err << ", subprotocol "
                  << session::printable(QString::fromUtf8(handshake.subprotocol));
        if (!handshake.extensions.isEmpty())
            m_err << ", extensions " << session::printable(QString::fromUtf8(handshake.extensions));
        m_err << '\n';
    }
    writePendingEvents();
    printFindings(*snapshot, true);
    m_out.flush();
    m_err.flush();

    if (!m_request.isScripted()) {
        if (m_stdin)
            return;
        m_stdinIsTerminal = ::isatty(STDIN_FILENO) == 1;
        m_stdin = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        connect(m_stdin.get(), &QSocketNotifier::activated, this, &ConnectCommand::readStdin);
        return;
    }
    // After a reconnect, scripted messages go out again, in the order given.
    for (const auto &[opcode, data] : std::as_const(m_request.messages))
        m_manager.sendMessage(m_id, opcode, data, 0, false);
    if (m_request.waitMessages > 0) {
        if (!m_timeout.isActive() && m_request.timeoutMs > 0) // 0: no limit
            m_timeout.start(m_request.timeoutMs);
        return; // the session closes itself once they arrived
    }
    closeWithRequestedCode();
}

void ConnectCommand::closeWithRequestedCode()
{
    m_timeout.stop();
    const std::uint16_t code = m_request.closeCode.value_or(1000);
    const QByteArray reason = m_request.closeReason;
    // Not open (between two connections, say): the session ends all the same.
    m_manager.withSession(m_id, [code, reason](session::ClientSession &session) {
        if (!session.close(code, reason) && session.state() != SessionState::Closing)
            session.abort();
    });
}

namespace {

// The longest line a terminal in canonical mode hands over (Linux's n_tty keeps 4095 bytes and
// a line break); the rest of a longer one is dropped before the program sees it.
constexpr qsizetype kTerminalLineLimit = 4095;

} // namespace

void ConnectCommand::readStdin()
{
    char buffer[65536];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        m_stdin->setEnabled(false);
        if (!m_partialLine.isEmpty() && !m_lineTooLong) {
            ++m_lineNumber;
            sendLine(m_partialLine); // the last line, without a line break
        }
        m_partialLine.clear();
        closeWithRequestedCode();
        return;
    }
    // One line is one message, however many reads it takes.
    qsizetype start = 0;
    const QByteArrayView data(buffer, n);
    for (qsizetype end = data.indexOf('\n'); end >= 0; end = data.indexOf('\n', start)) {
        ++m_lineNumber;
        const qsizetype length = m_partialLine.size() + (end - start);
        if (m_stdinIsTerminal && length >= kTerminalLineLimit && !m_lineTooLong) {
            // The terminal's line editor keeps this much of a line and drops the rest: what
            // came is most likely cut, and a message is never sent cut.
            m_err << "error: line " << m_lineNumber << " was not sent: a terminal passes at most "
                  << kTerminalLineLimit << " bytes of a typed or pasted line and drops the rest; "
                  << "pipe a longer message in (printf '...' | framescope-cli connect URL)\n";
            m_err.flush();
        } else if (!m_lineTooLong) {
            sendLine(m_partialLine + data.sliced(start, end - start).toByteArray());
        }
        m_partialLine.clear();
        m_lineTooLong = false;
        start = end + 1;
    }
    if (m_lineTooLong)
        return; // the rest of a line that is refused
    m_partialLine += data.sliced(start).toByteArray();
    if (std::uint64_t(m_partialLine.size()) > m_request.options.maxMessageSize) {
        m_err << "error: line " << m_lineNumber + 1 << " was not sent: it is longer than "
              << "--max-message (" << m_request.options.maxMessageSize << " bytes)\n";
        m_err.flush();
        m_partialLine.clear();
        m_lineTooLong = true;
    }
}

void ConnectCommand::sendLine(QByteArray line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    if (m_request.slashCommands && line.startsWith('/') && !line.startsWith("//")) {
        runSlashCommand(line);
        return;
    }
    if (m_request.slashCommands && line.startsWith("//"))
        line.remove(0, 1); // "//text" sends "/text"
    if (std::uint64_t(line.size()) > m_request.options.maxMessageSize) {
        m_err << "error: line " << m_lineNumber << " was not sent: it is longer than "
              << "--max-message (" << m_request.options.maxMessageSize << " bytes)\n";
        m_err.flush();
        return;
    }
    // RFC 6455 §8.1: a text message is UTF-8; other bytes are not sent as text.
    if (!protocol::isValidUtf8(
            {reinterpret_cast<const std::uint8_t *>(line.constData()), std::size_t(line.size())})) {
        m_err << "error: line " << m_lineNumber << " was not sent: it is not UTF-8 text\n";
        m_err.flush();
        return;
    }
    m_manager.sendText(m_id, line);
}

// --slash: "/ping [TEXT]", "/close [CODE [REASON]]", "/binary HEX".
void ConnectCommand::runSlashCommand(const QByteArray &line)
{
    const qsizetype space = line.indexOf(' ');
    const QByteArray command = space < 0 ? line : line.left(space);
    const QByteArray argument = space < 0 ? QByteArray() : line.mid(space + 1);
    if (command == "/ping") {
        if (argument.size() > 125) {
            m_err << "error: a ping carries at most 125 bytes\n";
        } else {
            m_manager.ping(m_id, argument);
            return;
        }
    } else if (command == "/close") {
        const QList<QByteArray> parts = argument.split(' ');
        std::uint16_t code = 1000;
        QByteArray reason;
        if (!argument.isEmpty()) {
            const std::optional<QString> error = readClose(
                QString::fromUtf8(parts.constFirst())
                    + (parts.size() > 1
                           ? QStringLiteral(":")
                                 + QString::fromUtf8(argument.mid(parts.constFirst().size() + 1))
                           : QString()),
                code, reason);
            if (error) {
                m_err << "error: " << *error << '\n';
                m_err.flush();
                return;
            }
        }
        if (m_stdin)
            m_stdin->setEnabled(false);
        m_manager.close(m_id, code, reason);
        return;
    } else if (command == "/binary") {
        const QByteArray compact = QByteArray(argument).replace(' ', "");
        const QByteArray decoded = QByteArray::fromHex(compact);
        if (compact.size() % 2 == 0 && decoded.toHex() == compact.toLower()) {
            m_manager.sendBinary(m_id, decoded);
            return;
        }
        m_err << "error: /binary needs hex digits\n";
    } else {
        m_err << "error: unknown command " << session::printable(QString::fromUtf8(command))
              << " (/ping [TEXT], /close [CODE [REASON]], /binary HEX; //TEXT sends /TEXT)\n";
    }
    m_err.flush();
}

void ConnectCommand::handleFrames(capture::FrameId first, capture::FrameId end)
{
    for (std::uint64_t id = std::max(first.value, m_printedEnd); id < end.value; ++id)
        m_held.push_back(id);
    m_printedEnd = std::max(m_printedEnd, end.value);
    printHeld(false);
    if (const std::uint64_t lost = m_recorder->recordFrames(end.value); lost > 0) {
        m_err << "warning: " << lost
              << " frame(s) lost their payload to the capture's memory cap before they were "
                 "recorded\n";
        m_err.flush();
    }
    m_out.flush();
}

void ConnectCommand::printHeld(bool all)
{
    if (m_held.empty())
        return;
    // Longer than a frame waits between its arrival and its read on a loaded machine; short
    // enough not to be seen.
    constexpr std::int64_t kWindowNs = 20'000'000;
    // Each record read once: the memory cap may evict a frame (on the network thread) between
    // two reads of it.
    std::vector<std::pair<std::uint64_t, capture::FrameRecord>> byTime; // (id, record)
    byTime.reserve(m_held.size());
    for (const std::uint64_t id : m_held)
        if (const auto record = m_store->record({id})) // evicted by the memory cap: gone
            byTime.emplace_back(id, *record);
    std::stable_sort(byTime.begin(), byTime.end(),
                     [](const auto &a, const auto &b) { return a.second.endNs < b.second.endNs; });
    const std::int64_t now = session::monotonicNs();
    std::size_t printed = 0;
    for (; printed < byTime.size(); ++printed) {
        const auto &[id, record] = byTime[printed];
        if (!all && now - record.endNs < kWindowNs)
            break;
        if (m_request.json) {
            const bool kept = m_store->payload({id}, m_payload);
            m_out << QString::fromStdString(
                capture::frameLine(id, record, kept ? &m_payload : nullptr))
                  << '\n';
        } else {
            m_store->payloadPrefix({id}, session::kPreviewBytes, m_payload);
            m_out << session::formatFrame(record, m_payload, m_startNs) << '\n';
        }
    }
    m_held.clear();
    for (std::size_t rest = printed; rest < byTime.size(); ++rest)
        m_held.push_back(byTime[rest].first);
    m_out.flush();
    if (!m_held.empty())
        m_heldTimer.start(int(std::max<std::int64_t>(
            1, (byTime[printed].second.endNs + kWindowNs - now) / 1'000'000 + 1)));
}

void ConnectCommand::handleReconnect(int attempt, int delayMs, const QString &reason)
{
    const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(m_id);
    // The capture and --json keep the connection's end and the attempt as events.
    capture::CaptureEvent event;
    event.timeNs = session::monotonicNs();
    event.kind = capture::EventKind::Reconnect;
    event.detail = QStringLiteral("attempt %1 in %2 ms: %3")
                       .arg(attempt)
                       .arg(delayMs)
                       .arg(reason)
                       .toStdString();
    if (snapshot) {
        event.connection = snapshot->connectionNumber; // the connection that ended
        event.code = snapshot->close.codeReceived;
    }
    if (snapshot) // how the connection that ended ended, then the attempt
        for (const capture::CaptureEvent &closing :
             session::closeEvents(snapshot->close, event.timeNs, snapshot->connectionNumber))
            printEvent(closing);
    printEvent(event);
    m_out.flush();
    m_err << "reconnecting in " << delayMs << " ms (attempt " << attempt
          << "): " << session::printable(reason) << '\n';
    m_err.flush();
}

void ConnectCommand::handleFinished()
{
    m_timeout.stop();
    const std::optional<session::ClientSnapshot> found = m_manager.snapshot(m_id);
    if (!found)
        return;
    const session::ClientSnapshot &snapshot = *found;
    const session::CloseInfo &close = snapshot.close;
    // Frames not announced yet (the last batch) come first.
    handleFrames({m_printedEnd}, m_store->endId());
    printHeld(true);
    // A session that never opened still leaves a record: the request, the answer and its body,
    // TLS details and the Doctor's findings are what one needs to see why.
    if (!m_recorder->isOpen() && !m_request.capturePath.isEmpty()) {
        capture::RedactionOptions redaction;
        redaction.keepSecrets = m_request.keepSecrets;
        const std::string error = m_recorder->open(
            m_request.capturePath.toStdString(),
            session::describeClientSession(snapshot, m_startedAtMs, toolName()), redaction);
        if (!error.empty())
            captureFailed(error);
    }
    if (m_request.json && !m_sessionLinePrinted) {
        m_out << QString::fromStdString(capture::sessionLine(
            session::describeClientSession(snapshot, m_startedAtMs, toolName()),
            {m_request.keepSecrets, {}, {}}))
              << '\n';
        m_sessionLinePrinted = true;
    }
    writePendingEvents();
    const std::int64_t now = session::monotonicNs();
    for (const capture::CaptureEvent &event :
         session::closeEvents(close, now, snapshot.connectionNumber))
        printEvent(event);
    if (snapshot.error != SessionError::None) {
        capture::CaptureEvent error;
        error.timeNs = now;
        error.kind = capture::EventKind::Error;
        error.connection = snapshot.connectionNumber;
        error.detail = snapshot.errorString.toStdString();
        printEvent(error);
    }
    if (!m_request.json) {
        if (snapshot.error != SessionError::None)
            m_err << "error: " << session::printable(snapshot.errorString) << '\n';
        if (!snapshot.handshake.response.isEmpty() && snapshot.handshake.status != 101)
            m_err << "response:\n"
                  << session::printable(QString::fromUtf8(snapshot.handshake.response), true)
                  << '\n';
    }
    if (isUpgradeFailure(snapshot))
        printFindings(snapshot, false);
    m_exitCode = exitCodeFor(snapshot.error);
    if (m_exitCode == ExitSuccess && m_timedOut)
        m_exitCode = ExitTimeout;
    // The peer ending the session before the messages waited for arrived is no success.
    const bool shortOfMessages
        = m_request.waitMessages > 0
          && snapshot.messagesReceived < std::uint64_t(m_request.waitMessages);
    if (m_exitCode == ExitSuccess && shortOfMessages) {
        m_exitCode = ExitFailedCheck;
        m_err << "failed: the connection ended after " << snapshot.messagesReceived << " of "
              << m_request.waitMessages << " messages\n";
    }
    if (!m_request.json) {
        m_err << "closed (" << session::describe(close.endedBy) << ")";
        if (close.codeSent)
            m_err << ", sent " << *close.codeSent;
        if (close.codeReceived)
            m_err << ", received " << *close.codeReceived;
        if (!close.reasonReceived.isEmpty())
            m_err << " \"" << session::printable(QString::fromUtf8(close.reasonReceived)) << '"';
        m_err << '\n';
    }
    m_out.flush();
    m_err.flush();
    if (m_recorder->isOpen()) {
        const std::string error = m_recorder->finish();
        if (!error.empty())
            captureFailed(error);
    }
    // A recording asked for and not made fails the command, as it fails `serve`.
    if (m_captureFailed && m_exitCode == ExitSuccess)
        m_exitCode = ExitConnection;
    m_err.flush();
    Q_EMIT done(m_exitCode);
}

} // namespace framescope::cli
