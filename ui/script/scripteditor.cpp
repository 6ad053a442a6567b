#include "scripteditor.h"

#include <QPainter>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QToolTip>
#include <window/theme.h>

namespace framescope::ui {

// The margin beside the text, painted by the editor.
class LineNumbers : public QWidget
{
public:
    explicit LineNumbers(ScriptEditor &editor)
        : QWidget(&editor)
        , m_editor(editor)
    {}
    QSize sizeHint() const override { return {m_editor.marginWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor.paintMargin(event); }

private:
    ScriptEditor &m_editor;
};

namespace {

// Keywords, strings, numbers and comments; block comments across lines.
class JavaScriptHighlighter : public QSyntaxHighlighter
{
public:
    explicit JavaScriptHighlighter(QTextDocument *document)
        : QSyntaxHighlighter(document)
    {}

protected:
    void highlightBlock(const QString &text) override
    {
        const bool dark = isDarkPalette();
        QTextCharFormat keyword;
        keyword.setForeground(dark ? QColor(0xc5, 0x86, 0xc0) : QColor(0x8e, 0x24, 0xaa));
        keyword.setFontWeight(QFont::Bold);
        QTextCharFormat string;
        string.setForeground(dark ? QColor(0xce, 0x91, 0x78) : QColor(0xa3, 0x15, 0x15));
        QTextCharFormat number;
        number.setForeground(dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x09, 0x86, 0x58));
        QTextCharFormat comment;
        comment.setForeground(dark ? QColor(0x6a, 0x99, 0x55) : QColor(0x00, 0x80, 0x00));
        comment.setFontItalic(true);

        static const QRegularExpression keywords(QStringLiteral(
            "\\b(break|case|catch|const|continue|default|do|else|false|finally|for|function|if|"
            "in|instanceof|let|new|null|of|return|switch|this|throw|true|try|typeof|undefined|"
            "var|while)\\b"));
        static const QRegularExpression numbers(
            QStringLiteral("\\b(0x[0-9a-fA-F]+|\\d+(\\.\\d+)?)\\b"));
        static const QRegularExpression strings(
            QStringLiteral("\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'|`(\\\\.|[^`\\\\])*`"));
        for (const auto &[pattern, format] :
             {std::pair{&keywords, keyword}, std::pair{&numbers, number},
              std::pair{&strings, string}}) {
            for (auto it = pattern->globalMatch(text); it.hasNext();) {
                const QRegularExpressionMatch match = it.next();
                setFormat(int(match.capturedStart()), int(match.capturedLength()), format);
            }
        }
        // Comments last, over anything inside them (a string in a comment is comment).
        setCurrentBlockState(0);
        int start = previousBlockState() == 1 ? 0 : -1;
        int from = 0;
        for (;;) {
            if (start < 0) {
                const qsizetype line = text.indexOf(QStringLiteral("//"), from);
                const qsizetype block = text.indexOf(QStringLiteral("/*"), from);
                if (line >= 0 && (block < 0 || line < block)) {
                    setFormat(int(line), int(text.size() - line), comment);
                    return;
                }
                if (block < 0)
                    return;
                start = int(block);
                from = start + 2;
            }
            const qsizetype end = text.indexOf(QStringLiteral("*/"), from);
            if (end < 0) {
                setFormat(start, int(text.size()) - start, comment);
                setCurrentBlockState(1);
                return;
            }
            setFormat(start, int(end + 2 - start), comment);
            from = int(end + 2);
            start = -1;
        }
    }
};

} // namespace

ScriptEditor::ScriptEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_margin(new LineNumbers(*this))
{
    setAccessibleName(tr("Script"));
    setLineWrapMode(NoWrap);
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setFont(fixed);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 4);
    m_highlighter = new JavaScriptHighlighter(document());
    connect(this, &QPlainTextEdit::blockCountChanged, this,
            [this] { setViewportMargins(marginWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect &rect, int dy) {
        if (dy != 0)
            m_margin->scroll(0, dy);
        else
            m_margin->update(0, rect.y(), m_margin->width(), rect.height());
    });
    // Editing the marked line takes the mark away: the error was about the old text.
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        if (m_errorLine != 0 && !m_restyling)
            markError(0);
    });
    setViewportMargins(marginWidth(), 0, 0, 0);
}

int ScriptEditor::marginWidth() const
{
    int digits = 1;
    for (int lines = std::max(1, blockCount()); lines >= 10; lines /= 10)
        ++digits;
    return 8 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * std::max(3, digits);
}

void ScriptEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_margin->setGeometry(area.left(), area.top(), marginWidth(), area.height());
}

bool ScriptEditor::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && m_errorLine > 0) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QTextCursor at = cursorForPosition(viewport()->mapFromGlobal(help->globalPos()));
        if (at.blockNumber() + 1 == m_errorLine) {
            QToolTip::showText(help->globalPos(), m_errorMessage, this);
            return true;
        }
    }
    return QPlainTextEdit::event(event);
}

// A theme change: the highlighting and the error's mark take the new palette's colours.
void ScriptEditor::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() != QEvent::PaletteChange || !m_highlighter)
        return;
    m_restyling = true;
    m_highlighter->rehighlight();
    paintMarks(false);
    m_restyling = false;
}

void ScriptEditor::markError(int line, const QString &message, int column)
{
    m_errorLine = line;
    m_errorColumn = line > 0 ? column : 0;
    m_errorMessage = message;
    paintMarks(true);
}

void ScriptEditor::paintMarks(bool moveCursor)
{
    const int line = m_errorLine;
    const QString &message = m_errorMessage;
    QList<QTextEdit::ExtraSelection> marks;
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    if (line > 0 && block.isValid()) {
        QTextEdit::ExtraSelection mark;
        mark.format.setBackground(isDarkPalette() ? QColor(0x5c, 0x1f, 0x1f)
                                                  : QColor(0xff, 0xd7, 0xd7));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        mark.format.setToolTip(message);
        mark.cursor = QTextCursor(block);
        marks << mark;
        if (m_errorColumn > 0 && m_errorColumn <= block.length()) {
            // The word at the column (or its one character), underlined; the cursor put there.
            QTextCursor at(block);
            at.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, m_errorColumn - 1);
            QTextCursor word = at;
            const QString text = block.text();
            qsizetype end = m_errorColumn - 1;
            while (end < text.size()
                   && (text[end].isLetterOrNumber() || text[end] == u'_' || text[end] == u'$'))
                ++end;
            word.setPosition(block.position() + std::max<qsizetype>(end, m_errorColumn),
                             QTextCursor::KeepAnchor);
            QTextEdit::ExtraSelection spot;
            spot.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            spot.format.setUnderlineColor(problemColor());
            spot.format.setToolTip(message);
            spot.cursor = word;
            marks << spot;
            if (moveCursor) {
                setTextCursor(at);
                ensureCursorVisible();
            }
        }
    }
    setExtraSelections(marks);
    m_margin->update();
}

void ScriptEditor::paintMargin(QPaintEvent *event)
{
    QPainter painter(m_margin);
    painter.fillRect(event->rect(), palette().color(QPalette::AlternateBase));
    QTextBlock block = firstVisibleBlock();
    int top = int(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = int(blockBoundingRect(block).height());
        if (block.isVisible() && top + height >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            painter.setPen(line == m_errorLine ? problemColor()
                                               : palette().color(QPalette::PlaceholderText));
            painter.drawText(0, top, m_margin->width() - 4, fontMetrics().height(),
                             Qt::AlignRight | Qt::AlignVCenter, QString::number(line));
        }
        block = block.next();
        top += height;
    }
}

} // namespace framescope::ui
