#include "headerstable.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QKeyEvent>

namespace framescope::ui {

HeadersTable::HeadersTable(QWidget *parent)
    : QTableWidget(0, 2, parent)
{
    setAccessibleName(tr("Extra headers"));
    setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->resizeSection(
        0, fontMetrics().horizontalAdvance(QStringLiteral("Sec-WebSocket-Protocol")));
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    setTabKeyNavigation(false); // Tab leaves the table, as in the rest of the form
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("A header a row. Paste \"Name: value\" lines to add several."));
    keepOneEmptyRowAtTheEnd();
    setFixedHeight(sizeHint().height());
    connect(this, &QTableWidget::itemChanged, this, [this] { keepOneEmptyRowAtTheEnd(); });
}

QString HeadersTable::cellText(int row, int column) const
{
    const QTableWidgetItem *cell = item(row, column);
    return cell ? cell->text() : QString();
}

bool HeadersTable::rowIsEmpty(int row) const
{
    return cellText(row, 0).trimmed().isEmpty() && cellText(row, 1).trimmed().isEmpty();
}

// Rows emptied in the middle go; one empty row stays at the end for the next header.
void HeadersTable::keepOneEmptyRowAtTheEnd()
{
    const QSignalBlocker quiet(this);
    for (int row = rowCount() - 2; row >= 0; --row)
        if (rowIsEmpty(row) && currentRow() != row)
            removeRow(row);
    if (rowCount() == 0 || !rowIsEmpty(rowCount() - 1))
        insertRow(rowCount());
}

QList<QPair<QString, QString>> HeadersTable::headers() const
{
    QList<QPair<QString, QString>> rows;
    for (int row = 0; row < rowCount(); ++row)
        if (!rowIsEmpty(row))
            rows.append({cellText(row, 0).trimmed(), cellText(row, 1).trimmed()});
    return rows;
}

QString HeadersTable::toPlainText() const
{
    QStringList lines;
    for (int row = 0; row < rowCount(); ++row)
        if (!rowIsEmpty(row))
            lines << cellText(row, 0).trimmed() + QStringLiteral(": ") + cellText(row, 1).trimmed();
    return lines.join(QLatin1Char('\n'));
}

void HeadersTable::setPlainText(const QString &text)
{
    {
        const QSignalBlocker quiet(this);
        setRowCount(0);
    }
    appendLines(text);
}

void HeadersTable::appendLines(const QString &text)
{
    {
        const QSignalBlocker quiet(this);
        int row = rowCount() > 0 && rowIsEmpty(rowCount() - 1) ? rowCount() - 1 : rowCount();
        for (const QString &line : text.split(QLatin1Char('\n'))) {
            if (line.trimmed().isEmpty())
                continue;
            const qsizetype colon = line.indexOf(QLatin1Char(':'));
            if (row >= rowCount())
                insertRow(row);
            setItem(row, 0,
                    new QTableWidgetItem(colon < 0 ? line.trimmed() : line.left(colon).trimmed()));
            setItem(row, 1,
                    new QTableWidgetItem(colon < 0 ? QString() : line.mid(colon + 1).trimmed()));
            ++row;
        }
    }
    keepOneEmptyRowAtTheEnd();
}

void HeadersTable::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Paste)) {
        const QString pasted = QApplication::clipboard()->text();
        if (pasted.contains(QLatin1Char(':'))) { // header lines: rows of their own
            appendLines(pasted);
            return;
        }
    } else if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace)
               && state() != QAbstractItemView::EditingState && currentRow() >= 0
               && currentRow() < rowCount() - 1) {
        removeRow(currentRow()); // the row, not only the cell
        keepOneEmptyRowAtTheEnd();
        return;
    }
    QTableWidget::keyPressEvent(event);
}

QSize HeadersTable::sizeHint() const
{
    // Four rows and the header: room to see a few without taking the form over; as wide as the
    // form makes it.
    return {horizontalHeader()->sectionSize(0) * 2, horizontalHeader()->sizeHint().height()
                                                        + 4 * verticalHeader()->defaultSectionSize()
                                                        + 2 * frameWidth()};
}

} // namespace framescope::ui
