#pragma once

#include "stats/sessionstatistics.h"

#include <QAbstractListModel>
#include <QVariantMap>
#include <capture/capturefile.h>
#include <memory>
#include <session/engine/sessionstate.h>
#include <vector>

namespace framescope::ui {

// One entry of the sessions sidebar: a client session (connected or not, with its URL and
// connection settings) or a capture file opened from disk.
struct SessionEntry
{
    QString name; // given by the user; empty: named after the URL or the file
    QString url;
    QVariantMap settings;  // the Connection tab's values (ConnectionSettings::values)
    quint64 sessionId = 0; // 0: no live session
    session::SessionState state = session::SessionState::Closed;
    std::shared_ptr<const capture::FrameStore> store;
    std::int64_t originNs = 0;
    qint64 startedAtMs = 0;
    qint64 openedAtMs = 0; // when its connection last opened, for "Connected 0:01:23"
    QString capturePath;   // an opened capture: its file, its session line and events
    capture::SessionInfo captureSession;
    std::vector<capture::CaptureEvent> captureEvents;
    SessionStatistics statistics;
    bool connectionsShown = false; // its log has a Connection column (a capture of several)
    bool unread = false;           // frames came while another entry was shown

    // The name shown: the user's, the file's, the URL's host and port, or "New session".
    QString title() const;
};

// The sidebar's list: the built-in server first, then the sessions in the order they were made.
// Renaming a session is editing its row; an empty name goes back to the automatic one.
class SessionListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    static constexpr int kServerRow = 0;

    explicit SessionListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // Sessions are numbered from 0; row = session + 1.
    int sessionCount() const { return int(m_entries.size()); }
    SessionEntry &entry(int session) { return *m_entries.at(std::size_t(session)); }
    const SessionEntry &entry(int session) const { return *m_entries.at(std::size_t(session)); }
    static int rowOf(int session) { return session + 1; }
    static int sessionAt(int row) { return row - 1; } // -1 for the server's row
    // Adds at the end; returns its number.
    int add(SessionEntry entry);
    void remove(int session);
    // The entry's row is redrawn (its state, name or unread mark changed).
    void changed(int session);
    // The session holding live session `id`, or -1.
    int sessionWithId(quint64 id) const;
    // The server's row: "Built-in server" and how it is.
    void setServerStatus(const QString &status);

private:
    std::vector<std::unique_ptr<SessionEntry>> m_entries;
    QString m_serverStatus;
};

} // namespace framescope::ui
