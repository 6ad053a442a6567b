#pragma once

#include "framefilter.h"

#include <QAbstractTableModel>
#include <atomic>
#include <capture/framestore.h>
#include <memory>
#include <thread>
#include <vector>

namespace framescope::ui {

// The frame log's rows: a thin model over a capture store (the store holds the frames; rows are
// frame ids from firstId on), text made only for the rows a view asks for. New frames arrive as
// one beginInsertRows per tick (SessionManager::framesReady); frames the store's memory cap
// evicted leave from the top (framesEvicted). Lives on the GUI thread; the store is written on
// the network thread meanwhile, which is safe (FrameStore: one writer, any readers).
//
// A filter (setFilter()) turns the rows into a vector of the frames that match, as Wireshark's
// packet list does, instead of a sorting proxy: a new filter is tested on a background thread
// that hands back its matches in batches (the first at once, then every 20 ms), each batch one
// beginInsertRows; a stale batch (the filter changed since) is dropped by its generation. Frames
// that arrive while filtering are tested as they are announced.
class FrameLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    // Connection: which connection of the capture (a server's, or a client's that reconnected);
    // shown only where there is more than one (setConnectionsShown).
    enum Column {
        Number,
        Connection,
        Time,
        Direction,
        Opcode,
        Flags,
        Length,
        Preview,
        ColumnCount
    };
    // How the Time column counts: from the session's start, from the row above, or the time of
    // day.
    enum class TimeMode { Relative, Delta, Absolute };
    // Raw values for sorting, filtering and copying.
    enum Role { FrameIdRole = Qt::UserRole + 1, EndNsRole, SentRole, ControlRole };

    explicit FrameLogModel(QObject *parent = nullptr);
    ~FrameLogModel() override;

    // Shows `store`'s frames (none until appendUpTo()); times are shown from `originNs`.
    void setStore(std::shared_ptr<const capture::FrameStore> store, std::int64_t originNs);
    // The wall-clock time (ms since the epoch) of `originNs`, for TimeMode::Absolute.
    void setOriginWallClock(qint64 unixMs) { m_originUnixMs = unixMs; }
    void setTimeMode(TimeMode mode);
    TimeMode timeMode() const { return m_timeMode; }
    // Whether the Connection column is part of the log (views hide it when not; copies leave it
    // out).
    void setConnectionsShown(bool shown) { m_connectionsShown = shown; }
    bool connectionsShown() const { return m_connectionsShown; }
    bool isColumnShown(int column) const { return column != Connection || m_connectionsShown; }
    // The rows as tab-separated text, one line each, as the log shows them.
    QString rowsAsText(const QList<int> &rows) const;
    // The frames of the rows as capture lines (JSON, one per line; payloads as in a capture).
    QString rowsAsJson(const QList<int> &rows) const;
    // The store holds frames up to (not including) `end`: their rows appear.
    void appendUpTo(capture::FrameId end);
    // Frames before `firstKept` are gone from the store: their rows go.
    void dropBefore(capture::FrameId firstKept);
    void clear();

    // Shows only the frames `filter` matches (all when it is not active). Empty, or why the
    // filter cannot be used (the rows then stay as they were).
    QString setFilter(const FrameFilter &filter);
    bool isFiltered() const { return m_matcher != nullptr; }
    // A new filter is still being tested on the frames already in the log.
    bool isFiltering() const { return m_scanning; }
    // Frames in the log, shown or not.
    std::uint64_t frameCount() const { return m_end - m_first; }

    // The row showing frame `id`, if one does (it is in the log and the filter shows it).
    std::optional<int> rowOf(capture::FrameId id) const;

    capture::FrameId frameAt(int row) const
    {
        return {m_matcher ? m_base + m_rows[m_firstRow + std::size_t(row)]
                          : m_first + std::uint64_t(row)};
    }
    std::shared_ptr<const capture::FrameStore> store() const { return m_store; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // A filter's background test moved on, or finished (isFiltering() says which).
    void filterProgressed();

private:
    static QString lengthToolTip(const capture::FrameRecord &record);
    void startScan();
    void stopScan();
    void testNewFrames();
    void handleMatches(std::uint64_t generation, const std::vector<std::uint32_t> &matches,
                       std::uint64_t scannedEnd, bool done);
    void appendMatches(const std::vector<std::uint32_t> &matches);
    QString text(const capture::FrameRecord &record, std::uint64_t id, int column, int row) const;

    std::shared_ptr<const capture::FrameStore> m_store;
    std::int64_t m_originNs = 0;
    qint64 m_originUnixMs = 0;
    TimeMode m_timeMode = TimeMode::Relative;
    bool m_connectionsShown = false;
    std::uint64_t m_first = 0;                   // frame id of row 0
    std::uint64_t m_end = 0;                     // one past the last row's frame id
    mutable std::vector<std::uint8_t> m_preview; // reused

    // Filtering: the shown frames as ids from m_base (4 bytes a row), from m_rows[m_firstRow] on
    // (rows evicted from the top are skipped, and compacted away now and then).
    std::shared_ptr<const FrameMatcher> m_matcher;
    std::vector<std::uint32_t> m_rows;
    std::size_t m_firstRow = 0;
    std::uint64_t m_base = 0;
    std::uint64_t m_scanned = 0; // frames before this id were tested
    bool m_scanning = false;
    std::uint64_t m_generation = 0;
    std::thread m_scan;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::vector<std::uint8_t> m_scratch; // the GUI thread's, for frames tested as they arrive
};

} // namespace framescope::ui
