// The frame log's model over a capture store: rows appear a tick at a time, each column says
// what the frame is, and rows leave from the top when the store evicts; QAbstractItemModelTester
// checks every change.

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>
#include <capture/framestore.h>
#include <log/framefilter.h>
#include <log/framelogmodel.h>
#include <protocol/frameheader.h>

using namespace framescope;
using namespace framescope::ui;

Q_DECLARE_METATYPE(framescope::ui::FrameFilter)

namespace {

capture::FrameId add(capture::FrameStore &store, std::uint8_t opcode, const QByteArray &payload,
                     bool sent, std::int64_t endNs, std::uint32_t connection = 1)
{
    protocol::FrameHeader header;
    header.fin = true;
    header.opcode = opcode;
    header.payloadLength = std::uint64_t(payload.size());
    header.masked = sent;
    capture::FrameRecord record;
    record.setHeader(header, 2, sent ? capture::Direction::Sent : capture::Direction::Received);
    record.startNs = record.endNs = endNs;
    record.connection = connection;
    return store.append(record, {reinterpret_cast<const std::uint8_t *>(payload.constData()),
                                 std::size_t(payload.size())});
}

QString cell(const FrameLogModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

} // namespace

class tst_FrameLogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The Length column gives the payload as declared, compressed → inflated for a deflated
    // frame, what was kept when less; its tooltip the wire length too. Control frames, the two
    // directions and violations each have their colour.
    void lengthsAndColours()
    {
        auto store = std::make_shared<capture::FrameStore>();
        FrameLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(store, 0);
        add(*store, 0x1, "plain", false, 1);
        const QByteArray inflated(512, 'a');
        protocol::FrameHeader header;
        header.fin = true;
        header.rsv1 = true;
        header.opcode = 0x1;
        header.payloadLength = 24; // as compressed on the wire
        capture::FrameRecord compressed;
        compressed.setHeader(header, 2, capture::Direction::Received);
        compressed.set(capture::FrameRecord::Compressed);
        store->append(compressed, {reinterpret_cast<const std::uint8_t *>(inflated.constData()),
                                   std::size_t(inflated.size())});
        header.rsv1 = false;
        header.opcode = 0x2;
        header.payloadLength = 70000; // cut off: 3 bytes arrived
        capture::FrameRecord cut;
        cut.setHeader(header, 4, capture::Direction::Received);
        store->append(cut, {reinterpret_cast<const std::uint8_t *>("abc"), 3});
        add(*store, 0x9, "ping", false, 4);
        model.appendUpTo(store->endId());
        QCOMPARE(cell(model, 0, FrameLogModel::Length), QStringLiteral("5"));
        QCOMPARE(cell(model, 1, FrameLogModel::Length), QStringLiteral("24 → 512"));
        QCOMPARE(cell(model, 2, FrameLogModel::Length), QStringLiteral("70000 (3 kept)"));
        const auto tip = [&](int row) {
            return model.data(model.index(row, FrameLogModel::Length), Qt::ToolTipRole).toString();
        };
        QVERIFY2(tip(0).contains(QStringLiteral("On the wire: 7 bytes (a 2-byte header and 5 of")),
                 qPrintable(tip(0)));
        QVERIFY2(tip(1).contains(QStringLiteral("Compressed payload: 24 bytes, inflated: 512")),
                 qPrintable(tip(1)));
        QVERIFY2(tip(2).contains(QStringLiteral("On the wire: 70004 bytes"))
                     && tip(2).contains(QStringLiteral("Kept: 3 bytes")),
                 qPrintable(tip(2)));
        const auto colour = [&](int row, int column) {
            return model.data(model.index(row, column), Qt::ForegroundRole).value<QBrush>().color();
        };
        const QColor control = colour(3, FrameLogModel::Opcode);
        QVERIFY(control.isValid());
        QVERIFY(!model.data(model.index(0, FrameLogModel::Opcode), Qt::ForegroundRole).isValid());
        QVERIFY(control != colour(0, FrameLogModel::Direction));
    }

    void rowsFollowTheStore()
    {
        auto store = std::make_shared<capture::FrameStore>();
        FrameLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(store, 1'000'000);
        QCOMPARE(model.rowCount(), 0);
        add(*store, 0x1, "hello", true, 2'500'000);
        add(*store, 0x1, "hello", false, 3'000'000);
        QCOMPARE(model.rowCount(), 0); // not announced yet
        model.appendUpTo(store->endId());
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(cell(model, 0, FrameLogModel::Number), QStringLiteral("1"));
        QCOMPARE(cell(model, 0, FrameLogModel::Time), QStringLiteral("1.500"));
        QCOMPARE(cell(model, 0, FrameLogModel::Direction), QStringLiteral("→ sent"));
        QCOMPARE(cell(model, 1, FrameLogModel::Direction), QStringLiteral("← received"));
        QCOMPARE(cell(model, 0, FrameLogModel::Opcode), QStringLiteral("TEXT"));
        QCOMPARE(cell(model, 0, FrameLogModel::Flags), QStringLiteral("FIN RSV=000 MASK"));
        QCOMPARE(cell(model, 1, FrameLogModel::Flags), QStringLiteral("FIN RSV=000"));
        QCOMPARE(cell(model, 0, FrameLogModel::Length), QStringLiteral("5"));
        QCOMPARE(cell(model, 0, FrameLogModel::Preview), QStringLiteral("hello"));

        add(*store, 0x2, QByteArray::fromHex("00ff10"), false, 4'000'000);
        add(*store, 0x8, QByteArray::fromHex("03e8") + "bye", false, 5'000'000);
        add(*store, 0x1, "line\nbreak\x1b[31m", false, 6'000'000);
        add(*store, 0xB, {}, false, 7'000'000);
        model.appendUpTo(store->endId());
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(cell(model, 2, FrameLogModel::Preview), QStringLiteral("00 ff 10"));
        QCOMPARE(cell(model, 3, FrameLogModel::Opcode), QStringLiteral("CLOSE"));
        QCOMPARE(cell(model, 3, FrameLogModel::Preview), QStringLiteral("1000 bye"));
        // A peer's text can neither break the row nor drive anything.
        QCOMPARE(cell(model, 4, FrameLogModel::Preview), QStringLiteral("line\\nbreak\\x1b[31m"));
        QCOMPARE(cell(model, 5, FrameLogModel::Opcode), QStringLiteral("RESERVED-11"));
        QCOMPARE(model.data(model.index(3, 0), FrameLogModel::ControlRole).toBool(), true);
        QCOMPARE(model.data(model.index(0, 0), FrameLogModel::SentRole).toBool(), true);

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        add(*store, 0x1, "after", false, 8'000'000);
        model.appendUpTo(store->endId());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(cell(model, 0, FrameLogModel::Preview), QStringLiteral("after"));
    }

    // The store's cap evicts the oldest frames: their rows leave from the top, and a view that
    // still asks for an evicted payload gets a word, not a crash.
    void evictedFramesLeave()
    {
        auto store = std::make_shared<capture::FrameStore>(
            capture::FrameStore::Limits{std::size_t{8} << 20});
        FrameLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(store, 0);
        const QByteArray big(1 << 20, 'x');
        for (int i = 0; i < 4; ++i)
            add(*store, 0x2, big, false, i);
        model.appendUpTo(store->endId());
        QCOMPARE(model.rowCount(), 4);
        for (int i = 4; i < 20; ++i)
            add(*store, 0x2, big, false, i);
        // Payloads went first; the rows stay while their records do.
        model.appendUpTo(store->endId());
        QCOMPARE(model.rowCount(), 20);
        QCOMPARE(cell(model, 0, FrameLogModel::Preview), QStringLiteral("(payload evicted)"));
        model.dropBefore({5});
        QCOMPARE(model.rowCount(), 15);
        QCOMPARE(cell(model, 0, FrameLogModel::Number), QStringLiteral("6"));
        model.dropBefore({40}); // past what is shown
        QCOMPARE(model.rowCount(), 0);
    }

    // The Time column from the start, from the row above (as shown), or as the time of day; and
    // rows copied as text and as capture lines.
    void timeModesAndCopies()
    {
        auto store = std::make_shared<capture::FrameStore>();
        FrameLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(store, 1'000'000);
        model.setOriginWallClock(
            QDateTime(QDate(2026, 12, 3), QTime(10, 20, 30, 400)).toMSecsSinceEpoch());
        add(*store, 0x1, "a", true, 3'500'000);
        add(*store, 0x1, "b", false, 4'000'000);
        add(*store, 0x2, QByteArray::fromHex("0001"), false, 11'250'000);
        model.appendUpTo(store->endId());
        QCOMPARE(cell(model, 2, FrameLogModel::Time), QStringLiteral("10.250"));
        model.setTimeMode(FrameLogModel::TimeMode::Delta);
        QCOMPARE(model.headerData(FrameLogModel::Time, Qt::Horizontal).toString(),
                 QStringLiteral("Δ Time (ms)"));
        QCOMPARE(cell(model, 0, FrameLogModel::Time), QStringLiteral("+0.000"));
        QCOMPARE(cell(model, 1, FrameLogModel::Time), QStringLiteral("+0.500"));
        QCOMPARE(cell(model, 2, FrameLogModel::Time), QStringLiteral("+7.250"));
        FrameFilter received;
        received.direction = FrameFilter::Direction::Received;
        QCOMPARE(model.setFilter(received), QString());
        QTRY_VERIFY(!model.isFiltering());
        QCOMPARE(cell(model, 1, FrameLogModel::Time),
                 QStringLiteral("+7.250")); // from the row above
        QCOMPARE(model.setFilter({}), QString());
        model.setTimeMode(FrameLogModel::TimeMode::Absolute);
        QCOMPARE(cell(model, 2, FrameLogModel::Time), QStringLiteral("10:20:30.410"));

        model.setTimeMode(FrameLogModel::TimeMode::Relative);
        QCOMPARE(model.rowsAsText({0, 2}),
                 QStringLiteral("1\t2.500\t→ sent\tTEXT\tFIN RSV=000 MASK\t1\ta\n"
                                "3\t10.250\t← received\tBINARY\tFIN RSV=000\t2\t00 01"));
        const QStringList json = model.rowsAsJson({1, 2}).split(QLatin1Char('\n'));
        QCOMPARE(json.size(), 2);
        const QJsonObject second = QJsonDocument::fromJson(json[1].toUtf8()).object();
        QCOMPARE(second.value(QStringLiteral("id")).toInt(), 2);
        QCOMPARE(second.value(QStringLiteral("opcode")).toInt(), 2);
        QCOMPARE(second.value(QStringLiteral("dir")).toString(), QStringLiteral("received"));
    }

    void filters_data()
    {
        QTest::addColumn<FrameFilter>("filter");
        QTest::addColumn<QList<int>>("shown"); // frame numbers, from 1

        // The frames (see filters()): 1 sent "Hello World", 2 received "hello world",
        // 3 received binary 00 ff 10, 4 sent ping, 5 received close 1000 "Bye", 6 received
        // "héllo" (UTF-8), 7 received continuation "tail"; 3 and 6 on connection 2, the rest on
        // connection 1.
        auto make = [](auto change) {
            FrameFilter filter;
            change(filter);
            return filter;
        };
        QTest::newRow("all") << FrameFilter{} << QList<int>{1, 2, 3, 4, 5, 6, 7};
        QTest::newRow("sent") << make([](FrameFilter &f) {
            f.direction = FrameFilter::Direction::Sent;
        }) << QList<int>{1, 4};
        QTest::newRow("received") << make([](FrameFilter &f) {
            f.direction = FrameFilter::Direction::Received;
        }) << QList<int>{2, 3, 5, 6, 7};
        QTest::newRow("no control frames")
            << make([](FrameFilter &f) { f.showControl = false; }) << QList<int>{1, 2, 3, 6, 7};
        QTest::newRow("text opcode")
            << make([](FrameFilter &f) { f.opcodes = 1 << 0x1; }) << QList<int>{1, 2, 6};
        QTest::newRow("text without case")
            << make([](FrameFilter &f) { f.text = QStringLiteral("HELLO"); }) << QList<int>{1, 2};
        QTest::newRow("text with case") << make([](FrameFilter &f) {
            f.text = QStringLiteral("World");
            f.caseSensitive = true;
        }) << QList<int>{1};
        QTest::newRow("multi-byte text")
            << make([](FrameFilter &f) { f.text = QStringLiteral("héllo"); }) << QList<int>{6};
        QTest::newRow("a close reason")
            << make([](FrameFilter &f) { f.text = QStringLiteral("bye"); }) << QList<int>{5};
        QTest::newRow("bytes of a binary frame as hex")
            << make([](FrameFilter &f) { f.text = QStringLiteral("FF 10"); }) << QList<int>{3};
        QTest::newRow("hex without spaces")
            << make([](FrameFilter &f) { f.text = QStringLiteral("ff10"); }) << QList<int>{3};
        QTest::newRow("regular expression") << make([](FrameFilter &f) {
            f.text = QStringLiteral("^h.llo\\b");
            f.regularExpression = true;
        }) << QList<int>{1, 2, 6};
        QTest::newRow("direction and text") << make([](FrameFilter &f) {
            f.text = QStringLiteral("hello");
            f.direction = FrameFilter::Direction::Received;
        }) << QList<int>{2};
        QTest::newRow("a connection")
            << make([](FrameFilter &f) { f.connection = 2; }) << QList<int>{3, 6};
        QTest::newRow("a connection and text") << make([](FrameFilter &f) {
            f.connection = 1;
            f.text = QStringLiteral("hello");
        }) << QList<int>{1, 2};
        QTest::newRow("nothing") << make([](FrameFilter &f) { f.text = QStringLiteral("zzz"); })
                                 << QList<int>{};
    }

    // A filter shows the frames it matches, in order, once its background test is done; frames
    // announced afterwards are tested as they come; clearing the filter shows all again.
    void filters()
    {
        QFETCH(FrameFilter, filter);
        QFETCH(QList<int>, shown);
        auto store = std::make_shared<capture::FrameStore>();
        FrameLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(store, 0);
        add(*store, 0x1, "Hello World", true, 1);
        add(*store, 0x1, "hello world", false, 2);
        add(*store, 0x2, QByteArray::fromHex("00ff10"), false, 3, 2);
        add(*store, 0x9, {}, true, 4);
        add(*store, 0x8, QByteArray::fromHex("03e8") + "Bye", false, 5);
        add(*store, 0x1, "h\xc3\xa9llo", false, 6, 2);
        add(*store, 0x0, "tail", false, 7);
        model.appendUpTo(store->endId());

        QCOMPARE(model.setFilter(filter), QString());
        QTRY_VERIFY(!model.isFiltering());
        auto numbers = [&] {
            QList<int> found;
            for (int row = 0; row < model.rowCount(); ++row)
                found << cell(model, row, FrameLogModel::Number).toInt();
            return found;
        };
        QCOMPARE(numbers(), shown);
        QCOMPARE(model.frameCount(), 7u);
        QCOMPARE(model.isFiltered(), filter.isActive());

        // The same frames again, announced after the filter was set: tested as they come.
        for (int i = 0; i < 7; ++i) {
            const auto record = *store->record({std::uint64_t(i)});
            std::vector<std::uint8_t> payload;
            QVERIFY(store->payload({std::uint64_t(i)}, payload));
            store->append(record, payload);
        }
        model.appendUpTo(store->endId());
        QList<int> twice = shown;
        for (int number : shown)
            twice << number + 7;
        QCOMPARE(numbers(), twice);

        // Evicted frames leave the filtered rows from the top too.
        model.dropBefore({7});
        QCOMPARE(numbers(), twice.mid(shown.size()));

        QCOMPARE(model.setFilter({}), QString());
        QVERIFY(!model.isFiltered());
        QCOMPARE(model.rowCount(), 7);
    }

    void anInvalidExpressionIsSaidAndChangesNothing()
    {
        auto store = std::make_shared<capture::FrameStore>();
        FrameLogModel model;
        model.setStore(store, 0);
        add(*store, 0x1, "one", false, 1);
        model.appendUpTo(store->endId());
        FrameFilter filter;
        filter.text = QStringLiteral("(unclosed");
        filter.regularExpression = true;
        const QString error = model.setFilter(filter);
        QVERIFY2(error.contains(QLatin1String("regular expression")), qPrintable(error));
        QVERIFY(!model.isFiltered());
        QCOMPARE(model.rowCount(), 1);
    }

    // Over many frames the test runs in the background and its matches come in batches; a filter
    // changed meanwhile drops the old one's batches, and the frames cleared meanwhile stay away.
    void aLargeLogIsFilteredInTheBackground()
    {
        auto store = std::make_shared<capture::FrameStore>();
        FrameLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(store, 0);
        constexpr int kFrames = 300'000;
        for (int i = 0; i < kFrames; ++i)
            add(*store, 0x1, QByteArray::number(i), i % 2 == 0, i);
        model.appendUpTo(store->endId());

        FrameFilter sevens;
        sevens.text = QStringLiteral("7");
        QCOMPARE(model.setFilter(sevens), QString());
        // Events are not processed meanwhile: the first filter's first batch waits in the queue
        // (it is handed over after 1024 frames), and must be dropped when it comes.
        QThread::msleep(100);
        FrameFilter sentNines;
        sentNines.text = QStringLiteral("99");
        sentNines.direction = FrameFilter::Direction::Sent;
        QCOMPARE(model.setFilter(sentNines), QString()); // at once: the first one's test is stale
        QVERIFY(model.isFiltering());
        // Frames that arrive meanwhile are tested once the background test is done.
        add(*store, 0x1, "990", true, kFrames);
        model.appendUpTo(store->endId());
        QTRY_VERIFY_WITH_TIMEOUT(!model.isFiltering(), 30000);
        int expected = 0;
        for (int i = 0; i < kFrames; ++i)
            expected += i % 2 == 0 && QByteArray::number(i).contains("99");
        QCOMPARE(model.rowCount(), expected + 1);
        for (int row = 0; row < model.rowCount(); ++row) {
            QVERIFY(cell(model, row, FrameLogModel::Preview).contains(QLatin1String("99")));
            QCOMPARE(cell(model, row, FrameLogModel::Direction), QStringLiteral("→ sent"));
        }

        // Cleared while a test runs: what it hands back afterwards is not shown.
        QCOMPARE(model.setFilter(sevens), QString());
        model.clear();
        QTRY_VERIFY_WITH_TIMEOUT(!model.isFiltering(), 30000);
        QCOMPARE(model.rowCount(), 0);
        add(*store, 0x1, "77", false, kFrames + 1);
        model.appendUpTo(store->endId());
        QCOMPARE(model.rowCount(), 1);
    }
};

QTEST_MAIN(tst_FrameLogModel)
#include "tst_framelogmodel.moc"
