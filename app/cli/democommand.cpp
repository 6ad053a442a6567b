#include "cliexit.h"
#include "offlinecommands.h"
#include "optionparsing.h"

#include <cstdio>
#include <teaching/echodemo.h>
#include <teaching/echodemoreport.h>

namespace framescope::cli {

int runDemo(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A whole WebSocket conversation between a client and an echo server built from "
        "Framescope's codec, joined by an in-memory pipe, printed frame by frame."));
    const QCommandLineOption deflate(QStringLiteral("deflate"),
                                     QStringLiteral("Negotiate permessage-deflate."));
    const QCommandLineOption fragment(QStringLiteral("fragment"),
                                      QStringLiteral("Split messages into frames of at most N "
                                                     "bytes."),
                                      QStringLiteral("N"));
    const QCommandLineOption send(QStringLiteral("send"),
                                  QStringLiteral("A text message to send (repeatable)."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the conversation as one JSON object."));
    parser.addOptions({deflate, fragment, send, json});
    if (const std::optional<int> exit = parseCommandLine(parser, QStringLiteral("demo"), arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("demo takes no arguments, got \"%1\"")
                         .arg(parser.positionalArguments().constFirst()));
    teaching::EchoDemoOptions options;
    options.offerDeflate = parser.isSet(deflate);
    if (parser.isSet(fragment)) {
        bool ok = false;
        const qulonglong size = parser.value(fragment).toULongLong(&ok);
        if (!ok || size == 0)
            return usage(QStringLiteral("--fragment needs a positive number of bytes"));
        options.fragmentSize = std::size_t(size);
    }
    if (parser.isSet(send)) { // instead of the default messages, text and binary
        options.textMessages.clear();
        options.binaryMessages.clear();
        for (const QString &text : parser.values(send))
            options.textMessages.push_back(text.toStdString());
    }
    const teaching::EchoDemoResult result = teaching::runEchoDemo(options);
    const std::string text = parser.isSet(json) ? teaching::echoDemoJson(result) + '\n'
                                                : teaching::formatEchoDemo(result);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return result.ok() ? ExitSuccess : ExitFailedCheck;
}

} // namespace framescope::cli
