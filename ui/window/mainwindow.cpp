#include "mainwindow.h"

#include "composer/composer.h"
#include "connectionsettings.h"
#include "detail/framedetail.h"
#include "detail/headerdiagram.h"
#include "detail/jsontree.h"
#include "handshake/handshakeview.h"
#include "lab/framelab.h"
#include "log/framelogmodel.h"
#include "log/framelogview.h"
#include "replay/replaypanel.h"
#include "script/scriptpanel.h"
#include "server/counterpart.h"
#include "server/serverpanel.h"
#include "sessions/sessionlist.h"
#include "stats/statisticsview.h"
#include "tlsdetails.h"

#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QDialog>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFontMetrics>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QStringListModel>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <session/diagnosis/handshakedoctor.h>
#include <session/engine/clock.h>
#include <session/frontend/capturedescription.h>
#include <session/frontend/sessionmanager.h>
#include <sstream>

namespace framescope::ui {

MainWindow::MainWindow(session::SessionManager &manager, QWidget *parent)
    : QMainWindow(parent)
    , m_manager(manager)
    , m_model(new FrameLogModel(this))
    , m_sessions(new SessionListModel(this))
{
    setWindowTitle(tr("Framescope"));

    // The connection bar.
    m_url = new QLineEdit;
    m_url->setPlaceholderText(tr("ws://host:port/path or wss://…"));
    m_url->setAccessibleName(tr("URL"));
    m_recentUrls = new QStringListModel(this);
    auto *completer = new QCompleter(m_recentUrls, this);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_url->setCompleter(completer);
    // The recent URLs as a list to pick from, as well as completed while typing.
    m_recentMenu = new QMenu(this);
    m_recentMenu->setObjectName(QStringLiteral("recentUrls"));
    m_recentMenu->setAccessibleName(tr("Recent URLs"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] {
        m_recentMenu->clear();
        const QStringList urls = m_recentUrls->stringList();
        if (urls.isEmpty())
            m_recentMenu->addAction(tr("No recent URLs yet"))->setEnabled(false);
        for (const QString &url : urls)
            m_recentMenu->addAction(url, this, [this, url] { m_url->setText(url); });
    });
    QAction *recent = m_url->addAction(style()->standardIcon(QStyle::SP_ArrowDown),
                                       QLineEdit::TrailingPosition);
    recent->setText(tr("Recent URLs"));
    recent->setToolTip(tr("Recent URLs (or type: they are completed as you type)"));
    connect(recent, &QAction::triggered, this, [this] {
        if (!m_url->isReadOnly())
            m_recentMenu->popup(m_url->mapToGlobal(m_url->rect().bottomRight()
                                                   - QPoint(m_recentMenu->sizeHint().width(), 0)));
    });
    m_connect = new QPushButton(tr("&Connect"));
    m_stateLabel = new QLabel(tr("Closed"));
    m_stateLabel->setAccessibleName(tr("Connection state"));
    // The padlock: shown for a TLS connection, its details a click away.
    m_padlock = new QToolButton;
    m_padlock->setAccessibleName(tr("TLS details"));
    m_padlock->setAutoRaise(true);
    m_padlock->hide();
    connect(m_padlock, &QToolButton::clicked, this, &MainWindow::showTlsDetails);
    m_connectedClock = new QTimer(this);
    m_connectedClock->setInterval(1000);
    connect(m_connectedClock, &QTimer::timeout, this, &MainWindow::updateControls);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("URL:")));
    bar->addWidget(m_url, 1);
    bar->addWidget(m_padlock);
    bar->addWidget(m_connect);
    bar->addWidget(m_stateLabel);

    // The frame log: the table asks the model only for the rows it shows.
    m_log = new FrameLogView;
    m_log->setModel(m_model);
    m_log->setAccessibleName(tr("Frame log"));
    // The log follows the tail while it is at the end, also when its height or its rows change
    // after the frames came (a layout done later); scrolled up by the user, it stays.
    QScrollBar *logScroll = m_log->verticalScrollBar();
    connect(logScroll, &QScrollBar::valueChanged, this,
            [this, logScroll](int value) { m_followTail = value >= logScroll->maximum() - 2; });
    connect(logScroll, &QScrollBar::rangeChanged, this, [this, logScroll](int, int maximum) {
        if (m_followTail)
            logScroll->setValue(maximum);
    });
    m_log->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_log->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_log->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_log->setRowHeight(m_log->fontMetrics().height() + 6);
    m_log->header()->setStretchLastSection(true);
    // Widths for what the columns hold, measured in the log's font, so that the last one, the
    // payload, keeps as much of the rest as it can (at 1280 pixels it was left under its minimum).
    {
        const QFontMetrics metrics = m_log->fontMetrics();
        const int margins = 3 * metrics.horizontalAdvance(QLatin1Char(' '));
        const auto widest = [&](std::initializer_list<QString> texts) {
            int width = 0;
            for (const QString &text : texts)
                width = std::max(width, metrics.horizontalAdvance(text));
            return width + margins;
        };
        const std::pair<int, int> widths[] = {
            {FrameLogModel::Number, widest({QStringLiteral("000000")})},
            {FrameLogModel::Connection, widest({QStringLiteral("0000"), tr("Conn.")})},
            {FrameLogModel::Time, widest({QStringLiteral("00:00:00.000")})},
            {FrameLogModel::Direction, widest({QStringLiteral("← received"), tr("Direction")})},
            {FrameLogModel::Opcode,
             widest({QStringLiteral("CONTINUATION"), QStringLiteral("RESERVED-15")})},
            {FrameLogModel::Flags, widest({QStringLiteral("FIN RSV=000 MASK")})},
            {FrameLogModel::Length, widest({QStringLiteral("0000000")})},
        };
        for (const auto &[column, width] : widths)
            m_log->header()->resizeSection(column, width);
        // The Connection column is hidden once the server's log has copied the widths (a hidden
        // column's size reads as 0).
    }
    m_log->setAlternatingRowColors(true);
    m_log->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto selectedRows = [this] {
        QList<int> rows;
        for (const QModelIndex &index : m_log->selectionModel()->selectedRows())
            rows << index.row();
        std::sort(rows.begin(), rows.end());
        return rows;
    };
    auto *copyText = new QAction(tr("&Copy"), m_log);
    copyText->setShortcut(QKeySequence::Copy);
    copyText->setShortcutContext(Qt::WidgetShortcut);
    connect(copyText, &QAction::triggered, this, [this, selectedRows] {
        QGuiApplication::clipboard()->setText(m_model->rowsAsText(selectedRows()));
    });
    auto *copyHex = new QAction(tr("Copy Payload as &Hex"), m_log);
    connect(copyHex, &QAction::triggered, this, [this] {
        const auto store = m_model->store();
        const QModelIndex current = m_log->currentIndex();
        std::vector<std::uint8_t> payload;
        if (!store || !current.isValid()
            || !store->payload(m_model->frameAt(current.row()), payload)) {
            statusBar()->showMessage(tr("No payload to copy"), kStatusMs);
            return;
        }
        QGuiApplication::clipboard()->setText(QString::fromLatin1(
            QByteArray(reinterpret_cast<const char *>(payload.data()), qsizetype(payload.size()))
                .toHex(' ')));
    });
    auto *copyJson = new QAction(tr("Copy as &JSON"), m_log);
    connect(copyJson, &QAction::triggered, this, [this, selectedRows] {
        QGuiApplication::clipboard()->setText(m_model->rowsAsJson(selectedRows()));
    });
    auto *replay = new QAction(tr("&Replay This Session…"), m_log);
    connect(replay, &QAction::triggered, this, &MainWindow::replayShownSession);
    m_log->addActions({copyText, copyHex, copyJson, replay});
    auto *logPane = new QWidget;
    auto *logLayout = new QVBoxLayout(logPane);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->addWidget(makeFilterBar());
    logLayout->addWidget(m_log, 1);

    // The selected frame, explained.
    m_detail = new QPlainTextEdit;
    m_detail->setReadOnly(true);
    m_detail->setAccessibleName(tr("Frame detail"));
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // A long line wraps rather than hide past the pane's edge; the hex dump is made as wide as
    // fits (detailLineChars()), and made again when the pane's width changes that.
    m_detail->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_detail->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_detail->viewport()->installEventFilter(this);
    m_detail->setPlaceholderText(tr("Select a frame to see its header bit by bit and its payload"));

    // The composer.
    m_composer = new Composer;
    connect(m_composer, &Composer::sendRequested, this, &MainWindow::sendComposed);
    connect(m_composer, &Composer::repeatRequested, this, [this] {
        if (!sendComposed())
            m_composer->setRepeating(false); // said in the status bar
    });
    connect(m_composer, &Composer::pingRequested, this, [this] {
        if (m_session != 0)
            m_manager.ping(m_session);
    });
    connect(m_composer, &Composer::closeRequested, this, &MainWindow::closeWithChosenCode);
    connect(m_composer, &Composer::problem, this,
            [this](const QString &message) { statusBar()->showMessage(message, kStatusMs); });
    // The composer for messages, the frame lab for any frame at all.
    m_lab = new FrameLab;
    m_bottomTabs = new QTabWidget;
    m_bottomTabs->addTab(m_composer, tr("Co&mposer"));
    m_bottomTabs->addTab(m_lab, tr("Frame La&b"));
    m_connectionSettings = new ConnectionSettings;
    auto *settingsScroll = new QScrollArea; // the form is taller than the composer's room
    settingsScroll->setWidget(m_connectionSettings);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setAccessibleName(tr("Connection settings"));
    m_bottomTabs->addTab(settingsScroll, tr("Co&nnection"));
    m_serverPanel = new ServerPanel(m_manager);
    // Scrolled like the settings: the tallest tab must not push the log up.
    m_serverScroll = new QScrollArea;
    m_serverScroll->setWidget(m_serverPanel);
    m_serverScroll->setWidgetResizable(true);
    m_serverScroll->setFrameShape(QFrame::NoFrame);
    m_serverScroll->setAccessibleName(tr("Built-in server"));
    m_bottomTabs->addTab(m_serverScroll, tr("S&erver"));
    connect(m_serverPanel, &ServerPanel::serverChanged, this, &MainWindow::handleServerChanged);
    // Scripts: connect() without a URL goes where the shown session goes (or the built-in
    // server when no URL is set).
    m_scriptPanel = new ScriptPanel(m_manager);
    m_scriptPanel->setDefaultUrl([this] {
        const QString url = m_url->text().trimmed();
        return url.isEmpty() ? m_manager.serverUrls().value(0) : url;
    });
    m_bottomTabs->addTab(m_scriptPanel, tr("Sc&ript"));
    connect(m_scriptPanel, &ScriptPanel::connectionOpened, this, &MainWindow::addScriptSession);
    connect(m_scriptPanel, &ScriptPanel::connectionEnded, this, &MainWindow::endScriptSession);
    QWidget *composer = m_bottomTabs;
    connect(m_lab, &FrameLab::sendRequested, this, [this](const FrameLab::Frame &frame) {
        if (m_state != session::SessionState::Open) {
            statusBar()->showMessage(tr("Not connected: connect first"), kStatusMs);
            return;
        }
        m_manager.sendRawFrame(m_session, frame.header, frame.payload);
    });

    m_handshake = new HandshakeView;
    m_tabs = new QTabWidget;
    // The detail, with page buttons for a payload larger than a page.
    m_previousPage = new QPushButton(tr("◀ Previous"));
    m_previousPage->setAccessibleName(tr("Previous payload page"));
    m_nextPage = new QPushButton(tr("Next ▶"));
    m_nextPage->setAccessibleName(tr("Next payload page"));
    m_pageLabel = new QLabel;
    m_detailPages = new QWidget;
    auto *pageRow = new QHBoxLayout(m_detailPages);
    pageRow->setContentsMargins(0, 0, 0, 0);
    pageRow->addWidget(m_previousPage);
    pageRow->addWidget(m_pageLabel, 1, Qt::AlignCenter);
    pageRow->addWidget(m_nextPage);
    m_detailPages->hide();
    connect(m_previousPage, &QPushButton::clicked, this, [this] {
        if (m_detailPage > 0)
            --m_detailPage;
        showDetailPage();
    });
    connect(m_nextPage, &QPushButton::clicked, this, [this] {
        ++m_detailPage;
        showDetailPage();
    });
    auto *detailPane = new QWidget;
    auto *detailLayout = new QVBoxLayout(detailPane);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    m_jsonTree = new JsonTree;
    m_jsonTree->hide();
    auto *detailSplit = new QSplitter(Qt::Vertical); // the text above, the JSON tree below
    detailSplit->addWidget(m_detail);
    detailSplit->addWidget(m_jsonTree);
    detailSplit->setStretchFactor(0, 3);
    detailSplit->setStretchFactor(1, 2);
    m_headerDiagram = new HeaderDiagram;
    m_headerScroll = new QScrollArea;
    m_headerScroll->setWidget(m_headerDiagram);
    m_headerScroll->setWidgetResizable(true);
    m_headerScroll->setFrameShape(QFrame::NoFrame);
    m_headerScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_headerScroll->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_headerScroll->hide();
    detailLayout->addWidget(m_headerScroll);
    detailLayout->addWidget(detailSplit, 1);
    detailLayout->addWidget(m_detailPages);
    m_tabs->addTab(detailPane, tr("Fr&ame"));
    m_tabs->addTab(m_handshake, tr("Handsha&ke"));
    m_statisticsView = new StatisticsView;
    m_tabs->addTab(m_statisticsView, tr("S&tatistics"));
    // Replays beside the log: the comparison here, the replay's frames in the log (a session
    // of its own in the sidebar).
    m_replayPanel = new ReplayPanel(m_manager);
    m_tabs->addTab(m_replayPanel, tr("Repla&y"));
    connect(m_replayPanel, &ReplayPanel::sessionStarted, this,
            [this](quint64 id, const QString &title, const QString &url) {
                const int session = newSession(url);
                m_sessions->entry(session).name = title;
                m_originNs = session::monotonicNs();
                m_startedAtMs = QDateTime::currentMSecsSinceEpoch();
                attachSession(id, url);
                m_tabs->setCurrentWidget(m_replayPanel);
            });
    connect(m_replayPanel, &ReplayPanel::finished, this, [this](bool passed) {
        // Sent to the Replay tab only when it is not the one in view.
        const bool onTab = m_tabs->currentWidget() == m_replayPanel;
        statusBar()->showMessage(passed  ? tr("Replay passed: every message matched")
                                 : onTab ? tr("Replay failed: each difference is in the table")
                                         : tr("Replay failed: see the Replay tab"),
                                 kStatusMs);
    });
    // The charts follow once a second while they are shown.
    m_statisticsTimer = new QTimer(this);
    m_statisticsTimer->setInterval(1000);
    connect(m_statisticsTimer, &QTimer::timeout, this, &MainWindow::refreshStatistics);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_statisticsView) {
            refreshStatistics();
            m_statisticsTimer->start();
        } else {
            m_statisticsTimer->stop();
        }
    });
    m_logAndDetail = new QSplitter(Qt::Horizontal);
    // The built-in server's log, beside the client's when asked: the same frames as it saw them.
    m_serverModel = new FrameLogModel(this);
    // Its connection's frames come from a background test: the selected frame is lined up again
    // once they are all there.
    connect(m_serverModel, &FrameLogModel::filterProgressed, this, [this] {
        if (!m_serverModel->isFiltering() && m_detailFrame)
            lineUpServerFrame(*m_detailFrame);
    });
    m_serverLog = new FrameLogView;
    m_serverLog->setModel(m_serverModel);
    m_serverLog->setAccessibleName(tr("Server's frame log"));
    m_serverLog->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_serverLog->setRowHeight(m_log->rowHeight());
    m_serverLog->header()->setStretchLastSection(true);
    for (int column = 0; column < FrameLogModel::Preview; ++column)
        m_serverLog->header()->resizeSection(column, m_log->header()->sectionSize(column));
    showConnections(*m_serverLog, *m_serverModel, false);
    showConnections(*m_log, *m_model, false);
    m_serverLog->setAlternatingRowColors(true);
    m_serverPane = new QWidget;
    auto *serverLayout = new QVBoxLayout(m_serverPane);
    serverLayout->setContentsMargins(0, 0, 0, 0);
    m_serverTitle = new QLabel;
    m_serverTitle->setAccessibleName(tr("Server's log title"));
    m_serverTitle->setWordWrap(true); // it names the connection: long, and the log may be narrow
    m_serverTitle->setToolTip(tr("The built-in server's log: the client's frames as it received "
                                 "and unmasked them, its replies as it sent them"));
    serverLayout->addWidget(m_serverTitle);
    serverLayout->addWidget(m_serverLog, 1);
    m_serverPane->hide();
    m_logs = new QSplitter(Qt::Horizontal);
    m_logs->addWidget(logPane);
    m_logs->addWidget(m_serverPane);
    m_logAndDetail->addWidget(m_logs);
    m_logAndDetail->addWidget(m_tabs);
    m_logAndDetail->setStretchFactor(0, 3);
    m_logAndDetail->setStretchFactor(1, 2);
    // Beside the sidebar at 1280 pixels: the log's columns and room for payloads, the detail
    // pane wide enough for a header's bit diagram (its hex dump takes 8 bytes a line there).
    m_logAndDetail->setSizes({700, 410});
    m_mainSplitter = new QSplitter(Qt::Vertical);
    auto *splitter = m_mainSplitter;
    splitter->addWidget(m_logAndDetail);
    splitter->addWidget(composer);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    connect(m_bottomTabs, &QTabWidget::currentChanged, this, &MainWindow::fitBottomPanel);
    connect(splitter, &QSplitter::splitterMoved, this,
            [this] { m_bottomHeightBeforeGrowing = -1; }); // the height the user chose stays

    auto *layout = new QVBoxLayout;
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);
    auto *session = new QWidget;
    session->setLayout(layout);
    // The sessions sidebar on the left, the shown session on the right.
    m_sidebarSplitter = new QSplitter(Qt::Horizontal);
    m_sidebarSplitter->addWidget(makeSidebar());
    m_sidebarSplitter->addWidget(session);
    m_sidebarSplitter->setStretchFactor(0, 0);
    m_sidebarSplitter->setStretchFactor(1, 1);
    m_sidebarSplitter->setSizes({kSidebarWidth, 1280 - kSidebarWidth});
    connect(m_sidebarSplitter, &QSplitter::splitterMoved, this,
            [this] { m_showSidebar->setChecked(m_sidebarSplitter->sizes().value(0) > 0); });
    auto *central = new QWidget;
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->addWidget(m_sidebarSplitter);
    setCentralWidget(central);
    statusBar()->showMessage(tr("Ready"));

    connect(m_connect, &QPushButton::clicked, this, [this] {
        if (m_state == session::SessionState::Closed)
            connectTo(m_url->text().trimmed());
        else
            disconnectSession();
    });
    connect(m_url, &QLineEdit::returnPressed, this, [this] {
        if (m_state == session::SessionState::Closed)
            connectTo(m_url->text().trimmed());
    });
    connect(m_log->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::showDetail);
    auto *sendShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(sendShortcut, &QShortcut::activated, this, &MainWindow::sendComposed);

    using session::SessionManager;
    connect(&m_manager, &SessionManager::sessionStateChanged, this, &MainWindow::handleState);
    connect(&m_manager, &SessionManager::framesReady, this,
            [this](quint64 id, capture::FrameId, capture::FrameId end) {
                handleFrames(id, end.value);
            });
    connect(&m_manager, &SessionManager::framesEvicted, this,
            [this](quint64 id, capture::FrameId firstKept) {
                if (id == m_session)
                    m_model->dropBefore(firstKept);
            });
    connect(&m_manager, &SessionManager::sessionFinished, this,
            [this](quint64 id, session::SessionError error, const QString &errorString) {
                if (id != m_session)
                    return;
                // The last frames may not have been announced yet (announcements are batched).
                if (const auto store = m_manager.store(id))
                    handleFrames(id, store->endId().value);
                // A connection that never opened: why is the first thing to see.
                const auto snapshot = m_manager.snapshot(id);
                showHandshake(id, snapshot && snapshot->handshake.status != 101);
                statusBar()->showMessage(
                    errorString.isEmpty() ? tr("Closed") : explainFailure(error, errorString));
            });
    connect(&m_manager, &SessionManager::pongReceived, this,
            [this](quint64 id, qint64 roundTripNs) {
                if (id != m_session) {
                    if (const int other = m_sessions->sessionWithId(id); other >= 0)
                        m_sessions->entry(other).statistics.addRoundTrip(session::monotonicNs(),
                                                                         roundTripNs);
                    return;
                }
                m_statistics.addRoundTrip(session::monotonicNs(), roundTripNs);
                statusBar()->showMessage(
                    tr("Pong after %1 ms").arg(double(roundTripNs) / 1e6, 0, 'f', 3), kStatusMs);
            });
    // The server's log finds the shown session's connection once both ends have it.
    connect(&m_manager, &SessionManager::serverConnectionChanged, this, [this] {
        if (m_serverConnectionShown.value_or(0) == 0)
            showServerConnectionOfSession();
    });
    connect(&m_manager, &SessionManager::serverFramesReady, this,
            [this](capture::FrameId, capture::FrameId end) {
                if (m_serverModel->store())
                    m_serverModel->appendUpTo(end);
            });
    connect(&m_manager, &SessionManager::errorOccurred, this,
            [this](quint64 id, session::SessionError error, const QString &detail) {
                if (id == m_session)
                    statusBar()->showMessage(explainFailure(error, detail), kStatusMs);
            });
    makeMenus();
    newSession(); // the first session, not connected yet
    updateServerRow();
    setAcceptDrops(true); // a capture file dropped on the window opens
    updateControls();
    resize(1280, 800);
    m_systemPointSize = QApplication::font().pointSize();
    restoreSettings();
}

} // namespace framescope::ui
