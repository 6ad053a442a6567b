#pragma once

#include "recording.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <optional>
#include <variant>

namespace framescope::replay {

// What a replay leaves out when it compares a message with the recording: volatile fields
// such as ids and times.
//   s/REGEX/REPLACEMENT/   every match, in both messages, replaced (\1 for a group)
//   /REGEX/                every match replaced with "…"
//   $.path.to[0].field     a JSON value left out ([*] and .* for every element or member)
struct IgnoreRule
{
    QString text; // as given
    QRegularExpression pattern;
    QString replacement;
    // A JSON path's steps: member names, array indices ("3"), or "*" for all.
    QStringList path;
    bool isJsonPath() const { return !path.isEmpty(); }
};

// The rule, or why it is not one.
std::variant<IgnoreRule, QString> parseIgnoreRule(const QString &text);
// Each rule of the list appended to `rules` (blank ones skipped, spaces around trimmed); why the
// first that is not a rule is not one.
std::optional<QString> parseIgnoreRules(const QStringList &texts, QList<IgnoreRule> &rules);

// Nothing when `actual` matches `expected` once the rules are applied to both; otherwise the
// differences in words, "; " between them: every place two JSON messages differ ("at $.status:
// expected \"ok\", got \"error\"; at $.id: ..."), where two other texts or two binary messages
// first differ.
std::optional<QString> compareMessages(const RecordedMessage &expected,
                                       const RecordedMessage &actual,
                                       const QList<IgnoreRule> &rules);

// A message in a few words for a report: its text (escaped, cut at `max` characters) or its
// size and first bytes in hex.
QString describeMessage(const RecordedMessage &message, int max = 60);

} // namespace framescope::replay
