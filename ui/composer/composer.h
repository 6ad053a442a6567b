#pragma once

#include <QWidget>
#include <optional>
#include <protocol/frameheader.h>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTimer;
class QTreeView;

namespace framescope::ui {

// What the user sends as messages: text, JSON (checked, and pretty-printed on request), binary
// as hex or base64, or a file's bytes (text when they are UTF-8, else binary); split into
// frames of the sizes given ("4", or "3, 5") with a ping between them when asked; sent once or
// every N ms until stopped; saved under a name in folders ("Orders/create"), kept with QSettings.
// Also Ping, and Close with a known code or any a close frame may carry and a reason. The window
// does the sending (it holds the session): it asks message() when Send is pressed or the repeat
// timer fires.
class Composer : public QWidget
{
    Q_OBJECT

public:
    enum Kind { TextKind, JsonKind, HexKind, Base64Kind, FileKind };

    struct Message
    {
        protocol::Opcode opcode = protocol::Opcode::Text;
        QByteArray payload;
        // Frame sizes in order, the last repeating (none: one frame).
        std::vector<std::size_t> fragmentSizes;
        bool pingBetweenFragments = false;
    };
    struct CloseRequest
    {
        std::uint16_t code = 1000;
        QByteArray reason;
    };

    // The largest file attached (the built-in limits' message size).
    static constexpr qint64 kMaxFileBytes = qint64{64} << 20;

    explicit Composer(QWidget *parent = nullptr);
    ~Composer() override;

    // The message as composed, or nothing and why (JSON that does not parse, digits that are not
    // hex, text that is not base64, no file attached).
    std::optional<Message> message(QString *error) const;
    // The close code and reason chosen, or nothing and why (a code a close frame may not carry,
    // a reason over 123 bytes).
    std::optional<CloseRequest> closeRequest(QString *error) const;

    // Send, Ping, Close and Repeat work only while the session is open; closing stops repeating.
    void setOpen(bool open);
    // The JSON in the editor indented; false and why when it does not parse.
    bool formatJson(QString *error);
    // The file's bytes become the message (kind File); false and why when it cannot be read or
    // is too large. Another kind chosen brings back the text there was.
    bool attachFile(const QString &path, QString *error);

    // Repeating: the message every N ms (repeatRequested) until stopped.
    void setRepeating(bool on);
    bool isRepeating() const;

    // Saved messages, by path ("folder/name"); saving a path that exists replaces it.
    bool saveMessage(const QString &path, QString *error);
    bool loadMessage(const QString &path, QString *error);
    bool deleteMessage(const QString &path);
    QStringList savedMessages() const;
    QStandardItemModel *savedModel() const { return m_savedModel; }

Q_SIGNALS:
    void sendRequested();   // Send pressed, or Ctrl+Return
    void repeatRequested(); // the repeat timer's tick
    void pingRequested();
    void closeRequested();
    void problem(const QString &message); // for the status bar

private:
    void kindChanged(int kind);
    void refreshSaved();

    QPlainTextEdit *m_editor = nullptr;
    QComboBox *m_kind = nullptr;
    QPushButton *m_send = nullptr;
    QPushButton *m_ping = nullptr;
    QPushButton *m_format = nullptr;
    QPushButton *m_attach = nullptr;
    QLineEdit *m_fragmentSizes = nullptr;
    QCheckBox *m_pingBetween = nullptr;
    QSpinBox *m_repeatMs = nullptr;
    QPushButton *m_repeat = nullptr;
    QTimer *m_repeatTimer = nullptr;
    QComboBox *m_closeCode = nullptr;
    QLineEdit *m_closeReason = nullptr;
    QPushButton *m_close = nullptr;
    QTreeView *m_saved = nullptr;
    QStandardItemModel *m_savedModel = nullptr;
    // An attached file: its path and bytes, and the text the editor held before.
    QString m_filePath;
    QByteArray m_file;
    QString m_textBeforeFile;
    int m_kindBeforeFile = TextKind;
    bool m_open = false;
};

} // namespace framescope::ui
