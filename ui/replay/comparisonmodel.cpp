#include "comparisonmodel.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

namespace framescope::ui {

void ComparisonModel::add(const replay::Comparison &comparison)
{
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(comparison);
    m_failures += comparison.passed ? 0 : 1;
    endInsertRows();
}

void ComparisonModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_failures = 0;
    endResetModel();
}

int ComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const replay::Comparison &row = m_rows.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Number:
            return row.index + 1;
        case Result:
            return row.passed ? tr("✔ matched") : tr("✘ differs");
        case Expected: {
            // The name is "message N: <expected>" (or "...: not in the recording").
            const qsizetype colon = row.name.indexOf(QLatin1String(": "));
            return colon < 0 ? row.name : row.name.mid(colon + 2);
        }
        case Difference:
            return row.message;
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Result) {
        // Lighter shades on a dark palette, so that they read on either.
        const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
        if (row.passed)
            return dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x2e, 0x7d, 0x32);
        return dark ? QColor(0xef, 0x9a, 0x9a) : QColor(0xc6, 0x28, 0x28);
    }
    if (role == Qt::AccessibleTextRole)
        return QStringLiteral("%1, %2").arg(
            row.name, row.passed ? tr("matched") : tr("differs: %1").arg(row.message));
    return {};
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Number:
        return tr("#");
    case Result:
        return tr("Result");
    case Expected:
        return tr("Recorded");
    case Difference:
        return tr("What differs");
    default:
        return {};
    }
}

} // namespace framescope::ui
