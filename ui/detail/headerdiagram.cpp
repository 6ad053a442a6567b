#include "headerdiagram.h"

#include <QPainter>
#include <QPalette>
#include <window/theme.h>

namespace framescope::ui {

namespace {

QString hexBytes(const std::uint8_t *bytes, int count)
{
    QStringList parts;
    for (int i = 0; i < count; ++i)
        parts << QStringLiteral("%1").arg(bytes[i], 2, 16, QLatin1Char('0'));
    return parts.join(QLatin1Char(' '));
}

} // namespace

HeaderDiagram::HeaderDiagram(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("Frame header, bit by bit"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void HeaderDiagram::setHeader(const std::optional<protocol::FrameHeader> &header)
{
    m_fields.clear();
    m_size = header ? protocol::encodeHeader(*header, m_bytes) : 0;
    if (!header || m_size < 2) {
        m_size = 0;
        setAccessibleDescription({});
        updateGeometry();
        update();
        return;
    }
    const auto flag = [](bool on) {
        return on ? QStringLiteral("1") : QStringLiteral("0");
    };
    const std::uint8_t length7 = m_bytes[1] & 0x7F;
    m_fields = {
        {QStringLiteral("FIN"), 0, 1, flag(header->fin)},
        {QStringLiteral("RSV1"), 1, 1, flag(header->rsv1)},
        {QStringLiteral("RSV2"), 2, 1, flag(header->rsv2)},
        {QStringLiteral("RSV3"), 3, 1, flag(header->rsv3)},
        {QStringLiteral("opcode"), 4, 4,
         QStringLiteral("0x%1 %2")
             .arg(header->opcode & 0x0F, 0, 16)
             .arg(QString::fromStdString(protocol::opcodeName(header->opcode)))},
        {QStringLiteral("MASK"), 8, 1, flag(header->masked)},
        {QStringLiteral("length"), 9, 7,
         length7 == 126   ? QStringLiteral("126: 16-bit length follows")
         : length7 == 127 ? QStringLiteral("127: 64-bit length follows")
                          : QString::number(length7)},
    };
    int next = 16;
    if (length7 >= 126) {
        const int bytes = length7 == 126 ? 2 : 8;
        m_fields.append({QStringLiteral("extended length"), next, bytes * 8,
                         QString::number(header->payloadLength)});
        next += bytes * 8;
    }
    if (header->masked)
        m_fields.append({QStringLiteral("mask key"), next, 32, hexBytes(&m_bytes[next / 8], 4)});
    QStringList spoken;
    for (const Field &field : std::as_const(m_fields))
        spoken << field.name + QLatin1Char(' ') + field.value;
    setAccessibleDescription(spoken.join(QStringLiteral(", ")));
    updateGeometry();
    update();
}

QString HeaderDiagram::segmentHex(int firstByte, int bytes) const
{
    return hexBytes(&m_bytes[std::size_t(firstByte)], bytes);
}

int HeaderDiagram::bit(int index) const
{
    if (index < 0 || index >= headerBits())
        return -1;
    return (m_bytes[std::size_t(index / 8)] >> (7 - index % 8)) & 1;
}

// The width a bit is drawn in: what the widget has, between a digit's room and what "RSV1"
// needs in the names' font.
int HeaderDiagram::cellWidth() const
{
    const int least = fontMetrics().horizontalAdvance(QLatin1Char('0')) + 8;
    const int fits = (width() - gutterWidth() - 2) / kBitsPerRow;
    return std::clamp(fits, least, preferredCellWidth() * 3 / 2);
}

int HeaderDiagram::preferredCellWidth() const
{
    return QFontMetrics(namesFont()).horizontalAdvance(QStringLiteral("MASK")) + 6;
}

// The names' font, smaller than the bits' (namesFontFor() shrinks it for a narrow cell).
QFont HeaderDiagram::namesFont() const
{
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    return small;
}

QFont HeaderDiagram::namesFontFor(int cell) const
{
    QFont small = namesFont();
    while (small.pointSizeF() > 5.5
           && QFontMetrics(small).horizontalAdvance(QStringLiteral("MASK")) + 2 > cell)
        small.setPointSizeF(small.pointSizeF() - 0.5);
    return small;
}

int HeaderDiagram::bandHeight() const
{
    return fontMetrics().height() + 4;
}

int HeaderDiagram::gutterWidth() const
{
    return QFontMetrics(namesFont()).horizontalAdvance(tr("bytes")) + 8;
}

QSize HeaderDiagram::sizeHint() const
{
    const int rows = (headerBits() + kBitsPerRow - 1) / kBitsPerRow;
    // Per row: which bytes, then a band of names and one of bits.
    return {gutterWidth() + kBitsPerRow * preferredCellWidth() + 2, bandHeight() * 2 * rows + 2};
}

QSize HeaderDiagram::minimumSizeHint() const
{
    const int least = fontMetrics().horizontalAdvance(QLatin1Char('0')) + 8;
    return {gutterWidth() + kBitsPerRow * least + 2, sizeHint().height()};
}

void HeaderDiagram::paintEvent(QPaintEvent *)
{
    if (m_size == 0)
        return;
    QPainter painter(this);
    const int cell = cellWidth();
    const int band = bandHeight();
    const QPalette &colours = palette();
    const QFont small = namesFontFor(cell);
    const bool dark = isDarkPalette();
    // A soft colour of its own for each field, so that a field's boxes read together across
    // rows and no two fields look related.
    const QColor light[] = {{0xe3, 0xf2, 0xfd}, {0xff, 0xf3, 0xe0}, {0xe8, 0xf5, 0xe9},
                            {0xf3, 0xe5, 0xf5}, {0xe0, 0xf2, 0xf1}, {0xfc, 0xe4, 0xec},
                            {0xff, 0xfd, 0xe7}, {0xec, 0xef, 0xf1}, {0xef, 0xeb, 0xe9}};
    const QColor darkFills[] = {{0x26, 0x34, 0x3c}, {0x40, 0x33, 0x2a}, {0x24, 0x3a, 0x28},
                                {0x36, 0x2b, 0x44}, {0x1f, 0x3b, 0x39}, {0x42, 0x28, 0x32},
                                {0x3d, 0x3a, 0x22}, {0x30, 0x34, 0x38}, {0x3a, 0x32, 0x2e}};
    const QColor *fills = dark ? darkFills : light;
    // One-bit fields' names, shortened when even a small font cannot fit them.
    const bool shortNames
        = QFontMetrics(small).horizontalAdvance(QStringLiteral("MASK")) + 2 > cell;
    const auto shortName = [shortNames](const QString &name) {
        if (!shortNames)
            return name;
        return name == QLatin1String("FIN")    ? QStringLiteral("F")
               : name == QLatin1String("MASK") ? QStringLiteral("M")
                                               : QLatin1Char('R') + name.right(1); // RSV1: R1
    };
    // Which bytes each row holds, in the gutter.
    const int gutter = gutterWidth();
    painter.setFont(small);
    painter.setPen(colours.color(QPalette::PlaceholderText));
    for (int row = 0; row * kBitsPerRow < headerBits(); ++row)
        painter.drawText(QRect(0, 2 * band * row, gutter - 6, 2 * band),
                         Qt::AlignRight | Qt::AlignVCenter,
                         tr("bytes\n%1–%2").arg(2 * row).arg(2 * row + 1));
    for (int f = 0; f < m_fields.size(); ++f) {
        const Field &field = m_fields[f];
        // A field may run over several rows: a box on each.
        for (int start = field.firstBit; start < field.firstBit + field.bitCount;) {
            const int row = start / kBitsPerRow;
            const int column = start % kBitsPerRow;
            const int count
                = std::min(field.firstBit + field.bitCount - start, kBitsPerRow - column);
            const QRect box(gutter + column * cell, 2 * band * row, count * cell, 2 * band);
            painter.fillRect(box, fills[f % 9]);
            painter.setPen(colours.color(QPalette::Mid));
            painter.drawRect(box.adjusted(0, 0, -1, -1));
            // Its name (and value, where it fits) in the upper band.
            painter.setPen(colours.color(QPalette::Text));
            painter.setFont(small);
            const QRect label = box.adjusted(1, 0, -1, -band);
            // A field over several rows: each box names the bytes it holds.
            const bool first = start == field.firstBit;
            const bool bytes = field.firstBit % 8 == 0 && field.bitCount % 8 == 0;
            QString text;
            if (field.bitCount == 1)
                text = shortName(field.name);
            else if (first
                     && (!bytes || count == field.bitCount
                         || field.name != QLatin1String("mask key")))
                text = field.name + QStringLiteral(": ") + field.value;
            else if (bytes)
                text = (first ? field.name : field.name + tr(" (continued)")) + QStringLiteral(": ")
                       + segmentHex(start / 8, count / 8);
            else
                text = field.name + tr(" (continued)");
            painter.drawText(label, Qt::AlignCenter,
                             painter.fontMetrics().elidedText(text, Qt::ElideRight, label.width()));
            // Its bits in the lower band.
            painter.setFont(font());
            for (int i = 0; i < count; ++i)
                painter.drawText(QRect(box.left() + i * cell, box.top() + band, cell, band),
                                 Qt::AlignCenter, QString::number(bit(start + i)));
            start += count;
        }
    }
}

} // namespace framescope::ui
