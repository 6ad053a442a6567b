#include "frameformatter.h"

#include <QByteArray>
#include <QDateTime>
#include <QStringList>
#include <algorithm>
#include <bit>
#include <iterator>
#include <protocol/frameheader.h>
#include <protocol/protocolerror.h>
#include <protocol/utf8validator.h>
#include <string_view>

namespace framescope::session {

namespace {

// "    12.345ms " and, when asked, "#3 " for the connection.
QString timeColumn(std::int64_t timeNs, std::int64_t originNs, std::uint32_t connection,
                   bool showConnection)
{
    QString column = QStringLiteral("%1ms ").arg(double(timeNs - originNs) / 1e6, 10, 'f', 3);
    if (showConnection)
        column += QStringLiteral("#%1 ").arg(connection);
    return column;
}

// Each line of `text` (CR LF or LF; made printable) on a line of its own after `prefix`; none
// for empty text.
QString prefixedLines(const QString &text, const QString &prefix)
{
    QString out;
    const QString lines = printable(text, true).trimmed();
    if (lines.isEmpty())
        return out;
    for (const QString &line : lines.split(QLatin1Char('\n')))
        out += QLatin1Char('\n') + prefix + line;
    return out;
}

QString printableText(const std::string &text)
{
    return session::printable(QString::fromStdString(text));
}

bool isBidiControl(char16_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E
           || c == 0x200F || c == 0x061C;
}

} // namespace

QString printable(QStringView text, bool keepLineBreaks)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (keepLineBreaks && c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n')
            continue;
        if (keepLineBreaks && c == u'\n') {
            out += QLatin1Char('\n');
        } else if (c == u'\n') {
            out += QLatin1String("\\n");
        } else if (c == u'\r') {
            out += QLatin1String("\\r");
        } else if (c == u'\t') {
            out += QLatin1String("\\t");
        } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            out += QStringLiteral("\\x%1").arg(unsigned(c), 2, 16, QLatin1Char('0'));
        } else if (isBidiControl(c)) {
            out += QStringLiteral("\\u{%1}").arg(unsigned(c), 4, 16, QLatin1Char('0'));
        } else {
            out += text[i];
        }
    }
    return out;
}

QString formatSession(const capture::SessionInfo &session)
{
    const auto role = session.options.find("role");
    const bool server = role != session.options.end() && role->second == "server";
    QString text = (server ? QStringLiteral("capture of the built-in server at ")
                           : QStringLiteral("capture of "))
                   + printableText(session.url) + QStringLiteral(" by ")
                   + printableText(session.tool);
    if (session.startedAtUnixMs > 0)
        text += QStringLiteral(", started ")
                + QDateTime::fromMSecsSinceEpoch(session.startedAtUnixMs, Qt::UTC)
                      .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss 'UTC'"));
    QStringList phases;
    for (const auto &[phase, name] : {std::pair{"lookup", "lookup"},
                                      {"connect", "connect"},
                                      {"tls", "TLS"},
                                      {"upgrade", "upgrade"}}) {
        if (const auto found = session.phasesNs.find(phase); found != session.phasesNs.end())
            phases << QStringLiteral("%1 %2 ms")
                          .arg(QLatin1String(name))
                          .arg(double(found->second) / 1e6, 0, 'f', 3);
    }
    if (!phases.isEmpty())
        text += QStringLiteral("\nphases: ") + phases.join(QStringLiteral(", "));
    if (!session.subprotocol.empty())
        text += QStringLiteral("\nsubprotocol: ") + printableText(session.subprotocol);
    if (!session.extensions.empty())
        text += QStringLiteral("\nextensions: ") + printableText(session.extensions);
    // TLS: what was negotiated, then the certificate, then what was decided about it; anything
    // else after.
    constexpr std::string_view kTlsOrder[]
        = {"protocol", "cipher", "chain", "subject",  "subjectAltNames", "expires",
           "sha256",   "errors", "alert", "override", "pinned"};
    const auto tlsLine = [&](const std::string &name, const std::string &value) {
        text += QStringLiteral("\ntls %1: %2").arg(printableText(name), printableText(value));
    };
    for (const std::string_view name : kTlsOrder) {
        if (const auto found = session.tls.find(std::string(name)); found != session.tls.end())
            tlsLine(found->first, found->second);
    }
    for (const auto &[name, value] : session.tls) {
        if (std::find(std::begin(kTlsOrder), std::end(kTlsOrder), name) == std::end(kTlsOrder))
            tlsLine(name, value);
    }
    QStringList options;
    for (const auto &[name, value] : session.options) {
        if (name != "role")
            options << printableText(name + "=" + value);
    }
    if (!options.isEmpty())
        text += QStringLiteral("\noptions: ") + options.join(QStringLiteral(", "));
    // As curl -v shows them: "> " what we sent, "< " what came back.
    text += prefixedLines(QString::fromStdString(session.handshakeRequest),
                          QStringLiteral("    > "));
    text += prefixedLines(QString::fromStdString(session.handshakeResponse),
                          QStringLiteral("    < "));
    return text;
}

QString formatFrame(const capture::FrameRecord &record, std::span<const std::uint8_t> payloadPrefix,
                    std::int64_t originNs, bool showConnection)
{
    // The frame's time is the wire's: when it was complete (received), or handed over (sent).
    QString line = timeColumn(record.endNs, originNs, record.connection, showConnection)
                   + (record.has(capture::FrameRecord::Sent) ? QStringLiteral("-> ")
                                                             : QStringLiteral("<- "));
    line += QString::fromStdString(protocol::describeHeader(record.header()));
    if (record.has(capture::FrameRecord::Compressed))
        line += QStringLiteral(" INFLATED=%1").arg(record.storedLength);
    if (record.violations != 0) {
        QStringList ids;
        for (std::uint32_t bits = record.violations; bits != 0; bits &= bits - 1) {
            const auto error = static_cast<protocol::ProtocolError>(std::countr_zero(bits));
            ids << QString::fromLatin1(protocol::errorId(error).data(),
                                       qsizetype(protocol::errorId(error).size()));
        }
        line += QStringLiteral(" VIOLATIONS=") + ids.join(QLatin1Char(','));
    }
    // The payload as far as it was kept and handed to us (at most kPreviewBytes are shown).
    const std::size_t total = std::max<std::size_t>(record.storedLength, payloadPrefix.size());
    std::span<const std::uint8_t> shown
        = payloadPrefix.first(std::min(payloadPrefix.size(), kPreviewBytes));
    if (shown.empty())
        return line;
    if (record.opcode == 0x8 && shown.size() >= 2) {
        const QByteArray reason(reinterpret_cast<const char *>(shown.data()) + 2,
                                qsizetype(shown.size() - 2));
        return line
               + QStringLiteral("  code %1 \"%2\"")
                     .arg((shown[0] << 8) | shown[1])
                     .arg(printable(QString::fromUtf8(reason)));
    }
    // Text when what is shown is UTF-8 (a sequence cut by the preview's end does not count),
    // except in a binary frame, which shows its bytes whatever they are.
    protocol::Utf8Validator validator;
    const bool cut = shown.size() < total;
    if (record.opcode != 0x2 && validator.feed(shown) && (validator.isComplete() || cut)) {
        while (!validator.isComplete() && !shown.empty()) {
            shown = shown.first(shown.size() - 1); // back to the last whole character
            validator.reset();
            validator.feed(shown);
        }
        const QByteArray text(reinterpret_cast<const char *>(shown.data()),
                              qsizetype(shown.size()));
        return line + QStringLiteral("  \"") + printable(QString::fromUtf8(text))
               + (cut ? QStringLiteral("…\"") : QStringLiteral("\""));
    }
    const QByteArray raw(reinterpret_cast<const char *>(shown.data()),
                         qsizetype(std::min<std::size_t>(shown.size(), 32)));
    return line + QStringLiteral("  ") + QString::fromLatin1(raw.toHex(' '))
           + (total > 32 ? QStringLiteral(" …") : QString());
}

QString formatEvent(const capture::CaptureEvent &event, std::int64_t originNs, bool showConnection)
{
    QString text = timeColumn(event.timeNs, originNs, event.connection, showConnection)
                   + QStringLiteral("== ")
                   + QString::fromLatin1(capture::eventKindName(event.kind).data());
    if (event.code)
        text += QStringLiteral(" %1").arg(*event.code);
    if (event.kind
        == capture::EventKind::HandshakeRequest) // the server's: the reason is the peer's address
        text += QStringLiteral(" from %1").arg(printableText(event.reason));
    else if (!event.reason.empty())
        text += QStringLiteral(" \"%1\"").arg(printableText(event.reason));
    // One line of detail follows on the same line; several (a head) below, indented.
    const QString detail = QString::fromStdString(event.detail);
    const QString lines = prefixedLines(detail, QString(18, QLatin1Char(' ')));
    if (lines.count(QLatin1Char('\n')) == 1)
        text += QStringLiteral(": ") + lines.trimmed();
    else
        text += lines;
    return text;
}

} // namespace framescope::session
