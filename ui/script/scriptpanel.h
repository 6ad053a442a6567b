#pragma once

#include <QWidget>
#include <capture/framestore.h>
#include <functional>
#include <memory>
#include <scripting/scriptresult.h>

class QComboBox;
class QPlainTextEdit;
class QPushButton;

namespace framescope::session {
class SessionManager;
}
namespace framescope::scripting {
class ScriptRunner;
}

namespace framescope::ui {

class ScriptEditor;

// The Script tab: an editor (line numbers, highlighting, the error's line marked), Run and Stop,
// a console with the script's log lines and its checks as they pass or fail, and the examples
// (resources/scripts) one click away. A script runs on its own thread (ScriptRunner);
// connect() without a URL connects to the shown session's URL.
class ScriptPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ScriptPanel(session::SessionManager &manager, QWidget *parent = nullptr);
    ~ScriptPanel() override;

    // What connect() without a URL connects to, asked when Run is pressed.
    void setDefaultUrl(std::function<QString()> url) { m_defaultUrl = std::move(url); }
    ScriptEditor *editor() const { return m_editor; }
    QStringList examples() const;
    bool loadExample(const QString &name);
    void run();
    void stop();
    bool isRunning() const;
    QString consoleText() const;
    scripting::ScriptResult lastResult() const { return m_lastResult; }

Q_SIGNALS:
    void finished(bool passed);
    // A running script's connections (ScriptRunner's signals of these names).
    void connectionOpened(quint64 id, const QString &url,
                          std::shared_ptr<const framescope::capture::FrameStore> store,
                          qint64 startedNs, qint64 startedAtMs);
    void connectionEnded(quint64 id);

private:
    void append(const QString &line);
    void showResult();

    session::SessionManager &m_manager;
    std::function<QString()> m_defaultUrl;
    ScriptEditor *m_editor = nullptr;
    QComboBox *m_examples = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_stop = nullptr;
    QPlainTextEdit *m_console = nullptr;
    std::unique_ptr<scripting::ScriptRunner> m_runner;
    scripting::ScriptResult m_lastResult;
};

} // namespace framescope::ui
