#include "scriptpanel.h"

#include "scripteditor.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QVBoxLayout>
#include <scripting/scriptrunner.h>

namespace framescope::ui {

namespace {

const QString kExamples = QStringLiteral(":/scripts");
const QString kFileName = QStringLiteral("script.js");

// The line and column (0 when not given) a message names in the script: "script.js:12:5".
std::pair<int, int> placeIn(const QString &text)
{
    static const QRegularExpression at(QStringLiteral("script\\.js:(\\d+)(?::(\\d+))?"));
    const QRegularExpressionMatch match = at.match(text);
    return {match.captured(1).toInt(), match.captured(2).toInt()};
}

} // namespace

ScriptPanel::ScriptPanel(session::SessionManager &manager, QWidget *parent)
    : QWidget(parent)
    , m_manager(manager)
{
    m_editor = new ScriptEditor;
    m_editor->setPlaceholderText(tr("A script (docs/scripting.md), or pick an example"));
    m_examples = new QComboBox;
    m_examples->setAccessibleName(tr("Example scripts"));
    m_examples->addItem(tr("Examples…"));
    m_examples->addItems(examples());
    connect(m_examples, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            loadExample(m_examples->itemText(index));
        m_examples->setCurrentIndex(0);
    });
    m_run = new QPushButton(tr("Run"));
    m_run->setToolTip(tr("Run the script; connect() without a URL uses the session's URL"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setEnabled(false);
    connect(m_run, &QPushButton::clicked, this, &ScriptPanel::run);
    connect(m_stop, &QPushButton::clicked, this, &ScriptPanel::stop);
    m_console = new QPlainTextEdit;
    m_console->setReadOnly(true);
    m_console->setAccessibleName(tr("Script output"));
    m_console->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_console->setMaximumBlockCount(10'000); // a script that logs without end stays bounded
    m_console->setPlaceholderText(tr("What the script logs, and its checks"));

    auto *buttons = new QVBoxLayout;
    buttons->addWidget(m_examples);
    buttons->addWidget(m_run);
    buttons->addWidget(m_stop);
    buttons->addStretch();
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_editor);
    split->addWidget(m_console);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);
}

ScriptPanel::~ScriptPanel() = default;

QStringList ScriptPanel::examples() const
{
    return QDir(kExamples).entryList({QStringLiteral("*.js")}, QDir::Files, QDir::Name);
}

bool ScriptPanel::loadExample(const QString &name)
{
    QFile file(kExamples + QLatin1Char('/') + name);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    m_editor->setPlainText(QString::fromUtf8(file.readAll()));
    return true;
}

bool ScriptPanel::isRunning() const
{
    return m_runner && m_runner->isRunning();
}

void ScriptPanel::append(const QString &line)
{
    m_console->appendPlainText(line);
}

void ScriptPanel::run()
{
    if (isRunning())
        return;
    m_console->clear();
    m_editor->markError(0);
    scripting::ScriptOptions options;
    options.defaultUrl = m_defaultUrl ? m_defaultUrl() : QString();
    options.timeoutMs = 0; // Stop is at hand; the watchdog still stops an endless loop
    m_runner = std::make_unique<scripting::ScriptRunner>(m_manager, options);
    connect(m_runner.get(), &scripting::ScriptRunner::output, this, &ScriptPanel::append);
    connect(m_runner.get(), &scripting::ScriptRunner::testFinished, this,
            [this](const QString &name, bool passed, const QString &message) {
                append(passed ? tr("PASS  %1").arg(name) : tr("FAIL  %1: %2").arg(name, message));
            });
    connect(m_runner.get(), &scripting::ScriptRunner::finished, this, &ScriptPanel::showResult);
    connect(m_runner.get(), &scripting::ScriptRunner::connectionOpened, this,
            &ScriptPanel::connectionOpened);
    connect(m_runner.get(), &scripting::ScriptRunner::connectionEnded, this,
            &ScriptPanel::connectionEnded);
    m_run->setEnabled(false);
    m_stop->setEnabled(true);
    append(tr("Running… (connect() without a URL: %1)")
               .arg(options.defaultUrl.isEmpty() ? tr("none set") : options.defaultUrl));
    m_runner->start(m_editor->toPlainText(), kFileName);
}

void ScriptPanel::stop()
{
    if (m_runner)
        m_runner->stop();
}

void ScriptPanel::showResult()
{
    m_lastResult = m_runner->result();
    m_run->setEnabled(true);
    m_stop->setEnabled(false);
    int failed = 0;
    std::pair<int, int> firstFailed{0, 0};
    for (const scripting::TestResult &test : m_lastResult.tests)
        if (!test.passed && failed++ == 0)
            firstFailed = placeIn(test.message);
    if (!m_lastResult.error.isEmpty())
        append(tr("ERROR %1").arg(m_lastResult.error));
    append(tr("%1 passed, %2 failed%3 (%4 s)")
               .arg(m_lastResult.tests.size() - failed)
               .arg(failed)
               .arg(m_lastResult.ending == scripting::ScriptResult::Ending::Completed
                        ? QString()
                        : tr(", the script did not complete"))
               .arg(m_lastResult.seconds, 0, 'f', 2));
    // The error's line, or the first failed check's, marked in the editor.
    if (const auto [line, column] = placeIn(m_lastResult.error); line > 0)
        m_editor->markError(line, m_lastResult.error, column);
    else if (firstFailed.first > 0)
        m_editor->markError(firstFailed.first, tr("A check failed here"), firstFailed.second);
    Q_EMIT finished(m_lastResult.passed());
}

QString ScriptPanel::consoleText() const
{
    return m_console->toPlainText();
}

} // namespace framescope::ui
