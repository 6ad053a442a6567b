#pragma once

#include <QWidget>
#include <functional>
#include <memory>
#include <optional>
#include <replay/recording.h>
#include <scripting/scriptresult.h>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace framescope::session {
class SessionManager;
}
namespace framescope::replay {
class Replayer;
}

namespace framescope::ui {

class ComparisonModel;

// The Replay tab, beside the log: a recording (a capture, a HAR file, or the shown session)
// replayed against a URL, frame-exact or message by message, at a chosen speed, with ignore
// rules; each message compared as it comes, in a table (what was recorded, what differs), and a
// summary. The replay's own session is announced so that the window can show its frames.
class ReplayPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ReplayPanel(session::SessionManager &manager, QWidget *parent = nullptr);
    ~ReplayPanel() override;

    // What to replay; `name` says where it came from. The URL field gets the recording's URL.
    void setRecording(const replay::Recording &recording, const QString &name);
    // Reads a recording: the one `load` gives for no choice, then, when the source holds several
    // connections (a server's capture, a HAR file's entries), the one chosen in the Connection
    // box.
    using Loader = std::function<replay::RecordingRead(std::optional<int> connection)>;
    bool setSource(const QString &name, Loader load);
    // The connections to choose from (empty when there is one) and the one chosen.
    QList<int> connectionChoices() const;
    bool chooseConnection(int connection);
    // Reads a capture or a HAR file; false (said in the summary) when it cannot.
    bool openRecording(const QString &path);
    bool hasRecording() const { return m_recording != nullptr; }
    void setUrl(const QString &url);
    void setIgnoreRules(const QString &rules); // one per line
    void run();
    void stop();
    bool isRunning() const;
    QString summary() const;
    QString detailText() const;
    ComparisonModel *comparisons() const { return m_model; }
    scripting::ScriptResult lastResult() const { return m_lastResult; }

Q_SIGNALS:
    // The replay's connection: the window shows its frames as a session of its own.
    void sessionStarted(quint64 sessionId, const QString &title, const QString &url);
    void finished(bool passed);

protected:
    void changeEvent(QEvent *event) override;

private:
    void showRecording(const replay::Recording &recording, const QString &name);
    void setSummary(const QString &text, bool problem = false);
    void colourSummary();
    void updateControls();

    session::SessionManager &m_manager;
    std::unique_ptr<replay::Recording> m_recording;
    QString m_name;
    Loader m_load; // empty for a recording given whole
    QFormLayout *m_form = nullptr;
    QComboBox *m_connection = nullptr;
    int m_runs = 0; // replays started, to tell their sessions apart
    std::unique_ptr<replay::Replayer> m_replayer;
    scripting::ScriptResult m_lastResult;
    QLabel *m_source = nullptr;
    QPushButton *m_open = nullptr;
    QLineEdit *m_url = nullptr;
    QComboBox *m_mode = nullptr;
    QComboBox *m_speed = nullptr;
    QCheckBox *m_keepMasks = nullptr;
    QPlainTextEdit *m_rules = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_stop = nullptr;
    QLabel *m_summary = nullptr;
    bool m_summaryIsProblem = false;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    ComparisonModel *m_model = nullptr;
};

} // namespace framescope::ui
