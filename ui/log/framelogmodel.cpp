#include "framelogmodel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <capture/capturefile.h>
#include <chrono>
#include <protocol/frameheader.h>
#include <session/frontend/frameformatter.h>

namespace framescope::ui {

namespace {

// A payload's first bytes as a short line: text (escaped), a close code, or hex.
QString preview(const capture::FrameRecord &record, const std::vector<std::uint8_t> &bytes)
{
    if (record.opcode == 0x8 && bytes.size() >= 2) {
        const int code = bytes[0] << 8 | bytes[1];
        const QString reason = QString::fromUtf8(reinterpret_cast<const char *>(bytes.data()) + 2,
                                                 qsizetype(bytes.size() - 2));
        return reason.isEmpty() ? QString::number(code)
                                : QStringLiteral("%1 %2").arg(code).arg(session::printable(reason));
    }
    const QByteArray raw(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
    if (record.opcode == 0x2)
        return QString::fromLatin1(raw.toHex(' '));
    return session::printable(QString::fromUtf8(raw));
}

} // namespace

FrameLogModel::FrameLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

FrameLogModel::~FrameLogModel()
{
    stopScan();
}

void FrameLogModel::setStore(std::shared_ptr<const capture::FrameStore> store,
                             std::int64_t originNs)
{
    stopScan();
    beginResetModel();
    m_store = std::move(store);
    m_originNs = originNs;
    m_first = m_end = m_store ? m_store->firstId().value : 0;
    m_rows.clear();
    m_firstRow = 0;
    m_base = m_scanned = m_first;
    endResetModel();
}

void FrameLogModel::appendUpTo(capture::FrameId end)
{
    if (!m_store || end.value <= m_end)
        return;
    if (m_end == m_first && m_first < m_store->firstId().value) {
        m_first = m_end = m_store->firstId().value; // nothing shown yet, and the start went
        m_scanned = std::max(m_scanned, m_first);
    }
    if (!m_matcher) {
        beginInsertRows({}, rowCount(), rowCount() + int(end.value - m_end) - 1);
        m_end = end.value;
        endInsertRows();
        return;
    }
    m_end = end.value;
    testNewFrames();
}

// Frames announced since the last test, when no background test runs (it catches up when done).
void FrameLogModel::testNewFrames()
{
    if (m_scanning || m_scanned >= m_end)
        return;
    // A tick's frames are tested here, at once; a backlog larger than a few ticks goes to the
    // background.
    constexpr std::uint64_t kTestedHere = 20'000;
    if (m_end - m_scanned > kTestedHere) {
        startScan();
        return;
    }
    std::vector<std::uint32_t> matches;
    for (std::uint64_t id = m_scanned; id < m_end; ++id)
        if (m_matcher->matches(*m_store, {id}, m_scratch))
            matches.push_back(std::uint32_t(id - m_base));
    m_scanned = m_end;
    appendMatches(matches);
}

void FrameLogModel::dropBefore(capture::FrameId firstKept)
{
    if (firstKept.value <= m_first)
        return;
    const std::uint64_t last = std::min(firstKept.value, m_end);
    if (m_matcher) {
        const auto begin = m_rows.begin() + std::ptrdiff_t(m_firstRow);
        const auto kept = std::lower_bound(begin, m_rows.end(), std::uint32_t(last - m_base));
        if (kept != begin) {
            beginRemoveRows({}, 0, int(kept - begin) - 1);
            m_firstRow = std::size_t(kept - m_rows.begin());
            m_first = last;
            endRemoveRows();
        }
        m_first = last;
        m_scanned = std::max(m_scanned, m_first);
        if (m_firstRow > 4096
            && m_firstRow > m_rows.size() / 2) { // rows are not indexes: no signal
            m_rows.erase(m_rows.begin(), m_rows.begin() + std::ptrdiff_t(m_firstRow));
            m_firstRow = 0;
        }
    } else if (last > m_first) {
        beginRemoveRows({}, 0, int(last - m_first) - 1);
        m_first = last;
        endRemoveRows();
    }
    if (m_end < firstKept.value)
        m_first = m_end = m_scanned = firstKept.value; // frames not shown yet went too
}

void FrameLogModel::clear()
{
    if (rowCount() > 0) {
        beginRemoveRows({}, 0, rowCount() - 1);
        m_first = m_end;
        m_rows.clear();
        m_firstRow = 0;
        endRemoveRows();
    }
    m_first = m_end;
    // A background test still running hands back only frames from m_first on.
    if (!m_scanning)
        m_scanned = m_end;
}

QString FrameLogModel::setFilter(const FrameFilter &filter)
{
    auto matcher = std::make_shared<const FrameMatcher>(filter);
    if (QString error = matcher->error(); !error.isEmpty())
        return error;
    stopScan();
    beginResetModel();
    m_rows.clear();
    m_firstRow = 0;
    m_matcher = filter.isActive() ? std::move(matcher) : nullptr;
    m_base = m_scanned = m_first;
    endResetModel();
    if (m_matcher && m_store && m_end > m_first)
        startScan();
    else
        m_scanned = m_end;
    Q_EMIT filterProgressed();
    return {};
}

// Tests the frames from m_scanned to m_end on a thread of its own; its batches come back queued
// to this (GUI) thread, tagged with the generation they were made for.
void FrameLogModel::startScan()
{
    stopScan();
    m_scanning = true;
    const std::uint64_t generation = ++m_generation;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_scan = std::thread([this, generation, cancel = m_cancel, store = m_store, matcher = m_matcher,
                          base = m_base, from = m_scanned, to = m_end] {
        using Clock = std::chrono::steady_clock;
        constexpr auto kBatchInterval = std::chrono::milliseconds(20);
        auto hand = [&](std::vector<std::uint32_t> &matches, std::uint64_t scannedEnd, bool done) {
            QMetaObject::invokeMethod(
                this,
                [this, generation, matches = std::move(matches), scannedEnd, done] {
                    handleMatches(generation, matches, scannedEnd, done);
                },
                Qt::QueuedConnection);
            matches = {};
        };
        std::vector<std::uint8_t> scratch;
        std::vector<std::uint32_t> matches;
        bool handed = false;
        auto last = Clock::now();
        for (std::uint64_t id = from; id < to; ++id) {
            if (matcher->matches(*store, {id}, scratch))
                matches.push_back(std::uint32_t(id - base));
            if ((id & 1023) != 1023)
                continue;
            if (cancel->load(std::memory_order_relaxed))
                return;
            // The first matches at once, so that the user sees the filter work.
            if (!matches.empty() && (!handed || Clock::now() - last >= kBatchInterval)) {
                hand(matches, id + 1, false);
                handed = true;
                last = Clock::now();
            }
        }
        if (!cancel->load(std::memory_order_relaxed))
            hand(matches, to, true);
    });
}

// Stops the background test and waits for its thread (it checks every 1024 frames); its batches
// still queued are stale from now on.
void FrameLogModel::stopScan()
{
    if (m_cancel)
        m_cancel->store(true);
    if (m_scan.joinable())
        m_scan.join();
    ++m_generation;
    m_scanning = false;
}

void FrameLogModel::handleMatches(std::uint64_t generation,
                                  const std::vector<std::uint32_t> &matches,
                                  std::uint64_t scannedEnd, bool done)
{
    if (generation != m_generation)
        return;
    // Frames cleared or evicted while the batch was on its way are not shown.
    const auto kept
        = std::lower_bound(matches.begin(), matches.end(), std::uint32_t(m_first - m_base));
    appendMatches({kept, matches.end()});
    m_scanned = std::max(m_scanned, scannedEnd);
    if (done) {
        if (m_scan.joinable())
            m_scan.join();
        m_scanning = false;
        testNewFrames();
    }
    Q_EMIT filterProgressed();
}

void FrameLogModel::appendMatches(const std::vector<std::uint32_t> &matches)
{
    if (matches.empty())
        return;
    beginInsertRows({}, rowCount(), rowCount() + int(matches.size()) - 1);
    m_rows.insert(m_rows.end(), matches.begin(), matches.end());
    endInsertRows();
}

void FrameLogModel::setTimeMode(TimeMode mode)
{
    if (mode == m_timeMode)
        return;
    m_timeMode = mode;
    Q_EMIT headerDataChanged(Qt::Horizontal, Time, Time);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Time), index(rowCount() - 1, Time), {Qt::DisplayRole});
}

QString FrameLogModel::rowsAsText(const QList<int> &rows) const
{
    QStringList lines;
    for (const int row : rows) {
        QStringList cells;
        for (int column = 0; column < ColumnCount; ++column)
            if (isColumnShown(column))
                cells << data(index(row, column)).toString();
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n'));
}

QString FrameLogModel::rowsAsJson(const QList<int> &rows) const
{
    QStringList lines;
    std::vector<std::uint8_t> payload;
    for (const int row : rows) {
        const capture::FrameId id = frameAt(row);
        const std::optional<capture::FrameRecord> record
            = m_store ? m_store->record(id) : std::nullopt;
        if (!record)
            continue;
        const bool kept
            = !record->has(capture::FrameRecord::PayloadDropped) && m_store->payload(id, payload);
        lines << QString::fromStdString(
            capture::frameLine(id.value, *record, kept ? &payload : nullptr));
    }
    return lines.join(QLatin1Char('\n'));
}

std::optional<int> FrameLogModel::rowOf(capture::FrameId id) const
{
    if (id.value < m_first || id.value >= m_end)
        return std::nullopt;
    if (!m_matcher)
        return int(id.value - m_first);
    const auto begin = m_rows.begin() + std::ptrdiff_t(m_firstRow);
    const auto found = std::lower_bound(begin, m_rows.end(), std::uint32_t(id.value - m_base));
    if (found == m_rows.end() || *found != std::uint32_t(id.value - m_base))
        return std::nullopt;
    return int(found - begin);
}

int FrameLogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_matcher ? int(m_rows.size() - m_firstRow) : int(m_end - m_first);
}

int FrameLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FrameLogModel::text(const capture::FrameRecord &record, std::uint64_t id, int column,
                            int row) const
{
    switch (column) {
    case Number:
        return QString::number(id + 1);
    case Connection:
        return QString::number(record.connection);
    case Time:
        switch (m_timeMode) {
        case TimeMode::Delta: {
            // From the row above, as shown (filtered or not); the first row has none.
            const std::optional<capture::FrameRecord> above
                = row > 0 ? m_store->record(frameAt(row - 1)) : std::nullopt;
            return above ? QStringLiteral("+%1").arg(double(record.endNs - above->endNs) / 1e6, 0,
                                                     'f', 3)
                         : QStringLiteral("+0.000");
        }
        case TimeMode::Absolute:
            return QDateTime::fromMSecsSinceEpoch(m_originUnixMs
                                                  + (record.endNs - m_originNs) / 1'000'000)
                .toString(QStringLiteral("HH:mm:ss.zzz"));
        case TimeMode::Relative:
            break;
        }
        return QString::number(double(record.endNs - m_originNs) / 1e6, 'f', 3);
    case Direction:
        return record.has(capture::FrameRecord::Sent) ? QStringLiteral("→ sent")
                                                      : QStringLiteral("← received");
    case Opcode:
        return QString::fromStdString(protocol::opcodeName(record.opcode));
    case Flags: {
        QString flags
            = record.has(capture::FrameRecord::Fin) ? QStringLiteral("FIN") : QStringLiteral("---");
        flags += QStringLiteral(" RSV=%1%2%3")
                     .arg(int(record.has(capture::FrameRecord::Rsv1)))
                     .arg(int(record.has(capture::FrameRecord::Rsv2)))
                     .arg(int(record.has(capture::FrameRecord::Rsv3)));
        if (record.has(capture::FrameRecord::Masked))
            flags += QStringLiteral(" MASK");
        return flags;
    }
    case Length:
        // The payload as declared on the wire; compressed → inflated; what was kept when less.
        if (record.has(capture::FrameRecord::Compressed))
            return QStringLiteral("%1 → %2").arg(record.payloadLength).arg(record.storedLength);
        if (record.storedLength < record.payloadLength)
            return tr("%1 (%2 kept)").arg(record.payloadLength).arg(record.storedLength);
        return QString::number(record.payloadLength);
    case Preview:
        if (record.has(capture::FrameRecord::PayloadDropped)
            || !m_store->payloadPrefix({id}, session::kPreviewBytes, m_preview))
            return record.storedLength == 0 ? QString() : tr("(payload evicted)");
        return preview(record, m_preview);
    default:
        return {};
    }
}

QVariant FrameLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || !m_store)
        return {};
    const std::uint64_t id = frameAt(index.row()).value;
    const std::optional<capture::FrameRecord> record = m_store->record({id});
    switch (role) {
    case Qt::ToolTipRole:
        if (record && index.column() == Length)
            return lengthToolTip(*record);
        [[fallthrough]];
    case Qt::DisplayRole:
        if (!record)
            return index.column() == Number ? QVariant(QString::number(id + 1))
                                            : QVariant(tr("(evicted)"));
        return text(*record, id, index.column(), index.row());
    case Qt::ForegroundRole:
        if (!record)
            return {};
        {
            // Lighter shades on a dark palette, so that they read on either.
            const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
            if (record->violations != 0) // a violation reads as an error
                return QBrush(dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xd3, 0x2f, 0x2f));
            if (index.column() == Opcode && record->opcode >= 0x8) // control frames
                return QBrush(dark ? QColor(0xce, 0x93, 0xd8) : QColor(0x7b, 0x1f, 0xa2));
            if (index.column() == Direction) {
                if (record->has(capture::FrameRecord::Sent))
                    return QBrush(dark ? QColor(0x82, 0xb1, 0xff) : QColor(0x15, 0x65, 0xc0));
                return QBrush(dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x2e, 0x7d, 0x32));
            }
            return {};
        }
    case Qt::FontRole:
        if (record && record->opcode >= 0x8 && index.column() == Opcode) {
            QFont font;
            font.setItalic(true); // control frames set apart
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Number || index.column() == Connection || index.column() == Time
                       || index.column() == Length
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case FrameIdRole:
        return QVariant::fromValue(quint64(id));
    case EndNsRole:
        return record ? QVariant::fromValue(qint64(record->endNs)) : QVariant();
    case SentRole:
        return record ? QVariant(record->has(capture::FrameRecord::Sent)) : QVariant();
    case ControlRole:
        return record ? QVariant(record->opcode >= 0x8) : QVariant();
    default:
        return {};
    }
}

// The three lengths a frame has: on the wire (header and payload), its payload (compressed, when
// it is), and what the capture kept (inflated, or less when cut off or past a limit).
QString FrameLogModel::lengthToolTip(const capture::FrameRecord &record)
{
    QString tip = tr("On the wire: %1 bytes (a %2-byte header and %3 of payload)")
                      .arg(record.headerSize + record.payloadLength)
                      .arg(record.headerSize)
                      .arg(record.payloadLength);
    if (record.has(capture::FrameRecord::Compressed))
        tip += tr("\nCompressed payload: %1 bytes, inflated: %2 bytes")
                   .arg(record.payloadLength)
                   .arg(record.storedLength);
    else if (record.storedLength < record.payloadLength)
        tip += tr("\nKept: %1 bytes").arg(record.storedLength);
    return tip;
}

QVariant FrameLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Number:
        return tr("No.");
    case Connection:
        return tr("Conn.");
    case Time:
        switch (m_timeMode) {
        case TimeMode::Delta:
            return tr("Δ Time (ms)");
        case TimeMode::Absolute:
            return tr("Time of day");
        case TimeMode::Relative:
            break;
        }
        return tr("Time (ms)");
    case Direction:
        return tr("Direction");
    case Opcode:
        return tr("Opcode");
    case Flags:
        return tr("Flags");
    case Length:
        return tr("Length");
    case Preview:
        return tr("Payload");
    default:
        return {};
    }
}

} // namespace framescope::ui
