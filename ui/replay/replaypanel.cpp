#include "replaypanel.h"

#include "comparisonmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>
#include <replay/replayer.h>
#include <window/theme.h>

namespace framescope::ui {

ReplayPanel::ReplayPanel(session::SessionManager &manager, QWidget *parent)
    : QWidget(parent)
    , m_manager(manager)
{
    m_source = new QLabel(tr("Nothing to replay yet: open a capture or a HAR file, or use "
                             "“Replay This Session” in the log's context menu"));
    m_source->setWordWrap(true);
    m_open = new QPushButton(tr("Open…"));
    m_open->setAccessibleName(tr("Open a capture or HAR file to replay"));
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Replay a Capture or HAR File"), {},
            tr("Captures and HAR files (*.jsonl *.har *.json);;All files (*)"));
        if (!path.isEmpty())
            openRecording(path);
    });
    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(m_source, 1);
    sourceRow->addWidget(m_open);

    m_url = new QLineEdit;
    m_url->setAccessibleName(tr("Replay against URL"));
    m_url->setPlaceholderText(QStringLiteral("ws://127.0.0.1:9001/"));
    m_mode = new QComboBox;
    m_mode->setAccessibleName(tr("Replay mode"));
    // Short names (the tab is narrow beside the log); what each means in its tooltip.
    m_mode->addItem(tr("Frame-exact"));
    m_mode->setItemData(0,
                        tr("Every frame the client sent, as recorded: FIN, RSV, opcode, "
                           "fragmentation and control frames"),
                        Qt::ToolTipRole);
    m_mode->addItem(tr("Message level"));
    m_mode->setItemData(1, tr("The client's messages, framed normally (the only mode for HAR)"),
                        Qt::ToolTipRole);
    m_mode->setToolTip(tr("Frame-exact: every frame as recorded. Message level: the messages, "
                          "framed normally."));
    m_speed = new QComboBox;
    m_speed->setAccessibleName(tr("Replay speed"));
    for (const auto &[text, speed] : {std::pair{tr("Recorded pace"), 1.0},
                                      {tr("2× faster"), 2.0},
                                      {tr("10× faster"), 10.0},
                                      {tr("Half speed"), 0.5},
                                      {tr("As fast as possible"), 0.0}})
        m_speed->addItem(text, speed);
    // Narrow when the window is: the tab must not widen it.
    // The mode gives way; the speed keeps "Recorded pace" whole.
    for (QComboBox *box : {m_mode, m_speed})
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_mode->setMinimumContentsLength(8);
    m_speed->setMinimumContentsLength(14);
    m_keepMasks = new QCheckBox(tr("Keep the recorded mask keys"));
    m_rules = new QPlainTextEdit;
    m_rules->setAccessibleName(tr("Ignore rules"));
    m_rules->setPlaceholderText(tr("One per line: $.id   /[0-9a-f-]{36}/   s/\\d+ms/N ms/"));
    m_rules->setMaximumHeight(m_rules->fontMetrics().lineSpacing() * 4);
    m_rules->setTabChangesFocus(true);
    m_connection = new QComboBox;
    m_connection->setAccessibleName(tr("Connection to replay"));
    connect(m_connection, &QComboBox::activated, this,
            [this](int index) { chooseConnection(m_connection->itemData(index).toInt()); });
    auto *form = new QFormLayout;
    m_form = form;
    form->addRow(tr("Connection:"), m_connection);
    form->setRowVisible(m_connection, false);
    form->addRow(tr("URL:"), m_url);
    auto *modeRow = new QHBoxLayout;
    modeRow->addWidget(m_mode, 1);
    modeRow->addWidget(m_speed);
    auto *modeLabel = new QLabel(tr("Mode:"));
    modeLabel->setBuddy(m_mode);
    form->addRow(modeLabel, modeRow);
    form->addRow(QString(), m_keepMasks);
    form->addRow(tr("Ignore:"), m_rules);

    m_run = new QPushButton(tr("Replay"));
    m_run->setAccessibleName(tr("Start the replay"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setAccessibleName(tr("Stop the replay"));
    connect(m_run, &QPushButton::clicked, this, &ReplayPanel::run);
    connect(m_stop, &QPushButton::clicked, this, &ReplayPanel::stop);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setAccessibleName(tr("Replay summary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_run);
    runRow->addWidget(m_stop);
    runRow->addStretch(1);

    m_model = new ComparisonModel(this);
    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->setAccessibleName(tr("Replay comparison"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(ComparisonModel::Number,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ComparisonModel::Result, QHeaderView::Fixed);
    m_table->setColumnWidth(ComparisonModel::Result,
                            std::max(m_table->fontMetrics().horizontalAdvance(tr("✘ differs")),
                                     m_table->fontMetrics().horizontalAdvance(tr("✔ matched")))
                                + 16);
    // The recorded message and what differs share what is left.
    m_table->horizontalHeader()->setSectionResizeMode(ComparisonModel::Expected,
                                                      QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ComparisonModel::Difference,
                                                      QHeaderView::Stretch);
    // The selected row in full: the recorded message and what differs.
    m_detail = new QPlainTextEdit;
    m_detail->setReadOnly(true);
    m_detail->setAccessibleName(tr("Comparison detail"));
    m_detail->setPlaceholderText(tr("Select a row to read the whole difference"));
    m_detail->setMaximumHeight(m_detail->fontMetrics().lineSpacing() * 5);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!current.isValid()) {
                    m_detail->clear();
                    return;
                }
                const replay::Comparison &row = m_model->at(current.row());
                m_detail->setPlainText(row.passed ? tr("%1\nMatched.").arg(row.name())
                                                  : tr("%1\n%2").arg(row.name(), row.message));
            });

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(sourceRow);
    layout->addLayout(form);
    layout->addLayout(runRow);
    // A line of its own, the panel's width: the verdict reads whole, not wrapped beside the
    // buttons.
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_detail);
    updateControls();
}

ReplayPanel::~ReplayPanel() = default;

void ReplayPanel::setRecording(const replay::Recording &recording, const QString &name)
{
    m_load = nullptr; // given whole: nothing else to choose
    showRecording(recording, name);
}

void ReplayPanel::showRecording(const replay::Recording &recording, const QString &name)
{
    stop();
    m_recording = std::make_unique<replay::Recording>(recording);
    m_name = name;
    // What will go and what is expected back, in the client's words.
    m_source->setText(tr("<b>%1</b>: the client sent %2 %3, and %4 came back")
                          .arg(name.toHtmlEscaped())
                          .arg(recording.clientMessages.size())
                          .arg(recording.clientFrames.empty()
                                   ? tr("messages (no frames kept)")
                                   : tr("messages in %1 frames").arg(recording.clientFrames.size()))
                          .arg(recording.serverMessages.size()));
    if (!recording.url.isEmpty())
        m_url->setText(recording.url);
    m_model->clear();
    setSummary(recording.notes.join(QLatin1Char('\n')));
    // Several connections in the source: one to choose (a recording given whole has no other).
    m_connection->clear();
    if (m_load)
        for (const int choice : recording.choices)
            m_connection->addItem(recording.source == QLatin1String("HAR")
                                      ? tr("Entry %1 of the HAR file").arg(choice)
                                      : tr("Connection %1").arg(choice),
                                  choice);
    m_connection->setCurrentIndex(m_connection->findData(recording.chosen));
    m_form->setRowVisible(m_connection, m_connection->count() > 1);
    updateControls();
}

bool ReplayPanel::setSource(const QString &name, Loader load)
{
    const replay::RecordingRead read = load(std::nullopt);
    if (!read.ok()) {
        setSummary(tr("Cannot replay %1: %2").arg(name, read.error), true);
        return false;
    }
    m_load = std::move(load);
    showRecording(read.recording, name);
    return true;
}

QList<int> ReplayPanel::connectionChoices() const
{
    QList<int> choices;
    for (int index = 0; index < m_connection->count(); ++index)
        choices << m_connection->itemData(index).toInt();
    return choices;
}

bool ReplayPanel::chooseConnection(int connection)
{
    if (!m_load || isRunning())
        return false;
    const replay::RecordingRead read = m_load(connection);
    if (!read.ok()) {
        setSummary(tr("Cannot replay connection %1: %2").arg(connection).arg(read.error), true);
        return false;
    }
    showRecording(read.recording, m_name);
    return true;
}

bool ReplayPanel::openRecording(const QString &path)
{
    return setSource(QFileInfo(path).fileName(), [path](std::optional<int> connection) {
        return replay::readRecording(path, connection);
    });
}

void ReplayPanel::setUrl(const QString &url)
{
    m_url->setText(url);
}

void ReplayPanel::setIgnoreRules(const QString &rules)
{
    m_rules->setPlainText(rules);
}

void ReplayPanel::run()
{
    if (!m_recording || isRunning())
        return;
    replay::ReplayOptions options;
    options.connection.url = QUrl(m_url->text().trimmed());
    if (!replay::isReplayUrl(options.connection.url)) {
        setSummary(tr("Give a ws:// or wss:// URL to replay against"), true);
        return;
    }
    if (const auto error = replay::parseIgnoreRules(m_rules->toPlainText().split(QLatin1Char('\n')),
                                                    options.rules)) {
        setSummary(*error, true);
        return;
    }
    options.mode = m_mode->currentIndex() == 0 ? replay::ReplayOptions::Mode::FrameExact
                                               : replay::ReplayOptions::Mode::Messages;
    options.speed = m_speed->currentData().toDouble();
    options.keepMaskKeys = m_keepMasks->isChecked();
    m_model->clear();
    m_replayer = std::make_unique<replay::Replayer>(m_manager, *m_recording, options);
    connect(m_replayer.get(), &replay::Replayer::compared, m_model, &ComparisonModel::add);
    connect(m_replayer.get(), &replay::Replayer::compared, this, [this] {
        m_table->scrollToBottom();
        setSummary(tr("Replaying: %1 compared, %2 differ")
                       .arg(m_model->rowCount())
                       .arg(m_model->failures()),
                   m_model->failures() > 0);
    });
    connect(m_replayer.get(), &replay::Replayer::finished, this, [this] {
        m_lastResult = m_replayer->result();
        const bool passed = m_lastResult.passed();
        QStringList lines;
        if (!m_lastResult.error.isEmpty())
            lines << m_lastResult.error;
        lines << tr("%1 of %2 messages matched (%3 s)")
                     .arg(m_model->rowCount() - m_model->failures())
                     .arg(m_model->rowCount())
                     .arg(m_lastResult.seconds, 0, 'f', 2);
        lines += m_replayer->notes();
        setSummary((passed ? tr("✔ Passed. ") : tr("✘ Failed. ")) + lines.join(QLatin1Char('\n')),
                   !passed);
        // The first difference, in full.
        for (int row = 0; row < m_model->rowCount(); ++row)
            if (!m_model->at(row).passed) {
                m_table->setCurrentIndex(m_model->index(row, ComparisonModel::Difference));
                break;
            }
        updateControls();
        Q_EMIT finished(passed);
    });
    m_replayer->start();
    Q_EMIT sessionStarted(m_replayer->sessionId(), tr("Replay %1 of %2").arg(++m_runs).arg(m_name),
                          options.connection.url.toString());
    setSummary(tr("Replaying %1 against %2…").arg(m_name, options.connection.url.toString()));
    updateControls();
}

void ReplayPanel::stop()
{
    if (isRunning())
        m_replayer->stop();
    updateControls();
}

bool ReplayPanel::isRunning() const
{
    return m_replayer && m_replayer->isRunning();
}

QString ReplayPanel::summary() const
{
    return m_summary->text();
}

QString ReplayPanel::detailText() const
{
    return m_detail->toPlainText();
}

void ReplayPanel::setSummary(const QString &text, bool problem)
{
    m_summary->setText(text);
    m_summaryIsProblem = problem;
    colourSummary();
}

// A problem in red: a lighter shade on a dark palette, so that it reads on either.
void ReplayPanel::colourSummary()
{
    m_summary->setStyleSheet(
        m_summaryIsProblem ? QStringLiteral("color: %1").arg(problemColor().name()) : QString());
}

void ReplayPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        colourSummary();
}

void ReplayPanel::updateControls()
{
    const bool running = isRunning();
    m_run->setEnabled(m_recording && !running);
    m_stop->setEnabled(running);
    m_open->setEnabled(!running);
    m_connection->setEnabled(!running); // the one replaying stays chosen
}

} // namespace framescope::ui
