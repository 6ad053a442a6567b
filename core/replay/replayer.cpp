#include "replayer.h"

#include <algorithm>
#include <protocol/closeframe.h>
#include <protocol/masking.h>
#include <session/engine/clock.h>
#include <session/frontend/sessionmanager.h>

namespace framescope::replay {

namespace {

bool sameName(const QByteArray &a, const QByteArray &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

bool isReplayUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty()
           && (url.scheme() == QLatin1String("ws") || url.scheme() == QLatin1String("wss"));
}

Replayer::Replayer(session::SessionManager &manager, Recording recording, ReplayOptions options,
                   QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_recording(std::move(recording))
    , m_options(std::move(options))
{
    m_sendTimer.setSingleShot(true);
    m_sendTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_sendTimer, &QTimer::timeout, this, &Replayer::sendDue);
    m_waitTimer.setSingleShot(true);
    m_waitTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_waitTimer, &QTimer::timeout, this, [this] {
        if (!m_running || m_closing)
            return;
        if (m_holdingClose) { // the replies before the close did not all come: close anyway
            m_holdingClose = false;
            m_waitedInVain = true;
            m_closeReleased = true;
            sendDue();
            return;
        }
        // The replies did not all come in time: end, and report what is missing.
        m_closing = true;
        m_waitedInVain = true;
        m_manager.close(m_id, 1000, QByteArrayLiteral("replay done"));
    });
}

Replayer::~Replayer()
{
    if (m_id != 0) {
        m_manager.abort(m_id);
        m_manager.remove(m_id);
    }
}

void Replayer::planItems()
{
    const Recording &r = m_recording;
    if (m_options.mode == ReplayOptions::Mode::FrameExact && r.clientFrames.empty()
        && !r.clientMessages.empty()) {
        m_options.mode = ReplayOptions::Mode::Messages;
        m_notes << QStringLiteral("a %1 keeps messages, not frames: replayed message by message")
                       .arg(r.source == QLatin1String("HAR") ? QStringLiteral("HAR file")
                                                             : QStringLiteral("recording"));
    }
    if (m_options.mode == ReplayOptions::Mode::FrameExact
        && std::any_of(r.clientFrames.cbegin(), r.clientFrames.cend(),
                       [](const RecordedFrame &f) { return f.compressed; })) {
        m_options.mode = ReplayOptions::Mode::Messages;
        m_notes << QStringLiteral("the recording's messages were compressed (permessage-deflate): "
                                  "replayed message by message, compressed again (frame-exact "
                                  "replay of compressed frames is not supported)");
    }
    if (m_options.keepMaskKeys && m_options.mode == ReplayOptions::Mode::Messages)
        m_notes << QStringLiteral("the recorded mask keys are kept in frame-exact replays only: "
                                  "these messages get fresh ones");
    if (m_options.mode == ReplayOptions::Mode::FrameExact) {
        for (std::size_t i = 0; i < r.clientFrames.size(); ++i) {
            const RecordedFrame &frame = r.clientFrames[i];
            if (frame.answer)
                continue; // the live session answers the server's pings itself
            m_items.push_back({frame.header.opcode == 0x8 ? Item::Kind::Close : Item::Kind::Frame,
                               i, frame.atNs});
        }
    } else {
        for (std::size_t i = 0; i < r.clientMessages.size(); ++i)
            m_items.push_back({Item::Kind::Message, i, r.clientMessages[i].atNs});
        if (r.clientCloseCode)
            m_items.push_back({Item::Kind::Close, 0, r.clientCloseAtNs});
    }
    std::stable_sort(m_items.begin(), m_items.end(),
                     [](const Item &a, const Item &b) { return a.atNs < b.atNs; });
}

session::ClientOptions Replayer::connectionOptions()
{
    session::ClientOptions options = m_options.connection;
    QList<QPair<QByteArray, QByteArray>> headers;
    for (const auto &recorded : m_recording.headers)
        if (std::none_of(options.headers.cbegin(), options.headers.cend(),
                         [&](const auto &given) { return sameName(given.first, recorded.first); }))
            headers.append(recorded);
    headers += options.headers;
    options.headers = headers;
    for (const QString &name : m_recording.redactedHeaders)
        if (std::none_of(options.headers.cbegin(), options.headers.cend(),
                         [&](const auto &given) { return sameName(given.first, name.toLatin1()); }))
            m_notes << QStringLiteral("%1 was redacted in the recording and is not sent: give it "
                                      "again (-H \"%1: ...\")")
                           .arg(name);
    if (options.subprotocols.isEmpty())
        options.subprotocols = m_recording.subprotocols;
    options.offerDeflate = options.offerDeflate || m_recording.deflate;
    return options;
}

void Replayer::start()
{
    m_running = true;
    planItems();
    connect(&m_manager, &session::SessionManager::sessionStateChanged, this,
            [this](quint64 id, session::SessionState state) {
                if (id != m_id || state != session::SessionState::Open || m_opened)
                    return;
                m_opened = true;
                m_openedNs = session::monotonicNs();
                Q_EMIT opened(m_id);
                sendDue();
            });
    connect(&m_manager, &session::SessionManager::framesReady, this,
            [this](quint64 id, capture::FrameId, capture::FrameId) {
                if (id == m_id)
                    readReceived();
            });
    connect(&m_manager, &session::SessionManager::sessionFinished, this,
            [this](quint64 id, session::SessionError error, const QString &why) {
                if (id != m_id || !m_running)
                    return;
                m_sessionError = error;
                readReceived();
                if (!m_opened) {
                    finish(QStringLiteral("could not connect to %1: %2")
                               .arg(m_options.connection.url.toString(), why));
                } else if (m_nextItem < m_items.size()) {
                    const QString how = serverClose();
                    finish(QStringLiteral("the connection ended after %1 of %2 sends (%3)")
                               .arg(m_nextItem)
                               .arg(m_items.size())
                               .arg(!how.isEmpty()  ? how
                                    : why.isEmpty() ? QStringLiteral("without a close frame")
                                                    : why));
                } else {
                    finish({});
                }
            });
    m_id = m_manager.open(connectionOptions());
    m_store = m_manager.store(m_id);
}

void Replayer::stop()
{
    if (!m_running)
        return;
    m_manager.abort(m_id);
    readReceived();
    finish(QStringLiteral("stopped"));
}

void Replayer::sendDue()
{
    if (!m_running || !m_opened)
        return;
    const std::int64_t now = session::monotonicNs();
    const auto dueNs = [&](const Item &item) {
        return m_openedNs + std::int64_t(double(item.atNs) / m_options.speed);
    };
    while (m_nextItem < m_items.size()
           && (m_options.speed <= 0 || dueNs(m_items[m_nextItem]) <= now)) {
        const Item &item = m_items[m_nextItem];
        // The client's close answered what it had received: it waits for the replies the
        // recording had by then (replyWaitMs from the last activity at most).
        if (item.kind == Item::Kind::Close && !m_closeReleased
            && m_received < repliesBefore(item.atNs)) {
            m_holdingClose = true;
            m_waitTimer.start(m_options.replyWaitMs);
            return;
        }
        if (!send(item))
            return;
        ++m_nextItem;
    }
    if (m_nextItem < m_items.size()) {
        const std::int64_t waitNs = dueNs(m_items[m_nextItem]) - now;
        // At most an hour at a time (a timer takes an int of ms); due times are checked again.
        m_sendTimer.start(int(std::clamp<std::int64_t>(waitNs / 1'000'000, 0, 3'600'000)));
        return;
    }
    afterActivity();
}

bool Replayer::send(const Item &item)
{
    const Recording &r = m_recording;
    switch (item.kind) {
    case Item::Kind::Message: {
        const RecordedMessage &message = r.clientMessages[item.index];
        if (message.binary)
            m_manager.sendBinary(m_id, message.data);
        else
            m_manager.sendText(m_id, message.data);
        return true;
    }
    case Item::Kind::Close: {
        m_closing = true;
        if (m_options.mode == ReplayOptions::Mode::FrameExact) {
            const RecordedFrame &frame = r.clientFrames[item.index];
            protocol::ClosePayload close;
            const std::vector<std::uint8_t> bytes(frame.payload.cbegin(), frame.payload.cend());
            // A close frame Framescope would write itself goes through the closing handshake;
            // a broken one (a bad code, a reason cut in UTF-8) goes out as it was.
            if (protocol::parseClosePayload(bytes, close) == protocol::ProtocolError::None
                && close.code && frame.header.fin && !frame.header.rsv1 && !frame.header.rsv2
                && !frame.header.rsv3 && frame.header.masked) {
                m_manager.close(m_id, *close.code, QByteArray::fromStdString(close.reason));
                return true;
            }
            break; // sent raw, below
        }
        m_manager.close(m_id, *r.clientCloseCode, r.clientCloseReason);
        return true;
    }
    case Item::Kind::Frame:
        break;
    }
    const RecordedFrame &frame = r.clientFrames[item.index];
    protocol::FrameHeader header = frame.header;
    if (header.masked && !m_options.keepMaskKeys && !protocol::randomBytes(header.maskKey)) {
        m_manager.abort(m_id);
        finish(QStringLiteral("no random bytes for a mask key"));
        return false;
    }
    m_manager.sendRawFrame(m_id, header, frame.payload);
    return true;
}

void Replayer::readReceived()
{
    if (!m_store)
        return;
    const capture::FrameStore &store = *m_store;
    std::vector<std::uint8_t> bytes;
    for (; m_nextFrame < store.endId().value; ++m_nextFrame) {
        const std::optional<capture::FrameRecord> record = store.record({m_nextFrame});
        if (!record || record->has(capture::FrameRecord::Sent) || record->opcode >= 0x8)
            continue;
        store.payload({m_nextFrame}, bytes);
        RecordedMessage actual;
        if (!m_fromServer.add(
                record->opcode, record->has(capture::FrameRecord::Fin),
                QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())),
                record->payloadLength, 0, actual))
            continue;
        actual.atNs = record->endNs - m_openedNs; // a reply is complete with its last frame
        Comparison comparison;
        comparison.index = m_received++;
        if (comparison.index < int(m_recording.serverMessages.size())) {
            const RecordedMessage &expected
                = m_recording.serverMessages[std::size_t(comparison.index)];
            comparison.expected = describeMessage(expected);
            const std::optional<QString> difference = compare(expected, actual);
            comparison.passed = !difference;
            comparison.message = difference.value_or(QString());
        } else {
            comparison.expected = QStringLiteral("not in the recording");
            comparison.message = QStringLiteral("got %1").arg(describeMessage(actual));
        }
        addComparison(std::move(comparison));
    }
    afterActivity();
}

namespace {

QString lengthList(const std::vector<std::uint64_t> &lengths)
{
    QStringList sizes;
    for (std::uint64_t length : lengths)
        sizes << QString::number(length);
    return QStringLiteral("%1 frame%2 (%3 bytes)")
        .arg(lengths.size())
        .arg(lengths.size() == 1 ? QString() : QStringLiteral("s"))
        .arg(sizes.join(QStringLiteral(", ")));
}

} // namespace

// Every way the message differs: the content (with the ignore rules), in frame-exact mode the
// framing, and the timing, "; " between them.
std::optional<QString> Replayer::compare(const RecordedMessage &expected,
                                         const RecordedMessage &actual) const
{
    QStringList differences;
    const std::optional<QString> content = compareMessages(expected, actual, m_options.rules);
    if (content)
        differences << *content;
    // The same bytes in other frames; when the rules made them match, only in more or fewer.
    const bool framedDifferently = expected.data == actual.data
                                       ? expected.frameLengths != actual.frameLengths
                                       : expected.frameLengths.size() != actual.frameLengths.size();
    if (m_options.mode == ReplayOptions::Mode::FrameExact && !expected.frameLengths.empty()
        && framedDifferently)
        differences << (content ? QStringLiteral("framed differently: recorded as %1, came as %2")
                                : QStringLiteral("the same message, framed differently: recorded "
                                                 "as %1, came as %2"))
                           .arg(lengthList(expected.frameLengths), lengthList(actual.frameLengths));
    if (m_options.speed > 0 && m_options.timingToleranceMs > 0) {
        const double dueMs = double(expected.atNs) / m_options.speed / 1e6;
        const double cameMs = double(actual.atNs) / 1e6;
        if (cameMs - dueMs > m_options.timingToleranceMs)
            differences << QStringLiteral("it came %1 ms after the connection opened, %2 ms "
                                          "later than recorded (the tolerance is %3 ms)")
                               .arg(cameMs, 0, 'f', 1)
                               .arg(cameMs - dueMs, 0, 'f', 1)
                               .arg(m_options.timingToleranceMs);
    }
    if (differences.isEmpty())
        return std::nullopt;
    return differences.join(QStringLiteral("; "));
}

void Replayer::addComparison(Comparison comparison)
{
    scripting::TestResult test;
    test.name = comparison.name();
    test.passed = comparison.passed;
    test.message = comparison.message;
    test.seconds = m_openedNs > 0 ? double(session::monotonicNs() - m_openedNs) / 1e9 : 0;
    m_result.tests.append(test);
    Q_EMIT compared(comparison);
}

// After a send or a message: once everything is sent, the replies still expected have
// replyWaitMs from the last activity; with all of them in, the client closes unless the
// recording has it close (a close item) or the server close.
void Replayer::afterActivity()
{
    if (!m_running || !m_opened || m_closing)
        return;
    if (m_holdingClose) {
        if (m_received >= repliesBefore(m_items[m_nextItem].atNs)) {
            m_holdingClose = false;
            m_waitTimer.stop();
            sendDue();
        } else {
            m_waitTimer.start(m_options.replyWaitMs);
        }
        return;
    }
    if (m_nextItem < m_items.size())
        return;
    if (m_received >= int(m_recording.serverMessages.size()) && !m_recording.serverClosed) {
        m_closing = true;
        m_manager.close(m_id, 1000, QByteArrayLiteral("replay done"));
        return;
    }
    m_waitTimer.start(m_options.replyWaitMs);
}

// "the server closed with 1011 oops" when the server closed first; empty otherwise.
QString Replayer::serverClose() const
{
    const auto ending = m_manager.snapshot(m_id);
    if (!ending || !ending->close.codeReceived
        || (ending->close.sentNs != 0 && ending->close.sentNs < ending->close.receivedNs))
        return {};
    return QStringLiteral("the server closed with %1%2")
        .arg(*ending->close.codeReceived)
        .arg(ending->close.reasonReceived.isEmpty()
                 ? QString()
                 : QLatin1Char(' ') + QString::fromUtf8(ending->close.reasonReceived));
}

int Replayer::repliesBefore(std::int64_t atNs) const
{
    return int(std::count_if(m_recording.serverMessages.cbegin(), m_recording.serverMessages.cend(),
                             [&](const RecordedMessage &m) { return m.atNs <= atNs; }));
}

void Replayer::finish(const QString &error)
{
    if (!m_running)
        return;
    m_running = false;
    m_sendTimer.stop();
    m_waitTimer.stop();
    // The messages the recording received that did not come.
    // Without a connection nothing was compared: the error says why.
    for (int i = m_received; m_opened && i < int(m_recording.serverMessages.size()); ++i) {
        Comparison missing;
        missing.index = i;
        missing.expected = describeMessage(m_recording.serverMessages[std::size_t(i)]);
        missing.message = QStringLiteral("it did not come");
        if (!error.isEmpty())
            missing.message += QStringLiteral(" (%1)").arg(error);
        else if (m_waitedInVain)
            missing.message
                += QStringLiteral(" within %1 ms of the last activity").arg(m_options.replyWaitMs);
        else if (const QString how = serverClose(); !how.isEmpty())
            missing.message += QStringLiteral(" (%1)").arg(how);
        else
            missing.message += QStringLiteral(" (the connection ended)");
        addComparison(std::move(missing));
    }
    if (!error.isEmpty()) {
        m_result.ending = error == QLatin1String("stopped")
                              ? scripting::ScriptResult::Ending::Stopped
                              : scripting::ScriptResult::Ending::Failed;
        m_result.error = error;
    }
    m_result.seconds = m_openedNs > 0 ? double(session::monotonicNs() - m_openedNs) / 1e9 : 0;
    Q_EMIT finished();
}

} // namespace framescope::replay
