// The Statistics tab: counts per direction and messages per second read from a store a batch at
// a time, round trips as reported, and the charts' points.

#include <QAbstractAxis>
#include <QChart>
#include <QTest>
#include <capture/framestore.h>
#include <protocol/frameheader.h>
#include <stats/sessionstatistics.h>
#include <stats/statisticsview.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

void add(capture::FrameStore &store, std::uint8_t opcode, bool fin, std::size_t size, bool sent,
         std::int64_t endNs)
{
    protocol::FrameHeader header;
    header.fin = fin;
    header.opcode = opcode;
    header.payloadLength = size;
    capture::FrameRecord record;
    record.setHeader(header, 2, sent ? capture::Direction::Sent : capture::Direction::Received);
    record.startNs = record.endNs = endNs;
    const std::vector<std::uint8_t> payload(size, 'x');
    store.append(record, payload);
}

constexpr std::int64_t kSecond = 1'000'000'000;

} // namespace

class tst_Statistics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsAndRates()
    {
        capture::FrameStore store;
        const std::int64_t origin = 5 * kSecond;
        SessionStatistics statistics;
        statistics.reset(origin, store.firstId());
        add(store, 0x1, true, 10, true, origin + 100);            // second 0: a sent message
        add(store, 0x1, true, 10, false, origin + kSecond / 2);   // and its echo
        add(store, 0x9, true, 0, true, origin + kSecond / 2 + 1); // a ping
        statistics.update(store, store.endId());
        add(store, 0x2, false, 100, false, origin + 2 * kSecond + 5); // second 2: two frames,
        add(store, 0x0, true, 50, false, origin + 2 * kSecond + 9);   // one message
        add(store, 0x1, true, 7, false, origin + 2 * kSecond + 10);
        statistics.update(store, store.endId());
        statistics.update(store, store.endId()); // nothing new: nothing counted twice

        QCOMPARE(statistics.sent().frames, 2u);
        QCOMPARE(statistics.sent().messages, 1u);
        QCOMPARE(statistics.sent().controlFrames, 1u);
        QCOMPARE(statistics.sent().payloadBytes, 10u);
        QCOMPARE(statistics.received().frames, 4u);
        QCOMPARE(statistics.received().messages, 3u);
        QCOMPARE(statistics.received().payloadBytes, 167u);
        QCOMPARE(statistics.sentPerSecond(), (std::vector<std::uint32_t>{1}));
        QCOMPARE(statistics.receivedPerSecond(), (std::vector<std::uint32_t>{1, 0, 2}));

        statistics.addRoundTrip(origin + 3 * kSecond, 250'000);
        QCOMPARE(statistics.roundTrips().size(), std::size_t(1));
        QCOMPARE(statistics.roundTrips().front().atSeconds, 3.0);
        QCOMPARE(statistics.roundTrips().front().milliseconds, 0.25);

        // A live session's rates go on at zero up to now, both directions alike; an earlier time
        // takes nothing away.
        statistics.extendTo(origin + 5 * kSecond + 1);
        QCOMPARE(statistics.sentPerSecond(), (std::vector<std::uint32_t>{1, 0, 0, 0, 0, 0}));
        QCOMPARE(statistics.receivedPerSecond(), (std::vector<std::uint32_t>{1, 0, 2, 0, 0, 0}));
        statistics.extendTo(0);
        QCOMPARE(statistics.receivedPerSecond().size(), std::size_t(6));

        StatisticsView view;
        QVERIFY(view.roundTripChart()->title().contains(QStringLiteral("no pongs yet")));
        SessionStatistics live; // a live session with nothing sent yet: zeros, and said why
        live.reset(origin, store.endId());
        live.extendTo(origin + 2 * kSecond);
        view.show(live);
        QCOMPARE(view.messageRatePoints(), 3);
        QCOMPARE(view.messageRateChart()->title(),
                 QStringLiteral("Message rate (no messages yet)"));
        view.show(statistics);
        QCOMPARE(view.messageRatePoints(), 6);
        QCOMPARE(view.roundTripPoints(), 1);
        QCOMPARE(view.roundTripChart()->title(), QStringLiteral("Ping round trip"));
        QVERIFY2(view.countsText().contains(QStringLiteral("Received: frames 4, data messages 3, "
                                                           "control frames 0, payload bytes 167")),
                 qPrintable(view.countsText()));
    }

    // The charts draw in the window's colours: white on a light palette, dark on a dark one
    // (by default a chart stays white in a dark window).
    void chartsFollowThePalette()
    {
        StatisticsView view;
        for (const bool dark : {true, false}) {
            QPalette palette;
            palette.setColor(QPalette::Base, dark ? QColor(30, 30, 30) : QColor(Qt::white));
            palette.setColor(QPalette::Text, dark ? QColor(230, 230, 230) : QColor(Qt::black));
            view.setPalette(palette);
            for (QChart *chart : {view.messageRateChart(), view.roundTripChart()}) {
                QVERIFY(chart);
                QCOMPARE(chart->backgroundBrush().color().lightness() < 128, dark);
                QCOMPARE(chart->titleBrush().color().lightness() > 128, dark);
                for (QAbstractAxis *axis : chart->axes())
                    QCOMPARE(axis->labelsColor().lightness() > 128, dark);
            }
        }
    }
};

QTEST_MAIN(tst_Statistics)
#include "tst_statistics.moc"
