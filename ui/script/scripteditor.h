#pragma once

#include <QPlainTextEdit>

class QSyntaxHighlighter;

namespace framescope::ui {

// The script panel's editor: line numbers in a margin, JavaScript highlighted (keywords,
// strings, numbers, comments), and a line marked as where an error is.
class ScriptEditor : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit ScriptEditor(QWidget *parent = nullptr);

    // Marks `line` (from 1) as an error's, with `message` as its tooltip; 0 clears the mark.
    // With a `column` (from 1), the word there is underlined and the cursor put on it.
    void markError(int line, const QString &message = {}, int column = 0);
    int markedLine() const { return m_errorLine; }
    int markedColumn() const { return m_errorColumn; }

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool event(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    friend class LineNumbers;
    int marginWidth() const;
    void paintMargin(QPaintEvent *event);
    // The error's line and column marks, in the palette's colours; the cursor put on the column.
    void paintMarks(bool moveCursor);

    QWidget *m_margin = nullptr;
    QSyntaxHighlighter *m_highlighter = nullptr;
    bool m_restyling = false; // a theme change redoing the formats is no edit
    int m_errorLine = 0;
    int m_errorColumn = 0;
    QString m_errorMessage;
};

} // namespace framescope::ui
