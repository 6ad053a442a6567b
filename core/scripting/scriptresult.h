#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace framescope::scripting {

// What a script gives as text (a test's name, a message, a log line), fit for a console line and
// an XML report: control characters other than tab and line breaks written as \u0000, and
// what is not a character (a lone UTF-16 surrogate, U+FFFE, U+FFFF) as U+FFFD.
inline QString readableText(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype at = 0; at < text.size(); ++at) {
        const QChar c = text[at];
        if (c.isHighSurrogate() && at + 1 < text.size() && text[at + 1].isLowSurrogate()) {
            out.append(c).append(text[++at]);
        } else if (c.isSurrogate() || c.unicode() == 0xfffe || c.unicode() == 0xffff) {
            out.append(QChar::ReplacementCharacter);
        } else if (c.unicode() < 0x20 && c != u'\t' && c != u'\n' && c != u'\r') {
            out.append(QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0')));
        } else {
            out.append(c);
        }
    }
    return out;
}

// One named check: a script's test(name, fn).
struct TestResult
{
    QString name;
    bool passed = false;
    QString message; // why it failed, with file and line
    double seconds = 0;
};

// How a script run went.
struct ScriptResult
{
    enum class Ending {
        Completed, // ran to its end
        Failed,    // an uncaught error (its message names file and line)
        TimedOut,  // over its time limit
        Stopped,   // stopped by the user, or by the watchdog (a loop that never calls the API)
    };
    Ending ending = Ending::Completed;
    QString error;
    QList<TestResult> tests;
    double seconds = 0;

    // Everything passed: it completed and no test failed.
    bool passed() const
    {
        if (ending != Ending::Completed)
            return false;
        for (const TestResult &test : tests)
            if (!test.passed)
                return false;
        return true;
    }
};

} // namespace framescope::scripting
