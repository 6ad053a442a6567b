#pragma once

#include <QString>
#include <QStringList>
#include <functional>
#include <optional>

class QJSValue;
class QRegularExpression;

namespace framescope::scripting {

// A place in a script: a 1-based line and column (column 0: not known).
struct ScriptLocation
{
    QString file;
    int line = 0;
    int column = 0;

    bool isValid() const { return line > 0; }
    // "checks.js:12:5", or "checks.js:12" when the column is not known.
    QString toString() const;
};

// Where in the user's script an error was thrown. Qt 6.4's engine reports an error's line but
// not its column, so the column is found here:
// - a syntax error: from the parser, by compiling the script once more as a QML JavaScript
//   import (nothing runs), whose diagnostics keep the column;
// - an error at run time: from what the error names on its line: the script API call that
//   failed (the function the line called), the identifier not defined, the property that is
//   not a function or could not be read; else a `throw` on the line; else the statement's
//   first character.
class ErrorLocator
{
public:
    // `source` is the user's script as given to the engine under `fileName`; frames of
    // `preludeName` are the script API's own.
    ErrorLocator(QString source, QString fileName, QString preludeName);

    ScriptLocation locate(const QJSValue &error) const;
    // Where a value that is not an Error was thrown, from QJSEngine::evaluate()'s stack trace
    // ("function:line:column:file:name" lines, innermost first).
    ScriptLocation locateThrow(const QStringList &stackTrace) const;

private:
    // The parser's column of the syntax error it reports on `line` (0 when it reports none
    // there).
    int syntaxErrorColumn(int line) const;
    // The column on `line` of what a run-time error names: `calledFunction` is the script API
    // function the line called (empty when none), `message` the error's message.
    int runtimeErrorColumn(int line, const QString &calledFunction, const QString &message) const;
    ScriptLocation
    firstUserFrame(const QStringList &frames, const QRegularExpression &frame,
                   const std::function<int(int line, const QString &called)> &column) const;
    std::optional<QString> lineText(int line) const; // without its line break

    QString m_source;
    QString m_fileName;
    QString m_preludeName;
};

} // namespace framescope::scripting
