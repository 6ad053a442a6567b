#include "comparison.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <session/frontend/frameformatter.h>

namespace framescope::replay {

using nlohmann::json;

namespace {

const QString kIgnored = QStringLiteral("…");

// "$.a.b[0]['c d'][*].*" into its steps.
std::variant<QStringList, QString> parsePath(const QString &text)
{
    QStringList steps;
    qsizetype i = 1; // after '$'
    const auto bad = [&](const QString &why) {
        return QStringLiteral("%1 in the JSON path \"%2\" (at character %3)")
            .arg(why, text)
            .arg(i + 1);
    };
    while (i < text.size()) {
        if (text[i] == QLatin1Char('.')) {
            qsizetype end = i + 1;
            while (end < text.size() && text[end] != QLatin1Char('.')
                   && text[end] != QLatin1Char('['))
                ++end;
            if (end == i + 1)
                return bad(QStringLiteral("a member name is missing"));
            steps << text.mid(i + 1, end - i - 1);
            i = end;
        } else if (text[i] == QLatin1Char('[')) {
            const qsizetype close = text.indexOf(QLatin1Char(']'), i);
            if (close < 0)
                return bad(QStringLiteral("a '[' is not closed"));
            QString inside = text.mid(i + 1, close - i - 1).trimmed();
            if (inside.size() >= 2
                && (inside.startsWith(QLatin1Char('\'')) || inside.startsWith(QLatin1Char('"')))
                && inside.back() == inside.front()) {
                steps << inside.mid(1, inside.size() - 2);
            } else {
                bool number = false;
                inside.toUInt(&number);
                if (!number && inside != QLatin1String("*"))
                    return bad(
                        QStringLiteral("[%1] is not an index, * or a quoted name").arg(inside));
                steps << inside;
            }
            i = close + 1;
        } else {
            return bad(QStringLiteral("'.' or '[' expected"));
        }
    }
    if (steps.isEmpty())
        return bad(QStringLiteral("no step after $"));
    return steps;
}

// Leaves out the values at `path` (from step `at`) in `value`.
void removePath(json &value, const QStringList &path, qsizetype at)
{
    const QString &step = path[at];
    const bool last = at + 1 == path.size();
    if (value.is_object()) {
        if (step == QLatin1String("*")) {
            if (last)
                value = json::object();
            else
                for (auto &[key, member] : value.items())
                    removePath(member, path, at + 1);
            return;
        }
        const auto found = value.find(step.toStdString());
        if (found == value.end())
            return;
        if (last)
            value.erase(found);
        else
            removePath(*found, path, at + 1);
    } else if (value.is_array()) {
        bool number = false;
        const uint index = step.toUInt(&number);
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (step != QLatin1String("*") && (!number || i != index))
                continue;
            if (last)
                value[i] = kIgnored.toStdString(); // keeps the other elements' places
            else
                removePath(value[i], path, at + 1);
        }
    }
}

// Every JSON path rule applied to `value`.
void removePaths(json &value, const QList<IgnoreRule> &rules)
{
    for (const IgnoreRule &rule : rules)
        if (rule.isJsonPath())
            removePath(value, rule.path, 0);
}

// The JSON path rules applied to `text` when it is JSON (it is then written again, compact);
// false when it is not JSON.
bool removePaths(QString &text, const QList<IgnoreRule> &rules)
{
    json value = json::parse(text.toStdString(), nullptr, false);
    if (value.is_discarded())
        return false;
    removePaths(value, rules);
    text = QString::fromStdString(value.dump(-1, ' ', false, json::error_handler_t::replace));
    return true;
}

QString jsonText(const json &value)
{
    QString text
        = QString::fromStdString(value.dump(-1, ' ', false, json::error_handler_t::replace));
    if (text.size() > 60)
        text = text.left(57) + QStringLiteral("...");
    return session::printable(text);
}

// Every place where two JSON values differ, and how, in document order (up to kMaxDifferences,
// then how many more): one run names them all, not one per ignore rule added.
constexpr qsizetype kMaxDifferences = 8;

void jsonDifferences(const json &expected, const json &actual, const QString &where,
                     QStringList &found, qsizetype &more)
{
    if (expected == actual)
        return;
    const auto add = [&](QString difference) {
        if (found.size() < kMaxDifferences)
            found << std::move(difference);
        else
            ++more;
    };
    if (expected.is_object() && actual.is_object()) {
        for (const auto &[key, value] : expected.items()) {
            const QString at = where + QLatin1Char('.') + QString::fromStdString(key);
            const auto other = actual.find(key);
            if (other == actual.end())
                add(QStringLiteral("at %1: expected %2, missing").arg(at, jsonText(value)));
            else
                jsonDifferences(value, *other, at, found, more);
        }
        for (const auto &[key, value] : actual.items())
            if (!expected.contains(key))
                add(QStringLiteral("at %1.%2: not expected, got %3")
                        .arg(where, QString::fromStdString(key), jsonText(value)));
    } else if (expected.is_array() && actual.is_array()) {
        for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i)
            jsonDifferences(expected[i], actual[i], QStringLiteral("%1[%2]").arg(where).arg(i),
                            found, more);
        if (expected.size() != actual.size())
            add(QStringLiteral("at %1: expected %2 elements, got %3")
                    .arg(where)
                    .arg(expected.size())
                    .arg(actual.size()));
    } else {
        add(QStringLiteral("at %1: expected %2, got %3")
                .arg(where, jsonText(expected), jsonText(actual)));
    }
}

std::optional<QString> jsonDifferences(const json &expected, const json &actual)
{
    QStringList found;
    qsizetype more = 0;
    jsonDifferences(expected, actual, QStringLiteral("$"), found, more);
    if (found.isEmpty())
        return std::nullopt;
    if (more > 0)
        found << QStringLiteral("%1 more").arg(more);
    return found.join(QStringLiteral("; "));
}

QString snippet(const QString &text, qsizetype at)
{
    const qsizetype from = std::max<qsizetype>(0, at - 20);
    QString cut = text.mid(from, 50);
    return (from > 0 ? QStringLiteral("...") : QString()) + session::printable(cut)
           + (from + 50 < text.size() ? QStringLiteral("...") : QString());
}

} // namespace

std::variant<IgnoreRule, QString> parseIgnoreRule(const QString &text)
{
    IgnoreRule rule;
    rule.text = text;
    if (text.startsWith(QLatin1Char('$'))) {
        auto path = parsePath(text);
        if (auto *error = std::get_if<QString>(&path))
            return *error;
        rule.path = std::get<QStringList>(path);
        return rule;
    }
    // s/REGEX/REPLACEMENT/ or /REGEX/, with \/ for a slash inside.
    QStringList parts;
    QString current;
    const bool substitute = text.startsWith(QLatin1String("s/"));
    qsizetype i = substitute ? 2 : text.startsWith(QLatin1Char('/')) ? 1 : -1;
    if (i < 0)
        return QStringLiteral("\"%1\" is not an ignore rule: give $.json.path, /REGEX/ or "
                              "s/REGEX/REPLACEMENT/")
            .arg(text);
    for (; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('\\') && i + 1 < text.size()
            && text[i + 1] == QLatin1Char('/')) {
            current += QLatin1Char('/');
            ++i;
        } else if (text[i] == QLatin1Char('/')) {
            parts << current;
            current.clear();
        } else {
            current += text[i];
        }
    }
    if (!current.isEmpty() || parts.size() != (substitute ? 2 : 1))
        return QStringLiteral("\"%1\" is not an ignore rule: %2 must end with '/'")
            .arg(text,
                 substitute ? QStringLiteral("s/REGEX/REPLACEMENT/") : QStringLiteral("/REGEX/"));
    rule.pattern = QRegularExpression(parts[0]);
    if (!rule.pattern.isValid() || parts[0].isEmpty())
        return QStringLiteral("\"%1\": the regular expression is not valid: %2")
            .arg(text,
                 parts[0].isEmpty() ? QStringLiteral("it is empty") : rule.pattern.errorString());
    rule.replacement = substitute ? parts[1] : kIgnored;
    return rule;
}

std::optional<QString> parseIgnoreRules(const QStringList &texts, QList<IgnoreRule> &rules)
{
    for (const QString &text : texts) {
        if (text.trimmed().isEmpty())
            continue;
        auto rule = parseIgnoreRule(text.trimmed());
        if (const QString *error = std::get_if<QString>(&rule))
            return *error;
        rules.append(std::get<IgnoreRule>(rule));
    }
    return std::nullopt;
}

std::optional<QString> compareMessages(const RecordedMessage &expected,
                                       const RecordedMessage &actual,
                                       const QList<IgnoreRule> &rules)
{
    if (expected.binary != actual.binary)
        return QStringLiteral("expected a %1 message, got a %2 message (%3)")
            .arg(expected.binary ? QStringLiteral("binary") : QStringLiteral("text"),
                 actual.binary ? QStringLiteral("binary") : QStringLiteral("text"),
                 describeMessage(actual));
    if (expected.binary) {
        if (expected.data == actual.data)
            return std::nullopt;
        qsizetype at = 0;
        while (at < expected.data.size() && at < actual.data.size()
               && expected.data[at] == actual.data[at])
            ++at;
        return QStringLiteral("the bytes differ from byte %1: expected %2, got %3")
            .arg(at)
            .arg(describeMessage(expected), describeMessage(actual));
    }
    const auto applyTextRules = [&rules](QString text) {
        for (const IgnoreRule &rule : rules)
            if (!rule.isJsonPath())
                text.replace(rule.pattern, rule.replacement);
        return text;
    };
    const QString wantAsCame = QString::fromUtf8(expected.data);
    const QString gotAsCame = QString::fromUtf8(actual.data);
    QString want = applyTextRules(wantAsCame);
    QString got = applyTextRules(gotAsCame);
    json wantJson = json::parse(want.toStdString(), nullptr, false);
    json gotJson = json::parse(got.toStdString(), nullptr, false);
    const bool hasPaths = std::any_of(rules.begin(), rules.end(),
                                      [](const IgnoreRule &rule) { return rule.isJsonPath(); });
    // Set when a message as it came is not JSON, so the path rules could not apply to it.
    QString notJson;
    if (hasPaths && (wantJson.is_discarded() || gotJson.is_discarded())) {
        // A text rule may have left text that is no longer JSON: the paths first, on the
        // messages as they came (written again compact), then the text rules.
        QString wantPathsFirst = wantAsCame;
        QString gotPathsFirst = gotAsCame;
        const bool wantIsJson = removePaths(wantPathsFirst, rules);
        const bool gotIsJson = removePaths(gotPathsFirst, rules);
        if (!wantIsJson || !gotIsJson) {
            notJson = !wantIsJson && !gotIsJson ? QStringLiteral("messages are")
                      : wantIsJson              ? QStringLiteral("message received is")
                                                : QStringLiteral("recorded message is");
        } else {
            want = applyTextRules(wantPathsFirst);
            got = applyTextRules(gotPathsFirst);
            wantJson = json::parse(want.toStdString(), nullptr, false);
            gotJson = json::parse(got.toStdString(), nullptr, false);
        }
    }
    std::optional<QString> difference;
    if (!wantJson.is_discarded() && !gotJson.is_discarded()) {
        removePaths(wantJson, rules);
        removePaths(gotJson, rules);
        difference = jsonDifferences(wantJson, gotJson);
    } else if (want != got) {
        qsizetype at = 0;
        while (at < want.size() && at < got.size() && want[at] == got[at])
            ++at;
        difference
            = QStringLiteral("the text differs from character %1: expected \"%2\", got \"%3\"")
                  .arg(at)
                  .arg(snippet(want, at), snippet(got, at));
    }
    // A path rule that could not apply is said, not silently skipped.
    if (difference && !notJson.isEmpty())
        difference->append(
            QStringLiteral(" (the $ path rules left nothing out: the %1 not JSON)").arg(notJson));
    return difference;
}

QString describeMessage(const RecordedMessage &message, int max)
{
    if (message.binary) {
        QString hex = QString::fromLatin1(message.data.left(16).toHex(' '));
        return QStringLiteral("%1 bytes: %2%3")
            .arg(message.data.size())
            .arg(hex, message.data.size() > 16 ? QStringLiteral(" ...") : QString());
    }
    QString text = QString::fromUtf8(message.data);
    if (text.size() > max)
        text = text.left(max - 3) + QStringLiteral("...");
    return QLatin1Char('"') + session::printable(text) + QLatin1Char('"');
}

} // namespace framescope::replay
