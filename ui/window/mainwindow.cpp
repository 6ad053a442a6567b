#include "mainwindow.h"

#include "connectionsettings.h"
#include "detail/framedetail.h"
#include "handshake/handshakeview.h"
#include "lab/framelab.h"
#include "log/framelogmodel.h"
#include "server/counterpart.h"
#include "server/serverpanel.h"
#include "stats/statisticsview.h"

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
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
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
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <session/diagnosis/handshakedoctor.h>
#include <session/engine/clock.h>
#include <session/frontend/capturedescription.h>
#include <session/frontend/sessionmanager.h>
#include <sstream>

namespace framescope::ui {

namespace {

enum Kind { TextKind, JsonKind, HexKind };

// How long a recoverable problem stays in the status bar.
constexpr int kStatusMs = 8000;

} // namespace

MainWindow::MainWindow(session::SessionManager &manager, QWidget *parent)
    : QMainWindow(parent)
    , m_manager(manager)
    , m_model(new FrameLogModel(this))
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
    m_connect = new QPushButton(tr("&Connect"));
    m_stateLabel = new QLabel(tr("Closed"));
    m_stateLabel->setAccessibleName(tr("Connection state"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("URL:")));
    bar->addWidget(m_url, 1);
    bar->addWidget(m_connect);
    bar->addWidget(m_stateLabel);

    // The frame log: the table asks the model only for the rows it shows.
    m_log = new QTableView;
    m_log->setModel(m_model);
    m_log->setAccessibleName(tr("Frame log"));
    m_log->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_log->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_log->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_log->verticalHeader()->hide();
    m_log->verticalHeader()->setDefaultSectionSize(m_log->fontMetrics().height() + 6);
    m_log->horizontalHeader()->setStretchLastSection(true);
    // Widths for what the columns hold (the last one, the payload, takes the rest).
    const int digit = m_log->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    const std::pair<int, int> widths[]
        = {{FrameLogModel::Number, 7},  {FrameLogModel::Time, 11},  {FrameLogModel::Direction, 11},
           {FrameLogModel::Opcode, 11}, {FrameLogModel::Flags, 17}, {FrameLogModel::Length, 8}};
    for (const auto &[column, digits] : widths)
        m_log->horizontalHeader()->resizeSection(column, digits * digit);
    m_log->setWordWrap(false);
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
    m_log->addActions({copyText, copyHex, copyJson});
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
    m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_detail->setPlaceholderText(tr("Select a frame to see its header bit by bit and its payload"));

    // The composer.
    m_composer = new QPlainTextEdit;
    m_composer->setAccessibleName(tr("Message to send"));
    m_composer->setPlaceholderText(tr("A message; Ctrl+Return sends it"));
    m_composer->setPlainText(QStringLiteral("Hello from Framescope"));
    m_kind = new QComboBox;
    m_kind->addItems({tr("Text"), tr("JSON"), tr("Binary (hex)")});
    m_kind->setAccessibleName(tr("Message kind"));
    m_send = new QPushButton(tr("&Send"));
    m_ping = new QPushButton(tr("&Ping"));
    m_ping->setToolTip(tr("Send a ping; the status bar shows the round trip when its pong comes"));
    auto *actions = new QVBoxLayout;
    actions->addWidget(m_kind);
    actions->addWidget(m_send);
    actions->addWidget(m_ping);
    actions->addStretch();
    auto *composerRow = new QHBoxLayout;
    composerRow->addWidget(m_composer, 1);
    composerRow->addLayout(actions);
    // Close with a known code (RFC 6455 §7.4.1) or any a close frame may carry, and a reason.
    m_closeCode = new QComboBox;
    m_closeCode->setEditable(true);
    m_closeCode->setAccessibleName(tr("Close code"));
    const std::pair<int, const char *> codes[] = {
        {1000, "Normal closure"},         {1001, "Going away"},         {1002, "Protocol error"},
        {1003, "Unsupported data"},       {1007, "Invalid payload"},    {1008, "Policy violation"},
        {1009, "Message too big"},        {1010, "Extension required"}, {1011, "Internal error"},
        {4000, "Application (4000-4999)"}};
    for (const auto &[code, meaning] : codes)
        m_closeCode->addItem(QStringLiteral("%1 %2").arg(code).arg(tr(meaning)), code);
    m_closeReason = new QLineEdit;
    m_closeReason->setAccessibleName(tr("Close reason"));
    m_closeReason->setPlaceholderText(tr("Reason (optional, up to 123 bytes)"));
    m_closeButton = new QPushButton(tr("C&lose"));
    auto *closeRow = new QHBoxLayout;
    closeRow->addWidget(new QLabel(tr("Close with:")));
    closeRow->addWidget(m_closeCode);
    closeRow->addWidget(m_closeReason, 1);
    closeRow->addWidget(m_closeButton);
    auto *composerLayout = new QVBoxLayout;
    composerLayout->addLayout(composerRow, 1);
    composerLayout->addLayout(closeRow);
    auto *composerPage = new QWidget;
    composerPage->setLayout(composerLayout);
    // The composer for messages, the frame lab for any frame at all.
    m_lab = new FrameLab;
    m_bottomTabs = new QTabWidget;
    m_bottomTabs->addTab(composerPage, tr("Co&mposer"));
    m_bottomTabs->addTab(m_lab, tr("Frame &Lab"));
    m_connectionSettings = new ConnectionSettings;
    auto *settingsScroll = new QScrollArea; // the form is taller than the composer's room
    settingsScroll->setWidget(m_connectionSettings);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    m_bottomTabs->addTab(settingsScroll, tr("Co&nnection"));
    m_serverPanel = new ServerPanel(m_manager);
    m_bottomTabs->addTab(m_serverPanel, tr("Ser&ver"));
    connect(m_serverPanel, &ServerPanel::serverChanged, this, &MainWindow::handleServerChanged);
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
    detailLayout->addWidget(m_detail, 1);
    detailLayout->addWidget(m_detailPages);
    m_tabs->addTab(detailPane, tr("&Frame"));
    m_tabs->addTab(m_handshake, tr("&Handshake"));
    m_statisticsView = new StatisticsView;
    m_tabs->addTab(m_statisticsView, tr("S&tatistics"));
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
    m_serverLog = new QTableView;
    m_serverLog->setModel(m_serverModel);
    m_serverLog->setAccessibleName(tr("Server's frame log"));
    m_serverLog->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_serverLog->verticalHeader()->hide();
    m_serverLog->verticalHeader()->setDefaultSectionSize(
        m_log->verticalHeader()->defaultSectionSize());
    m_serverLog->horizontalHeader()->setStretchLastSection(true);
    for (int column = 0; column < FrameLogModel::Preview; ++column)
        m_serverLog->horizontalHeader()->resizeSection(
            column, m_log->horizontalHeader()->sectionSize(column));
    m_serverLog->setWordWrap(false);
    m_serverLog->setAlternatingRowColors(true);
    m_serverPane = new QWidget;
    auto *serverLayout = new QVBoxLayout(m_serverPane);
    serverLayout->setContentsMargins(0, 0, 0, 0);
    auto *serverTitle = new QLabel(tr("<b>The server's side</b>, the selected frame lined up"));
    serverTitle->setToolTip(tr("The built-in server's log: the client's frames as it received and "
                               "unmasked them, its replies as it sent them"));
    serverLayout->addWidget(serverTitle);
    serverLayout->addWidget(m_serverLog, 1);
    m_serverPane->hide();
    m_logs = new QSplitter(Qt::Horizontal);
    m_logs->addWidget(logPane);
    m_logs->addWidget(m_serverPane);
    m_logAndDetail->addWidget(m_logs);
    m_logAndDetail->addWidget(m_tabs);
    m_logAndDetail->setStretchFactor(0, 3);
    m_logAndDetail->setStretchFactor(1, 2);
    // The detail pane wide enough for a header's bit lines and a 16-byte hex dump line.
    m_logAndDetail->setSizes({690, 590});
    m_mainSplitter = new QSplitter(Qt::Vertical);
    auto *splitter = m_mainSplitter;
    splitter->addWidget(m_logAndDetail);
    splitter->addWidget(composer);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout;
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);
    auto *central = new QWidget;
    central->setLayout(layout);
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
    connect(m_send, &QPushButton::clicked, this, &MainWindow::sendComposed);
    connect(m_ping, &QPushButton::clicked, this, [this] {
        if (m_session != 0)
            m_manager.ping(m_session);
    });
    connect(m_closeButton, &QPushButton::clicked, this, &MainWindow::closeWithChosenCode);
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
            [this](quint64 id, session::SessionError, const QString &errorString) {
                if (id != m_session)
                    return;
                // The last frames may not have been announced yet (announcements are batched).
                if (const auto store = m_manager.store(id))
                    handleFrames(id, store->endId().value);
                // A connection that never opened: why is the first thing to see.
                const auto snapshot = m_manager.snapshot(id);
                showHandshake(id, snapshot && snapshot->handshake.status != 101);
                statusBar()->showMessage(errorString.isEmpty() ? tr("Closed") : errorString);
            });
    connect(&m_manager, &SessionManager::pongReceived, this,
            [this](quint64 id, qint64 roundTripNs) {
                if (id != m_session)
                    return;
                m_statistics.addRoundTrip(session::monotonicNs(), roundTripNs);
                statusBar()->showMessage(
                    tr("Pong after %1 ms").arg(double(roundTripNs) / 1e6, 0, 'f', 3), kStatusMs);
            });
    connect(&m_manager, &SessionManager::serverFramesReady, this,
            [this](capture::FrameId, capture::FrameId end) {
                if (m_serverModel->store())
                    m_serverModel->appendUpTo(end);
            });
    connect(&m_manager, &SessionManager::errorOccurred, this,
            [this](quint64 id, session::SessionError, const QString &detail) {
                if (id == m_session)
                    statusBar()->showMessage(detail, kStatusMs);
            });
    makeMenus();
    setAcceptDrops(true); // a capture file dropped on the window opens
    updateControls();
    resize(1280, 800);
    m_systemPointSize = QApplication::font().pointSize();
    restoreSettings();
}

namespace {

constexpr int kRecentUrls = 20;

} // namespace

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
        !geometry.isEmpty())
        restoreGeometry(geometry);
    m_logAndDetail->restoreState(
        settings.value(QStringLiteral("window/logAndDetail")).toByteArray());
    m_mainSplitter->restoreState(settings.value(QStringLiteral("window/main")).toByteArray());
    m_recentUrls->setStringList(settings.value(QStringLiteral("urls/recent")).toStringList());
    m_textSizeSteps = settings.value(QStringLiteral("view/textSizeSteps"), 0).toInt();
    setTheme(themeNamed(settings.value(QStringLiteral("view/theme")).toString()));
    applyTextSize();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/logAndDetail"), m_logAndDetail->saveState());
    settings.setValue(QStringLiteral("window/main"), m_mainSplitter->saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::rememberUrl(const QString &url)
{
    QStringList urls = m_recentUrls->stringList();
    urls.removeAll(url);
    urls.prepend(url);
    while (urls.size() > kRecentUrls)
        urls.removeLast();
    m_recentUrls->setStringList(urls);
    QSettings().setValue(QStringLiteral("urls/recent"), urls);
}

QStringList MainWindow::recentUrls() const
{
    return m_recentUrls->stringList();
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    applyTheme(theme);
    if (m_themeActions)
        for (QAction *action : m_themeActions->actions())
            action->setChecked(action->data().toString() == themeName(theme));
    QSettings().setValue(QStringLiteral("view/theme"), themeName(theme));
    m_log->viewport()->update(); // the log's accent colours follow the palette
}

void MainWindow::changeTextSize(int steps)
{
    m_textSizeSteps = steps == 0 ? 0 : std::clamp(m_textSizeSteps + steps, -4, 16);
    QSettings().setValue(QStringLiteral("view/textSizeSteps"), m_textSizeSteps);
    applyTextSize();
}

int MainWindow::textPointSize() const
{
    return font().pointSize();
}

// The window's text (the log, the detail, the composer) at the chosen size; rows follow it.
void MainWindow::applyTextSize()
{
    if (m_systemPointSize <= 0)
        return; // a pixel-sized desktop font: left as it is
    QFont windowFont = font();
    windowFont.setPointSize(m_systemPointSize + m_textSizeSteps);
    setFont(windowFont);
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    fixed.setPointSize(std::max(4, fixed.pointSize() + m_textSizeSteps));
    m_detail->setFont(fixed);
    m_log->verticalHeader()->setDefaultSectionSize(QFontMetrics(windowFont).height() + 6);
}

void MainWindow::showShortcuts()
{
    auto *page = new QDialog(this);
    page->setAttribute(Qt::WA_DeleteOnClose);
    page->setWindowTitle(tr("Keyboard Shortcuts – Framescope"));
    auto *text = new QPlainTextEdit;
    text->setReadOnly(true);
    text->setAccessibleName(tr("Keyboard shortcuts"));
    const std::pair<QString, QString> rows[]
        = {{tr("Send the message"), QStringLiteral("Ctrl+Return")},
           {tr("Connect / Disconnect"), QStringLiteral("Alt+C / Alt+D")},
           {tr("Ping"), QStringLiteral("Alt+P")},
           {tr("Close with the chosen code"), QStringLiteral("Alt+L")},
           {tr("Filter: regular expression on or off"), QStringLiteral("Alt+G")},
           {tr("Filter: control frames shown or hidden"), QStringLiteral("Alt+O")},
           {tr("Find in the log (the filter field)"), QKeySequence(QKeySequence::Find).toString()},
           {tr("Open a capture"), QKeySequence(QKeySequence::Open).toString()},
           {tr("Save the log as a capture"), QKeySequence(QKeySequence::Save).toString()},
           {tr("Larger / smaller / normal text"), QStringLiteral("Ctrl++ / Ctrl+- / Ctrl+0")},
           {tr("Show the server's side beside the log"), QStringLiteral("Ctrl+Shift+S")},
           {tr("Frame and Handshake tabs"), QStringLiteral("Alt+F / Alt+H")},
           {tr("This page"), QStringLiteral("F1")},
           {tr("Quit"), QKeySequence(QKeySequence::Quit).toString()}};
    QStringList lines;
    for (const auto &[what, keys] : rows)
        lines << QStringLiteral("%1  %2").arg(keys, -26).arg(what);
    text->setPlainText(lines.join(QLatin1Char('\n')));
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(text);
    page->resize(640, 400);
    page->show();
}

void MainWindow::makeMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    const QString filter = tr("Framescope captures (*.jsonl);;All files (*)");
    QAction *open = file->addAction(tr("&Open Capture…"), this, [this, filter] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Capture"), {}, filter);
        if (!path.isEmpty())
            openCapture(path);
    });
    open->setShortcut(QKeySequence::Open);
    QAction *save = file->addAction(tr("&Save Capture As…"), this, [this, filter] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Capture"),
                                                          QStringLiteral("capture.jsonl"), filter);
        if (!path.isEmpty())
            saveCapture(path);
    });
    save->setShortcut(QKeySequence::Save);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *find = view->addAction(tr("&Filter the Log"), this, [this] {
        m_filterText->setFocus();
        m_filterText->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    view->addSeparator();
    m_showServerSide = view->addAction(tr("Show the &Server's Side"), this,
                                       [this](bool shown) { setServerSideShown(shown); });
    m_showServerSide->setCheckable(true);
    m_showServerSide->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    view->addSeparator();
    QMenu *themes = view->addMenu(tr("&Theme"));
    m_themeActions = new QActionGroup(this);
    for (const auto &[theme, name] :
         {std::pair{Theme::System, tr("&System")}, std::pair{Theme::Light, tr("&Light")},
          std::pair{Theme::Dark, tr("&Dark")}}) {
        QAction *action = themes->addAction(name, this, [this, theme = theme] { setTheme(theme); });
        action->setCheckable(true);
        action->setData(themeName(theme));
        action->setChecked(theme == m_theme);
        m_themeActions->addAction(action);
    }
    view->addSeparator();
    view->addAction(tr("&Larger Text"), this, [this] { changeTextSize(1); })
        ->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    view->addAction(tr("&Smaller Text"), this, [this] { changeTextSize(-1); })
        ->setShortcut(QKeySequence::ZoomOut);
    view->addAction(tr("&Normal Text Size"), this, [this] { changeTextSize(0); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts)
        ->setShortcut(QKeySequence::HelpContents);
}

bool MainWindow::openCapture(const QString &path)
{
    const capture::CaptureReadResult read = capture::readCaptureFile(path.toStdString());
    if (!read.ok() && read.frames.empty() && read.events.empty()) {
        statusBar()->showMessage(
            tr("Cannot open %1: %2")
                .arg(QFileInfo(path).fileName(), QString::fromStdString(read.error)),
            kStatusMs);
        return false;
    }
    if (m_session != 0) {
        m_manager.remove(m_session);
        m_session = 0;
        m_state = session::SessionState::Closed;
    }
    // Room for everything the file holds: an opened capture evicts nothing.
    std::size_t bytes = 0;
    for (const capture::CapturedFrame &frame : read.frames)
        bytes += frame.payload.size() + sizeof(capture::FrameRecord);
    auto store = std::make_shared<capture::FrameStore>(capture::FrameStore::Limits{
        std::max(capture::FrameStore::Limits{}.memoryCap, 2 * bytes + (std::size_t{8} << 20))});
    capture::importFrames(read.frames, *store);
    m_capturePath = path;
    m_captureSession = read.session;
    m_captureEvents = read.events;
    m_originNs = read.frames.empty() ? 0 : read.frames.front().record.startNs;
    m_model->setStore(store, m_originNs);
    m_model->setOriginWallClock(read.session.startedAtUnixMs);
    m_statistics.reset(m_originNs, store->firstId());
    m_model->appendUpTo(store->endId());
    updateShownCount();
    m_url->setText(QString::fromStdString(read.session.url));
    m_detail->clear();
    m_handshake->showCaptured(read.session, read.events);
    setWindowTitle(tr("%1 – Framescope").arg(QFileInfo(path).fileName()));
    updateControls();
    // A file cut short (a crash while recording) shows what it holds, and says where it ends.
    statusBar()->showMessage(
        read.ok() ? tr("Opened %1: %n frame(s)", nullptr, int(read.frames.size()))
                        .arg(QFileInfo(path).fileName())
                  : tr("Opened %1 up to a problem: %2")
                        .arg(QFileInfo(path).fileName(), QString::fromStdString(read.error)),
        kStatusMs);
    return true;
}

bool MainWindow::saveCapture(const QString &path)
{
    const auto store = m_model->store();
    if (!store) {
        statusBar()->showMessage(tr("Nothing to save yet: connect or open a capture"), kStatusMs);
        return false;
    }
    capture::SessionInfo info = m_captureSession;
    std::vector<capture::CaptureEvent> events = m_captureEvents;
    if (m_session != 0) {
        const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(m_session);
        if (!snapshot)
            return false;
        info = session::describeClientSession(*snapshot, m_startedAtMs, "framescope 0.1.0");
        events.clear();
        const std::int64_t now = session::monotonicNs();
        if (snapshot->handshake.status != 101)
            for (const session::Finding &finding :
                 session::HandshakeDoctor::examine(session::HandshakeDoctor::inputFor(*snapshot)))
                events.push_back(session::findingEvent(finding, now));
        if (snapshot->state == session::SessionState::Closed)
            for (capture::CaptureEvent &event :
                 session::closeEvents(snapshot->close, now, snapshot->connectionNumber))
                events.push_back(std::move(event));
    }
    std::ostringstream out;
    capture::writeCapture(out, info, *store, events);
    if (const std::string error = capture::writeFileAtomically(path.toStdString(), out.str());
        !error.empty()) {
        statusBar()->showMessage(
            tr("Cannot save %1: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(error)),
            kStatusMs);
        return false;
    }
    statusBar()->showMessage(
        tr("Saved %n frame(s) to %1", nullptr, int(store->size())).arg(QFileInfo(path).fileName()),
        kStatusMs);
    return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()) {
        event->acceptProposedAction();
        openCapture(urls.front().toLocalFile());
    }
}

MainWindow::~MainWindow() = default;

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
    if (m_session != 0)
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
    m_session = m_manager.open(*options);
    if (!url.isEmpty())
        rememberUrl(url);
    m_originNs = session::monotonicNs();
    m_startedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_model->setOriginWallClock(m_startedAtMs);
    if (m_manager.isServerRunning())
        handleServerChanged(); // the server's times from the same start as the client's
    m_capturePath.clear();
    m_captureSession = {};
    m_captureEvents.clear();
    setWindowTitle(tr("Framescope"));
    m_model->setStore(m_manager.store(m_session), m_originNs);
    m_statistics.reset(m_originNs,
                       m_model->store() ? m_model->store()->firstId() : capture::FrameId{});
    m_detail->clear();
    m_handshake->clear();
    statusBar()->showMessage(tr("Connecting to %1").arg(url), kStatusMs);
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
    const QString text = m_composer->toPlainText();
    switch (m_kind->currentIndex()) {
    case JsonKind: {
        QJsonParseError error;
        QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError) {
            statusBar()->showMessage(
                tr("Not JSON: %1 at character %2").arg(error.errorString()).arg(error.offset),
                kStatusMs);
            return false;
        }
        m_manager.sendText(m_session, text.toUtf8());
        statusBar()->clearMessage();
        return true;
    }
    case HexKind: {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        static const QRegularExpression hex(QStringLiteral("^([0-9A-Fa-f]{2})*$"));
        if (!hex.match(digits).hasMatch()) {
            statusBar()->showMessage(tr("Not hex: give pairs of digits 0-9, a-f"), kStatusMs);
            return false;
        }
        m_manager.sendBinary(m_session, QByteArray::fromHex(digits.toLatin1()));
        statusBar()->clearMessage();
        return true;
    }
    default:
        m_manager.sendText(m_session, text.toUtf8());
        statusBar()->clearMessage();
        return true;
    }
}

bool MainWindow::closeWithChosenCode()
{
    if (m_state != session::SessionState::Open) {
        statusBar()->showMessage(tr("Not connected: connect first"), kStatusMs);
        return false;
    }
    // The number at the start of the chosen or typed text.
    const QString text = m_closeCode->currentText().trimmed();
    bool isNumber = false;
    const int code = text.section(QLatin1Char(' '), 0, 0).toInt(&isNumber);
    // RFC 6455 §7.4.1/§7.4.2: 1004-1006, 1015 and codes below 1000 or in 1012-2999 (not yet
    // registered when it was written, IANA's since) are not for a close frame we send.
    const bool allowed = isNumber
                         && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
                             || (code >= 3000 && code <= 4999));
    if (!allowed) {
        statusBar()->showMessage(
            tr("%1 is not a code a close frame may carry (RFC 6455 §7.4): use 1000-1003, "
               "1007-1014 or 3000-4999")
                .arg(text.isEmpty() ? tr("An empty code") : text),
            kStatusMs);
        return false;
    }
    const QByteArray reason = m_closeReason->text().toUtf8();
    if (reason.size() > 123) { // RFC 6455 §5.5: a control frame's payload is at most 125 bytes
        statusBar()->showMessage(
            tr("The reason is %1 bytes in UTF-8; a close frame holds 123").arg(reason.size()),
            kStatusMs);
        return false;
    }
    m_manager.close(m_session, std::uint16_t(code), reason);
    return true;
}

void MainWindow::handleState(quint64 id, session::SessionState state)
{
    if (id != m_session)
        return;
    m_state = state;
    updateControls();
    if (state == session::SessionState::Open)
        showHandshake(id, false);
}

void MainWindow::showHandshake(quint64 id, bool focus)
{
    if (const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(id))
        m_handshake->show(*snapshot);
    if (focus)
        m_tabs->setCurrentWidget(m_handshake);
}

// New rows; the log follows the tail unless the user scrolled up.
void MainWindow::handleFrames(quint64 id, quint64 end)
{
    if (id != m_session || m_pause->isChecked())
        return;
    QScrollBar *scroll = m_log->verticalScrollBar();
    const bool atEnd = scroll->value() >= scroll->maximum() - 2;
    m_model->appendUpTo({end});
    updateShownCount(); // frames the filter hides count too
    if (atEnd)
        m_log->scrollToBottom();
}

namespace {

// A payload is shown a page at a time (a 64 MiB payload is not copied for a look).
constexpr std::size_t kDetailPageBytes = 64 * 1024;

} // namespace

void MainWindow::showDetail(const QModelIndex &current)
{
    m_detailPage = 0;
    m_detailFrame = current.isValid() && m_model->store()
                        ? std::optional(m_model->frameAt(current.row()))
                        : std::nullopt;
    showDetailPage();
    if (m_detailFrame)
        lineUpServerFrame(*m_detailFrame);
}

void MainWindow::handleServerChanged()
{
    m_serverModel->setStore(m_manager.isServerRunning() ? m_manager.serverStore() : nullptr,
                            m_originNs);
    if (const auto store = m_serverModel->store())
        m_serverModel->appendUpTo(store->endId());
}

void MainWindow::setServerSideShown(bool shown)
{
    m_serverPane->setVisible(shown);
    if (shown) { // the two logs take most of the width, half and half
        const int total = m_logAndDetail->width();
        m_logAndDetail->setSizes({total * 3 / 4, total - total * 3 / 4});
        const int width = total * 3 / 4;
        m_logs->setSizes({width / 2, width - width / 2});
    }
    if (m_showServerSide)
        m_showServerSide->setChecked(shown);
}

// The client's selected frame, selected in the server's log too.
void MainWindow::lineUpServerFrame(capture::FrameId clientFrame)
{
    const auto client = m_model->store();
    const auto server = m_serverModel->store();
    if (!m_serverPane->isVisible() || !client || !server)
        return;
    m_serverModel->appendUpTo(server->endId()); // what the server stored since its last tick
    const std::optional<capture::FrameId> other = counterpart(*client, clientFrame, *server);
    const std::optional<int> row = other ? m_serverModel->rowOf(*other) : std::nullopt;
    if (!row) {
        m_serverLog->clearSelection();
        return;
    }
    m_serverLog->selectRow(*row);
    m_serverLog->scrollTo(m_serverModel->index(*row, 0));
}

void MainWindow::refreshStatistics()
{
    if (const auto store = m_model->store())
        m_statistics.update(*store, store->endId());
    m_statisticsView->show(m_statistics);
}

void MainWindow::showDetailPage()
{
    const auto store = m_model->store();
    m_detailPages->hide();
    if (!m_detailFrame || !store) {
        m_detail->clear();
        return;
    }
    const capture::FrameId id = *m_detailFrame;
    const std::optional<capture::FrameRecord> record = store->record(id);
    if (!record) {
        m_detail->setPlainText(tr("Frame %1 was evicted by the memory cap.").arg(id.value + 1));
        return;
    }
    const std::uint64_t pages = std::max<std::uint64_t>(
        1, (record->storedLength + kDetailPageBytes - 1) / kDetailPageBytes);
    m_detailPage = std::min(m_detailPage, pages - 1);
    std::vector<std::uint8_t> payload;
    const std::uint64_t offset = m_detailPage * kDetailPageBytes;
    store->payloadSlice(id, offset, kDetailPageBytes, payload);
    m_detail->setPlainText(describeFrame(*record, id.value, payload, m_originNs, offset));
    if (pages > 1) {
        m_detailPages->show();
        m_pageLabel->setText(tr("Payload page %1 of %2").arg(m_detailPage + 1).arg(pages));
        m_previousPage->setEnabled(m_detailPage > 0);
        m_nextPage->setEnabled(m_detailPage + 1 < pages);
    }
}

// Direction, opcode, control frames and a text (or a regular expression) in the payload; the
// text applies a moment after the last key, the rest at once.
QWidget *MainWindow::makeFilterBar()
{
    m_filterText = new QLineEdit;
    m_filterText->setPlaceholderText(tr("Filter payloads: text or hex"));
    m_filterText->setMaximumWidth(420);
    m_filterText->setMinimumWidth(
        m_filterText->fontMetrics().horizontalAdvance(m_filterText->placeholderText()) + 40);
    m_filterText->setAccessibleName(tr("Filter text"));
    m_filterText->setClearButtonEnabled(true);
    m_filterRegex = new QCheckBox(tr("Re&gex"));
    m_filterRegex->setToolTip(tr("Read the filter text as a regular expression"));
    m_filterDirection = new QComboBox;
    m_filterDirection->setAccessibleName(tr("Filter direction"));
    m_filterDirection->addItems({tr("Both ways"), tr("Sent"), tr("Received")});
    m_filterOpcode = new QComboBox;
    m_filterOpcode->setAccessibleName(tr("Filter opcode"));
    // Each entry's opcodes as a bit set.
    const std::pair<QString, int> opcodes[]
        = {{tr("All opcodes"), 0xffff},   {tr("Data frames"), 0x00ff},     {tr("Text"), 1 << 0x1},
           {tr("Binary"), 1 << 0x2},      {tr("Continuation"), 1 << 0x0},  {tr("Close"), 1 << 0x8},
           {tr("Ping and pong"), 0x0600}, {tr("Reserved opcodes"), 0xf8f8}};
    for (const auto &[name, bits] : opcodes)
        m_filterOpcode->addItem(name, bits);
    m_showControl = new QCheckBox(tr("C&ontrol"));
    m_showControl->setChecked(true);
    m_showControl->setToolTip(tr("Show close, ping and pong frames"));
    m_shownCount = new QLabel;
    m_shownCount->setAccessibleName(tr("Frames shown"));
    m_timeMode = new QComboBox;
    m_timeMode->setAccessibleName(tr("Time column"));
    m_timeMode->addItems({tr("From start"), tr("From previous"), tr("Time of day")});
    m_timeMode->setToolTip(tr("What the Time column counts"));
    m_pause = new QPushButton(tr("Pa&use"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Stop adding rows; the frames are kept and shown when you resume"));
    m_clear = new QPushButton(tr("Clea&r"));
    m_clear->setToolTip(tr("Remove the rows shown so far (the capture keeps the frames)"));
    connect(m_timeMode, &QComboBox::currentIndexChanged, this,
            [this](int mode) { m_model->setTimeMode(static_cast<FrameLogModel::TimeMode>(mode)); });
    connect(m_pause, &QPushButton::toggled, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Res&ume") : tr("Pa&use"));
        if (!paused)
            if (const auto store = m_model->store())
                handleFrames(m_session, store->endId().value);
    });
    connect(m_clear, &QPushButton::clicked, this, [this] {
        m_model->clear();
        m_detail->clear();
        updateShownCount();
    });
    m_filterDelay = new QTimer(this);
    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(150);

    auto *bar = new QWidget;
    auto *layout = new QHBoxLayout;
    layout->addWidget(m_filterText, 1);
    layout->addWidget(m_filterRegex);
    layout->addWidget(m_filterDirection);
    layout->addWidget(m_filterOpcode);
    layout->addWidget(m_showControl);
    // Below: how many are shown, how time is counted, and pause and clear.
    auto *second = new QHBoxLayout;
    second->addWidget(m_shownCount);
    second->addStretch();
    second->addWidget(new QLabel(tr("Time:")));
    second->addWidget(m_timeMode);
    second->addWidget(m_pause);
    second->addWidget(m_clear);
    auto *rows = new QVBoxLayout;
    rows->setContentsMargins(0, 0, 0, 0);
    rows->addLayout(layout);
    rows->addLayout(second);
    bar->setLayout(rows);

    connect(m_filterText, &QLineEdit::textChanged, m_filterDelay, qOverload<>(&QTimer::start));
    connect(m_filterDelay, &QTimer::timeout, this, &MainWindow::applyFilter);
    connect(m_filterRegex, &QCheckBox::toggled, this, &MainWindow::applyFilter);
    connect(m_showControl, &QCheckBox::toggled, this, &MainWindow::applyFilter);
    connect(m_filterDirection, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(m_filterOpcode, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(m_model, &FrameLogModel::filterProgressed, this, &MainWindow::updateShownCount);
    connect(m_model, &FrameLogModel::rowsInserted, this, &MainWindow::updateShownCount);
    connect(m_model, &FrameLogModel::rowsRemoved, this, &MainWindow::updateShownCount);
    connect(m_model, &FrameLogModel::modelReset, this, &MainWindow::updateShownCount);
    updateShownCount();
    return bar;
}

void MainWindow::applyFilter()
{
    m_filterDelay->stop();
    FrameFilter filter;
    filter.text = m_filterText->text();
    filter.regularExpression = m_filterRegex->isChecked();
    filter.direction = static_cast<FrameFilter::Direction>(m_filterDirection->currentIndex());
    filter.opcodes = std::uint16_t(m_filterOpcode->currentData().toInt());
    filter.showControl = m_showControl->isChecked();
    if (const QString error = m_model->setFilter(filter); !error.isEmpty()) {
        statusBar()->showMessage(error, kStatusMs);
        return;
    }
    statusBar()->clearMessage();
}

void MainWindow::updateShownCount()
{
    const QString total = QLocale().toString(qulonglong(m_model->frameCount()));
    if (!m_model->isFiltered()) {
        m_shownCount->setText(tr("%1 frames").arg(total));
        return;
    }
    m_shownCount->setText(
        (m_model->isFiltering() ? tr("%1 of %2 frames (filtering…)") : tr("%1 of %2 frames"))
            .arg(QLocale().toString(m_model->rowCount()), total));
}

void MainWindow::updateControls()
{
    const bool closed = m_state == session::SessionState::Closed;
    // Connected or not at a glance; the steps between in words.
    QString state = session::describe(m_state);
    if (!state.isEmpty())
        state[0] = state[0].toUpper();
    const bool dark = isDarkPalette();
    if (m_state == session::SessionState::Open)
        m_stateLabel->setText(QStringLiteral("<span style=\"color:%1\">● %2</span>")
                                  .arg(dark ? QStringLiteral("#81c784") : QStringLiteral("#2e7d32"),
                                       tr("Connected")));
    else if (closed)
        m_stateLabel->setText(tr("○ Not connected"));
    else
        m_stateLabel->setText(tr("◌ %1…").arg(state));
    m_connect->setText(closed ? tr("&Connect") : tr("&Disconnect"));
    m_url->setReadOnly(!closed); // still selectable and readable while connected
    const bool open = m_state == session::SessionState::Open;
    m_send->setEnabled(open);
    m_ping->setEnabled(open);
    m_closeButton->setEnabled(open);
    m_lab->setSendEnabled(open);
}

} // namespace framescope::ui
