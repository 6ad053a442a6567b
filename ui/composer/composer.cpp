#include "composer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <protocol/utf8validator.h>

namespace framescope::ui {

namespace {

const QString kSavedKey = QStringLiteral("composer/saved");
constexpr int kPathRole = Qt::UserRole + 1;

struct Saved
{
    QString path;
    int kind = Composer::TextKind;
    QString text; // or, for a file, its path
};

QList<Saved> loadSaved()
{
    QList<Saved> saved;
    const QJsonArray array
        = QJsonDocument::fromJson(QSettings().value(kSavedKey).toString().toUtf8()).array();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        Saved message{object.value(QStringLiteral("path")).toString(),
                      object.value(QStringLiteral("kind")).toInt(),
                      object.value(QStringLiteral("text")).toString()};
        if (!message.path.isEmpty() && message.kind >= Composer::TextKind
            && message.kind <= Composer::FileKind)
            saved.append(message);
    }
    return saved;
}

void storeSaved(const QList<Saved> &saved)
{
    QJsonArray array;
    for (const Saved &message : saved)
        array.append(QJsonObject{{QStringLiteral("path"), message.path},
                                 {QStringLiteral("kind"), message.kind},
                                 {QStringLiteral("text"), message.text}});
    QSettings().setValue(kSavedKey,
                         QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact)));
}

// "a / b//c " as "a/b/c": folders and a name, none empty.
QString cleanPath(const QString &path)
{
    QStringList parts;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        if (const QString simple = part.simplified(); !simple.isEmpty())
            parts << simple;
    return parts.join(QLatin1Char('/'));
}

} // namespace

Composer::Composer(QWidget *parent)
    : QWidget(parent)
{
    m_editor = new QPlainTextEdit;
    m_editor->setAccessibleName(tr("Message to send"));
    m_editor->setPlaceholderText(tr("A message; Ctrl+Return sends it"));
    m_editor->setPlainText(QStringLiteral("Hello from Framescope"));
    m_kind = new QComboBox;
    m_kind->addItems(
        {tr("Text"), tr("JSON"), tr("Binary (hex)"), tr("Binary (base64)"), tr("File")});
    m_kind->setAccessibleName(tr("Message kind"));
    m_send = new QPushButton(tr("&Send"));
    m_ping = new QPushButton(tr("&Ping"));
    m_ping->setToolTip(tr("Send a ping; the status bar shows the round trip when its pong comes"));
    m_format = new QPushButton(tr("Format JSON"));
    m_format->setToolTip(tr("Check the JSON and indent it"));
    m_attach = new QPushButton(tr("Attach File…"));
    m_attach->setToolTip(tr("Send a file's bytes: as text when they are UTF-8, else as binary"));
    auto *buttons = new QVBoxLayout;
    for (QWidget *widget :
         std::initializer_list<QWidget *>{m_kind, m_send, m_ping, m_format, m_attach})
        buttons->addWidget(widget);
    buttons->addStretch();

    // How it goes: in frames of at most N bytes (a ping between them), once or every N ms.
    m_fragmentSizes = new QLineEdit;
    m_fragmentSizes->setAccessibleName(tr("Fragment sizes"));
    m_fragmentSizes->setPlaceholderText(tr("whole message"));
    m_fragmentSizes->setToolTip(tr("Frame sizes in bytes: \"4\" cuts the message into frames of "
                                   "4 bytes; \"3, 5\" into 3 bytes, then 5, 5, ... Empty: one "
                                   "frame"));
    m_pingBetween = new QCheckBox(tr("Ping between fragments"));
    m_repeatMs = new QSpinBox;
    m_repeatMs->setAccessibleName(tr("Repeat interval"));
    m_repeatMs->setRange(1, 3'600'000);
    m_repeatMs->setValue(1000);
    m_repeatMs->setPrefix(tr("every "));
    m_repeatMs->setSuffix(tr(" ms"));
    m_repeat = new QPushButton(tr("Repeat"));
    m_repeat->setCheckable(true);
    m_repeat->setToolTip(tr("Send the message every N ms until pressed again"));
    m_repeatTimer = new QTimer(this);
    m_repeatTimer->setTimerType(Qt::PreciseTimer); // every N ms, as the user set it
    auto *how = new QHBoxLayout;
    how->addWidget(new QLabel(tr("Frame size (bytes):")));
    how->addWidget(m_fragmentSizes);
    how->addWidget(m_pingBetween);
    how->addStretch();
    how->addWidget(m_repeatMs);
    how->addWidget(m_repeat);

    // Saved messages, in folders.
    m_savedModel = new QStandardItemModel(this);
    m_saved = new QTreeView;
    m_saved->setModel(m_savedModel);
    m_saved->setAccessibleName(tr("Saved messages"));
    m_saved->setHeaderHidden(true);
    m_saved->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_saved->setToolTip(tr("Double-click or Enter puts a saved message in the editor"));
    m_saved->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *deleteSaved = new QAction(tr("Delete"), m_saved);
    m_saved->addAction(deleteSaved);
    connect(deleteSaved, &QAction::triggered, this, [this] {
        const QString path = m_saved->currentIndex().data(kPathRole).toString();
        if (!path.isEmpty())
            deleteMessage(path);
    });
    connect(m_saved, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString path = index.data(kPathRole).toString();
        QString error;
        if (!path.isEmpty() && !loadMessage(path, &error))
            Q_EMIT problem(error);
    });
    auto *save = new QPushButton(tr("Save…"));
    save->setToolTip(tr("Keep this message under a name; \"Folder/name\" puts it in a folder"));
    connect(save, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString path = QInputDialog::getText(this, tr("Save Message"),
                                                   tr("Name (Folder/name for a folder):"),
                                                   QLineEdit::Normal, {}, &ok);
        QString error;
        if (ok && !saveMessage(path, &error))
            Q_EMIT problem(error);
    });
    auto *savedTitle = new QHBoxLayout;
    savedTitle->addWidget(new QLabel(tr("<b>Saved</b>")), 1);
    savedTitle->addWidget(save);
    auto *savedPane = new QVBoxLayout;
    savedPane->addLayout(savedTitle);
    savedPane->addWidget(m_saved, 1);

    auto *editorPane = new QVBoxLayout;
    editorPane->addWidget(m_editor, 1);
    editorPane->addLayout(how);
    auto *top = new QHBoxLayout;
    top->addLayout(editorPane, 1);
    top->addLayout(buttons);
    top->addLayout(savedPane);

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
    m_close = new QPushButton(tr("C&lose"));
    auto *closeRow = new QHBoxLayout;
    closeRow->addWidget(new QLabel(tr("Close with:")));
    closeRow->addWidget(m_closeCode);
    closeRow->addWidget(m_closeReason, 1);
    closeRow->addWidget(m_close);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addLayout(closeRow);

    connect(m_send, &QPushButton::clicked, this, &Composer::sendRequested);
    connect(m_ping, &QPushButton::clicked, this, &Composer::pingRequested);
    connect(m_close, &QPushButton::clicked, this, &Composer::closeRequested);
    connect(m_format, &QPushButton::clicked, this, [this] {
        QString error;
        if (!formatJson(&error))
            Q_EMIT problem(error);
    });
    connect(m_attach, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Attach a File"));
        QString error;
        if (!path.isEmpty() && !attachFile(path, &error))
            Q_EMIT problem(error);
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, &Composer::kindChanged);
    connect(m_repeat, &QPushButton::toggled, this, &Composer::setRepeating);
    connect(m_repeatTimer, &QTimer::timeout, this, &Composer::repeatRequested);
    connect(m_repeatMs, &QSpinBox::valueChanged, m_repeatTimer,
            [this](int ms) { m_repeatTimer->setInterval(ms); });
    kindChanged(TextKind);
    setOpen(false);
    refreshSaved();
}

Composer::~Composer() = default;

std::optional<Composer::Message> Composer::message(QString *error) const
{
    auto fail = [error](const QString &why) -> std::optional<Message> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    Message message;
    for (const QString &part : m_fragmentSizes->text().split(
             QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        bool number = false;
        const qlonglong size = part.toLongLong(&number);
        if (!number || size <= 0)
            return fail(tr("Frame sizes are whole numbers above 0, as in \"3, 5\""));
        message.fragmentSizes.push_back(std::size_t(size));
    }
    message.pingBetweenFragments = m_pingBetween->isChecked();
    const QString text = m_editor->toPlainText();
    switch (m_kind->currentIndex()) {
    case JsonKind: {
        QJsonParseError parse;
        QJsonDocument::fromJson(text.toUtf8(), &parse);
        if (parse.error != QJsonParseError::NoError)
            return fail(
                tr("Not JSON: %1 at character %2").arg(parse.errorString()).arg(parse.offset));
        message.payload = text.toUtf8();
        return message;
    }
    case HexKind: {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        static const QRegularExpression hex(QStringLiteral("^([0-9A-Fa-f]{2})*$"));
        if (!hex.match(digits).hasMatch())
            return fail(tr("Not hex: give pairs of digits 0-9, a-f"));
        message.opcode = protocol::Opcode::Binary;
        message.payload = QByteArray::fromHex(digits.toLatin1());
        return message;
    }
    case Base64Kind: {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        const auto decoded = QByteArray::fromBase64Encoding(
            digits.toLatin1(),
            QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(tr("Not base64: use A-Z, a-z, 0-9, + and /, with = padding"));
        message.opcode = protocol::Opcode::Binary;
        message.payload = *decoded;
        return message;
    }
    case FileKind: {
        if (m_filePath.isEmpty())
            return fail(tr("No file attached: use Attach File…"));
        const bool isText
            = protocol::isValidUtf8({reinterpret_cast<const std::uint8_t *>(m_file.constData()),
                                     std::size_t(m_file.size())});
        message.opcode = isText ? protocol::Opcode::Text : protocol::Opcode::Binary;
        message.payload = m_file;
        return message;
    }
    default:
        message.payload = text.toUtf8();
        return message;
    }
}

std::optional<Composer::CloseRequest> Composer::closeRequest(QString *error) const
{
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
        if (error)
            *error = tr("%1 is not a code a close frame may carry (RFC 6455 §7.4): use 1000-1003, "
                        "1007-1014 or 3000-4999")
                         .arg(text.isEmpty() ? tr("An empty code") : text);
        return std::nullopt;
    }
    const QByteArray reason = m_closeReason->text().toUtf8();
    if (reason.size() > 123) { // RFC 6455 §5.5: a control frame's payload is at most 125 bytes
        if (error)
            *error
                = tr("The reason is %1 bytes in UTF-8; a close frame holds 123").arg(reason.size());
        return std::nullopt;
    }
    return CloseRequest{std::uint16_t(code), reason};
}

void Composer::setOpen(bool open)
{
    m_open = open;
    for (QPushButton *button : {m_send, m_ping, m_close, m_repeat})
        button->setEnabled(open);
    if (!open)
        setRepeating(false);
}

bool Composer::formatJson(QString *error)
{
    QJsonParseError parse;
    const QJsonDocument document
        = QJsonDocument::fromJson(m_editor->toPlainText().toUtf8(), &parse);
    if (parse.error != QJsonParseError::NoError) {
        if (error)
            *error = tr("Not JSON: %1 at character %2").arg(parse.errorString()).arg(parse.offset);
        return false;
    }
    m_editor->setPlainText(QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed());
    m_kind->setCurrentIndex(JsonKind);
    return true;
}

bool Composer::attachFile(const QString &path, QString *error)
{
    QFile file(path);
    const QString name = QFileInfo(path).fileName();
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot read %1: %2").arg(name, file.errorString());
        return false;
    }
    if (file.size() > kMaxFileBytes) {
        if (error)
            *error = tr("%1 is %2; a message may be at most %3")
                         .arg(name, QLocale().formattedDataSize(file.size()),
                              QLocale().formattedDataSize(kMaxFileBytes));
        return false;
    }
    const QByteArray bytes = file.read(kMaxFileBytes + 1);
    if (bytes.size() > kMaxFileBytes) { // grew while read
        if (error)
            *error
                = tr("%1 is larger than %2").arg(name, QLocale().formattedDataSize(kMaxFileBytes));
        return false;
    }
    if (m_kind->currentIndex() != FileKind) {
        m_textBeforeFile = m_editor->toPlainText();
        m_kindBeforeFile = m_kind->currentIndex();
    }
    m_filePath = path;
    m_file = bytes;
    const bool isText = protocol::isValidUtf8(
        {reinterpret_cast<const std::uint8_t *>(m_file.constData()), std::size_t(m_file.size())});
    const QSignalBlocker blocker(m_kind); // kept as File, the text before kept aside
    m_kind->setCurrentIndex(FileKind);
    m_editor->setReadOnly(true);
    m_editor->setPlainText(tr("%1\n%2, sent as %3\n\nChoose another kind to write a message again.")
                               .arg(QDir::toNativeSeparators(path),
                                    QLocale().formattedDataSize(bytes.size()),
                                    isText ? tr("text (the bytes are UTF-8)") : tr("binary")));
    m_format->setEnabled(false);
    return true;
}

void Composer::kindChanged(int kind)
{
    if (kind == FileKind && m_filePath.isEmpty()) {
        // Chosen in the list: a file to attach first.
        const QSignalBlocker blocker(m_kind);
        m_kind->setCurrentIndex(m_kindBeforeFile);
        m_attach->click();
        return;
    }
    if (kind != FileKind && !m_filePath.isEmpty()) { // back to writing: the text there was
        m_filePath.clear();
        m_file.clear();
        m_editor->setReadOnly(false);
        m_editor->setPlainText(m_textBeforeFile);
    }
    if (kind != FileKind)
        m_kindBeforeFile = kind;
    m_format->setEnabled(kind == JsonKind || kind == TextKind);
}

void Composer::setRepeating(bool on)
{
    on = on && m_open;
    if (m_repeat->isChecked() != on) {
        const QSignalBlocker blocker(m_repeat);
        m_repeat->setChecked(on);
    }
    m_repeat->setText(on ? tr("Stop Repeating") : tr("Repeat"));
    if (on) {
        m_repeatTimer->start(m_repeatMs->value());
        Q_EMIT repeatRequested(); // the first one now
    } else {
        m_repeatTimer->stop();
    }
}

bool Composer::isRepeating() const
{
    return m_repeatTimer->isActive();
}

bool Composer::saveMessage(const QString &path, QString *error)
{
    const QString clean = cleanPath(path);
    if (clean.isEmpty()) {
        if (error)
            *error = tr("Not saved: a saved message needs a name");
        return false;
    }
    const int kind = m_kind->currentIndex();
    Saved message{clean, kind, kind == FileKind ? m_filePath : m_editor->toPlainText()};
    QList<Saved> saved = loadSaved();
    const auto same = std::find_if(saved.begin(), saved.end(),
                                   [&](const Saved &other) { return other.path == clean; });
    if (same != saved.end())
        *same = message;
    else
        saved.append(message);
    storeSaved(saved);
    refreshSaved();
    return true;
}

bool Composer::loadMessage(const QString &path, QString *error)
{
    const QList<Saved> saved = loadSaved();
    const auto found = std::find_if(saved.begin(), saved.end(),
                                    [&](const Saved &message) { return message.path == path; });
    if (found == saved.end()) {
        if (error)
            *error = tr("No saved message \"%1\"").arg(path);
        return false;
    }
    if (found->kind == FileKind)
        return attachFile(found->text, error);
    m_kind->setCurrentIndex(found->kind); // leaves a file, if one was attached
    m_editor->setPlainText(found->text);
    return true;
}

bool Composer::deleteMessage(const QString &path)
{
    QList<Saved> saved = loadSaved();
    const auto removed = std::remove_if(saved.begin(), saved.end(),
                                        [&](const Saved &message) { return message.path == path; });
    if (removed == saved.end())
        return false;
    saved.erase(removed, saved.end());
    storeSaved(saved);
    refreshSaved();
    return true;
}

QStringList Composer::savedMessages() const
{
    QStringList paths;
    for (const Saved &message : loadSaved())
        paths << message.path;
    return paths;
}

// The tree: folders first, in name order, then messages.
void Composer::refreshSaved()
{
    m_savedModel->clear();
    QList<Saved> saved = loadSaved();
    std::sort(saved.begin(), saved.end(), [](const Saved &a, const Saved &b) {
        return a.path.compare(b.path, Qt::CaseInsensitive) < 0;
    });
    for (const Saved &message : saved) {
        const QStringList parts = message.path.split(QLatin1Char('/'));
        QStandardItem *parent = m_savedModel->invisibleRootItem();
        for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
            QStandardItem *folder = nullptr;
            for (int row = 0; row < parent->rowCount() && !folder; ++row)
                if (parent->child(row)->text() == parts[i]
                    && parent->child(row)->data(kPathRole).isNull())
                    folder = parent->child(row);
            if (!folder) {
                folder = new QStandardItem(parts[i]);
                folder->setToolTip(tr("Folder"));
                parent->appendRow(folder);
            }
            parent = folder;
        }
        auto *item = new QStandardItem(parts.last());
        item->setData(message.path, kPathRole);
        item->setToolTip(message.kind == FileKind ? message.text : message.text.left(200));
        parent->appendRow(item);
    }
    m_saved->expandAll();
}

} // namespace framescope::ui
