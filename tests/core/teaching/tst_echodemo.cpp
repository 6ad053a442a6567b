// The in-process conversation: every frame a client sends is masked, every frame a server sends
// is not, compressed messages carry RSV1 on their first frame only, and every message comes back
// byte for byte.

#include "testutil.h"

#include <QTest>
#include <teaching/echodemo.h>

using namespace framescope::protocol;
using namespace framescope::teaching;

class tst_EchoDemo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrips_data();
    void roundTrips();
    void refusesACloseCodeThatMayNotBeSent();
};

void tst_EchoDemo::roundTrips_data()
{
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<int>("fragment");
    QTest::newRow("plain") << false << 0;
    QTest::newRow("fragmented by 1") << false << 1;
    QTest::newRow("deflate") << true << 0;
    QTest::newRow("deflate fragmented by 3") << true << 3;
}

void tst_EchoDemo::roundTrips()
{
    QFETCH(bool, deflate);
    QFETCH(int, fragment);
    EchoDemoOptions options;
    options.offerDeflate = deflate;
    options.fragmentSize = std::size_t(fragment);
    options.textMessages.push_back(std::string(3000, 'x'));
    const EchoDemoResult result = runEchoDemo(options);
    QVERIFY2(result.ok(), result.error.c_str());
    QCOMPARE(result.messagesEchoed, options.textMessages.size() + options.binaryMessages.size());
    QVERIFY(result.closedCleanly);
    QCOMPARE(result.deflate.has_value(), deflate);

    int clientFrames = 0;
    int serverFrames = 0;
    bool previousFin = true;
    for (const EchoDemoStep &step : result.steps) {
        if (step.kind != EchoDemoStep::Kind::Frame)
            continue;
        const FrameHeader &header = step.frame->header;
        QCOMPARE(header.masked, step.fromClient);
        (step.fromClient ? clientFrames : serverFrames)++;
        QCOMPARE(step.wire.size(), step.frame->headerSize + header.payloadLength);
        if (!header.isControl()) {
            const bool firstOfMessage = previousFin;
            QCOMPARE(header.rsv1, deflate && firstOfMessage);
            QCOMPARE(header.opcode == 0, !firstOfMessage);
            previousFin = header.fin;
        } else {
            QVERIFY(!header.rsv1);
        }
    }
    QVERIFY(clientFrames > 0);
    QCOMPARE(clientFrames, serverFrames);
}

void tst_EchoDemo::refusesACloseCodeThatMayNotBeSent()
{
    EchoDemoOptions options;
    options.closeCode = 1005;
    const EchoDemoResult result = runEchoDemo(options);
    QVERIFY(!result.ok());
    QVERIFY(!result.closedCleanly);
    QVERIFY(result.error.find("1005") != std::string::npos);
    QCOMPARE(result.messagesEchoed, std::size_t(3)); // what came before is intact
}

QTEST_GUILESS_MAIN(tst_EchoDemo)
#include "tst_echodemo.moc"
