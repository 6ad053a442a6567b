// MainWindow: the frame log's filter bar, the detail pane's pages, the server's side lined up
// with the client's, and the statistics.
#include "detail/framedetail.h"
#include "detail/headerdiagram.h"
#include "detail/jsontree.h"
#include "log/framelogmodel.h"
#include "log/framelogview.h"
#include "mainwindow.h"
#include "server/counterpart.h"
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
#include <QPalette>
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
#include <QTextDocument>
#include <QTimer>
#include <QVBoxLayout>
#include <session/diagnosis/handshakedoctor.h>
#include <session/engine/clock.h>
#include <session/frontend/capturedescription.h>
#include <session/frontend/sessionmanager.h>
#include <sstream>

namespace framescope::ui {

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
    updateServerRow();
    m_serverModel->setStore(m_manager.isServerRunning() ? m_manager.serverStore() : nullptr,
                            m_originNs);
    m_serverConnectionShown.reset();
    showServerConnectionOfSession();
}

// The server's log shows the connection that serves the shown session: the one whose peer is
// the session's end of the TCP connection (the latest, should a port be used again). A session
// not connected to the built-in server: all its connections, times from its first frame.
void MainWindow::showServerConnectionOfSession()
{
    QString local;
    if (m_session != 0)
        if (const std::optional<session::ClientSnapshot> snapshot = m_manager.snapshot(m_session))
            local = snapshot->handshake.local;
    quint64 connection = 0; // ids start at 1
    if (!local.isEmpty() && m_manager.isServerRunning())
        for (const quint64 id : m_manager.serverConnections())
            if (const auto info = m_manager.serverConnection(id); info && info->peer == local)
                connection = std::max(connection, id);
    if (connection == m_serverConnectionShown)
        return;
    FrameFilter filter;
    if (connection != 0) {
        // Timed from the session's start, as the client's log (and not from the server's first
        // frame, when all its connections were shown before).
        m_serverModel->setStore(m_serverModel->store(), m_originNs);
        filter.connection = std::uint32_t(connection);
        m_serverTitle->setText(tr("<b>The server's side</b> of connection %1 (from %2), the "
                                  "selected frame lined up")
                                   .arg(connection)
                                   .arg(local.toHtmlEscaped()));
    } else {
        // Earlier connections' frames would come before this session's start: times from the
        // server's first frame instead.
        const auto store = m_serverModel->store();
        const std::optional<capture::FrameRecord> first
            = store ? store->record(store->firstId()) : std::nullopt;
        m_serverModel->setStore(store, first ? first->startNs : m_originNs);
        m_serverTitle->setText(tr("<b>The server's side</b>: all its connections (the session "
                                  "shown is not one of them), times from its first frame"));
    }
    m_serverConnectionShown = connection;
    showConnections(*m_serverLog, *m_serverModel, connection == 0);
    m_serverModel->setFilter(filter);
    if (const auto store = m_serverModel->store())
        m_serverModel->appendUpTo(store->endId());
}

namespace {
// A log's width for all its columns at the default font (No. to a short payload).
constexpr int kLogWidthForAllColumns = 640;
} // namespace

void MainWindow::setServerSideShown(bool shown)
{
    if (shown == !m_serverPane->isHidden()) {
        if (m_showServerSide)
            m_showServerSide->setChecked(shown);
        return;
    }
    // The detail pane gives the server's log room, and gets it back when the log goes.
    if (shown)
        m_logAndDetailBeforeServerSide = m_logAndDetail->sizes();
    m_serverPane->setVisible(shown);
    if (shown) {
        arrangeLogs(true);
        if (m_detailFrame) // the frame selected before is lined up at once
            lineUpServerFrame(*m_detailFrame);
    } else if (m_logAndDetailBeforeServerSide.size() == 2)
        m_logAndDetail->setSizes(m_logAndDetailBeforeServerSide);
    if (m_showServerSide)
        m_showServerSide->setChecked(shown);
}

// Side by side where both logs have room for their columns; on a narrower window one above the
// other (each with the whole width, the same frame still lined up). Sizes are set afresh when
// the server's side is shown, or when the window's width changes the arrangement.
void MainWindow::arrangeLogs(bool resetSizes)
{
    const int total = m_logAndDetail->width();
    const int width = total * 3 / 4;
    const Qt::Orientation wanted
        = width >= 2 * kLogWidthForAllColumns ? Qt::Horizontal : Qt::Vertical;
    if (!resetSizes && wanted == m_logs->orientation())
        return;
    m_logs->setOrientation(wanted);
    if (wanted == Qt::Horizontal) { // the two logs take most of the width, half and half
        m_logAndDetail->setSizes({width, total - width});
        m_logs->setSizes({width / 2, width - width / 2});
    } else {
        const int height = m_logs->height();
        m_logs->setSizes({height / 2, height - height / 2});
    }
}

// The Connection and Server tabs hold more than the composer: shown, the bottom panel grows to
// hold them whole where the window has room (the logs keep at least half the height); back on
// a tab that fits, it returns to the height it had.
void MainWindow::fitBottomPanel()
{
    QList<int> sizes = m_mainSplitter->sizes();
    if (sizes.size() != 2 || sizes[1] == 0)
        return;
    const int total = sizes[0] + sizes[1];
    QWidget *page = m_bottomTabs->currentWidget();
    const auto *scroll = qobject_cast<const QScrollArea *>(page);
    if (!scroll || !scroll->widget()) {
        if (m_bottomHeightBeforeGrowing >= 0)
            m_mainSplitter->setSizes(
                {total - m_bottomHeightBeforeGrowing, m_bottomHeightBeforeGrowing});
        m_bottomHeightBeforeGrowing = -1;
        return;
    }
    // The tab bar and frame around the page, and the page's content at its natural height.
    const int around = std::max(0, m_bottomTabs->height() - page->height());
    const int wanted = scroll->widget()->sizeHint().height() + around;
    const int height = std::min(wanted, total / 2);
    if (height <= sizes[1])
        return;
    if (m_bottomHeightBeforeGrowing < 0)
        m_bottomHeightBeforeGrowing = sizes[1];
    m_mainSplitter->setSizes({total - height, height});
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    if (m_serverPane && m_serverPane->isVisible())
        arrangeLogs(false);
}

// The detail pane's hex dump has as many bytes a line as fit: a new width can change how many.
bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_detail->viewport() && event->type() == QEvent::Resize
        && m_detailBytesPerLine != 0 && hexBytesPerLine(detailLineChars()) != m_detailBytesPerLine)
        showDetailPage();
    return QMainWindow::eventFilter(watched, event);
}

// The characters a line of the detail pane shows, the vertical scroll bar's room kept whether
// it is shown or not (so its coming and going does not change the hex dump's width).
int MainWindow::detailLineChars() const
{
    const QScrollBar *bar = m_detail->verticalScrollBar();
    const int width = m_detail->viewport()->width()
                      - (bar->isVisible() ? 0 : bar->sizeHint().width())
                      - 2 * int(m_detail->document()->documentMargin());
    return std::max(0, width / m_detail->fontMetrics().horizontalAdvance(QLatin1Char('0')));
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
        m_serverLog->selectionModel()->clear(); // nor a current row left from an earlier match
        return;
    }
    m_serverLog->selectRow(*row);
    m_serverLog->scrollTo(m_serverModel->index(*row, 0));
}

void MainWindow::refreshStatistics()
{
    if (const auto store = m_model->store())
        m_statistics.update(*store, store->endId());
    // A live session's rates go on to now (nothing sent this second is a rate of 0).
    const bool live = m_session != 0 && m_state != session::SessionState::Closed;
    m_statistics.extendTo(live ? session::monotonicNs() : 0);
    m_statisticsView->show(m_statistics);
}

void showConnections(FrameLogView &view, FrameLogModel &model, bool shown)
{
    model.setConnectionsShown(shown);
    view.header()->setSectionHidden(FrameLogModel::Connection, !shown);
}

// Nothing selected: the text, the header diagram and the JSON tree all go.
void MainWindow::clearDetail()
{
    m_detailFrame.reset();
    showDetailPage();
}

void MainWindow::showDetailPage()
{
    const auto store = m_model->store();
    m_detailPages->hide();
    m_jsonTree->hide();
    m_headerScroll->hide();
    m_detailBytesPerLine = 0;
    if (!m_detailFrame || !store) {
        m_detail->clear();
        return;
    }
    const capture::FrameId id = *m_detailFrame;
    const std::optional<capture::FrameRecord> record = store->record(id);
    if (record) {
        m_headerDiagram->setHeader(record->header());
        // Room for the scroll bar only when the pane is too narrow for the diagram.
        const bool scrolls = m_headerScroll->width() < m_headerDiagram->minimumSizeHint().width();
        const int scrollBar
            = scrolls ? m_headerScroll->horizontalScrollBar()->sizeHint().height() : 0;
        m_headerScroll->setFixedHeight(m_headerDiagram->sizeHint().height() + scrollBar);
        m_headerScroll->show();
    }
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
    const int lineChars = detailLineChars();
    m_detail->setPlainText(
        describeFrame(*record, id.value, payload, m_originNs, offset, lineChars));
    m_detailBytesPerLine = hexBytesPerLine(lineChars);
    // A whole text message in one frame that is JSON: as a tree too.
    if (record->opcode == 0x1 && record->has(capture::FrameRecord::Fin)
        && record->storedLength <= std::uint64_t(JsonTree::kMaxBytes)) {
        std::vector<std::uint8_t> whole;
        if (store->payloadSlice(id, 0, record->storedLength, whole)
            && m_jsonTree->showPayload(
                QByteArray(reinterpret_cast<const char *>(whole.data()), qsizetype(whole.size()))))
            m_jsonTree->show();
    }
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
    // Narrow windows (the sidebar shown, large text) may cut the placeholder, not the log.
    m_filterText->setMinimumWidth(m_filterText->fontMetrics().averageCharWidth() * 14);
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
    m_showControl = new QCheckBox(tr("C&ontrol frames"));
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
    // No Alt key: Alt+R is the Script tab's (and rows cleared do not come back to the log).
    m_clear = new QPushButton(tr("Clear"));
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
        clearDetail();
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
    const QString error = m_model->setFilter(filter);
    showFilterProblem(error);
    if (!error.isEmpty()) {
        statusBar()->showMessage(error, kStatusMs);
        return;
    }
    statusBar()->clearMessage();
}

// As Wireshark does with a display filter: a text that cannot be used is not applied (the rows
// stay as the last filter left them), and it is marked where it is typed, not only said for a
// moment in the status bar.
void MainWindow::showFilterProblem(const QString &problem)
{
    m_filterProblem = problem;
    if (problem.isEmpty()) {
        m_filterText->setPalette(QPalette()); // the window's again
    } else {
        QPalette marked = m_filterText->palette();
        marked.setColor(QPalette::Text, QColor(0xe0, 0x48, 0x48)); // readable on light and dark
        m_filterText->setPalette(marked);
    }
    m_filterText->setToolTip(problem);
    m_filterText->setAccessibleDescription(problem);
    updateShownCount();
}

// An empty log says why it is empty, and what to do next.
void MainWindow::updateEmptyLogText()
{
    QString text;
    if (m_model->frameCount() > 0)
        text = tr("No frame matches the filter");
    else if (!m_capturePath.isEmpty())
        text = tr("This capture holds no frames");
    else if (m_session == 0)
        text = tr("No frames yet: enter a ws:// or wss:// URL above and Connect, or open a "
                  "capture (Ctrl+O)");
    else if (m_state == session::SessionState::Open)
        text = tr("Connected, nothing sent or received yet: send a message from the Composer "
                  "below (Ctrl+Return)");
    else if (m_state == session::SessionState::Closed)
        text = tr("The connection ended before any frame: the Handshake tab and the status bar "
                  "say why");
    else
        text = tr("Connecting…");
    m_log->setEmptyText(text);
}

void MainWindow::updateShownCount()
{
    updateEmptyLogText();
    if (!m_filterProblem.isEmpty()) {
        // What is wrong in short; where, in the field's tooltip and the status bar.
        m_shownCount->setText(
            tr("%1 (not applied)").arg(m_filterProblem.section(QLatin1Char(':'), 0, 0)));
        return;
    }
    const QString total = QLocale().toString(qulonglong(m_model->frameCount()));
    if (!m_model->isFiltered()) {
        m_shownCount->setText(m_model->frameCount() == 1 ? tr("1 frame")
                                                         : tr("%1 frames").arg(total));
        return;
    }
    m_shownCount->setText(
        (m_model->isFiltering() ? tr("%1 of %2 frames (filtering…)") : tr("%1 of %2 frames"))
            .arg(QLocale().toString(m_model->rowCount()), total));
}

} // namespace framescope::ui
