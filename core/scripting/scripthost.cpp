#include "scripthost.h"

#include "errorlocation.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QJSEngine>
#include <QUrl>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <protocol/closeframe.h>
#include <protocol/masking.h>
#include <session/client/clientsession.h>
#include <session/engine/clock.h>
#include <session/frontend/sessionmanager.h>
#include <thread>

namespace framescope::scripting {

namespace {

// How long the closing handshakes of the connections a script left open may take at its end.
constexpr int kClosingAtEndMs = 1000;

QByteArray bytesOf(const std::vector<std::uint8_t> &bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

// "the connection closed (1000 done)" or "the connection ended: why".
QString closedText(const std::optional<session::ClientSnapshot> &snapshot)
{
    if (!snapshot)
        return QStringLiteral("the connection is gone");
    if (snapshot->close.codeReceived)
        return QStringLiteral("the connection closed (%1%2)")
            .arg(*snapshot->close.codeReceived)
            .arg(snapshot->close.reasonReceived.isEmpty()
                     ? QString()
                     : QLatin1Char(' ') + QString::fromUtf8(snapshot->close.reasonReceived));
    return snapshot->errorString.isEmpty()
               ? QStringLiteral("the connection closed")
               : QStringLiteral("the connection ended: %1").arg(snapshot->errorString);
}

} // namespace

ScriptHost::Call::Call(ScriptHost &of)
    : host(of)
{
    host.inCall = true;
    host.lastCallNs = session::monotonicNs();
}

ScriptHost::Call::~Call()
{
    host.lastCallNs = session::monotonicNs();
    host.inCall = false;
}

ScriptHost::ScriptHost(QJSEngine &engine, session::SessionManager &manager,
                       const ScriptOptions &options, const std::atomic<bool> &stopping)
    : m_engine(engine)
    , m_manager(manager)
    , m_options(options)
    , m_stopping(stopping)
{
    lastCallNs = session::monotonicNs();
}

// What the script opened goes when it ends: with the closing handshake (1000), so that what was
// sent last reaches the peer, for at most a second; at once (TCP close) when stopped.
ScriptHost::~ScriptHost()
{
    const auto open = [this](quint64 id) {
        return m_manager.state(id) != session::SessionState::Closed;
    };
    if (!m_stopping) {
        for (auto it = m_readers.cbegin(); it != m_readers.cend(); ++it)
            if (open(it.key()))
                m_manager.close(it.key(), 1000, QByteArrayLiteral("script ended"));
        waitFor([&] { return std::none_of(m_readers.keyBegin(), m_readers.keyEnd(), open); },
                kClosingAtEndMs);
    }
    for (auto it = m_readers.cbegin(); it != m_readers.cend(); ++it) {
        if (open(it.key()))
            m_manager.abort(it.key());
        m_manager.remove(it.key());
        if (onRemoved)
            onRemoved(it.key());
    }
}

void ScriptHost::fail(const QString &message)
{
    m_engine.throwError(QJSValue::GenericError, message);
}

bool ScriptHost::waitFor(const std::function<bool()> &done, int timeoutMs)
{
    const QDeadlineTimer deadline(std::max(0, timeoutMs));
    // Spin briefly (a reply on loopback comes within tens of microseconds), then nap.
    for (int round = 0;; ++round) {
        if (done())
            return true;
        if (m_stopping || deadline.hasExpired())
            return false;
        if (round < 200)
            std::this_thread::yield();
        else
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

ScriptHost::Reader *ScriptHost::reader(double id)
{
    const auto found = m_readers.find(quint64(id));
    if (found == m_readers.end()) {
        fail(QStringLiteral("no connection %1: use the object connect() returned").arg(id));
        return nullptr;
    }
    return &found.value();
}

bool ScriptHost::ensureOpen(double id)
{
    if (!reader(id))
        return false;
    if (m_manager.state(quint64(id)) != session::SessionState::Open) {
        fail(QStringLiteral("cannot send: %1").arg(closedText(m_manager.snapshot(quint64(id)))));
        return false;
    }
    return true;
}

bool ScriptHost::checkSize(qsizetype size)
{
    if (size <= m_options.maxSendBytes)
        return true;
    fail(QStringLiteral("a message of %1 bytes is over the script limit of %2")
             .arg(size)
             .arg(m_options.maxSendBytes));
    return false;
}

QJSValue ScriptHost::open(const QString &url, const QJSValue &options)
{
    Call call(*this);
    const QString target = url.isEmpty() ? m_options.defaultUrl : url;
    if (target.isEmpty()) {
        fail(QStringLiteral("connect(): no URL given, and none on the command line (--url)"));
        return {};
    }
    session::ClientOptions client;
    client.url = QUrl(target);
    int timeoutMs = 10'000;
    if (options.isObject()) {
        const QJSValue headers = options.property(QStringLiteral("headers"));
        if (headers.isObject()) {
            const QVariantMap map = headers.toVariant().toMap();
            for (auto it = map.cbegin(); it != map.cend(); ++it)
                client.headers.append({it.key().toUtf8(), it.value().toString().toUtf8()});
        }
        const QJSValue subprotocols = options.property(QStringLiteral("subprotocols"));
        if (subprotocols.isArray())
            for (const QVariant &name : subprotocols.toVariant().toList())
                client.subprotocols.append(name.toString().toUtf8());
        else if (subprotocols.isString())
            client.subprotocols.append(subprotocols.toString().toUtf8());
        if (const QJSValue origin = options.property(QStringLiteral("origin")); origin.isString())
            client.origin = origin.toString().toUtf8();
        client.offerDeflate = options.property(QStringLiteral("deflate")).toBool();
        if (const QJSValue timeout = options.property(QStringLiteral("timeoutMs"));
            timeout.isNumber())
            timeoutMs = timeout.toInt();
    }
    if (!client.url.isValid()
        || (client.url.scheme() != QLatin1String("ws")
            && client.url.scheme() != QLatin1String("wss"))) {
        fail(QStringLiteral("connect(): \"%1\" is not a ws:// or wss:// URL").arg(target));
        return {};
    }
    const qint64 startedNs = session::monotonicNs();
    const qint64 startedAtMs = QDateTime::currentMSecsSinceEpoch();
    const quint64 id = m_manager.open(client);
    const bool settled = waitFor(
        [&] {
            const session::SessionState state = m_manager.state(id);
            return state == session::SessionState::Open || state == session::SessionState::Closed;
        },
        timeoutMs);
    if (!settled || m_manager.state(id) != session::SessionState::Open) {
        const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(id);
        m_manager.abort(id);
        m_manager.remove(id);
        fail(QStringLiteral("connect(%1): %2")
                 .arg(target, !settled ? QStringLiteral("not open after %1 ms").arg(timeoutMs)
                              : snapshot && !snapshot->errorString.isEmpty()
                                  ? snapshot->errorString
                                  : QStringLiteral("the upgrade failed")));
        return {};
    }
    Reader reader;
    reader.store = m_manager.store(id);
    reader.next = reader.store->firstId().value;
    reader.url = target;
    m_readers.insert(id, reader);
    if (onOpened)
        onOpened(id, target, reader.store, startedNs, startedAtMs);
    return QJSValue(double(id));
}

void ScriptHost::sendFrame(double id, const QJSValue &frame)
{
    Call call(*this);
    if (!frame.isObject()) {
        fail(QStringLiteral("sendFrame(): give an object {fin, rsv1, opcode, mask, payload, ...}"));
        return;
    }
    auto flag = [&](const char *name, bool fallback) {
        const QJSValue value = frame.property(QString::fromLatin1(name));
        return value.isUndefined() ? fallback : value.toBool();
    };
    const QJSValue payloadValue = frame.property(QStringLiteral("payload"));
    const QByteArray payload = payloadValue.isString() ? payloadValue.toString().toUtf8()
                               : payloadValue.isUndefined()
                                   ? QByteArray()
                                   : m_engine.fromScriptValue<QByteArray>(payloadValue);
    if (!checkSize(payload.size()) || !reader(id))
        return;
    protocol::FrameHeader header;
    header.fin = flag("fin", true);
    header.rsv1 = flag("rsv1", false);
    header.rsv2 = flag("rsv2", false);
    header.rsv3 = flag("rsv3", false);
    const QJSValue opcode = frame.property(QStringLiteral("opcode"));
    const double opcodeValue = opcode.isUndefined() ? 1 : opcode.toNumber();
    if (!(opcodeValue >= 0 && opcodeValue <= 15 && opcodeValue == std::floor(opcodeValue))) {
        fail(QStringLiteral("sendFrame(): opcode %1 is not one of 0-15 (4 bits)")
                 .arg(opcode.toString()));
        return;
    }
    header.opcode = std::uint8_t(opcodeValue);
    header.masked = flag("mask", true);
    if (header.masked) {
        const QJSValue key = frame.property(QStringLiteral("maskKey"));
        if (key.isString()) {
            const QByteArray bytes = QByteArray::fromHex(key.toString().toLatin1());
            if (bytes.size() != 4) {
                fail(QStringLiteral("sendFrame(): maskKey is 4 bytes, as 8 hex digits"));
                return;
            }
            std::copy(bytes.cbegin(), bytes.cend(), header.maskKey.begin());
        } else if (!protocol::randomBytes(header.maskKey)) {
            fail(QStringLiteral("sendFrame(): no random bytes for a mask key"));
            return;
        }
    }
    const QJSValue length = frame.property(QStringLiteral("length")); // may lie
    header.payloadLength
        = length.isNumber() ? std::uint64_t(length.toNumber()) : std::uint64_t(payload.size());
    if (m_manager.state(quint64(id)) == session::SessionState::Closed) {
        fail(QStringLiteral("cannot send: %1").arg(closedText(m_manager.snapshot(quint64(id)))));
        return;
    }
    m_manager.sendRawFrame(quint64(id), header, payload);
}

void ScriptHost::sendFragmented(double id, const QByteArray &payload, bool binary,
                                const QJSValue &sizes)
{
    Call call(*this);
    if (!checkSize(payload.size()) || !ensureOpen(id))
        return;
    std::vector<std::size_t> cuts;
    for (const QVariant &size : sizes.toVariant().toList())
        cuts.push_back(size.toLongLong() > 0 ? std::size_t(size.toLongLong()) : 0);
    if (!m_manager.sendFragments(quint64(id),
                                 binary ? protocol::Opcode::Binary : protocol::Opcode::Text,
                                 payload, cuts, false))
        fail(QStringLiteral("sendFragmented(): give frame sizes above 0, e.g. [3, 5]"));
}

double ScriptHost::ping(double id, const QByteArray &payload, int timeoutMs)
{
    Call call(*this);
    if (payload.size() > 125) {
        fail(QStringLiteral("ping(): a ping carries at most 125 bytes"));
        return 0;
    }
    if (!ensureOpen(id))
        return 0;
    const std::shared_ptr<capture::FrameStore> store = m_readers.value(quint64(id)).store;
    std::uint64_t cursor = store->endId().value;
    m_manager.ping(quint64(id), payload);
    std::int64_t sentNs = 0;
    std::int64_t pongNs = 0;
    std::vector<std::uint8_t> bytes;
    const bool answered = waitFor(
        [&] {
            for (; cursor < store->endId().value; ++cursor) {
                const std::optional<capture::FrameRecord> record = store->record({cursor});
                if (!record)
                    continue;
                const bool sent = record->has(capture::FrameRecord::Sent);
                if (sent && record->opcode == 0x9 && sentNs == 0)
                    sentNs = record->endNs;
                else if (!sent && record->opcode == 0xA && store->payload({cursor}, bytes)
                         && bytesOf(bytes) == payload)
                    pongNs = record->endNs;
            }
            return pongNs != 0 && sentNs != 0;
        },
        timeoutMs);
    if (!answered) {
        if (!m_stopping)
            fail(QStringLiteral("ping(): no pong within %1 ms").arg(timeoutMs));
        return 0;
    }
    return double(pongNs - sentNs) / 1e6;
}

void ScriptHost::close(double id, int code, const QString &reason, int timeoutMs)
{
    Call call(*this);
    if (!reader(id))
        return;
    // Refused before anything goes out: a code an endpoint may not send, or a reason that does
    // not fit a control frame.
    if (code < 0 || code > 0xffff || !protocol::isValidWireCloseCode(std::uint16_t(code))) {
        fail(QStringLiteral("close(): %1 is not a code an endpoint may send (1000-1003, "
                            "1007-1014, 3000-4999)")
                 .arg(code));
        return;
    }
    if (const qsizetype bytes = reason.toUtf8().size();
        bytes > qsizetype(protocol::kMaxCloseReasonBytes)) {
        fail(QStringLiteral("close(): the reason is %1 bytes in UTF-8; at most %2 fit a close "
                            "frame")
                 .arg(bytes)
                 .arg(protocol::kMaxCloseReasonBytes));
        return;
    }
    if (m_manager.state(quint64(id)) != session::SessionState::Closed)
        m_manager.close(quint64(id), std::uint16_t(code), reason.toUtf8());
    if (!waitFor([&] { return m_manager.state(quint64(id)) == session::SessionState::Closed; },
                 timeoutMs)
        && !m_stopping)
        fail(QStringLiteral("close(): the peer did not close within %1 ms").arg(timeoutMs));
}

void ScriptHost::sendBatch(double id, const QJSValue &items)
{
    Call call(*this);
    const int count = items.property(QStringLiteral("length")).toInt();
    QList<QPair<bool, QByteArray>> messages; // binary?, bytes
    messages.reserve(count);
    for (int i = 0; i < count; ++i) {
        const QJSValue item = items.property(quint32(i));
        if (item.isString())
            messages.append({false, item.toString().toUtf8()});
        else
            messages.append({true, m_engine.fromScriptValue<QByteArray>(item)});
        if (!checkSize(messages.back().second.size()))
            return;
    }
    if (!ensureOpen(id))
        return;
    m_manager.withSession(quint64(id), [messages = std::move(messages)](session::ClientSession &s) {
        for (const auto &[binary, bytes] : messages)
            binary ? s.sendBinary(bytes) : s.sendText(bytes);
    });
}

int ScriptHost::collect(Reader &source, int max, QJSValue &into)
{
    const capture::FrameStore &store = *source.store;
    std::vector<std::uint8_t> bytes;
    int count = 0;
    for (; count < max && source.next < store.endId().value; ++source.next) {
        const std::optional<capture::FrameRecord> record = store.record({source.next});
        // Control frames are not messages: pongs are read by ping(), a close by the state.
        if (!record || record->has(capture::FrameRecord::Sent) || record->opcode >= 0x8)
            continue;
        if (record->opcode != 0x0) {
            source.partial.clear();
            source.partialOpcode = record->opcode;
        }
        if (store.payload({source.next}, bytes))
            source.partial += bytesOf(bytes);
        if (!record->has(capture::FrameRecord::Fin))
            continue;
        QJSValue message = m_engine.newObject();
        const bool text = source.partialOpcode == 0x1;
        message.setProperty(QStringLiteral("type"),
                            text ? QStringLiteral("text") : QStringLiteral("binary"));
        message.setProperty(QStringLiteral("data"),
                            text ? QJSValue(QString::fromUtf8(source.partial))
                                 : m_engine.toScriptValue(source.partial));
        into.setProperty(quint32(count++), message);
        source.partial.clear();
        source.partialOpcode = -1;
    }
    return count;
}

QJSValue ScriptHost::nextBatch(double id, int max, int timeoutMs, int askedMs)
{
    Call call(*this);
    Reader *source = reader(id);
    if (!source)
        return {};
    QJSValue messages = m_engine.newArray();
    int count = 0;
    bool closed = false;
    waitFor(
        [&] {
            count = collect(*source, std::max(1, max), messages);
            if (count > 0)
                return true;
            // Closed, and everything it stored read: nothing more will come.
            closed = m_manager.state(quint64(id)) == session::SessionState::Closed
                     && source->next >= source->store->endId().value;
            return closed;
        },
        timeoutMs);
    if (count > 0)
        return messages;
    if (m_stopping)
        return {};
    fail(closed ? QStringLiteral("no message: %1").arg(closedText(m_manager.snapshot(quint64(id))))
                : QStringLiteral("no message within %1 ms").arg(askedMs));
    return {};
}

QJSValue ScriptHost::state(double id)
{
    Call call(*this);
    if (!reader(id))
        return {};
    return QJSValue(session::describe(m_manager.state(quint64(id))));
}

void ScriptHost::sleep(int ms)
{
    Call call(*this);
    waitFor([] { return false; }, ms);
}

void ScriptHost::log(const QString &line)
{
    Call call(*this);
    if (onLog)
        onLog(readableText(line));
}

void ScriptHost::testResult(const QString &name, bool passed, const QString &message,
                            double seconds)
{
    Call call(*this);
    const TestResult result{readableText(name), passed, readableText(message), seconds};
    tests.append(result);
    if (onTest)
        onTest(result);
}

QString ScriptHost::where(const QJSValue &error) const
{
    if (!locator)
        return {};
    const ScriptLocation at = locator->locate(error);
    return at.isValid() ? at.toString() : QString();
}

QJSValue ScriptHost::env() const
{
    QJSValue object = m_engine.newObject();
    for (auto it = m_options.env.cbegin(); it != m_options.env.cend(); ++it)
        object.setProperty(it.key(), it.value());
    return object;
}

QString ScriptHost::toHex(const QByteArray &bytes) const
{
    return QString::fromLatin1(bytes.toHex());
}

QJSValue ScriptHost::fromHex(const QString &hex)
{
    QString digits = hex;
    digits.remove(QLatin1Char(' '));
    if (digits.size() % 2 != 0 || std::any_of(digits.cbegin(), digits.cend(), [](QChar c) {
            return !isxdigit(c.toLatin1());
        })) {
        fail(QStringLiteral("\"%1\" is not hex: pairs of 0-9, a-f").arg(hex.left(40)));
        return {};
    }
    return m_engine.toScriptValue(QByteArray::fromHex(digits.toLatin1()));
}

QString ScriptHost::toBase64(const QByteArray &bytes) const
{
    return QString::fromLatin1(bytes.toBase64());
}

QJSValue ScriptHost::fromBase64(const QString &text)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        text.trimmed().toLatin1(),
        QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        fail(QStringLiteral("not base64: %1").arg(text.left(40)));
        return {};
    }
    return m_engine.toScriptValue(*decoded);
}

} // namespace framescope::scripting
