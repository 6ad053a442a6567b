#pragma once

#include "stats/sessionstatistics.h"
#include "theme.h"

#include <QMainWindow>
#include <QMap>
#include <QVariantMap>
#include <capture/capturefile.h>
#include <memory>
#include <optional>
#include <session/client/sessionerror.h>
#include <session/engine/sessionstate.h>

class QCheckBox;
class QActionGroup;
class QCloseEvent;
class QResizeEvent;
class QComboBox;
class QMenu;
class QScrollArea;
class QSplitter;
class QStringListModel;
class QDragEnterEvent;
class QDropEvent;
class QModelIndex;
class QLabel;
class QListView;
class QListWidget;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTimer;
class QToolButton;

namespace framescope::session {
class SessionManager;
}

namespace framescope::ui {

class Composer;
class ConnectionSettings;
class FrameLab;
class ReplayPanel;
class ScriptPanel;
class ServerPanel;
class StatisticsView;
class FrameLogModel;
class HandshakeView;
class HeaderDiagram;
class JsonTree;
class FrameLogView;
class SessionListModel;
class TlsDetailsDialog;

// A log with or without its Connection column (the model's copies follow the view).
void showConnections(FrameLogView &view, FrameLogModel &model, bool shown);

// Framescope's main window, first slice: a connection bar (URL, Connect / Disconnect, state),
// the frame log over the session's capture store with its filter bar, and a composer (text, JSON
// checked before it goes, binary as hex; Ctrl+Return sends). It drives everything through the
// SessionManager; start() runs the built-in server and connects to it, so a new user sees a round
// trip at once.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(session::SessionManager &manager, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Starts the built-in server on loopback and connects to it; false (said in the status bar)
    // when the server cannot start.
    bool start();
    void connectTo(const QString &url);
    // Shows session `id` (just opened) in the shown sidebar entry: its log, state and handshake.
    void attachSession(quint64 id, const QString &url);
    void disconnectSession();
    // Sends the composer's text as the chosen kind; false (said in the status bar) when it is
    // not valid as that kind.
    bool sendComposed();
    // Starts the closing handshake with the code and reason chosen in the composer; false (said
    // in the status bar) for a code a close frame may not carry or a reason over 123 bytes.
    bool closeWithChosenCode();

    // Shows a capture file in the log instead of the session (the session is closed). False, and
    // why in the status bar, when the file cannot be read; a file cut short shows what it holds.
    bool openCapture(const QString &path);
    // Writes the log's frames (the session's, or the capture's) with their session line and
    // events, secrets redacted. False, and why in the status bar, when the file cannot be made.
    bool saveCapture(const QString &path);
    // The shown session (live, or an opened capture) into the Replay tab, ready to replay.
    bool replayShownSession();
    // The shown session as HAR (Chrome's form, secrets redacted).
    bool exportHar(const QString &path);
    ReplayPanel *replayPanel() const { return m_replayPanel; }
    // The rows the log shows (the filter applied), as tab-separated text with a header line.
    bool exportShownRows(const QString &path);

    // Kept with QSettings: the theme, the text size, the URLs connected to, the layout.
    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }
    // Larger (steps > 0) or smaller text; 0 goes back to the desktop's size.
    void changeTextSize(int steps);
    int textPointSize() const;
    QStringList recentUrls() const;

    quint64 sessionId() const { return m_session; }
    FrameLogModel *logModel() const { return m_model; }
    FrameLogModel *serverLogModel() const { return m_serverModel; }
    // The built-in server's log beside the client's (View > Show the Server's Side).
    void setServerSideShown(bool shown);

    // The sessions sidebar: sessions are numbered from 0 in the order they were made; one is
    // shown at a time (its log, handshake, statistics, URL and connection settings), the others
    // keep running.
    SessionListModel *sessionList() const { return m_sessions; }
    int shownSession() const { return m_shown; }
    void showSession(int session);
    // A new session, not connected, with the URL and settings given (or the form's defaults);
    // shown. Returns its number.
    int newSession(const QString &url = {}, const QVariantMap &settings = {});
    // A new session with the shown one's URL and settings, not connected.
    int duplicateSession();
    void addScriptSession(quint64 id, const QString &url,
                          std::shared_ptr<const capture::FrameStore> store, qint64 startedNs,
                          qint64 startedAtMs);
    void endScriptSession(quint64 id);
    // Ends the session (closed at once, its log dropped) and removes it; the last one closed
    // leaves a new empty one.
    void closeSession(int session);
    // Saved profiles: the shown session's URL and settings under a name (replacing one of that
    // name), kept with QSettings; secrets only when the Connection tab says to keep them.
    bool saveProfile(const QString &name);
    // A new session from a profile, connected unless the profile lacks its secrets.
    bool openProfile(const QString &name);
    bool deleteProfile(const QString &name);
    QStringList profileNames() const;

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // How many characters a line of the detail pane shows (for its hex dump's width).
    int detailLineChars() const;
    // The filter text could not be used (`problem`), or could again (empty): the field and the
    // count beside it say so.
    void showFilterProblem(const QString &problem);
    // The shown session as capture text (what Save writes), redacted as asked; read back.
    std::optional<std::string> shownCapture(const capture::RedactionOptions &redaction = {});
    std::optional<capture::CaptureReadResult> shownCaptureRead();
    // How long a recoverable problem stays in the status bar.
    static constexpr int kStatusMs = 8000;
    static constexpr int kSidebarWidth = 160;

    void makeMenus();
    void restoreSettings();
    void rememberUrl(const QString &url);
    void applyTextSize();
    void showShortcuts();
    void handleState(quint64 id, session::SessionState state);
    void handleFrames(quint64 id, quint64 end);
    void showHandshake(quint64 id, bool focus);
    void updateControls();
    void showDetail(const QModelIndex &current);
    void showDetailPage();
    void refreshStatistics();
    void arrangeLogs(bool resetSizes);
    void lineUpServerFrame(capture::FrameId clientFrame);
    void handleServerChanged();
    void showServerConnectionOfSession();
    void fitBottomPanel();
    void clearDetail();
    void updateEmptyLogText();
    QWidget *makeFilterBar();
    void applyFilter();
    void updateShownCount();
    QWidget *makeSidebar();
    void stashShown();
    void refreshProfiles();
    void updateServerRow();
    QString explainFailure(session::SessionError error, const QString &detail) const;
    void updatePadlock();
    void showTlsDetails();

    session::SessionManager &m_manager;
    quint64 m_session = 0;
    int m_lastServerPort = 0; // where the built-in server last listened, for a refusal's hint
    session::SessionState m_state = session::SessionState::Closed;
    FrameLogModel *m_model = nullptr;
    QLineEdit *m_url = nullptr;
    QPushButton *m_connect = nullptr;
    QLabel *m_stateLabel = nullptr;
    QToolButton *m_padlock = nullptr;
    TlsDetailsDialog *m_tlsDialog = nullptr;
    QTimer *m_connectedClock = nullptr; // the connected time, once a second
    QMap<QString, QString> m_tls;       // the shown session's TLS details
    FrameLogView *m_log = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    HeaderDiagram *m_headerDiagram = nullptr;
    QScrollArea *m_headerScroll = nullptr; // the diagram, scrolled sideways in a narrow pane
    JsonTree *m_jsonTree = nullptr;
    std::optional<capture::FrameId> m_detailFrame;
    std::uint64_t m_detailPage = 0;
    int m_detailBytesPerLine = 0; // the shown hex dump's, 0 when none is shown
    QWidget *m_detailPages = nullptr;
    QPushButton *m_previousPage = nullptr;
    QPushButton *m_nextPage = nullptr;
    QLabel *m_pageLabel = nullptr;
    HandshakeView *m_handshake = nullptr;
    QTabWidget *m_tabs = nullptr;
    std::int64_t m_originNs = 0;
    Composer *m_composer = nullptr;
    FrameLab *m_lab = nullptr;
    ServerPanel *m_serverPanel = nullptr;
    ScriptPanel *m_scriptPanel = nullptr;
    ReplayPanel *m_replayPanel = nullptr;
    QScrollArea *m_serverScroll = nullptr;
    FrameLogModel *m_serverModel = nullptr;
    FrameLogView *m_serverLog = nullptr;
    QWidget *m_serverPane = nullptr;
    QLabel *m_serverTitle = nullptr;
    bool m_followTail = true;                  // the log is at its end: new rows scroll it
    QList<int> m_logAndDetailBeforeServerSide; // the log's and the detail's widths
    // The bottom panel's height before a taller tab grew it (-1: not grown).
    int m_bottomHeightBeforeGrowing = -1;
    // The built-in server's connection its log shows (the shown session's; 0: all of them), or
    // none before it was chosen.
    std::optional<quint64> m_serverConnectionShown;
    QSplitter *m_logs = nullptr; // the client's log, and the server's beside it
    QAction *m_showServerSide = nullptr;
    ConnectionSettings *m_connectionSettings = nullptr;
    StatisticsView *m_statisticsView = nullptr;
    SessionStatistics m_statistics;
    QTimer *m_statisticsTimer = nullptr;
    QTabWidget *m_bottomTabs = nullptr;
    QLineEdit *m_filterText = nullptr;
    QCheckBox *m_filterRegex = nullptr;
    QComboBox *m_filterDirection = nullptr;
    QComboBox *m_filterOpcode = nullptr;
    QCheckBox *m_showControl = nullptr;
    QLabel *m_shownCount = nullptr;
    QString m_filterProblem; // why the filter text was not applied, empty when it was
    QComboBox *m_timeMode = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_clear = nullptr;
    QTimer *m_filterDelay = nullptr;
    Theme m_theme = Theme::System;
    int m_textSizeSteps = 0; // points above (or below) the desktop's size
    int m_systemPointSize = 0;
    QMenu *m_recentMenu = nullptr;
    int m_scriptSessions = 0; // script connections given a sidebar row, for their names
    QStringListModel *m_recentUrls = nullptr;
    QSplitter *m_logAndDetail = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_sidebarSplitter = nullptr;
    QActionGroup *m_themeActions = nullptr;
    qint64 m_startedAtMs = 0; // the session's start, for its capture's session line
    // A capture opened from a file, shown instead of a session.
    QString m_capturePath;
    capture::SessionInfo m_captureSession;
    std::vector<capture::CaptureEvent> m_captureEvents;
    // The sidebar.
    SessionListModel *m_sessions = nullptr;
    QListView *m_sessionList = nullptr;
    QListWidget *m_profiles = nullptr;
    QAction *m_saveProfile = nullptr;
    QAction *m_showSidebar = nullptr;
    int m_shown = -1; // the session whose fields above are the shown ones
};

} // namespace framescope::ui
