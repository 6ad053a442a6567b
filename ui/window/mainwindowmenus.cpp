// MainWindow: its menus, captures opened and saved (and dropped on it), and what QSettings keeps
// (theme, text size, recent URLs, layout).
#include "handshake/handshakeview.h"
#include "log/framelogmodel.h"
#include "log/framelogview.h"
#include "mainwindow.h"
#include "replay/replaypanel.h"
#include "sessions/sessionlist.h"

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
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenuBar>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QStringListModel>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <replay/harexport.h>
#include <replay/recording.h>
#include <session/diagnosis/handshakedoctor.h>
#include <session/engine/clock.h>
#include <session/frontend/capturedescription.h>
#include <session/frontend/sessionmanager.h>
#include <sstream>

namespace framescope::ui {

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
    m_sidebarSplitter->restoreState(settings.value(QStringLiteral("window/sidebar")).toByteArray());
    m_showSidebar->setChecked(m_sidebarSplitter->sizes().value(0) > 0);
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
    settings.setValue(QStringLiteral("window/sidebar"), m_sidebarSplitter->saveState());
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
    updateControls();            // and so does the connection state's
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
    m_log->setRowHeight(QFontMetrics(windowFont).height() + 6);
    m_serverLog->setRowHeight(m_log->rowHeight());
}

namespace {

// The platform's Quit keys; Ctrl+Q where it has none (Windows, and Qt without a desktop theme).
QKeySequence quitKeys()
{
    const QKeySequence standard(QKeySequence::Quit);
    return standard.isEmpty() ? QKeySequence(Qt::CTRL | Qt::Key_Q) : standard;
}

} // namespace

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
           {tr("New / duplicate session"), QStringLiteral("Ctrl+N / Ctrl+Shift+N")},
           {tr("Rename / close session"), QStringLiteral("F2 / Ctrl+W")},
           {tr("Next / previous session"), QStringLiteral("Ctrl+PgDown / Ctrl+PgUp")},
           {tr("Sessions sidebar shown or hidden"), QStringLiteral("Ctrl+B")},
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
           {tr("Frame, Handshake, Statistics, Replay tabs"),
            QStringLiteral("Alt+A / Alt+K / Alt+T / Alt+Y")},
           {tr("Composer, Frame Lab, Connection, Server, Script tabs"),
            QStringLiteral("Alt+M / Alt+B / Alt+N / Alt+E / Alt+R")},
           {tr("This page"), QStringLiteral("F1")},
           {tr("Quit"), quitKeys().toString()}};
    qsizetype widest = 0; // the keys in a column as wide as the longest
    for (const auto &row : rows)
        widest = std::max(widest, row.second.size());
    QStringList lines;
    for (const auto &[what, keys] : rows)
        lines << QStringLiteral("%1  %2").arg(keys, -int(widest)).arg(what);
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
    file->addAction(tr("&Replay a Capture or HAR File…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Replay a Capture or HAR File"), {},
            tr("Captures and HAR files (*.jsonl *.har *.json);;All files (*)"));
        if (path.isEmpty())
            return;
        m_tabs->setCurrentWidget(m_replayPanel);
        m_replayPanel->openRecording(path);
    });
    file->addAction(tr("Replay &This Session…"), this, &MainWindow::replayShownSession);
    file->addAction(tr("Export as &HAR…"), this, [this] {
        const QString path
            = QFileDialog::getSaveFileName(this, tr("Export as HAR"), QStringLiteral("session.har"),
                                           tr("HAR files (*.har);;All files (*)"));
        if (!path.isEmpty())
            exportHar(path);
    });
    file->addAction(tr("&Export Shown Rows as Text…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Shown Rows"), QStringLiteral("frames.tsv"),
            tr("Tab-separated text (*.tsv *.txt);;All files (*)"));
        if (!path.isEmpty())
            exportShownRows(path);
    });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(quitKeys());

    QMenu *sessions = menuBar()->addMenu(tr("Sess&ion"));
    sessions->addAction(tr("&New Session"), this, [this] { newSession(); })
        ->setShortcut(QKeySequence::New);
    sessions->addAction(tr("&Duplicate Session"), this, &MainWindow::duplicateSession)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    sessions
        ->addAction(tr("&Rename Session"), this,
                    [this] {
                        m_sessionList->setFocus();
                        m_sessionList->edit(m_sessions->index(SessionListModel::rowOf(m_shown)));
                    })
        ->setShortcut(QKeySequence(Qt::Key_F2));
    sessions->addAction(tr("&Close Session"), this, [this] { closeSession(m_shown); })
        ->setShortcut(QKeySequence::Close);
    sessions->addSeparator();
    sessions
        ->addAction(tr("Next Session"), this,
                    [this] { showSession((m_shown + 1) % m_sessions->sessionCount()); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageDown));
    sessions
        ->addAction(tr("Previous Session"), this,
                    [this] {
                        showSession((m_shown + m_sessions->sessionCount() - 1)
                                    % m_sessions->sessionCount());
                    })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageUp));
    sessions->addSeparator();
    m_saveProfile = sessions->addAction(tr("&Save as Profile…"), this, [this] {
        bool ok = false;
        const QString name
            = QInputDialog::getText(this, tr("Save as Profile"), tr("Profile name:"),
                                    QLineEdit::Normal, m_sessions->entry(m_shown).title(), &ok);
        if (ok)
            saveProfile(name);
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *find = view->addAction(tr("&Filter the Log"), this, [this] {
        m_filterText->setFocus();
        m_filterText->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    view->addSeparator();
    m_showSidebar = view->addAction(tr("Sessions Side&bar"), this, [this](bool shown) {
        // Hidden, the log takes its room (a narrow screen); the sessions keep running.
        const int total = m_sidebarSplitter->width();
        const int sidebar = shown ? kSidebarWidth : 0;
        m_sidebarSplitter->setSizes({sidebar, total - sidebar});
    });
    m_showSidebar->setCheckable(true);
    m_showSidebar->setChecked(true);
    m_showSidebar->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
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
    // The capture opens as a session of its own in the sidebar (the shown one keeps running),
    // or in the shown one when that has nothing yet.
    if (m_session != 0 || m_model->store())
        newSession();
    // Room for everything the file holds: an opened capture evicts nothing.
    std::size_t bytes = 0;
    for (const capture::CapturedFrame &frame : read.frames)
        bytes += frame.payload.size() + sizeof(capture::FrameRecord);
    auto store = std::make_shared<capture::FrameStore>(capture::FrameStore::Limits{
        std::max(capture::FrameStore::Limits{}.memoryCap, 2 * bytes + (std::size_t{8} << 20))});
    capture::importFrames(read.frames, *store);
    m_capturePath = path;
    m_sessions->entry(m_shown).capturePath = path; // named after the file in the sidebar
    m_sessions->changed(m_shown);
    m_captureSession = read.session;
    m_captureEvents = read.events;
    m_originNs = read.frames.empty() ? 0 : read.frames.front().record.startNs;
    m_model->setStore(store, m_originNs);
    m_model->setOriginWallClock(read.session.startedAtUnixMs);
    // A server's capture (or a client's that reconnected): which connection each frame is of.
    const bool several = std::any_of(
        read.frames.cbegin(), read.frames.cend(), [&](const capture::CapturedFrame &frame) {
            return frame.record.connection != read.frames.front().record.connection;
        });
    showConnections(*m_log, *m_model, several);
    m_statistics.reset(m_originNs, store->firstId());
    m_model->appendUpTo(store->endId());
    updateShownCount();
    m_url->setText(QString::fromStdString(read.session.url));
    clearDetail();
    m_handshake->showCaptured(read.session, read.events);
    m_tls.clear();
    for (const auto &[key, value] : read.session.tls)
        m_tls.insert(QString::fromStdString(key), QString::fromStdString(value));
    updatePadlock();
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

std::optional<std::string> MainWindow::shownCapture(const capture::RedactionOptions &redaction)
{
    const auto store = m_model->store();
    if (!store) {
        statusBar()->showMessage(tr("Nothing to save yet: connect or open a capture"), kStatusMs);
        return std::nullopt;
    }
    capture::SessionInfo info = m_captureSession;
    std::vector<capture::CaptureEvent> events = m_captureEvents;
    if (m_session != 0) {
        const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(m_session);
        if (!snapshot)
            return std::nullopt;
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
    capture::writeCapture(out, info, *store, events, redaction);
    return out.str();
}

bool MainWindow::saveCapture(const QString &path)
{
    const std::optional<std::string> text = shownCapture();
    if (!text)
        return false;
    const auto store = m_model->store();
    if (const std::string error = capture::writeFileAtomically(path.toStdString(), *text);
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

bool MainWindow::exportShownRows(const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        statusBar()->showMessage(
            tr("Cannot export to %1: %2").arg(QFileInfo(path).fileName(), file.errorString()),
            kStatusMs);
        return false;
    }
    QStringList header;
    for (int column = 0; column < FrameLogModel::ColumnCount; ++column)
        if (m_model->isColumnShown(column))
            header << m_model->headerData(column, Qt::Horizontal).toString();
    file.write(header.join(QLatin1Char('\t')).toUtf8() + '\n');
    // A chunk of rows at a time: a million rows never become one string.
    constexpr int kChunk = 10'000;
    const int rows = m_model->rowCount();
    for (int first = 0; first < rows; first += kChunk) {
        QList<int> chunk;
        for (int row = first; row < std::min(rows, first + kChunk); ++row)
            chunk << row;
        file.write(m_model->rowsAsText(chunk).toUtf8() + '\n');
    }
    if (!file.commit()) {
        statusBar()->showMessage(
            tr("Cannot export to %1: %2").arg(QFileInfo(path).fileName(), file.errorString()),
            kStatusMs);
        return false;
    }
    statusBar()->showMessage(
        tr("Exported %n row(s) to %1", nullptr, rows).arg(QFileInfo(path).fileName()), kStatusMs);
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

} // namespace framescope::ui

namespace framescope::ui {

std::optional<capture::CaptureReadResult> MainWindow::shownCaptureRead()
{
    // In memory only: secrets stay, for a replay to send them again (an export redacts them).
    capture::RedactionOptions keep;
    keep.keepSecrets = true;
    const std::optional<std::string> text = shownCapture(keep);
    if (!text)
        return std::nullopt;
    std::istringstream in(*text);
    capture::CaptureReadResult read = capture::readCapture(in);
    if (!read.ok()) {
        statusBar()->showMessage(
            tr("Cannot read this session back: %1").arg(QString::fromStdString(read.error)),
            kStatusMs);
        return std::nullopt;
    }
    return read;
}

bool MainWindow::replayShownSession()
{
    std::optional<capture::CaptureReadResult> read = shownCaptureRead();
    if (!read)
        return false;
    // The session as read back stays with the panel: another of its connections can be chosen.
    auto capture = std::make_shared<const capture::CaptureReadResult>(std::move(*read));
    const bool loaded = m_replayPanel->setSource(
        m_sessions->entry(m_shown).title(), [capture](std::optional<int> connection) {
            return replay::recordingFromCapture(*capture, connection);
        });
    if (!loaded) {
        statusBar()->showMessage(tr("Cannot replay this session: see the Replay tab"), kStatusMs);
        m_tabs->setCurrentWidget(m_replayPanel);
        return false;
    }
    m_tabs->setCurrentWidget(m_replayPanel);
    return true;
}

bool MainWindow::exportHar(const QString &path)
{
    const std::optional<capture::CaptureReadResult> read = shownCaptureRead();
    if (!read)
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(replay::harFromCapture(*read)) < 0
        || !file.commit()) {
        statusBar()->showMessage(
            tr("Cannot write %1: %2").arg(QFileInfo(path).fileName(), file.errorString()),
            kStatusMs);
        return false;
    }
    statusBar()->showMessage(tr("Exported %1 (secrets redacted)").arg(QFileInfo(path).fileName()),
                             kStatusMs);
    return true;
}

} // namespace framescope::ui
