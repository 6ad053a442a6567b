// The frame log's view: only the rows on screen are asked for, whatever the row count; whole
// rows are selected by mouse and keyboard; the current row is what a screen reader hears.

#include <QAbstractTableModel>
#include <QHeaderView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <log/framelogview.h>

using namespace framescope::ui;

namespace {

// Rows made up on the fly, counting what the view asks for.
class CountingModel : public QAbstractTableModel
{
public:
    int rows = 0;
    mutable int asked = 0;
    mutable int highestRowAsked = -1;

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : rows;
    }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : 3;
    }
    QVariant data(const QModelIndex &index, int role) const override
    {
        ++asked;
        highestRowAsked = std::max(highestRowAsked, index.row());
        if (role != Qt::DisplayRole)
            return {};
        return QStringLiteral("r%1c%2").arg(index.row()).arg(index.column());
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole)
            return QStringLiteral("C%1").arg(section);
        return {};
    }
    void append(int count)
    {
        beginInsertRows({}, rows, rows + count - 1);
        rows += count;
        endInsertRows();
    }
};

} // namespace

class tst_FrameLogView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Ten million rows: a paint asks for the rows on screen only, at the top and at the end.
    void onlyTheRowsOnScreen()
    {
        CountingModel model;
        model.rows = 10'000'000;
        FrameLogView view;
        view.setModel(&model);
        view.setRowHeight(20);
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        model.asked = 0;
        view.viewport()->repaint();
        const int onScreen = view.visibleRows() + 2;
        QVERIFY2(model.asked > 0 && model.asked <= onScreen * 3 * 8,
                 qPrintable(QString::number(model.asked)));
        QVERIFY(model.highestRowAsked <= onScreen);

        view.scrollToBottom();
        model.asked = 0;
        model.highestRowAsked = -1;
        view.viewport()->repaint();
        QCOMPARE(model.highestRowAsked, model.rows - 1);
        QVERIFY(model.asked <= onScreen * 3 * 8);
        QCOMPARE(view.indexAt(view.visualRect(model.index(model.rows - 1, 2)).center()),
                 model.index(model.rows - 1, 2));

        // Rows added at the end while the top is shown: not painted, only the scroll range
        // grows.
        view.scrollToTop();
        QCoreApplication::processEvents();
        const int range = view.verticalScrollBar()->maximum();
        model.append(1000);
        QCOMPARE(view.verticalScrollBar()->maximum(), range + 1000 * 20);
    }

    // Click selects a whole row; Shift+click and Shift+Down extend; End goes to the last row.
    void selectingRows()
    {
        CountingModel model;
        model.rows = 500;
        FrameLogView view;
        view.setModel(&model);
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QPoint third = view.visualRect(model.index(2, 1)).center();
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, third);
        QCOMPARE(view.currentIndex().row(), 2);
        QCOMPARE(view.selectionModel()->selectedRows().size(), 1);
        QVERIFY(view.selectionModel()->isRowSelected(2, {}));
        QVERIFY(view.accessibleDescription().startsWith(QStringLiteral("C0 r2c0, C1 r2c1")));

        QTest::keyClick(view.viewport(), Qt::Key_Down, Qt::ShiftModifier);
        QTest::keyClick(view.viewport(), Qt::Key_Down, Qt::ShiftModifier);
        QCOMPARE(view.currentIndex().row(), 4);
        QCOMPARE(view.selectionModel()->selectedRows().size(), 3);

        QTest::keyClick(view.viewport(), Qt::Key_End);
        QCOMPARE(view.currentIndex().row(), 499);
        QCOMPARE(view.selectionModel()->selectedRows().size(), 1);
        QVERIFY(view.visualRect(view.currentIndex()).bottom() <= view.viewport()->height());
        QTest::keyClick(view.viewport(), Qt::Key_PageUp);
        QVERIFY(view.currentIndex().row() < 499 - view.visibleRows() / 2);
        QTest::keyClick(view.viewport(), Qt::Key_Home);
        QCOMPARE(view.currentIndex().row(), 0);
        QCOMPARE(view.verticalScrollBar()->value(), 0);

        view.selectRow(250);
        QCOMPARE(view.currentIndex().row(), 250);
        const QRect shown = view.visualRect(view.currentIndex());
        QVERIFY(shown.top() >= 0 && shown.bottom() <= view.viewport()->height());
        // Past the last row: nothing.
        QVERIFY(!view.indexAt(QPoint(10, 100000)).isValid());
    }

    // The header's sections are the columns; a wider column moves the next one.
    void columnsFollowTheHeader()
    {
        CountingModel model;
        model.rows = 3;
        FrameLogView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.header()->count(), 3);
        view.header()->resizeSection(0, 120);
        QCOMPARE(view.visualRect(model.index(0, 1)).left(), 120);
        QCOMPARE(view.indexAt(QPoint(130, 5)), model.index(0, 1));
    }
};

QTEST_MAIN(tst_FrameLogView)
#include "tst_framelogview.moc"
