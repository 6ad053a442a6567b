#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace framescope::scripting {

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
