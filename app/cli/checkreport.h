#pragma once

#include <QByteArray>
#include <QString>
#include <scripting/scriptresult.h>

// How `run` and `replay` report their checks: a line per check as it finishes, a summary line,
// and files (JUnit XML, exports) written whole or not at all.
namespace framescope::cli {

// "PASS  name" or "FAIL  name: why", flushed at once.
void printCheck(const QString &name, bool passed, const QString &message);

// "ERROR why" when it did not complete, then "N passed, M failed (S s)"; `unfinished` is added
// after the counts when it did not complete.
void printSummary(const scripting::ScriptResult &result, const QString &unfinished = {});

// Writes `bytes` to `path` atomically, or to standard output for "-"; false after saying why.
bool writeOutput(const QString &path, const QByteArray &bytes);

} // namespace framescope::cli
