#include "framelab.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>
#include <protocol/masking.h>
#include <protocol/messagewriter.h>
#include <protocol/protocolerror.h>
#include <protocol/utf8validator.h>
#include <window/theme.h>

namespace framescope::ui {

namespace {

enum PayloadKind { TextPayload, HexPayload };

std::span<const std::uint8_t> bytesOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

} // namespace

QString judgeFrame(const FrameLab::Frame &frame, protocol::Role sender)
{
    protocol::HeaderRules rules;
    rules.sender = sender;
    QStringList problems;
    const protocol::ViolationSet violations = protocol::headerViolations(frame.header, rules);
    for (unsigned bit = 0; bit < 32; ++bit) {
        const auto error = static_cast<protocol::ProtocolError>(bit);
        if (violations.contains(error))
            problems << QObject::tr("%1 (the receiver closes with %2)")
                            .arg(QString::fromUtf8(protocol::describe(error).data(),
                                                   qsizetype(protocol::describe(error).size())))
                            .arg(protocol::closeCodeFor(error));
    }
    // RFC 6455 §8.1: a text frame's payload is UTF-8 (a whole message's; here, this frame's).
    if (frame.header.opcode == 0x1 && frame.header.fin
        && !protocol::isValidUtf8(bytesOf(frame.payload)))
        problems << QObject::tr("The text is not valid UTF-8 (the receiver closes with 1007)");
    if (frame.header.payloadLength != std::uint64_t(frame.payload.size()))
        problems << QObject::tr("The header declares %1 bytes but %2 follow: the receiver reads "
                                "the next %1 bytes as this payload")
                        .arg(frame.header.payloadLength)
                        .arg(frame.payload.size());
    if (problems.isEmpty())
        return QObject::tr("A valid frame from a %1.")
            .arg(sender == protocol::Role::Client ? QObject::tr("client") : QObject::tr("server"));
    return problems.join(QLatin1Char('\n'));
}

FrameLab::FrameLab(QWidget *parent)
    : QWidget(parent)
{
    m_fin = new QCheckBox(QStringLiteral("FIN"));
    m_fin->setChecked(true);
    auto *bits = new QHBoxLayout;
    bits->addWidget(m_fin);
    for (int i = 0; i < 3; ++i) {
        m_rsv[i] = new QCheckBox(QStringLiteral("RSV%1").arg(i + 1));
        bits->addWidget(m_rsv[i]);
    }
    m_opcode = new QComboBox;
    m_opcode->setAccessibleName(tr("Opcode"));
    for (int opcode = 0; opcode < 16; ++opcode)
        m_opcode->addItem(
            QStringLiteral("0x%1 %2")
                .arg(opcode, 0, 16)
                .arg(QString::fromStdString(protocol::opcodeName(std::uint8_t(opcode)))),
            opcode);
    m_opcode->setCurrentIndex(1);
    bits->addWidget(m_opcode);
    bits->addStretch();

    m_mask = new QCheckBox(tr("MASK"));
    m_mask->setChecked(true); // a client's frames are masked (RFC 6455 §5.3)
    m_maskKey = new QLineEdit;
    m_maskKey->setAccessibleName(tr("Mask key"));
    m_maskKey->setInputMask(QStringLiteral("HH HH HH HH"));
    m_maskKey->setMaximumWidth(
        m_maskKey->fontMetrics().horizontalAdvance(QStringLiteral("00 00 00 00")) + 24);
    auto *newKey = new QPushButton(tr("Ne&w mask key"));
    m_lengthForm = new QComboBox;
    m_lengthForm->setAccessibleName(tr("Length encoding"));
    m_lengthForm->addItems({tr("Length: shortest form"), tr("Length: 7-bit"), tr("Length: 16-bit"),
                            tr("Length: 64-bit")});
    auto *mask = new QHBoxLayout;
    mask->addWidget(m_mask);
    mask->addWidget(m_maskKey);
    mask->addWidget(newKey);
    mask->addWidget(m_lengthForm);
    mask->addStretch();

    m_lie = new QCheckBox(tr("Override the length field:"));
    m_declared = new QLineEdit(QStringLiteral("0"));
    m_declared->setAccessibleName(tr("Declared length"));
    m_declared->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[0-9]{1,20}")), m_declared));
    m_declared->setEnabled(false);
    m_declared->setMaximumWidth(
        m_declared->fontMetrics().horizontalAdvance(QStringLiteral("9223372036854775807")) + 24);
    m_payloadKind = new QComboBox;
    m_payloadKind->setAccessibleName(tr("Payload kind"));
    m_payloadKind->addItems({tr("Payload as text"), tr("Payload as hex")});
    auto *length = new QHBoxLayout;
    length->addWidget(m_payloadKind);
    length->addWidget(m_lie);
    length->addWidget(m_declared);
    length->addWidget(new QLabel(tr("bytes (the payload is sent as it is)")));
    length->addStretch();

    m_payload = new QPlainTextEdit(QStringLiteral("Hello"));
    m_payload->setAccessibleName(tr("Frame payload"));
    m_wire = new QPlainTextEdit;
    m_wire->setReadOnly(true);
    m_wire->setAccessibleName(tr("Bytes on the wire"));
    m_wire->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_verdict = new QLabel;
    m_verdict->setAccessibleName(tr("What the receiver says"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_send = new QPushButton(tr("&Send Frame"));
    m_send->setToolTip(tr("Puts the frame on the wire exactly as shown (connect first)"));

    auto *editors = new QHBoxLayout;
    editors->addWidget(m_payload, 1);
    editors->addWidget(m_wire, 1);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_verdict, 1);
    bottom->addWidget(m_send);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bits);
    layout->addLayout(mask);
    layout->addLayout(length);
    layout->addLayout(editors, 1);
    layout->addLayout(bottom);

    for (QCheckBox *box : {m_fin, m_rsv[0], m_rsv[1], m_rsv[2], m_mask, m_lie})
        connect(box, &QCheckBox::toggled, this, &FrameLab::update);
    connect(m_lie, &QCheckBox::toggled, m_declared, &QWidget::setEnabled);
    for (QComboBox *box : {m_opcode, m_lengthForm, m_payloadKind})
        connect(box, &QComboBox::currentIndexChanged, this, &FrameLab::update);
    connect(m_maskKey, &QLineEdit::textChanged, this, &FrameLab::update);
    connect(m_declared, &QLineEdit::textChanged, this, &FrameLab::update);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &FrameLab::update);
    connect(newKey, &QPushButton::clicked, this, &FrameLab::newMaskKey);
    connect(m_send, &QPushButton::clicked, this, [this] {
        if (const std::optional<Frame> edited = frame())
            Q_EMIT sendRequested(*edited);
    });
    newMaskKey();
}

void FrameLab::newMaskKey()
{
    const std::optional<protocol::MaskKey> key = protocol::randomMaskKeySource()();
    if (!key)
        return;
    m_maskKey->setText(
        QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(key->data()), 4).toHex(' ')));
}

std::optional<FrameLab::Frame> FrameLab::frame(QString *error) const
{
    auto fail = [error](const QString &why) -> std::optional<Frame> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    Frame frame;
    const QString text = m_payload->toPlainText();
    if (m_payloadKind->currentIndex() == HexPayload) {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        static const QRegularExpression hex(QStringLiteral("^([0-9A-Fa-f]{2})*$"));
        if (!hex.match(digits).hasMatch())
            return fail(tr("The payload is not hex: give pairs of digits 0-9, a-f"));
        frame.payload = QByteArray::fromHex(digits.toLatin1());
    } else {
        frame.payload = text.toUtf8();
    }
    protocol::FrameHeader &header = frame.header;
    header.fin = m_fin->isChecked();
    header.rsv1 = m_rsv[0]->isChecked();
    header.rsv2 = m_rsv[1]->isChecked();
    header.rsv3 = m_rsv[2]->isChecked();
    header.opcode = std::uint8_t(m_opcode->currentData().toInt());
    header.masked = m_mask->isChecked();
    const QByteArray key = QByteArray::fromHex(m_maskKey->text().toLatin1());
    if (header.masked && key.size() != 4)
        return fail(tr("The mask key is four bytes: eight hex digits"));
    std::copy_n(key.constData(), std::min<qsizetype>(4, key.size()), header.maskKey.begin());
    header.lengthForm = static_cast<protocol::LengthForm>(m_lengthForm->currentIndex());
    header.payloadLength = std::uint64_t(frame.payload.size());
    if (m_lie->isChecked()) {
        bool ok = false;
        header.payloadLength = m_declared->text().toULongLong(&ok);
        if (!ok || header.payloadLength > (std::uint64_t{1} << 63) - 1) // RFC 6455 §5.2: MSB 0
            return fail(tr("A declared length is a number up to 2^63 - 1"));
    }
    std::uint8_t probe[protocol::kMaxHeaderSize];
    if (protocol::encodeHeader(header, probe) == 0)
        return fail(tr("%1 does not fit the chosen length encoding").arg(header.payloadLength));
    return frame;
}

QString FrameLab::wireText() const
{
    return m_wire->toPlainText();
}

QString FrameLab::verdictText() const
{
    return m_verdict->text();
}

void FrameLab::setSendEnabled(bool enabled)
{
    m_send->setEnabled(enabled);
    // Why it is grey, so that nobody blames the verdict beside it.
    m_send->setToolTip(enabled ? tr("Send this frame as it is, broken or not")
                               : tr("Connect first: the frame goes out on the session's "
                                    "connection"));
}

void FrameLab::update()
{
    QString error;
    const std::optional<Frame> edited = frame(&error);
    if (!edited) {
        m_wire->setPlainText(error);
        m_verdict->clear();
        return;
    }
    std::vector<std::uint8_t> wire;
    protocol::appendFrame(edited->header, bytesOf(edited->payload), wire);
    // Header bytes apart from the payload's, a line of 16 bytes each; a big payload is cut.
    constexpr std::size_t kShown = 4096;
    const std::size_t headerSize = protocol::encodedHeaderSize(edited->header);
    const QByteArray header(reinterpret_cast<const char *>(wire.data()), qsizetype(headerSize));
    QStringList lines{tr("Header: %1").arg(QString::fromLatin1(header.toHex(' '))),
                      edited->header.masked ? tr("Payload (masked):") : tr("Payload:")};
    const std::size_t shown = std::min(wire.size() - headerSize, kShown);
    for (std::size_t at = 0; at < shown; at += 16) {
        const QByteArray line(reinterpret_cast<const char *>(wire.data() + headerSize + at),
                              qsizetype(std::min<std::size_t>(16, shown - at)));
        lines << QString::fromLatin1(line.toHex(' '));
    }
    if (shown < wire.size() - headerSize)
        lines << tr("… %1 more bytes").arg(wire.size() - headerSize - shown);
    m_wire->setPlainText(lines.join(QLatin1Char('\n')));
    const QString verdict = judgeFrame(*edited, protocol::Role::Client);
    m_verdict->setText(verdict);
    // A frame a receiver refuses reads as a warning.
    const bool valid = verdict.startsWith(QLatin1String("A valid frame"));
    QPalette palette = m_verdict->palette();
    palette.setColor(QPalette::WindowText,
                     valid ? QApplication::palette().color(QPalette::WindowText) : problemColor());
    m_verdict->setPalette(palette);
}

} // namespace framescope::ui
