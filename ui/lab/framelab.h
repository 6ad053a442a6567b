#pragma once

#include <QWidget>
#include <optional>
#include <protocol/frameheader.h>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace framescope::ui {

// The frame lab: every header field editable (FIN, RSV1-3, any opcode, MASK on or off, the mask
// key, the length encoding and a declared length that lies), the payload as text or hex, and
// the bytes that will go on the wire shown as they are edited, with what a receiver will make
// of them (RFC 6455 §5.2 rules, the close code it answers with).
class FrameLab : public QWidget
{
    Q_OBJECT

public:
    struct Frame
    {
        protocol::FrameHeader header;
        QByteArray payload;
    };

    explicit FrameLab(QWidget *parent = nullptr);

    // The frame as edited, or nothing (and why) when a field cannot be read.
    std::optional<Frame> frame(QString *error = nullptr) const;
    // The wire bytes as hex, and what a receiver says of them, as shown.
    QString wireText() const;
    QString verdictText() const;
    void setSendEnabled(bool enabled);

Q_SIGNALS:
    void sendRequested(const framescope::ui::FrameLab::Frame &frame);

private:
    void update();
    void newMaskKey();

    QCheckBox *m_fin = nullptr;
    QCheckBox *m_rsv[3] = {};
    QComboBox *m_opcode = nullptr;
    QCheckBox *m_mask = nullptr;
    QLineEdit *m_maskKey = nullptr;
    QComboBox *m_lengthForm = nullptr;
    QCheckBox *m_lie = nullptr;
    QLineEdit *m_declared = nullptr;
    QComboBox *m_payloadKind = nullptr;
    QPlainTextEdit *m_payload = nullptr;
    QPlainTextEdit *m_wire = nullptr;
    QLabel *m_verdict = nullptr;
    QPushButton *m_send = nullptr;
};

// What a receiver makes of a frame (its header alone, and a declared length that is not the
// payload's): one line per problem with its close code, or that it is valid.
QString judgeFrame(const FrameLab::Frame &frame, protocol::Role sender);

} // namespace framescope::ui
