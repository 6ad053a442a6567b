// MainWindow: the sessions sidebar (new, duplicate, rename, close, switch) and saved profiles.
#include "composer/composer.h"
#include "connectionsettings.h"
#include "handshake/handshakeview.h"
#include "log/framelogmodel.h"
#include "mainwindow.h"
#include "server/serverpanel.h"
#include "sessions/profiles.h"
#include "sessions/sessionlist.h"
#include "tlsdetails.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <session/frontend/sessionmanager.h>

namespace framescope::ui {

QWidget *MainWindow::makeSidebar()
{
    m_sessionList = new QListView;
    m_sessionList->setModel(m_sessions);
    m_sessionList->setAccessibleName(tr("Sessions"));
    m_sessionList->setEditTriggers(QAbstractItemView::EditKeyPressed
                                   | QAbstractItemView::DoubleClicked);
    m_sessionList->setUniformItemSizes(true);
    // A long name ends in "…" (its tooltip has it whole), not under a sideways scroll bar.
    m_sessionList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_sessionList->setTextElideMode(Qt::ElideMiddle);
    connect(m_sessionList->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!current.isValid())
                    return;
                if (current.row() == SessionListModel::kServerRow) {
                    // The server: its tab, and its log beside the client's.
                    m_bottomTabs->setCurrentWidget(m_serverScroll);
                    setServerSideShown(true);
                    return;
                }
                showSession(SessionListModel::sessionAt(current.row()));
            });
    // Narrow: a title with a button, the list, and the rest in the list's context menu (and the
    // Session menu), so the window keeps its room for the log.
    auto titled = [](const QString &title, QToolButton *button) {
        auto *row = new QHBoxLayout;
        row->addWidget(new QLabel(title), 1);
        row->addWidget(button);
        return row;
    };
    auto *newButton = new QToolButton;
    newButton->setText(tr("+ New"));
    newButton->setAccessibleName(tr("New session"));
    newButton->setToolTip(tr("A new session (Ctrl+N); right-click a session to duplicate, "
                             "rename or close it"));
    connect(newButton, &QToolButton::clicked, this, [this] { newSession(); });
    auto addAction = [this](QWidget *widget, const QString &text, auto slot) {
        auto *action = new QAction(text, widget);
        connect(action, &QAction::triggered, this, slot);
        widget->addAction(action);
    };
    m_sessionList->setContextMenuPolicy(Qt::ActionsContextMenu);
    addAction(m_sessionList, tr("Duplicate"), [this] { duplicateSession(); });
    addAction(m_sessionList, tr("Rename"),
              [this] { m_sessionList->edit(m_sessions->index(SessionListModel::rowOf(m_shown))); });
    addAction(m_sessionList, tr("Save as Profile…"), [this] { m_saveProfile->trigger(); });
    addAction(m_sessionList, tr("Close"), [this] { closeSession(m_shown); });

    m_profiles = new QListWidget;
    m_profiles->setAccessibleName(tr("Saved profiles"));
    m_profiles->setToolTip(tr("Double-click or Enter opens a new session from the profile"));
    connect(m_profiles, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (!item->data(Qt::UserRole).toBool()) // not the hint of an empty list
            openProfile(item->text());
    });
    m_profiles->setContextMenuPolicy(Qt::ActionsContextMenu);
    addAction(m_profiles, tr("Open"), [this] {
        if (const QListWidgetItem *item = m_profiles->currentItem())
            openProfile(item->text());
    });
    addAction(m_profiles, tr("Delete"), [this] {
        if (const QListWidgetItem *item = m_profiles->currentItem())
            deleteProfile(item->text());
    });
    auto *saveButton = new QToolButton;
    saveButton->setText(tr("+ Save"));
    saveButton->setAccessibleName(tr("Save as profile"));
    saveButton->setToolTip(tr("Save this session's URL and connection settings as a profile; "
                              "right-click a profile to open or delete it"));
    connect(saveButton, &QToolButton::clicked, this, [this] { m_saveProfile->trigger(); });

    auto *sidebar = new QWidget;
    auto *layout = new QVBoxLayout(sidebar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(titled(tr("<b>Sessions</b>"), newButton));
    layout->addWidget(m_sessionList, 3);
    layout->addLayout(titled(tr("<b>Profiles</b>"), saveButton));
    layout->addWidget(m_profiles, 2);
    refreshProfiles();
    return sidebar;
}

// The shown session's fields back into its entry, before another is shown.
void MainWindow::stashShown()
{
    if (m_shown < 0 || m_shown >= m_sessions->sessionCount())
        return;
    SessionEntry &entry = m_sessions->entry(m_shown);
    entry.url = m_url->text();
    entry.settings = m_connectionSettings->values();
    entry.sessionId = m_session;
    entry.state = m_state;
    entry.store = m_model->store();
    entry.originNs = m_originNs;
    entry.startedAtMs = m_startedAtMs;
    entry.capturePath = m_capturePath;
    entry.captureSession = m_captureSession;
    entry.captureEvents = m_captureEvents;
    entry.statistics = m_statistics;
    entry.connectionsShown = m_model->connectionsShown();
}

void MainWindow::showSession(int session)
{
    if (session < 0 || session >= m_sessions->sessionCount())
        return;
    if (session != m_shown) {
        if (m_composer)
            m_composer->setRepeating(false); // it sent to the session shown
        statusBar()->clearMessage();         // it was about the session shown before
        stashShown();
        m_shown = session;
        SessionEntry &entry = m_sessions->entry(session);
        m_session = entry.sessionId;
        m_state = entry.state;
        m_originNs = entry.originNs;
        m_startedAtMs = entry.startedAtMs;
        m_capturePath = entry.capturePath;
        m_captureSession = entry.captureSession;
        m_captureEvents = entry.captureEvents;
        m_statistics = entry.statistics;
        m_url->setText(entry.url);
        m_connectionSettings->setValues(entry.settings);
        m_model->setStore(entry.store, m_originNs);
        showConnections(*m_log, *m_model, entry.connectionsShown);
        m_model->setOriginWallClock(m_capturePath.isEmpty() ? m_startedAtMs
                                                            : m_captureSession.startedAtUnixMs);
        if (entry.store)
            m_model->appendUpTo(entry.store->endId());
        updateShownCount();
        clearDetail();
        m_tls.clear();
        if (!m_capturePath.isEmpty()) {
            m_handshake->showCaptured(m_captureSession, m_captureEvents);
            for (const auto &[key, value] : m_captureSession.tls)
                m_tls.insert(QString::fromStdString(key), QString::fromStdString(value));
        } else if (m_session != 0) {
            showHandshake(m_session, false);
        } else {
            m_handshake->clear();
        }
        updatePadlock();
        if (m_manager.isServerRunning())
            handleServerChanged(); // the server's times from this session's start
        setWindowTitle(m_capturePath.isEmpty()
                           ? tr("%1 – Framescope").arg(entry.title())
                           : tr("%1 – Framescope").arg(QFileInfo(m_capturePath).fileName()));
        entry.unread = false;
        m_sessions->changed(session);
        updateControls();
    }
    const QModelIndex row = m_sessions->index(SessionListModel::rowOf(session));
    if (m_sessionList && m_sessionList->currentIndex() != row)
        m_sessionList->setCurrentIndex(row);
}

int MainWindow::newSession(const QString &url, const QVariantMap &settings)
{
    SessionEntry entry;
    entry.url = url;
    entry.settings = settings; // none: the form's defaults
    const int session = m_sessions->add(std::move(entry));
    showSession(session);
    m_url->setFocus();
    return session;
}

// A script's connection gets a row of its own (the view stays where it is): its frames can be
// looked at as the script runs and after.
void MainWindow::addScriptSession(quint64 id, const QString &url,
                                  std::shared_ptr<const capture::FrameStore> store,
                                  qint64 startedNs, qint64 startedAtMs)
{
    SessionEntry entry;
    // Numbered: a script run twice, or opening two connections, gives rows told apart.
    entry.name = tr("Script %1: %2").arg(++m_scriptSessions).arg(QUrl(url).authority());
    entry.url = url;
    entry.sessionId = id;
    entry.state = m_manager.state(id); // Closed when the script already removed it
    entry.store = std::move(store);
    entry.originNs = startedNs;
    entry.startedAtMs = startedAtMs;
    entry.openedAtMs = QDateTime::currentMSecsSinceEpoch();
    entry.unread = true;
    m_sessions->add(std::move(entry));
}

// The script closed and removed its connection: the row keeps its frames, as a closed session.
void MainWindow::endScriptSession(quint64 id)
{
    const int session = m_sessions->sessionWithId(id);
    if (session < 0)
        return;
    if (session == m_shown) {
        m_session = 0;
        m_state = session::SessionState::Closed;
        updateControls();
    }
    SessionEntry &entry = m_sessions->entry(session);
    entry.sessionId = 0;
    entry.state = session::SessionState::Closed;
    m_sessions->changed(session);
}

int MainWindow::duplicateSession()
{
    stashShown();
    const SessionEntry &shown = m_sessions->entry(m_shown);
    const QString url = shown.capturePath.isEmpty()
                            ? shown.url
                            : QString::fromStdString(shown.captureSession.url);
    return newSession(url, shown.settings);
}

void MainWindow::closeSession(int session)
{
    if (session < 0 || session >= m_sessions->sessionCount())
        return;
    const quint64 id = session == m_shown ? m_session : m_sessions->entry(session).sessionId;
    if (id != 0)
        m_manager.remove(id);
    if (session == m_shown) {
        // Show a neighbour first (its fields replace the closing one's), then remove.
        m_session = 0;
        if (m_sessions->sessionCount() == 1)
            newSession();
        else
            showSession(session > 0 ? session - 1 : session + 1);
    }
    m_sessions->remove(session);
    if (session < m_shown)
        --m_shown;
    showSession(m_shown); // the sidebar's current row follows the renumbering
}

QStringList MainWindow::profileNames() const
{
    QStringList names;
    for (const Profile &profile : loadProfiles())
        names << profile.name;
    return names;
}

void MainWindow::refreshProfiles()
{
    if (!m_profiles)
        return;
    m_profiles->clear();
    m_profiles->addItems(profileNames());
    if (m_profiles->count() == 0) { // what the empty list is for
        auto *hint = new QListWidgetItem(tr("None yet: \"+ Save\" keeps this session's URL and "
                                            "settings"));
        hint->setFlags(Qt::NoItemFlags);
        hint->setData(Qt::UserRole, true);
        m_profiles->addItem(hint);
        m_profiles->setWordWrap(true);
    }
}

bool MainWindow::saveProfile(const QString &name)
{
    const QString trimmed = name.simplified();
    if (trimmed.isEmpty()) {
        statusBar()->showMessage(tr("Not saved: a profile needs a name"), kStatusMs);
        return false;
    }
    Profile profile{trimmed, m_url->text().trimmed(), m_connectionSettings->values()};
    QList<Profile> profiles = loadProfiles();
    const auto same = std::find_if(profiles.begin(), profiles.end(),
                                   [&](const Profile &other) { return other.name == trimmed; });
    const bool replaced = same != profiles.end();
    if (replaced)
        *same = profile;
    else
        profiles.append(profile);
    saveProfiles(profiles);
    refreshProfiles();
    const bool withoutSecrets = profile.forSaving().lacksSecrets();
    statusBar()->showMessage(
        (replaced ? tr("Profile \"%1\" replaced") : tr("Profile \"%1\" saved")).arg(trimmed)
            + (withoutSecrets ? tr(", without its secrets (tick \"Keep secrets\" in the Connection "
                                   "tab to keep them)")
                              : QString()),
        kStatusMs);
    return true;
}

bool MainWindow::openProfile(const QString &name)
{
    const QList<Profile> profiles = loadProfiles();
    const auto found = std::find_if(profiles.begin(), profiles.end(),
                                    [&](const Profile &profile) { return profile.name == name; });
    if (found == profiles.end()) {
        statusBar()->showMessage(tr("No profile named \"%1\"").arg(name), kStatusMs);
        return false;
    }
    const int session = newSession(found->url, found->settings);
    m_sessions->entry(session).name = found->name;
    m_sessions->changed(session);
    setWindowTitle(tr("%1 – Framescope").arg(found->name));
    if (found->lacksSecrets()) {
        for (int tab = 0; tab < m_bottomTabs->count(); ++tab)
            if (m_bottomTabs->tabText(tab) == tr("Co&nnection"))
                m_bottomTabs->setCurrentIndex(tab);
        statusBar()->showMessage(tr("Profile \"%1\" was saved without its secrets: fill in the "
                                    "ones shown as [redacted], then connect")
                                     .arg(name),
                                 kStatusMs);
        return true;
    }
    connectTo(found->url);
    return true;
}

bool MainWindow::deleteProfile(const QString &name)
{
    QList<Profile> profiles = loadProfiles();
    const auto removed
        = std::remove_if(profiles.begin(), profiles.end(),
                         [&](const Profile &profile) { return profile.name == name; });
    if (removed == profiles.end())
        return false;
    profiles.erase(removed, profiles.end());
    saveProfiles(profiles);
    refreshProfiles();
    statusBar()->showMessage(tr("Profile \"%1\" deleted").arg(name), kStatusMs);
    return true;
}

void MainWindow::updateServerRow()
{
    const QUrl url(m_manager.serverUrls().value(0));
    if (m_manager.isServerRunning() && url.port() > 0)
        m_lastServerPort = url.port();
    m_sessions->setServerStatus(
        m_manager.isServerRunning() && url.port() > 0 ? tr(":%1").arg(url.port()) : tr("stopped"));
}

// A failure in the status bar's words, with the likely reason when the connection was refused
// where the built-in server listened and it has been stopped since.
QString MainWindow::explainFailure(session::SessionError error, const QString &detail) const
{
    const QUrl url(m_url->text().trimmed());
    const bool builtInStopped
        = error == session::SessionError::ConnectionFailed && !m_manager.isServerRunning()
          && m_lastServerPort > 0 && url.port() == m_lastServerPort
          && (url.host() == QLatin1String("localhost") || QHostAddress(url.host()).isLoopback());
    return builtInStopped ? tr("%1: the built-in server is stopped (Server tab: Start)").arg(detail)
                          : detail;
}

// The padlock for a TLS connection (or a capture of one): closed when verified or pinned, open
// and in a warning colour when an invalid certificate was accepted.
void MainWindow::updatePadlock()
{
    const bool tls = !m_tls.value(QStringLiteral("protocol")).isEmpty();
    m_padlock->setVisible(tls);
    if (m_tlsDialog && m_tlsDialog->isVisible()) // kept up to date, connection after connection
        m_tlsDialog->show(m_url->text(), m_tls);
    if (!tls)
        return;
    const bool verified = tlsVerified(m_tls);
    m_padlock->setIcon(padlockIcon(verified, verified ? palette().color(QPalette::WindowText)
                                                      : QColor(0xe6, 0x7e, 0x22)));
    m_padlock->setToolTip(
        verified ? tr("%1, certificate verified; click for details")
                       .arg(m_tls.value(QStringLiteral("protocol")))
                 : tr("%1, certificate NOT verified (accepted for this session); click for details")
                       .arg(m_tls.value(QStringLiteral("protocol"))));
}

void MainWindow::showTlsDetails()
{
    if (!m_tlsDialog) {
        m_tlsDialog = new TlsDetailsDialog(this);
        connect(m_tlsDialog, &TlsDetailsDialog::pinRequested, this, [this](const QString &sha256) {
            m_connectionSettings->setPin(sha256);
            statusBar()->showMessage(tr("Pinned for the next connection: only the certificate "
                                        "with SHA-256 %1 is trusted (Connection tab)")
                                         .arg(sha256),
                                     kStatusMs);
        });
    }
    m_tlsDialog->show(m_url->text(), m_tls);
}

} // namespace framescope::ui
