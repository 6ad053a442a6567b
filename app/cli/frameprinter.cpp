#include "frameprinter.h"

#include <QByteArray>
#include <QStringList>
#include <bit>
#include <protocol/frameheader.h>
#include <protocol/protocolerror.h>
#include <protocol/utf8validator.h>

using namespace framescope;

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

} // namespace

QString formatFrame(const capture::FrameRecord &record, const std::vector<std::uint8_t> &payload,
                    std::int64_t originNs, bool showConnection)
{
    QString line = timeColumn(record.startNs, originNs, record.connection, showConnection)
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
    const QByteArray preview(reinterpret_cast<const char *>(payload.data()),
                             qsizetype(std::min<std::size_t>(payload.size(), 80)));
    if (record.opcode == 0x8 && payload.size() >= 2) {
        line += QStringLiteral("  code %1 \"%2\"")
                    .arg((payload[0] << 8) | payload[1])
                    .arg(QString::fromUtf8(preview.mid(2)));
    } else if (!payload.empty() && protocol::isValidUtf8(payload)) {
        line += QStringLiteral("  \"") + QString::fromUtf8(preview)
                + (payload.size() > 80 ? QStringLiteral("…\"") : QStringLiteral("\""));
    } else if (!payload.empty()) {
        line += QStringLiteral("  ") + QString::fromLatin1(preview.left(32).toHex(' '))
                + (payload.size() > 32 ? QStringLiteral(" …") : QString());
    }
    return line;
}

QString formatEvent(const capture::CaptureEvent &event, std::int64_t originNs, bool showConnection)
{
    QString text = timeColumn(event.timeNs, originNs, event.connection, showConnection)
                   + QStringLiteral("== ") + QString::fromStdString(event.kind);
    if (event.code)
        text += QStringLiteral(" %1").arg(*event.code);
    if (event.kind == "handshake-request") // the server's: the reason is the peer's address
        text += QStringLiteral(" from %1").arg(QString::fromStdString(event.reason));
    else if (!event.reason.empty())
        text += QStringLiteral(" \"%1\"").arg(QString::fromStdString(event.reason));
    const QStringList lines = QString::fromStdString(event.detail)
                                  .split(QStringLiteral("\r\n"))
                                  .join(QLatin1Char('\n'))
                                  .trimmed()
                                  .split(QLatin1Char('\n'));
    if (lines.size() == 1 && !lines.constFirst().isEmpty())
        text += QStringLiteral(": ") + lines.constFirst();
    else if (lines.size() > 1)
        for (const QString &line : lines)
            text += QStringLiteral("\n") + QString(18, QLatin1Char(' ')) + line;
    return text;
}
