#include "sessionlist.h"

#include <QFileInfo>
#include <QUrl>

namespace framescope::ui {

QString SessionEntry::title() const
{
    if (!name.isEmpty())
        return name;
    if (!capturePath.isEmpty())
        return QFileInfo(capturePath).fileName();
    const QUrl parsed(url);
    if (parsed.isValid() && !parsed.host().isEmpty())
        return parsed.port() > 0 ? QStringLiteral("%1:%2").arg(parsed.host()).arg(parsed.port())
                                 : parsed.host();
    return SessionListModel::tr("New session");
}

namespace {

// At a glance: connected, on the way, or not (the same marks as the connection bar).
QString mark(const SessionEntry &entry)
{
    if (!entry.capturePath.isEmpty())
        return QStringLiteral("▤");
    switch (entry.state) {
    case session::SessionState::Open:
        return QStringLiteral("●");
    case session::SessionState::Closed:
    case session::SessionState::Idle:
        return QStringLiteral("○");
    default:
        return QStringLiteral("◌");
    }
}

} // namespace

SessionListModel::SessionListModel(QObject *parent)
    : QAbstractListModel(parent)
    , m_serverStatus(tr("stopped"))
{}

int SessionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 1 + int(m_entries.size());
}

QVariant SessionListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    if (index.row() == kServerRow) {
        switch (role) {
        case Qt::DisplayRole:
            return tr("⚙ Server %1").arg(m_serverStatus);
        case Qt::ToolTipRole:
        case Qt::AccessibleTextRole:
            return tr("The built-in server (%1): select to see its tab and its side of the "
                      "frames")
                .arg(m_serverStatus);
        default:
            return {};
        }
    }
    const SessionEntry &session = entry(sessionAt(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1 %2%3").arg(mark(session), session.title(),
                                             session.unread ? QStringLiteral(" •") : QString());
    case Qt::EditRole:
        return session.title();
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        const QString where = session.capturePath.isEmpty() ? session.url : session.capturePath;
        const QString state = session.capturePath.isEmpty() ? session::describe(session.state)
                                                            : tr("a capture file");
        return where.isEmpty() ? tr("%1, %2").arg(session.title(), state)
                               : tr("%1, %2, %3").arg(session.title(), state, where);
    }
    default:
        return {};
    }
}

bool SessionListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const int session = index.isValid() ? sessionAt(index.row()) : -1;
    if (role != Qt::EditRole || session < 0 || session >= sessionCount())
        return false;
    // A name is one line of reasonable length; an empty one brings back the automatic name.
    QString name = value.toString().simplified().left(80);
    entry(session).name = name;
    Q_EMIT dataChanged(index, index);
    return true;
}

Qt::ItemFlags SessionListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    const Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    return index.row() == kServerRow ? flags : flags | Qt::ItemIsEditable;
}

int SessionListModel::add(SessionEntry entry)
{
    const int session = sessionCount();
    beginInsertRows({}, rowOf(session), rowOf(session));
    m_entries.push_back(std::make_unique<SessionEntry>(std::move(entry)));
    endInsertRows();
    return session;
}

void SessionListModel::remove(int session)
{
    if (session < 0 || session >= sessionCount())
        return;
    beginRemoveRows({}, rowOf(session), rowOf(session));
    m_entries.erase(m_entries.begin() + session);
    endRemoveRows();
}

void SessionListModel::changed(int session)
{
    if (session < 0 || session >= sessionCount())
        return;
    const QModelIndex at = index(rowOf(session));
    Q_EMIT dataChanged(at, at);
}

int SessionListModel::sessionWithId(quint64 id) const
{
    if (id == 0)
        return -1;
    for (int session = 0; session < sessionCount(); ++session)
        if (entry(session).sessionId == id)
            return session;
    return -1;
}

void SessionListModel::setServerStatus(const QString &status)
{
    if (status == m_serverStatus)
        return;
    m_serverStatus = status;
    const QModelIndex at = index(kServerRow);
    Q_EMIT dataChanged(at, at);
}

} // namespace framescope::ui
