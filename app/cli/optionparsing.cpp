#include "optionparsing.h"

#include "cliexit.h"

#include <cstdio>
#include <protocol/closeframe.h>

namespace framescope::cli {

int usage(const QString &message)
{
    std::fprintf(stderr, "framescope-cli: %s (try --help)\n", qPrintable(message));
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
        return usage(QStringLiteral("%1: %2").arg(command, parser.errorText()));
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText().replace(QLatin1String("[options]"),
                                                        command + QStringLiteral(" [options]"))),
                   stdout);
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
        const int value = parser.value(entry.option).toInt(&ok);
        if (!ok || value < 0)
            return QStringLiteral("--%1 needs a number").arg(entry.option.names().constLast());
        entry.target = value;
    }
    return std::nullopt;
}

std::optional<QString> readHeaders(const QStringList &lines,
                                   QList<QPair<QByteArray, QByteArray>> &headers)
{
    for (const QString &line : lines) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return QStringLiteral("-H needs \"Name: value\", got \"%1\"").arg(line);
        headers.append(
            {line.left(colon).trimmed().toUtf8(), line.mid(colon + 1).trimmed().toUtf8()});
    }
    return std::nullopt;
}

std::optional<QString> readClose(const QString &value, std::uint16_t &code, QByteArray &reason)
{
    const qsizetype colon = value.indexOf(QLatin1Char(':'));
    bool ok = false;
    const uint number = (colon < 0 ? value : value.left(colon)).toUInt(&ok);
    if (!ok || number > 65535)
        return QStringLiteral("--close needs CODE[:REASON]");
    reason = colon < 0 ? QByteArray() : value.mid(colon + 1).toUtf8();
    if (!protocol::buildClosePayload(std::uint16_t(number), reason.toStdString()))
        return QStringLiteral("close code %1 may not be sent (or the reason is over 123 bytes)")
            .arg(number);
    code = std::uint16_t(number);
    return std::nullopt;
}

} // namespace framescope::cli
