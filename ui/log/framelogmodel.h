#pragma once

#include <QAbstractTableModel>
#include <capture/framestore.h>
#include <memory>
#include <vector>

namespace framescope::ui {

// The frame log's rows: a thin model over a capture store (the store holds the frames; rows are
// frame ids from firstId on), text made only for the rows a view asks for. New frames arrive as
// one beginInsertRows per tick (SessionManager::framesReady); frames the store's memory cap
// evicted leave from the top (framesEvicted). Lives on the GUI thread; the store is written on
// the network thread meanwhile, which is safe (FrameStore: one writer, any readers).
class FrameLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Number, Time, Direction, Opcode, Flags, Length, Preview, ColumnCount };
    // Raw values for sorting, filtering and copying.
    enum Role { FrameIdRole = Qt::UserRole + 1, EndNsRole, SentRole, ControlRole };

    explicit FrameLogModel(QObject *parent = nullptr);

    // Shows `store`'s frames (none until appendUpTo()); times are shown from `originNs`.
    void setStore(std::shared_ptr<const capture::FrameStore> store, std::int64_t originNs);
    // The store holds frames up to (not including) `end`: their rows appear.
    void appendUpTo(capture::FrameId end);
    // Frames before `firstKept` are gone from the store: their rows go.
    void dropBefore(capture::FrameId firstKept);
    void clear();

    capture::FrameId frameAt(int row) const { return {m_first + std::uint64_t(row)}; }
    std::shared_ptr<const capture::FrameStore> store() const { return m_store; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString text(const capture::FrameRecord &record, std::uint64_t id, int column) const;

    std::shared_ptr<const capture::FrameStore> m_store;
    std::int64_t m_originNs = 0;
    std::uint64_t m_first = 0; // frame id of row 0
    std::uint64_t m_end = 0;   // one past the last row's frame id
    mutable std::vector<std::uint8_t> m_preview; // reused
};

} // namespace framescope::ui
