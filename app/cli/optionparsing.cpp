#include "optionparsing.h"

#include "cliexit.h"

#include <QFileInfo>
#include <algorithm>
#include <cstdio>
#include <limits>
#include <protocol/closeframe.h>
#include <session/client/clientoptions.h>

namespace framescope::cli {

int usage(const QString &message)
{
    // A message that names its own help page needs no second hint.
    const bool pointsToHelp = message.contains(QLatin1String("--help"));
    std::fprintf(stderr, "framescope-cli: %s%s\n", qPrintable(message),
                 pointsToHelp ? "" : " (try --help)");
    return ExitUsage;
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QString &command,
                                    const QStringList &arguments)
{
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this command's options."));
    parser.addOption(help);
    if (!parser.parse(arguments)) {
        const QStringList unknown = parser.unknownOptionNames();
        if (!unknown.isEmpty())
            return usage(QStringLiteral("%1 does not take --%2 (see framescope-cli %1 --help)")
                             .arg(command, unknown.constFirst()));
        QString error = parser.errorText(); // "Missing value after '--send'."
        if (error.endsWith(QLatin1Char('.')))
            error.chop(1);
        return usage(QStringLiteral("%1: %2 (see framescope-cli %1 --help)").arg(command, error));
    }
    if (parser.isSet(help)) {
        // "Usage: /path/to/framescope-cli [options]" as the user would type it.
        QString text = parser.helpText();
        const qsizetype options = text.indexOf(QLatin1String(" [options]"));
        if (text.startsWith(QLatin1String("Usage: ")) && options > 0)
            text.replace(7, options - 7, QStringLiteral("framescope-cli ") + command);
        std::fputs(qPrintable(text), stdout);
        return int(ExitSuccess);
    }
    return std::nullopt;
}

std::optional<QString> readIntOptions(const QCommandLineParser &parser,
                                      std::initializer_list<IntOption> options)
{
    for (const IntOption &entry : options) {
        if (!parser.isSet(entry.option))
            continue;
        bool ok = false;
        const QString text = parser.value(entry.option);
        const int value = text.toInt(&ok);
        bool digits = false;
        text.toULongLong(&digits);
        if (!ok && digits)
            return QStringLiteral("--%1 takes at most %2, not %3")
                .arg(entry.option.names().constLast())
                .arg(std::numeric_limits<int>::max())
                .arg(text);
        if (!ok || value < 0)
            return QStringLiteral("--%1 needs a whole number, 0 or more, not \"%2\"")
                .arg(entry.option.names().constLast(), text);
        entry.target = value;
    }
    return std::nullopt;
}

namespace {

// "--name", or "-L (--follow-redirects)" for an option with a one-letter name too.
QString spelled(const QCommandLineOption &option)
{
    const QStringList names = option.names();
    const QString &longest
        = *std::max_element(names.cbegin(), names.cend(),
                            [](const QString &a, const QString &b) { return a.size() < b.size(); });
    QString text = QStringLiteral("--") + longest;
    for (const QString &name : names)
        if (name.size() == 1)
            text = QStringLiteral("-%1 (%2)").arg(name, text);
    return text;
}

const QCommandLineOption *firstGiven(const QCommandLineParser &parser,
                                     std::initializer_list<const QCommandLineOption *> options)
{
    for (const QCommandLineOption *option : options)
        if (parser.isSet(*option))
            return option;
    return nullptr;
}

QString listed(std::initializer_list<const QCommandLineOption *> options, const QString &joiner)
{
    QStringList names;
    for (const QCommandLineOption *option : options)
        names << spelled(*option);
    if (names.size() > 1)
        names.last() = joiner + QLatin1Char(' ') + names.last();
    return names.join(names.size() > 2 ? QStringLiteral(", ") : QStringLiteral(" "));
}

} // namespace

std::optional<QString> firstGivenName(const QCommandLineParser &parser,
                                      std::initializer_list<const QCommandLineOption *> options)
{
    const QCommandLineOption *given = firstGiven(parser, options);
    return given ? std::optional(spelled(*given)) : std::nullopt;
}

std::optional<QString> needsOneOf(const QCommandLineParser &parser,
                                  std::initializer_list<const QCommandLineOption *> dependents,
                                  std::initializer_list<const QCommandLineOption *> needed,
                                  const QString &why)
{
    const QCommandLineOption *given = firstGiven(parser, dependents);
    if (!given || firstGiven(parser, needed))
        return std::nullopt;
    return QStringLiteral("%1 has no effect without %2: %3")
        .arg(spelled(*given), listed(needed, QStringLiteral("or")), why);
}

std::optional<QString> conflictsWith(const QCommandLineParser &parser,
                                     std::initializer_list<const QCommandLineOption *> dependents,
                                     std::initializer_list<const QCommandLineOption *> conflicting,
                                     const QString &why)
{
    const QCommandLineOption *given = firstGiven(parser, dependents);
    const QCommandLineOption *other = firstGiven(parser, conflicting);
    if (!given || !other)
        return std::nullopt;
    return QStringLiteral("%1 has no effect with %2: %3")
        .arg(spelled(*given), spelled(*other), why);
}

std::optional<QString> readMemoryOption(const QCommandLineParser &parser,
                                        const QCommandLineOption &option, std::size_t &bytes)
{
    if (!parser.isSet(option))
        return std::nullopt;
    bool ok = false;
    const qulonglong mib = parser.value(option).toULongLong(&ok);
    // Two 2 MiB pieces are always kept (the block and the record chunk being written).
    if (!ok || mib < 8 || mib > (std::size_t{1} << 24))
        return QStringLiteral("--%1 needs a size in MiB, at least 8")
            .arg(option.names().constLast());
    bytes = std::size_t(mib) << 20;
    return std::nullopt;
}

std::optional<QString> readHeaders(const QStringList &lines,
                                   QList<QPair<QByteArray, QByteArray>> &headers)
{
    for (const QString &line : lines) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return QStringLiteral("-H needs \"Name: value\", got \"%1\"").arg(line);
        const QByteArray name = line.left(colon).trimmed().toUtf8();
        const QByteArray value = line.mid(colon + 1).trimmed().toUtf8();
        if (const std::optional<QString> problem = session::headerProblem(name, value))
            return QStringLiteral("-H: ") + *problem;
        headers.append({name, value});
    }
    return std::nullopt;
}

std::optional<QString> checkOutputFile(const QString &option, const QString &path,
                                       bool dashIsOutput)
{
    if (dashIsOutput && path == QLatin1String("-"))
        return std::nullopt;
    const QFileInfo file(path);
    const QFileInfo folder(file.absolutePath());
    if (file.isDir())
        return QStringLiteral("--%1 %2: that is a folder; give a file name in it")
            .arg(option, path);
    if (!folder.isDir() || !folder.isWritable())
        return QStringLiteral("--%1 %2: the folder %3 does not exist or is not writable")
            .arg(option, path, folder.filePath());
    if (file.exists() && !file.isWritable())
        return QStringLiteral("--%1 %2: the file is not writable").arg(option, path);
    return std::nullopt;
}

std::optional<QString> readClose(const QString &value, std::uint16_t &code, QByteArray &reason)
{
    const qsizetype colon = value.indexOf(QLatin1Char(':'));
    bool ok = false;
    const uint number = (colon < 0 ? value : value.left(colon)).toUInt(&ok);
    if (!ok)
        return QStringLiteral("--close needs CODE[:REASON], a number first (1000:done)");
    if (number > 65535 || !protocol::isValidWireCloseCode(std::uint16_t(number)))
        return QStringLiteral("close code %1 may not be sent (RFC 6455 section 7.4: 1000-1003, "
                              "1007-1014 or 3000-4999)")
            .arg(number);
    reason = colon < 0 ? QByteArray() : value.mid(colon + 1).toUtf8();
    if (!protocol::buildClosePayload(std::uint16_t(number), reason.toStdString()))
        return QStringLiteral("the close reason is %1 bytes (UTF-8): a close frame holds at most "
                              "123")
            .arg(reason.size());
    code = std::uint16_t(number);
    return std::nullopt;
}

int exitCodeFor(session::SessionError error)
{
    switch (error) {
    case session::SessionError::None:
        return ExitSuccess;
    case session::SessionError::InvalidUrl:
    case session::SessionError::LocalError:
        return ExitUsage;
    case session::SessionError::HandshakeFailed:
        return ExitHandshake;
    case session::SessionError::TlsFailed:
        return ExitTls;
    case session::SessionError::ConnectionFailed:
    case session::SessionError::ConnectionLost:
        return ExitConnection;
    case session::SessionError::PeerProtocolError:
    case session::SessionError::LimitExceeded:
        return ExitProtocol;
    case session::SessionError::ConnectionTimeout:
    case session::SessionError::TlsTimeout:
    case session::SessionError::HandshakeTimeout:
    case session::SessionError::IdleTimeout:
    case session::SessionError::CloseTimeout:
        return ExitTimeout;
    }
    return ExitFailedCheck;
}

} // namespace framescope::cli
