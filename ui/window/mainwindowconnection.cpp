// The main window's drive of the shown session: connecting (a session of its own where the
// shown one holds frames to keep), sending and closing from the composer, and following the
// session's state, handshake and frames.

#include "composer/composer.h"
#include "connectionsettings.h"
#include "handshake/handshakeview.h"
#include "lab/framelab.h"
#include "log/framelogmodel.h"
#include "log/framelogview.h"
#include "mainwindow.h"
#include "server/serverpanel.h"
#include "sessions/sessionlist.h"
#include "stats/statisticsview.h"

#include <QApplication>
#include <QDateTime>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUrl>
#include <session/engine/clock.h>
#include <session/frontend/sessionmanager.h>

namespace framescope::ui {

bool MainWindow::start()
{
    if (const QString error = m_serverPanel->start(); !error.isEmpty()) {
        statusBar()->showMessage(tr("The built-in server did not start: %1").arg(error));
        return false;
    }
    const QString url = m_manager.serverUrls().value(0);
    m_url->setText(url);
    connectTo(url);
    return true;
}

void MainWindow::connectTo(const QString &url)
{
    // A connection that ended keeps its frames, and an opened capture stays what it is: the new
    // connection goes into a session of its own, with this one's settings; nothing in the log is
    // lost.
    const auto shownStore = m_model->store();
    const bool ended
        = m_session != 0 && m_manager.state(m_session) == session::SessionState::Closed;
    if (!m_capturePath.isEmpty() || (ended && shownStore && shownStore->size() > 0))
        duplicateSession();
    else if (m_session != 0)
        m_manager.remove(m_session);
    m_url->setText(url);
    QString error;
    const std::optional<session::ClientOptions> options
        = m_connectionSettings->optionsFor(QUrl(url), &error);
    if (!options) {
        statusBar()->showMessage(tr("Not connecting: %1").arg(error), kStatusMs);
        m_session = 0;
        m_state = session::SessionState::Closed;
        updateControls();
        return;
    }
    // The session's start before it is opened: its first frames can come while this thread
    // still works (writing the recent URLs), and none may come before the start.
    m_originNs = session::monotonicNs();
    m_startedAtMs = QDateTime::currentMSecsSinceEpoch();
    attachSession(m_manager.open(*options), url);
    statusBar()->showMessage(tr("Connecting to %1").arg(url), kStatusMs);
}

void MainWindow::attachSession(quint64 id, const QString &url)
{
    m_session = id;
    m_sessions->entry(m_shown).sessionId = m_session;
    m_sessions->entry(m_shown).url = url;
    m_sessions->changed(m_shown);
    if (!url.isEmpty())
        rememberUrl(url);
    m_model->setOriginWallClock(m_startedAtMs);
    if (m_manager.isServerRunning())
        handleServerChanged(); // the server's times from the same start as the client's
    m_tls.clear();             // until this connection's TLS handshake
    updatePadlock();
    m_capturePath.clear();
    m_captureSession = {};
    m_captureEvents.clear();
    setWindowTitle(tr("%1 – Framescope").arg(m_sessions->entry(m_shown).title()));
    m_model->setStore(m_manager.store(m_session), m_originNs);
    showConnections(*m_log, *m_model, false);
    m_statistics.reset(m_originNs,
                       m_model->store() ? m_model->store()->firstId() : capture::FrameId{});
    clearDetail();
    m_handshake->clear();
}

void MainWindow::disconnectSession()
{
    if (m_session != 0)
        m_manager.close(m_session);
}

bool MainWindow::sendComposed()
{
    if (m_state != session::SessionState::Open) {
        statusBar()->showMessage(tr("Not connected: connect first"), kStatusMs);
        return false;
    }
    QString error;
    const std::optional<Composer::Message> message = m_composer->message(&error);
    if (!message) {
        statusBar()->showMessage(error, kStatusMs);
        return false;
    }
    // One size: the session cuts the message (compressed first when deflate is on); several:
    // frames of exactly those sizes.
    if (message->fragmentSizes.size() <= 1)
        m_manager.sendMessage(m_session, message->opcode, message->payload,
                              message->fragmentSizes.empty() ? 0 : message->fragmentSizes.front(),
                              message->pingBetweenFragments);
    else
        m_manager.sendFragments(m_session, message->opcode, message->payload,
                                message->fragmentSizes, message->pingBetweenFragments);
    statusBar()->clearMessage();
    return true;
}

bool MainWindow::closeWithChosenCode()
{
    if (m_state != session::SessionState::Open) {
        statusBar()->showMessage(tr("Not connected: connect first"), kStatusMs);
        return false;
    }
    QString error;
    const std::optional<Composer::CloseRequest> request = m_composer->closeRequest(&error);
    if (!request) {
        statusBar()->showMessage(error, kStatusMs);
        return false;
    }
    m_manager.close(m_session, request->code, request->reason);
    return true;
}

void MainWindow::handleState(quint64 id, session::SessionState state)
{
    if (id != m_session) { // a session not shown: its mark in the sidebar
        if (const int other = m_sessions->sessionWithId(id); other >= 0) {
            m_sessions->entry(other).state = state;
            if (state == session::SessionState::Open)
                m_sessions->entry(other).openedAtMs = QDateTime::currentMSecsSinceEpoch();
            m_sessions->changed(other);
        }
        return;
    }
    m_state = state;
    m_sessions->entry(m_shown).state = state;
    m_sessions->changed(m_shown);
    updateControls();
    if (state == session::SessionState::Open) {
        m_sessions->entry(m_shown).openedAtMs = QDateTime::currentMSecsSinceEpoch();
        showHandshake(id, false);
        showServerConnectionOfSession();
        statusBar()->showMessage(tr("Connected to %1").arg(m_url->text()), kStatusMs);
    }
}

void MainWindow::showHandshake(quint64 id, bool focus)
{
    if (const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(id)) {
        m_handshake->show(*snapshot);
        m_tls = snapshot->handshake.tls;
        updatePadlock();
    }
    if (focus)
        m_tabs->setCurrentWidget(m_handshake);
}

// New rows; the log follows the tail unless the user scrolled up.
void MainWindow::handleFrames(quint64 id, quint64 end)
{
    if (id != m_session) { // a session not shown: marked as having news
        if (const int other = m_sessions->sessionWithId(id);
            other >= 0 && !m_sessions->entry(other).unread) {
            m_sessions->entry(other).unread = true;
            m_sessions->changed(other);
        }
        return;
    }
    if (m_pause->isChecked())
        return;
    m_model->appendUpTo({end});
    updateShownCount(); // frames the filter hides count too
    if (m_followTail)
        m_log->scrollToBottom();
}

void MainWindow::updateControls()
{
    updateEmptyLogText();
    const bool closed = m_state == session::SessionState::Closed;
    // Connected or not at a glance; the steps between in words.
    QString state = session::describe(m_state);
    if (!state.isEmpty())
        state[0] = state[0].toUpper();
    if (m_state == session::SessionState::Open) {
        // How long, as h:mm:ss.
        const qint64 openedAt = m_shown >= 0 ? m_sessions->entry(m_shown).openedAtMs : 0;
        const qint64 seconds
            = openedAt > 0 ? (QDateTime::currentMSecsSinceEpoch() - openedAt) / 1000 : 0;
        const QString since = QStringLiteral("%1:%2:%3")
                                  .arg(seconds / 3600)
                                  .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
                                  .arg(seconds % 60, 2, 10, QLatin1Char('0'));
        m_stateLabel->setText(QStringLiteral("<span style=\"color:%1\">● %2</span> %3")
                                  .arg(successColor().name(), tr("Connected"), since));
        if (!m_connectedClock->isActive())
            m_connectedClock->start();
    } else if (closed)
        m_stateLabel->setText(tr("○ Not connected"));
    else
        m_stateLabel->setText(tr("◌ %1…").arg(state));
    m_connect->setText(closed ? tr("&Connect") : tr("&Disconnect"));
    m_url->setReadOnly(!closed); // still selectable and readable while connected
    const bool open = m_state == session::SessionState::Open;
    m_composer->setOpen(open);
    m_lab->setSendEnabled(open);
    if (!open)
        m_connectedClock->stop();
}

} // namespace framescope::ui
