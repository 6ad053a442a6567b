#pragma once

#include <QString>
#include <session/client/sessionerror.h>

namespace framescope::cli {

// framescope-cli's exit codes (docs/cli.md): distinct for each kind of outcome.
enum CliExit {
    ExitSuccess = 0,
    ExitFailedCheck = 1,
    ExitUsage = 2,
    ExitHandshake = 3,
    ExitTls = 4,
    ExitConnection = 5,
    ExitProtocol = 6,
    ExitTimeout = 7,
};

// The exit code for how a session ended.
int exitCodeFor(session::SessionError error);

// Prints "framescope-cli: MESSAGE (try --help)" to standard error; returns ExitUsage.
int usage(const QString &message);

} // namespace framescope::cli
