#pragma once

#include <QStringList>

namespace framescope::cli {

// The commands that need no network.

// `framescope-cli inspect FILE [--json]`: prints a capture file, its session, then its frames
// and events in time order. Returns the exit code.
int runInspect(const QStringList &arguments);

// `framescope-cli demo`: a whole conversation through the codec, in process. Returns the exit
// code.
int runDemo(const QStringList &arguments);

} // namespace framescope::cli
