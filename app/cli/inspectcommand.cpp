#include "cliexit.h"
#include "offlinecommands.h"
#include "optionparsing.h"

#include <QFile>
#include <QTextStream>
#include <capture/capturefile.h>
#include <cstdio>
#include <session/frontend/frameformatter.h>

namespace framescope::cli {

QString captureReadError(const QString &path, const std::string &error)
{
    // A recording still running (or cut short) has only its journal so far.
    const QString journal = path + QStringLiteral(".partial");
    if (!QFile::exists(path) && QFile::exists(journal))
        return QStringLiteral("no such file, but %1 is there: the recording is still running "
                              "(or was interrupted); that journal can be read as it is")
            .arg(journal);
    QFile file(path);
    if (file.open(QIODevice::ReadOnly) && file.peek(4096).contains("\"log\""))
        return QStringLiteral("this is a HAR file, not a capture: replay and export-k6 read it as "
                              "it is");
    return QString::fromStdString(error);
}

int runInspect(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Print a capture file."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The capture file."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the file's lines back as JSON."));
    parser.addOption(json);
    if (const std::optional<int> exit
        = parseCommandLine(parser, QStringLiteral("inspect"), arguments))
        return *exit;
    if (parser.positionalArguments().size() != 1)
        return usage(QStringLiteral("inspect needs one capture file"));
    const QString path = parser.positionalArguments().constFirst();
    const bool asJson = parser.isSet(json);

    const capture::CaptureReadResult read = capture::readCaptureFile(path.toStdString());
    QTextStream out(stdout);
    if (!read.ok() && read.frames.empty() && read.events.empty()) {
        std::fprintf(stderr, "framescope-cli: %s: %s\n", qPrintable(path),
                     qPrintable(captureReadError(path, read.error)));
        return ExitUsage;
    }
    // Several connections (a server's capture, or a client that reconnected): each line names
    // its connection.
    const bool showConnection
        = std::any_of(read.frames.cbegin(), read.frames.cend(),
                      [](const capture::CapturedFrame &f) { return f.record.connection != 0; })
          || std::any_of(read.events.cbegin(), read.events.cend(),
                         [](const capture::CaptureEvent &e) { return e.connection != 0; });
    if (asJson)
        out << QString::fromStdString(capture::sessionLine(read.session)) << '\n';
    else
        out << session::formatSession(read.session) << '\n';
    // Frames and events in time order, as the file has them (an event first on a tie).
    std::int64_t origin = 0;
    if (!read.frames.empty() || !read.events.empty())
        origin = std::min(read.frames.empty() ? INT64_MAX : read.frames.front().record.endNs,
                          read.events.empty() ? INT64_MAX : read.events.front().timeNs);
    auto nextEvent = read.events.cbegin();
    const auto printEvent = [&](const capture::CaptureEvent &event) {
        if (asJson)
            out << QString::fromStdString(capture::eventLine(event)) << '\n';
        else
            out << session::formatEvent(event, origin, showConnection) << '\n';
    };
    for (const capture::CapturedFrame &frame : read.frames) {
        for (; nextEvent != read.events.cend() && nextEvent->timeNs < frame.record.endNs;
             ++nextEvent)
            printEvent(*nextEvent);
        if (asJson)
            out << QString::fromStdString(capture::frameLine(
                frame.id, frame.record, frame.payloadEvicted ? nullptr : &frame.payload))
                << '\n';
        else
            out << session::formatFrame(frame.record, frame.payload, origin, showConnection)
                << '\n';
    }
    for (; nextEvent != read.events.cend(); ++nextEvent)
        printEvent(*nextEvent);
    out.flush();
    if (read.truncated) // on stderr: --json output stays JSON lines
        std::fprintf(stderr,
                     "framescope-cli: %s: the last line was cut off (recording "
                     "interrupted); the lines before it are shown\n",
                     qPrintable(path));
    if (!read.ok()) {
        std::fprintf(stderr, "framescope-cli: %s: %s\n", qPrintable(path), read.error.c_str());
        return ExitFailedCheck;
    }
    return ExitSuccess;
}

} // namespace framescope::cli
