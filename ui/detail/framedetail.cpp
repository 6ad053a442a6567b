#include "framedetail.h"

#include <QStringList>
#include <array>
#include <bit>
#include <protocol/frameheader.h>
#include <protocol/protocolerror.h>
#include <session/frontend/frameformatter.h>

namespace framescope::ui {

QString closeCodeMeaning(std::uint16_t code)
{
    switch (code) {
    case 1000:
        return QStringLiteral("normal closure");
    case 1001:
        return QStringLiteral("going away (a server shutting down, a page left)");
    case 1002:
        return QStringLiteral("protocol error");
    case 1003:
        return QStringLiteral("unsupported data (a type it cannot accept)");
    case 1005:
        return QStringLiteral("no status code (never sent on the wire)");
    case 1006:
        return QStringLiteral("closed abnormally (never sent on the wire)");
    case 1007:
        return QStringLiteral("invalid payload data (text that is not UTF-8)");
    case 1008:
        return QStringLiteral("policy violation");
    case 1009:
        return QStringLiteral("message too big");
    case 1010:
        return QStringLiteral("the client needed an extension the server did not agree to");
    case 1011:
        return QStringLiteral("internal server error");
    case 1012:
        return QStringLiteral("service restart");
    case 1013:
        return QStringLiteral("try again later");
    case 1014:
        return QStringLiteral("bad gateway");
    case 1015:
        return QStringLiteral("TLS handshake failure (never sent on the wire)");
    default:
        if (code >= 3000 && code <= 3999)
            return QStringLiteral("registered for libraries and frameworks");
        if (code >= 4000 && code <= 4999)
            return QStringLiteral("private use (the application's own meaning)");
        return QStringLiteral("not a valid close code");
    }
}

namespace {

// A hexDump() line's characters: offset and two spaces, "xx " a byte (and a gap between the
// halves of 16), a space, the ASCII.
int hexLineChars(int bytesPerLine)
{
    return 8 + 2 + 3 * bytesPerLine + (bytesPerLine == 16 ? 1 : 0) + 1 + bytesPerLine;
}

} // namespace

int hexBytesPerLine(int lineChars)
{
    if (lineChars <= 0)
        return 16;
    for (const int bytes : {16, 8})
        if (hexLineChars(bytes) <= lineChars)
            return bytes;
    return 4;
}

QString hexDump(const std::uint8_t *data, std::size_t size, std::uint64_t firstOffset,
                int bytesPerLine)
{
    const std::size_t perLine = bytesPerLine == 4 || bytesPerLine == 8 ? bytesPerLine : 16;
    QStringList lines;
    for (std::size_t line = 0; line < size; line += perLine) {
        QString hex;
        QString ascii;
        for (std::size_t i = line; i < line + perLine; ++i) {
            if (i < size) {
                hex += QStringLiteral("%1 ").arg(data[i], 2, 16, QLatin1Char('0'));
                ascii += data[i] >= 0x20 && data[i] < 0x7f ? QLatin1Char(char(data[i]))
                                                           : QLatin1Char('.');
            } else {
                hex += QStringLiteral("   ");
            }
            if (i - line == 7 && perLine == 16)
                hex += QLatin1Char(' ');
        }
        lines << QStringLiteral("%1  %2 %3")
                     .arg(firstOffset + line, 8, 16, QLatin1Char('0'))
                     .arg(hex, ascii);
    }
    return lines.join(QLatin1Char('\n'));
}

QString maskedBesideUnmasked(const std::uint8_t *unmasked, const std::uint8_t *masked,
                             std::size_t size, std::uint64_t firstOffset)
{
    QStringList lines;
    const auto hex = [](const std::uint8_t *data, std::size_t from, std::size_t to) {
        QString out;
        for (std::size_t i = from; i < from + 4; ++i)
            out += i < to ? QStringLiteral("%1 ").arg(data[i], 2, 16, QLatin1Char('0'))
                          : QStringLiteral("   ");
        return out;
    };
    // Four bytes a line, the mask key's period: each column is masked with the same key byte.
    for (std::size_t line = 0; line < size; line += 4) {
        QString ascii;
        for (std::size_t i = line; i < std::min(size, line + 4); ++i)
            ascii += unmasked[i] >= 0x20 && unmasked[i] < 0x7f ? QLatin1Char(char(unmasked[i]))
                                                               : QLatin1Char('.');
        // The text beside the bytes it is made of; then the same bytes as they went.
        lines << QStringLiteral("%1  %2 %3 │ %4")
                     .arg(firstOffset + line, 8, 16, QLatin1Char('0'))
                     .arg(hex(unmasked, line, size), ascii.leftJustified(4),
                          hex(masked, line, size).trimmed());
    }
    return lines.join(QLatin1Char('\n'));
}

namespace {

QString lengthFormText(protocol::LengthForm form, std::uint64_t length)
{
    switch (form) {
    case protocol::LengthForm::Extended16:
        return QStringLiteral("16-bit extended (126, then 2 bytes)%1")
            .arg(length < 126 ? QStringLiteral(": NOT MINIMAL, 7 bits would do") : QString());
    case protocol::LengthForm::Extended64:
        return QStringLiteral("64-bit extended (127, then 8 bytes)%1")
            .arg(length < 65536 ? QStringLiteral(": NOT MINIMAL") : QString());
    default:
        return QStringLiteral("7-bit (in the second byte)");
    }
}

} // namespace

QString describeFrame(const capture::FrameRecord &record, std::uint64_t id,
                      const std::vector<std::uint8_t> &payload, std::int64_t originNs,
                      std::uint64_t payloadOffset, int lineChars)
{
    const protocol::FrameHeader header = record.header();
    std::array<std::uint8_t, protocol::kMaxHeaderSize> bytes{};
    const std::size_t headerSize = protocol::encodeHeader(header, bytes);
    QStringList out;
    out << QStringLiteral("Frame %1, %2 at %3 ms")
               .arg(id + 1)
               .arg(record.has(capture::FrameRecord::Sent) ? QStringLiteral("sent")
                                                           : QStringLiteral("received"))
               .arg(double(record.endNs - originNs) / 1e6, 0, 'f', 3);
    // When it began and ended: a received frame with the reads that brought its first and last
    // bytes, a sent one when queued and when its last byte reached the kernel.
    const bool sent = record.has(capture::FrameRecord::Sent);
    out << QStringLiteral("%1 %2 ms, %3 %4 ms (%5 µs)")
               .arg(sent ? QStringLiteral("Queued") : QStringLiteral("First bytes"))
               .arg(double(record.startNs - originNs) / 1e6, 0, 'f', 3)
               .arg(sent ? QStringLiteral("written") : QStringLiteral("complete"))
               .arg(double(record.endNs - originNs) / 1e6, 0, 'f', 3)
               .arg(double(record.endNs - record.startNs) / 1e3, 0, 'f', 1);
    out << QString();
    QString wire;
    for (std::size_t i = 0; i < headerSize; ++i)
        wire += QStringLiteral("%1 ").arg(bytes[i], 2, 16, QLatin1Char('0'));
    out << QStringLiteral("Header (%1 bytes): %2").arg(headerSize).arg(wire.trimmed());
    const auto bit = [](std::uint8_t byte, int n) {
        return (byte >> n) & 1;
    };
    out << QStringLiteral("  byte 0  %1  FIN=%2 RSV=%3%4%5 opcode=%6 (0x%7 %8)")
               .arg(bytes[0], 8, 2, QLatin1Char('0'))
               .arg(bit(bytes[0], 7))
               .arg(bit(bytes[0], 6))
               .arg(bit(bytes[0], 5))
               .arg(bit(bytes[0], 4))
               .arg(bytes[0] & 0x0f, 4, 2, QLatin1Char('0'))
               .arg(bytes[0] & 0x0f, 0, 16)
               .arg(QString::fromStdString(protocol::opcodeName(header.opcode)));
    out << QStringLiteral("  byte 1  %1  MASK=%2 length=%3")
               .arg(bytes[1], 8, 2, QLatin1Char('0'))
               .arg(bit(bytes[1], 7))
               .arg(bytes[1] & 0x7f);
    out << QStringLiteral("  Payload length: %1 bytes, %2")
               .arg(header.payloadLength)
               .arg(lengthFormText(protocol::effectiveLengthForm(header), header.payloadLength));
    if (header.masked)
        out << QStringLiteral("  Mask key: %1 %2 %3 %4 (each payload byte XOR key[i mod 4])")
                   .arg(header.maskKey[0], 2, 16, QLatin1Char('0'))
                   .arg(header.maskKey[1], 2, 16, QLatin1Char('0'))
                   .arg(header.maskKey[2], 2, 16, QLatin1Char('0'))
                   .arg(header.maskKey[3], 2, 16, QLatin1Char('0'));
    else
        out << QStringLiteral("  Not masked%1")
                   .arg(record.has(capture::FrameRecord::Sent)
                            ? QString()
                            : QStringLiteral(" (a server's frame)"));
    if (record.has(capture::FrameRecord::Compressed))
        out << QStringLiteral(
                   "  Compressed (permessage-deflate): %1 bytes on the wire, %2 inflated")
                   .arg(record.payloadLength)
                   .arg(record.storedLength);
    if (record.violations != 0) {
        out << QString() << QStringLiteral("Violations:");
        for (std::uint32_t bits = record.violations; bits != 0; bits &= bits - 1) {
            const auto error = static_cast<protocol::ProtocolError>(std::countr_zero(bits));
            out << QStringLiteral("  %1: %2")
                       .arg(QString::fromLatin1(protocol::errorId(error).data(),
                                                qsizetype(protocol::errorId(error).size())),
                            QString::fromLatin1(protocol::describe(error).data(),
                                                qsizetype(protocol::describe(error).size())));
        }
    }
    if (header.opcode == 0x8 && payload.size() >= 2) {
        const std::uint16_t code = std::uint16_t(payload[0] << 8 | payload[1]);
        out << QString()
            << QStringLiteral("Close code %1: %2").arg(code).arg(closeCodeMeaning(code));
        if (payload.size() > 2)
            out << QStringLiteral("Reason: %1")
                       .arg(session::printable(
                           QString::fromUtf8(reinterpret_cast<const char *>(payload.data()) + 2,
                                             qsizetype(payload.size() - 2))));
    }
    out << QString();
    const bool partial = payloadOffset > 0 || payload.size() < record.storedLength;
    const bool maskedAsSent = header.masked && !record.has(capture::FrameRecord::Compressed);
    out << QStringLiteral("Payload%1%2:")
               .arg(!partial             ? QString()
                    : payloadOffset == 0 ? QStringLiteral(" (first %1 of %2 bytes)")
                                               .arg(payload.size())
                                               .arg(record.storedLength)
                                         : QStringLiteral(" (bytes %1 to %2 of %3)")
                                               .arg(payloadOffset + 1)
                                               .arg(payloadOffset + payload.size())
                                               .arg(record.storedLength),
                    maskedAsSent
                        ? QStringLiteral(" │ masked as sent (XOR %1)")
                              .arg(QString::fromLatin1(
                                  QByteArray(reinterpret_cast<const char *>(header.maskKey.data()),
                                             4)
                                      .toHex(' ')))
                        : QString());
    if (payload.empty()) {
        out << QStringLiteral("(empty)");
    } else if (maskedAsSent) {
        std::vector<std::uint8_t> masked(payload);
        for (std::size_t i = 0; i < masked.size(); ++i)
            masked[i] ^= header.maskKey[(payloadOffset + i) % 4];
        out << maskedBesideUnmasked(payload.data(), masked.data(), payload.size(), payloadOffset);
    } else {
        out << hexDump(payload.data(), payload.size(), payloadOffset, hexBytesPerLine(lineChars));
    }
    if (header.opcode == 0x1 || (header.opcode == 0x0 && !payload.empty())) {
        out << QString() << QStringLiteral("Text:");
        out << session::printable(QString::fromUtf8(reinterpret_cast<const char *>(payload.data()),
                                                    qsizetype(payload.size())),
                                  true);
    }
    return out.join(QLatin1Char('\n'));
}

} // namespace framescope::ui
