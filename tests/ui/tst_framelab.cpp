// The frame lab: each header field edited as a user would, the wire bytes it shows checked
// against RFC 6455's own examples, and what a receiver would make of a broken frame.

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <lab/framelab.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

// A control by its accessible name, or by its text where it has one (buttons, check boxes).
template<typename Widget>
Widget *named(QWidget &parent, const QString &name)
{
    for (Widget *widget : parent.findChildren<Widget *>()) {
        if (widget->accessibleName() == name)
            return widget;
        if constexpr (requires { widget->text(); }) {
            if (widget->text() == name)
                return widget;
        }
    }
    return nullptr;
}

} // namespace

Q_DECLARE_METATYPE(framescope::ui::FrameLab::Frame)

class tst_FrameLab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wireBytesFollowTheFields()
    {
        FrameLab lab;
        auto *payload = named<QPlainTextEdit>(lab, QStringLiteral("Frame payload"));
        auto *key = named<QLineEdit>(lab, QStringLiteral("Mask key"));
        auto *mask = named<QCheckBox>(lab, QStringLiteral("MASK"));
        auto *form = named<QComboBox>(lab, QStringLiteral("Length encoding"));
        QVERIFY(payload && key && mask && form);
        payload->setPlainText(QStringLiteral("Hello"));
        // RFC 6455 §5.7: a masked text message "Hello".
        key->setText(QStringLiteral("37fa213d"));
        QCOMPARE(lab.wireText(),
                 QStringLiteral("Header: 81 85 37 fa 21 3d\nPayload (masked):\n7f 9f 4d 51 58"));
        QCOMPARE(lab.verdictText(), QStringLiteral("A valid frame from a client."));
        // RFC 6455 §5.7: the same unmasked.
        mask->setChecked(false);
        QCOMPARE(lab.wireText(), QStringLiteral("Header: 81 05\nPayload:\n48 65 6c 6c 6f"));
        QVERIFY2(lab.verdictText().contains(QStringLiteral("1002")), qPrintable(lab.verdictText()));
        // A non-minimal 16-bit length.
        form->setCurrentIndex(2);
        QCOMPARE(lab.wireText(), QStringLiteral("Header: 81 7e 00 05\nPayload:\n48 65 6c 6c 6f"));
    }

    void brokenFramesAreJudged()
    {
        FrameLab lab;
        auto *payload = named<QPlainTextEdit>(lab, QStringLiteral("Frame payload"));
        auto *rsv2 = named<QCheckBox>(lab, QStringLiteral("RSV2"));
        auto *fin = named<QCheckBox>(lab, QStringLiteral("FIN"));
        auto *opcode = named<QComboBox>(lab, QStringLiteral("Opcode"));
        auto *lie = named<QCheckBox>(lab, QStringLiteral("Override the length field:"));
        auto *declared = named<QLineEdit>(lab, QStringLiteral("Declared length"));
        auto *kind = named<QComboBox>(lab, QStringLiteral("Payload kind"));
        auto *form = named<QComboBox>(lab, QStringLiteral("Length encoding"));
        QVERIFY(payload && rsv2 && fin && opcode && lie && declared && kind && form);

        rsv2->setChecked(true);
        QVERIFY2(lab.verdictText().contains(QStringLiteral("RSV")), qPrintable(lab.verdictText()));
        rsv2->setChecked(false);
        // A fragmented ping with a reserved-looking opcode is two violations.
        opcode->setCurrentIndex(0x9);
        fin->setChecked(false);
        QCOMPARE(lab.verdictText().count(QStringLiteral("closes with 1002")), 1);
        fin->setChecked(true);
        opcode->setCurrentIndex(0x1);

        // Invalid UTF-8 in a text frame, given as hex.
        kind->setCurrentIndex(1);
        payload->setPlainText(QStringLiteral("c3 28"));
        QVERIFY2(lab.verdictText().contains(QStringLiteral("1007")), qPrintable(lab.verdictText()));
        payload->setPlainText(QStringLiteral("zz"));
        QVERIFY(lab.wireText().startsWith(QStringLiteral("The payload is not hex")));
        QVERIFY(!lab.frame());

        // A length that lies.
        payload->setPlainText(QStringLiteral("41 42"));
        lie->setChecked(true);
        declared->setText(QStringLiteral("10"));
        QVERIFY(lab.wireText().startsWith(QStringLiteral("Header: 81 8a ")));
        QVERIFY2(lab.verdictText().contains(QStringLiteral("declares 10 bytes but 2 follow")),
                 qPrintable(lab.verdictText()));
        // 200 does not fit a 7-bit length.
        declared->setText(QStringLiteral("200"));
        form->setCurrentIndex(1);
        QVERIFY2(lab.wireText().contains(QStringLiteral("does not fit")),
                 qPrintable(lab.wireText()));

        // Send gives the frame as edited.
        form->setCurrentIndex(0);
        QSignalSpy sent(&lab, &FrameLab::sendRequested);
        auto *send = named<QPushButton>(lab, QStringLiteral("&Send Frame"));
        QVERIFY(send);
        send->click();
        QCOMPARE(sent.size(), 1);
        const auto frame = sent.at(0).at(0).value<FrameLab::Frame>();
        QCOMPARE(frame.header.payloadLength, 200u);
        QCOMPARE(frame.payload, QByteArray("AB"));
        QVERIFY(frame.header.masked);
    }
};

QTEST_MAIN(tst_FrameLab)
#include "tst_framelab.moc"
