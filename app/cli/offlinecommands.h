#pragma once

#include <QStringList>
#include <string>

namespace framescope::cli {

// The commands that need no network.

// `framescope-cli inspect FILE [--json]`: prints a capture file, its session, then its frames
// and events in time order. Returns the exit code.
int runInspect(const QStringList &arguments);

// `framescope-cli demo`: a whole conversation through the codec, in process. Returns the exit
// code.
int runDemo(const QStringList &arguments);

// `framescope-cli run SCRIPT.js [--url URL] [-e NAME=VALUE] [--junit FILE] [--timeout S]`: runs a
// script (it opens its own connections) and reports its checks. Needs the application object
// (the script's results come through its event loop). Returns the exit code.
int runScript(const QStringList &arguments);

// `framescope-cli replay CAPTURE --url URL [--speed X] [--ignore RULE] [--junit FILE]`: replays a
// capture or a HAR file and compares what comes back with the recording. Needs the application
// object. Returns the exit code.
int runReplay(const QStringList &arguments);

// `framescope-cli export-har CAPTURE [-o FILE] [--keep-secrets]`: a capture as HAR (Chrome's form).
int runExportHar(const QStringList &arguments);

// Why a capture file could not be read, for "framescope-cli: PATH: WHY": the reader's error, or,
// for a HAR file given where a capture was asked for, which commands read those.
QString captureReadError(const QString &path, const std::string &error);

// `framescope-cli export-k6 CAPTURE_OR_HAR [-o FILE] [--vus N] [--duration D]`: a k6 script.
int runExportK6(const QStringList &arguments);

} // namespace framescope::cli
