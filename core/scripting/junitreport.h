#pragma once

#include "scriptresult.h"

#include <QByteArray>
#include <QString>

namespace framescope::scripting {

// The run as JUnit XML, as CI servers read it: one <testsuite> named after the script, one
// <testcase> per test() (a <failure> with its message when it failed), and a "(script)" case
// with an <error> when the script itself did not complete (an uncaught error, the time limit,
// the watchdog); `errorCase` names that case ("(replay)" for a replay).
QByteArray junitReport(const QString &suiteName, const ScriptResult &result,
                       const QString &errorCase = QStringLiteral("(script)")); // UTF-8

} // namespace framescope::scripting
