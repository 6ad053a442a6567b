#pragma once

#include <QList>
#include <QString>
#include <QWidget>
#include <array>
#include <optional>
#include <protocol/frameheader.h>

namespace framescope::ui {

// A frame's header drawn bit by bit, as RFC 6455 §5.2 draws it: the bits in rows of 16 (two
// bytes), each field a box over its bits with its name and value (FIN, RSV1-3, opcode, MASK, the
// 7-bit length, the extended length, the mask key). For trainers and for reading a broken frame.
class HeaderDiagram : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kBitsPerRow = 16;

    struct Field
    {
        QString name; // "FIN", "opcode", "mask key"
        int firstBit; // from the header's first bit (the most significant of byte 0)
        int bitCount;
        QString value; // "1", "0x1 TEXT", "37 fa 21 3d"
    };

    explicit HeaderDiagram(QWidget *parent = nullptr);

    // The header as it went on the wire (a length that lies is drawn as it lies). Nothing shown
    // for std::nullopt.
    void setHeader(const std::optional<protocol::FrameHeader> &header);
    const QList<Field> &fields() const { return m_fields; }
    // The header's bytes as encoded, and each bit (0 or 1) by its index.
    int headerBits() const { return int(m_size) * 8; }
    int bit(int index) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int cellWidth() const;
    int preferredCellWidth() const;
    QFont namesFont() const;
    QFont namesFontFor(int cell) const;
    int bandHeight() const;
    int gutterWidth() const;
    QString segmentHex(int firstByte, int bytes) const;

    QList<Field> m_fields;
    std::array<std::uint8_t, protocol::kMaxHeaderSize> m_bytes{};
    std::size_t m_size = 0;
};

} // namespace framescope::ui
