#include "errorlocation.h"

#include <QFile>
#include <QJSValue>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtQml/qqml.h>
#include <mutex>
#include <optional>

namespace framescope::scripting {

namespace {

// The column (1-based) where the capture of `pattern` that matched begins in `text`, or 0.
int columnOf(const QString &text, const QString &pattern)
{
    const QRegularExpressionMatch match = QRegularExpression(pattern).match(text);
    for (int group = 1; group <= match.lastCapturedIndex(); ++group)
        if (match.capturedStart(group) >= 0)
            return int(match.capturedStart(group)) + 1;
    return 0;
}

// `name` as a whole JavaScript identifier, captured.
QString identifier(const QString &name)
{
    return QStringLiteral("(?<![\\w$])(%1)(?![\\w$])").arg(QRegularExpression::escape(name));
}

} // namespace

QString ScriptLocation::toString() const
{
    if (column > 0)
        return QStringLiteral("%1:%2:%3").arg(file).arg(line).arg(column);
    return QStringLiteral("%1:%2").arg(file).arg(line);
}

ErrorLocator::ErrorLocator(QString source, QString fileName, QString preludeName)
    : m_source(std::move(source))
    , m_fileName(std::move(fileName))
    , m_preludeName(std::move(preludeName))
{}

ScriptLocation ErrorLocator::locate(const QJSValue &error) const
{
    const bool syntax
        = error.property(QStringLiteral("name")).toString() == QLatin1String("SyntaxError");
    const QString message = error.property(QStringLiteral("message")).toString();
    // Frames read "function@file:name:line", innermost first.
    static const QRegularExpression frame(
        QStringLiteral("^(?<function>.*)@(?:file:)?(?<file>.*):(?<line>\\d+)$"));
    ScriptLocation at = firstUserFrame(
        error.property(QStringLiteral("stack")).toString().split(QLatin1Char('\n')), frame,
        [&](int line, const QString &called) {
            // A SyntaxError the parser does not report was thrown at run time (JSON.parse).
            const int column = syntax ? syntaxErrorColumn(line) : 0;
            return column != 0 ? column : runtimeErrorColumn(line, called, message);
        });
    if (at.isValid())
        return at;
    // Without a stack (a syntax error may have none): the error's own line.
    const int line = error.property(QStringLiteral("lineNumber")).toInt();
    if (line <= 0)
        return {};
    return {m_fileName, line, syntax ? syntaxErrorColumn(line) : 0};
}

ScriptLocation ErrorLocator::locateThrow(const QStringList &stackTrace) const
{
    // Frames read "function:line:column:file:name" (the column always -1 in Qt 6.4).
    static const QRegularExpression frame(
        QStringLiteral("^(?<function>.*):(?<line>\\d+):-?\\d+:(?:file:)?(?<file>.*)$"));
    return firstUserFrame(stackTrace, frame, [&](int line, const QString &called) {
        return runtimeErrorColumn(line, called, {});
    });
}

// The first frame in the user's script, its column from `column`. The script API's own frames
// come before the user's when an API call threw, the last of them the function the user called.
ScriptLocation ErrorLocator::firstUserFrame(
    const QStringList &frames, const QRegularExpression &frame,
    const std::function<int(int line, const QString &called)> &column) const
{
    QString called;
    for (const QString &entry : frames) {
        const QRegularExpressionMatch match = frame.match(entry);
        if (!match.hasMatch())
            continue;
        if (match.captured(u"file") == m_preludeName) {
            called = match.captured(u"function");
            continue;
        }
        ScriptLocation at{match.captured(u"file"), match.captured(u"line").toInt(), 0};
        if (at.file == m_fileName)
            at.column = column(at.line, called);
        return at;
    }
    return {};
}

int ErrorLocator::syntaxErrorColumn(int line) const
{
    // Qt's parser knows the column; QJSEngine drops it, QQmlComponent's diagnostics keep it. The
    // script is imported by a document whose root is a plain QObject registered for this, so
    // no QML module need be installed; nothing is created, so nothing of the script runs.
    static std::once_flag registered;
    std::call_once(registered,
                   [] { qmlRegisterType<QObject>("Framescope.SyntaxCheck", 1, 0, "Root"); });
    QTemporaryDir dir;
    if (!dir.isValid())
        return 0;
    QFile script(dir.filePath(QStringLiteral("script.js")));
    if (!script.open(QIODevice::WriteOnly) || script.write(m_source.toUtf8()) < 0)
        return 0;
    script.close();
    QQmlEngine engine;
    QQmlComponent document(&engine);
    document.setData("import Framescope.SyntaxCheck 1.0\n"
                     "import \"script.js\" as Script\n"
                     "Root {}\n",
                     QUrl::fromLocalFile(dir.filePath(QStringLiteral("check.qml"))));
    for (const QQmlError &problem : document.errors())
        if (problem.url().fileName() == QLatin1String("script.js") && problem.line() == line
            && problem.column() > 0)
            return problem.column();
    return 0;
}

int ErrorLocator::runtimeErrorColumn(int line, const QString &calledFunction,
                                     const QString &message) const
{
    const std::optional<QString> found = lineText(line);
    if (!found)
        return 0;
    const QString &text = *found;
    // The script API call that threw: its name where the line calls it.
    if (!calledFunction.isEmpty())
        if (const int column
            = columnOf(text, identifier(calledFunction) + QStringLiteral("\\s*\\(")))
            return column;
    // What the engine's message names (a name, not a value: "1 is not a function" names none).
    static const QRegularExpression nameOnly(QStringLiteral("^[A-Za-z_$][\\w$]*$"));
    static const QRegularExpression builtIn(QStringLiteral("^([A-Za-z_$][\\w$.]*): "));
    static const QRegularExpression notDefined(QStringLiteral("^(.+) is not defined$"));
    static const QRegularExpression notCallable(
        QStringLiteral("^(?:Property '(.+)' of object .* is not a function"
                       "|Cannot call method '(.+)' of .*)$"));
    static const QRegularExpression notReadable(
        QStringLiteral("^Cannot (?:read|set) property '(.+)' of .*$"));
    static const QRegularExpression notFunction(QStringLiteral("^(.+) is not a function$"));
    if (const auto undefinedName = notDefined.match(message); undefinedName.hasMatch()) {
        if (const int column = columnOf(text, identifier(undefinedName.captured(1))))
            return column;
    } else if (const auto called = notCallable.match(message); called.hasMatch()) {
        const QString name = called.captured(1).isEmpty() ? called.captured(2) : called.captured(1);
        if (const int column = columnOf(text, identifier(name) + QStringLiteral("\\s*\\(")))
            return column;
    } else if (const auto read = notReadable.match(message); read.hasMatch()) {
        const QString name = QRegularExpression::escape(read.captured(1));
        if (const int column = columnOf(
                text,
                QStringLiteral("(?:\\.\\s*(%1)(?![\\w$])|\\[\\s*['\"](%1)['\"]\\s*\\])").arg(name)))
            return column;
    } else if (const auto notCalled = notFunction.match(message);
               notCalled.hasMatch() && nameOnly.match(notCalled.captured(1)).hasMatch()) {
        if (const int column = columnOf(text, identifier(notCalled.captured(1))))
            return column;
    } else if (const auto function = builtIn.match(message); function.hasMatch()) {
        // "JSON.parse: Parse error": where the line calls it.
        if (const int column
            = columnOf(text, identifier(function.captured(1)) + QStringLiteral("\\s*\\(")))
            return column;
    }
    // The script's own throw.
    if (const int column = columnOf(text, identifier(QStringLiteral("throw"))))
        return column;
    // The statement that threw: where the line's code begins.
    static const QRegularExpression code(QStringLiteral("(\\S)"));
    const QRegularExpressionMatch first = code.match(text);
    return first.hasMatch() ? int(first.capturedStart(1)) + 1 : 0;
}

std::optional<QString> ErrorLocator::lineText(int line) const
{
    if (line <= 0)
        return {};
    qsizetype begin = 0;
    for (int at = 1; at < line; ++at) {
        begin = m_source.indexOf(QLatin1Char('\n'), begin);
        if (begin < 0)
            return {};
        ++begin;
    }
    qsizetype end = m_source.indexOf(QLatin1Char('\n'), begin);
    if (end < 0)
        end = m_source.size();
    QString text = m_source.mid(begin, end - begin);
    if (text.endsWith(QLatin1Char('\r')))
        text.chop(1);
    return text;
}

} // namespace framescope::scripting
