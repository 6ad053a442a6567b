#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <replay/replayer.h>

namespace framescope::ui {

// A replay's comparisons, one row per message: its number, whether it matched, the message the
// recording expected and what differed. Rows are added as the replay compares.
class ComparisonModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Number, Result, Expected, Difference, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void add(const replay::Comparison &comparison);
    void clear();
    int failures() const { return m_failures; }
    const replay::Comparison &at(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<replay::Comparison> m_rows;
    int m_failures = 0;
};

} // namespace framescope::ui
