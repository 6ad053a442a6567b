#include "comparisonmodel.h"

#include <window/theme.h>

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
        case Expected:
            return row.expected;
        case Difference:
            return row.message;
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Result)
        return row.passed ? successColor() : problemColor();
    if (role == Qt::AccessibleTextRole)
        return QStringLiteral("%1, %2").arg(
            row.name(), row.passed ? tr("matched") : tr("differs: %1").arg(row.message));
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
