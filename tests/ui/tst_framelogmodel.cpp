// The frame log's model over a capture store: rows appear a tick at a time, each column says
// what the frame is, and rows leave from the top when the store evicts; QAbstractItemModelTester
// checks every change.

#include <QAbstractItemModelTester>
#include <QTest>
#include <capture/framestore.h>
#include <log/framelogmodel.h>
#include <protocol/frameheader.h>

using namespace framescope;
using namespace framescope::ui;

namespace {

capture::FrameId add(capture::FrameStore &store, std::uint8_t opcode, const QByteArray &payload,
                     bool sent, std::int64_t endNs)
{
    protocol::FrameHeader header;
    header.fin = true;
    header.opcode = opcode;
    header.payloadLength = std::uint64_t(payload.size());
    header.masked = sent;
    capture::FrameRecord record;
    record.setHeader(header, 2, sent ? capture::Direction::Sent : capture::Direction::Received);
    record.startNs = record.endNs = endNs;
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
    void rowsFollowTheStore()
    {
        auto store = std::make_shared<capture::FrameStore>();
        FrameLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
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
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
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
};

QTEST_MAIN(tst_FrameLogModel)
#include "tst_framelogmodel.moc"
