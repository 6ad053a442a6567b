#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>

// Reading framescope-cli's command lines: each command has a parser of its own, with only its
// own options, so an option meant for another command is a usage error that names it.
namespace framescope::cli {

// Parses `arguments` (the program name first, the command already taken out) with only the
// options added to `parser`. Nothing: parsed. Otherwise the exit code to end with: 0 after
// printing the help asked for, or the usage error (an option the command does not take, a
// missing value).
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QString &command,
                                    const QStringList &arguments);

struct IntOption
{
    const QCommandLineOption &option;
    int &target;
};

// Sets the target of each option given; the usage error for a value that is not a number >= 0.
std::optional<QString> readIntOptions(const QCommandLineParser &parser,
                                      std::initializer_list<IntOption> options);

// A size in MiB (--capture-memory: at least 8, the store's smallest useful size) into bytes.
std::optional<QString> readMemoryOption(const QCommandLineParser &parser,
                                        const QCommandLineOption &option, std::size_t &bytes);

// Options that mean something only beside others are not silently ignored. The usage error when
// one of `dependents` is given without any of `needed` ("--push-text has no effect without
// --push-interval: <why>"), or, for `conflicting`, with one of them.
std::optional<QString> needsOneOf(const QCommandLineParser &parser,
                                  std::initializer_list<const QCommandLineOption *> dependents,
                                  std::initializer_list<const QCommandLineOption *> needed,
                                  const QString &why);
// The first of `options` given, spelled as on the command line ("--name", "-L (--long)").
std::optional<QString> firstGivenName(const QCommandLineParser &parser,
                                      std::initializer_list<const QCommandLineOption *> options);
std::optional<QString> conflictsWith(const QCommandLineParser &parser,
                                     std::initializer_list<const QCommandLineOption *> dependents,
                                     std::initializer_list<const QCommandLineOption *> conflicting,
                                     const QString &why);

// "Name: value" lines (-H); the usage error for one without a name.
std::optional<QString> readHeaders(const QStringList &lines,
                                   QList<QPair<QByteArray, QByteArray>> &headers);

// --close CODE[:REASON]; the usage error for a code or reason that may not be sent.
std::optional<QString> readClose(const QString &value, std::uint16_t &code, QByteArray &reason);

// A file the command will write when it ends (--capture, --junit; "-" for standard output where
// `dashIsOutput`): the usage error, found before anything runs, when it cannot be (its folder
// missing or not writable, the path a folder, the file read-only).
std::optional<QString> checkOutputFile(const QString &option, const QString &path,
                                       bool dashIsOutput = false);

} // namespace framescope::cli
