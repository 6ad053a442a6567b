#pragma once

#include <QTableWidget>

namespace framescope::ui {

// The extra request headers as a table, a row a header (Name, Value), with an empty row at the
// end to type the next one into. Pasting "Name: value" lines adds a row each. As text (for
// settings, profiles and tests) it is the same "Name: value" lines.
class HeadersTable : public QTableWidget
{
    Q_OBJECT

public:
    explicit HeadersTable(QWidget *parent = nullptr);

    // The rows with a name or a value, in order, as typed (trimmed).
    QList<QPair<QString, QString>> headers() const;
    // "Name: value" a line, the rows with a name or a value, in order.
    QString toPlainText() const;
    // Replaces the rows: a line a row, split at its first ':' (a line without one is a name).
    void setPlainText(const QString &text);
    // Adds the lines as rows before the empty last one.
    void appendLines(const QString &text);

    QSize sizeHint() const override;

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void keepOneEmptyRowAtTheEnd();
    bool rowIsEmpty(int row) const;
    QString cellText(int row, int column) const;
};

} // namespace framescope::ui
