#pragma once

#include <QAbstractItemView>

class QHeaderView;

namespace framescope::ui {

// The frame log's view: rows of one height painted straight from the model, only those on
// screen, with a column header; whole rows selected, as in Wireshark's packet list. Unlike
// QTableView it keeps nothing per row (QTableView's vertical header keeps a section for each
// of ten million rows), so memory stays with the store, and a tick that adds rows at the end
// costs the same at 10 M rows as at 1,000. Keyboard: arrows, Page Up/Down, Home/End, with Shift
// or Ctrl to extend the selection. For screen readers the view's description is the current
// row, column by column.
class FrameLogView : public QAbstractItemView
{
    Q_OBJECT

public:
    explicit FrameLogView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    QHeaderView *header() const { return m_header; }
    void setRowHeight(int height);
    int rowHeight() const { return m_rowHeight; }
    void selectRow(int row);
    // What an empty log says in its middle (what to do next, or why there is nothing).
    void setEmptyText(const QString &text);
    QString emptyText() const { return m_emptyText; }
    // The row at the top of the viewport and the rows that fit.
    int firstVisibleRow() const;
    int visibleRows() const;

    QRect visualRect(const QModelIndex &index) const override;
    void scrollTo(const QModelIndex &index, ScrollHint hint = EnsureVisible) override;
    QModelIndex indexAt(const QPoint &point) const override;

protected:
    QModelIndex moveCursor(CursorAction action, Qt::KeyboardModifiers modifiers) override;
    int horizontalOffset() const override;
    int verticalOffset() const override;
    bool isIndexHidden(const QModelIndex &) const override { return false; }
    void setSelection(const QRect &rect, QItemSelectionModel::SelectionFlags command) override;
    QRegion visualRegionForSelection(const QItemSelection &selection) const override;
    void paintEvent(QPaintEvent *event) override;
    void updateGeometries() override;
    void scrollContentsBy(int dx, int dy) override;
    void rowsInserted(const QModelIndex &parent, int start, int end) override;
    void rowsAboutToBeRemoved(const QModelIndex &parent, int start, int end) override;
    void dataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                     const QList<int> &roles = {}) override;
    void currentChanged(const QModelIndex &current, const QModelIndex &previous) override;
    void reset() override;
    bool event(QEvent *event) override;

private:
    int rowCount() const;
    int rowAt(int y) const; // viewport y; -1 past the last row
    QRect rowRect(int row) const;
    void describeCurrent();

    QHeaderView *m_header = nullptr;
    QString m_emptyText;
    int m_rowHeight = 20;
};

} // namespace framescope::ui
