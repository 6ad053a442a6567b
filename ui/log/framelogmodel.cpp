#include "framelogmodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
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

void FrameLogModel::setStore(std::shared_ptr<const capture::FrameStore> store,
                             std::int64_t originNs)
{
    beginResetModel();
    m_store = std::move(store);
    m_originNs = originNs;
    m_first = m_end = m_store ? m_store->firstId().value : 0;
    endResetModel();
}

void FrameLogModel::appendUpTo(capture::FrameId end)
{
    if (!m_store || end.value <= m_end)
        return;
    if (m_end == m_first && m_first < m_store->firstId().value)
        m_first = m_end = m_store->firstId().value; // nothing shown yet, and the start went
    beginInsertRows({}, rowCount(), rowCount() + int(end.value - m_end) - 1);
    m_end = end.value;
    endInsertRows();
}

void FrameLogModel::dropBefore(capture::FrameId firstKept)
{
    if (firstKept.value <= m_first)
        return;
    const std::uint64_t last = std::min(firstKept.value, m_end);
    if (last > m_first) {
        beginRemoveRows({}, 0, int(last - m_first) - 1);
        m_first = last;
        endRemoveRows();
    }
    if (m_end < firstKept.value)
        m_first = m_end = firstKept.value; // rows not shown yet went too
}

void FrameLogModel::clear()
{
    if (m_end == m_first)
        return;
    beginRemoveRows({}, 0, rowCount() - 1);
    m_first = m_end;
    endRemoveRows();
}

int FrameLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_end - m_first);
}

int FrameLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FrameLogModel::text(const capture::FrameRecord &record, std::uint64_t id, int column) const
{
    switch (column) {
    case Number:
        return QString::number(id + 1);
    case Time:
        return QString::number(double(record.endNs - m_originNs) / 1e6, 'f', 3);
    case Direction:
        return record.has(capture::FrameRecord::Sent) ? QStringLiteral("→ sent")
                                                      : QStringLiteral("← received");
    case Opcode:
        return QString::fromStdString(protocol::opcodeName(record.opcode));
    case Flags: {
        QString flags = record.has(capture::FrameRecord::Fin) ? QStringLiteral("FIN")
                                                              : QStringLiteral("---");
        flags += QStringLiteral(" RSV=%1%2%3")
                     .arg(int(record.has(capture::FrameRecord::Rsv1)))
                     .arg(int(record.has(capture::FrameRecord::Rsv2)))
                     .arg(int(record.has(capture::FrameRecord::Rsv3)));
        if (record.has(capture::FrameRecord::Masked))
            flags += QStringLiteral(" MASK");
        return flags;
    }
    case Length:
        return record.storedLength != record.payloadLength
                   ? QStringLiteral("%1 (%2)").arg(record.payloadLength).arg(record.storedLength)
                   : QString::number(record.payloadLength);
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
    const std::uint64_t id = m_first + std::uint64_t(index.row());
    const std::optional<capture::FrameRecord> record = m_store->record({id});
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        if (!record)
            return index.column() == Number ? QVariant(QString::number(id + 1))
                                            : QVariant(tr("(evicted)"));
        return text(*record, id, index.column());
    case Qt::ForegroundRole:
        if (!record)
            return {};
        if (record->violations != 0)
            return QBrush(QColor(0xd3, 0x2f, 0x2f)); // a violation reads as an error
        if (index.column() == Direction)
            return QBrush(record->has(capture::FrameRecord::Sent) ? QColor(0x15, 0x65, 0xc0)
                                                                  : QColor(0x2e, 0x7d, 0x32));
        return {};
    case Qt::FontRole:
        if (record && record->opcode >= 0x8 && index.column() == Opcode) {
            QFont font;
            font.setItalic(true); // control frames set apart
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Number || index.column() == Time || index.column() == Length
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

QVariant FrameLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Number:
        return tr("No.");
    case Time:
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
