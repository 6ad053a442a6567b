#pragma once

#include "comparison.h"
#include "recording.h"

#include <QList>
#include <QString>
#include <optional>

namespace framescope::replay {

struct K6Options
{
    QString sourceName; // the capture's or HAR file's name, for the script's first lines
    int vus = 1;
    QString duration = QStringLiteral("30s");
    int replyWaitMs = 5000;  // after the last send, before the connection is closed
    QList<IgnoreRule> rules; // applied in the script's checks, as a replay applies them
};

// A k6 script (k6's WebSocket module, k6/ws) that opens the recording's connection with its
// headers and subprotocols, sends the client's messages at the recorded pace and checks each
// reply against the recording with k6 checks. Virtual users and duration are options at the
// top (and VUS, DURATION in the environment). Secrets are never written into it: a header the
// recording redacted, or whose name marks it secret, is read from an environment variable
// (FRAMESCOPE_HEADER_<NAME>), and so is a URL with redacted parts (FRAMESCOPE_URL).
QString k6Script(const Recording &recording, const K6Options &options);

// Why a rule cannot go into a k6 script (its regular expression is not JavaScript's), or
// nothing.
std::optional<QString> k6RuleProblem(const IgnoreRule &rule);

// The environment variable a k6 script reads a secret header's value from.
QString k6HeaderVariable(const QString &headerName);

} // namespace framescope::replay
