#include "framelogview.h"

#include <QAccessible>
#include <QApplication>
#include <QHeaderView>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStyle>
#include <QStyleOption>

namespace framescope::ui {

namespace {

constexpr int kCellMargin = 4; // text from a cell's edges

} // namespace

FrameLogView::FrameLogView(QWidget *parent)
    : QAbstractItemView(parent)
    , m_header(new QHeaderView(Qt::Horizontal, this))
{
    setSelectionBehavior(SelectRows);
    setSelectionMode(ExtendedSelection);
    setEditTriggers(NoEditTriggers);
    setVerticalScrollMode(ScrollPerPixel);
    setHorizontalScrollMode(ScrollPerPixel);
    setAlternatingRowColors(true);
    setAttribute(Qt::WA_MacShowFocusRect);
    m_header->setSectionsClickable(false);
    m_header->setHighlightSections(false);
    m_header->setStretchLastSection(true);
    m_header->setDefaultAlignment(Qt::AlignCenter);
    connect(m_header, &QHeaderView::sectionResized, this, [this] {
        updateGeometries();
        viewport()->update();
    });
    connect(m_header, &QHeaderView::sectionMoved, viewport(), qOverload<>(&QWidget::update));
    setRowHeight(fontMetrics().height() + 6);
}

void FrameLogView::setModel(QAbstractItemModel *model)
{
    QAbstractItemView::setModel(model);
    m_header->setModel(model);
    // The header's own selection would follow ours; it has nothing to show.
    updateGeometries();
}

void FrameLogView::setRowHeight(int height)
{
    m_rowHeight = std::max(1, height);
    updateGeometries();
    viewport()->update();
}

int FrameLogView::rowCount() const
{
    return model() ? model()->rowCount(rootIndex()) : 0;
}

int FrameLogView::firstVisibleRow() const
{
    return verticalOffset() / m_rowHeight;
}

int FrameLogView::visibleRows() const
{
    return viewport()->height() / m_rowHeight;
}

int FrameLogView::rowAt(int y) const
{
    if (y < 0)
        return -1;
    const qint64 row = (qint64(y) + verticalOffset()) / m_rowHeight;
    return row < rowCount() ? int(row) : -1;
}

QRect FrameLogView::rowRect(int row) const
{
    return QRect(0, int(qint64(row) * m_rowHeight - verticalOffset()), viewport()->width(),
                 m_rowHeight);
}

void FrameLogView::selectRow(int row)
{
    if (!model() || row < 0 || row >= rowCount())
        return;
    const QModelIndex index = model()->index(row, 0, rootIndex());
    selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect
                                                 | QItemSelectionModel::Rows);
    scrollTo(index);
}

QRect FrameLogView::visualRect(const QModelIndex &index) const
{
    if (!index.isValid() || index.parent() != rootIndex())
        return {};
    return QRect(m_header->sectionViewportPosition(index.column()), rowRect(index.row()).y(),
                 m_header->sectionSize(index.column()), m_rowHeight);
}

void FrameLogView::scrollTo(const QModelIndex &index, ScrollHint hint)
{
    if (!index.isValid())
        return;
    const qint64 top = qint64(index.row()) * m_rowHeight;
    const int height = viewport()->height();
    const qint64 offset = verticalOffset();
    qint64 target = offset;
    switch (hint) {
    case PositionAtTop:
        target = top;
        break;
    case PositionAtBottom:
        target = top + m_rowHeight - height;
        break;
    case PositionAtCenter:
        target = top - (height - m_rowHeight) / 2;
        break;
    case EnsureVisible:
        if (top < offset)
            target = top;
        else if (top + m_rowHeight > offset + height)
            target = top + m_rowHeight - height;
        break;
    }
    verticalScrollBar()->setValue(
        int(std::clamp<qint64>(target, 0, verticalScrollBar()->maximum())));
}

QModelIndex FrameLogView::indexAt(const QPoint &point) const
{
    const int row = rowAt(point.y());
    const int column = m_header->logicalIndexAt(point.x());
    if (row < 0 || column < 0 || !model())
        return {};
    return model()->index(row, column, rootIndex());
}

QModelIndex FrameLogView::moveCursor(CursorAction action, Qt::KeyboardModifiers)
{
    const int rows = rowCount();
    if (rows == 0)
        return {};
    const QModelIndex current = currentIndex();
    const int row = current.isValid() ? current.row() : -1;
    const int column = current.isValid() ? current.column() : 0;
    const int page = std::max(1, visibleRows() - 1);
    int target = row;
    switch (action) {
    case MoveUp:
    case MovePrevious:
        target = row < 0 ? 0 : row - 1;
        break;
    case MoveDown:
    case MoveNext:
        target = row + 1;
        break;
    case MovePageUp:
        target = row - page;
        break;
    case MovePageDown:
        target = row < 0 ? page : row + page;
        break;
    case MoveHome:
        target = 0;
        break;
    case MoveEnd:
        target = rows - 1;
        break;
    case MoveLeft:
    case MoveRight:
        return current; // whole rows: nothing to move between
    }
    return model()->index(std::clamp(target, 0, rows - 1), column, rootIndex());
}

int FrameLogView::horizontalOffset() const
{
    return horizontalScrollBar()->value();
}

int FrameLogView::verticalOffset() const
{
    return verticalScrollBar()->value();
}

void FrameLogView::setSelection(const QRect &rect, QItemSelectionModel::SelectionFlags command)
{
    if (!model() || rowCount() == 0)
        return;
    const QRect area = rect.normalized();
    int top = rowAt(area.top());
    int bottom = rowAt(area.bottom());
    if (top < 0 && bottom < 0)
        return;
    if (top < 0)
        top = area.top() < 0 ? 0 : rowCount() - 1;
    if (bottom < 0)
        bottom = rowCount() - 1;
    const int lastColumn = model()->columnCount(rootIndex()) - 1;
    const QItemSelection selection(model()->index(std::min(top, bottom), 0, rootIndex()),
                                   model()->index(std::max(top, bottom), lastColumn, rootIndex()));
    selectionModel()->select(selection, command);
}

QRegion FrameLogView::visualRegionForSelection(const QItemSelection &selection) const
{
    QRegion region;
    const int first = firstVisibleRow();
    const int last = first + visibleRows() + 1;
    for (const QItemSelectionRange &range : selection) {
        const int top = std::max(range.top(), first);
        const int bottom = std::min(range.bottom(), last);
        if (top <= bottom)
            region += rowRect(top).united(rowRect(bottom));
    }
    return region;
}

void FrameLogView::setEmptyText(const QString &text)
{
    if (text == m_emptyText)
        return;
    m_emptyText = text;
    viewport()->update();
}

void FrameLogView::paintEvent(QPaintEvent *event)
{
    QPainter painter(viewport());
    const QAbstractItemModel *source = model();
    const int rows = rowCount();
    const QRect area = event->rect();
    if (!source || rows == 0) {
        if (!m_emptyText.isEmpty()) {
            painter.setPen(palette().color(QPalette::PlaceholderText));
            const int margin = 3 * fontMetrics().averageCharWidth();
            painter.drawText(viewport()->rect().adjusted(margin, margin, -margin, -margin),
                             Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        }
        return;
    }
    const int first = std::max(0, rowAt(area.top()) < 0 ? rows : rowAt(area.top()));
    const int last = rowAt(area.bottom()) < 0 ? rows - 1 : rowAt(area.bottom());
    const QPalette &colours = palette();
    const QItemSelectionModel *selected = selectionModel();
    const int columns = source->columnCount(rootIndex());
    const QFontMetrics metrics(font());
    const int widest = metrics.maxWidth();
    painter.setFont(font());
    const QColor grid = colours.color(QPalette::Mid);
    const QModelIndex current = currentIndex();
    std::vector<QVariant> alignments(std::size_t(std::max(columns, 0)));
    for (int row = first; row <= last; ++row) {
        const QRect line = rowRect(row);
        const QModelIndex firstCell = source->index(row, 0, rootIndex());
        const bool isSelected = selected && selected->isRowSelected(row, rootIndex());
        const QPalette::ColorGroup group = hasFocus() ? QPalette::Active : QPalette::Inactive;
        if (isSelected)
            painter.fillRect(line, colours.brush(group, QPalette::Highlight));
        else if (alternatingRowColors() && row % 2 == 1)
            painter.fillRect(line, colours.brush(QPalette::AlternateBase));
        else
            painter.fillRect(line, colours.brush(QPalette::Base));
        for (int visual = 0; visual < columns; ++visual) {
            const int column = m_header->logicalIndex(visual);
            if (column < 0 || m_header->isSectionHidden(column))
                continue;
            const int x = m_header->sectionViewportPosition(column);
            const int width = m_header->sectionSize(column);
            if (x + width < area.left() || x > area.right())
                continue;
            const QModelIndex cell
                = column == 0 ? firstCell : source->index(row, column, rootIndex());
            const QString text = cell.data(Qt::DisplayRole).toString();
            QColor colour
                = colours.color(group, isSelected ? QPalette::HighlightedText : QPalette::Text);
            if (!isSelected)
                if (const QVariant brush = cell.data(Qt::ForegroundRole); brush.isValid())
                    colour = brush.value<QBrush>().color();
            const QVariant cellFont = cell.data(Qt::FontRole);
            const bool italic = cellFont.isValid() && cellFont.value<QFont>().italic();
            if (italic != painter.font().italic()) {
                QFont changed = font();
                changed.setItalic(italic);
                painter.setFont(changed);
            }
            painter.setPen(colour);
            // Alignment is the column's: asked once a paint.
            QVariant &alignment = alignments[std::size_t(column)];
            if (!alignment.isValid())
                alignment = cell.data(Qt::TextAlignmentRole);
            const QRect box(x + kCellMargin, line.y(), width - 2 * kCellMargin, m_rowHeight);
            // Text is laid out once: measured (and cut with "…") only when it may not fit.
            const bool fits = text.size() * widest <= box.width();
            painter.drawText(box,
                             alignment.isValid() ? Qt::Alignment(alignment.toInt())
                                                 : (Qt::AlignLeft | Qt::AlignVCenter),
                             fits ? text : metrics.elidedText(text, Qt::ElideRight, box.width()));
            painter.setPen(grid);
            painter.drawLine(x + width - 1, line.top(), x + width - 1, line.bottom());
        }
        if (row == current.row() && hasFocus()) {
            QStyleOptionFocusRect focus;
            focus.initFrom(this);
            focus.rect = line.adjusted(0, 0, -1, -1);
            focus.backgroundColor
                = colours.color(isSelected ? QPalette::Highlight : QPalette::Base);
            style()->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, &painter, this);
        }
    }
}

void FrameLogView::updateGeometries()
{
    const int headerHeight = m_header->isHidden() ? 0 : m_header->sizeHint().height();
    setViewportMargins(0, headerHeight, 0, 0);
    const QRect view = viewport()->geometry();
    m_header->setGeometry(view.left(), view.top() - headerHeight, view.width(), headerHeight);
    // Pixels: rows times their height (ten million rows of 20 px fit an int's range).
    const qint64 content = qint64(rowCount()) * m_rowHeight;
    const int pageHeight = viewport()->height();
    verticalScrollBar()->setRange(0, int(std::clamp<qint64>(content - pageHeight, 0, INT_MAX)));
    verticalScrollBar()->setPageStep(pageHeight);
    verticalScrollBar()->setSingleStep(m_rowHeight);
    const int width = m_header->length();
    horizontalScrollBar()->setRange(0, std::max(0, width - viewport()->width()));
    horizontalScrollBar()->setPageStep(viewport()->width());
    horizontalScrollBar()->setSingleStep(20);
    m_header->setOffset(horizontalScrollBar()->value());
    QAbstractItemView::updateGeometries();
}

void FrameLogView::scrollContentsBy(int dx, int dy)
{
    if (dx != 0)
        m_header->setOffset(horizontalScrollBar()->value());
    viewport()->scroll(dx, dy);
}

void FrameLogView::rowsInserted(const QModelIndex &parent, int start, int end)
{
    QAbstractItemView::rowsInserted(parent, start, end);
    updateGeometries();
    // Only rows that reach the screen are painted again.
    if (start <= firstVisibleRow() + visibleRows() + 1)
        viewport()->update();
}

void FrameLogView::rowsAboutToBeRemoved(const QModelIndex &parent, int start, int end)
{
    QAbstractItemView::rowsAboutToBeRemoved(parent, start, end);
    viewport()->update();
}

void FrameLogView::dataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                               const QList<int> &roles)
{
    QAbstractItemView::dataChanged(topLeft, bottomRight, roles);
    viewport()->update();
    if (currentIndex().isValid() && currentIndex().row() >= topLeft.row()
        && currentIndex().row() <= bottomRight.row())
        describeCurrent();
}

void FrameLogView::currentChanged(const QModelIndex &current, const QModelIndex &previous)
{
    QAbstractItemView::currentChanged(current, previous);
    if (previous.isValid())
        viewport()->update(rowRect(previous.row()));
    if (current.isValid())
        viewport()->update(rowRect(current.row()));
    describeCurrent();
}

void FrameLogView::reset()
{
    QAbstractItemView::reset();
    updateGeometries();
    viewport()->update();
}

bool FrameLogView::event(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        m_header->setFont(font());
    return QAbstractItemView::event(event);
}

// What a screen reader says of the log: the current row, column by column.
void FrameLogView::describeCurrent()
{
    const QModelIndex current = currentIndex();
    QStringList parts;
    if (current.isValid() && model())
        for (int column = 0; column < model()->columnCount(rootIndex()); ++column)
            parts << QStringLiteral("%1 %2").arg(
                model()->headerData(column, Qt::Horizontal).toString(),
                model()->index(current.row(), column, rootIndex()).data().toString().left(200));
    const QString description = parts.join(QStringLiteral(", "));
    if (description == accessibleDescription())
        return;
    setAccessibleDescription(description);
    if (QAccessible::isActive()) {
        QAccessibleEvent changed(this, QAccessible::DescriptionChanged);
        QAccessible::updateAccessibility(&changed);
    }
}

} // namespace framescope::ui
