// framescope-cli: the command-line client. Commands that need the network client and the local
// server arrive with them; `demo` runs a full conversation through the codec in-process.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <cstdio>
#include <protocol/echodemo.h>
#include <protocol/frameheader.h>
#include <protocol/protocolerror.h>

namespace {

// Documented in docs/cli.md.
enum ExitCode {
    Success = 0,
    DemoFailed = 1,
    UsageError = 2,
};

using framescope::protocol::EchoDemoStep;

QString hex(const std::vector<std::uint8_t> &bytes, std::size_t limit)
{
    const QByteArray raw(reinterpret_cast<const char *>(bytes.data()),
                         qsizetype(std::min(bytes.size(), limit)));
    QString text = QString::fromLatin1(raw.toHex(' '));
    if (bytes.size() > limit)
        text += QStringLiteral(" …");
    return text;
}

QString preview(const EchoDemoStep &step)
{
    const auto &payload = step.payload;
    const std::uint8_t opcode = step.frame->header.opcode;
    if (opcode == 0x8 && payload.size() >= 2) {
        const int code = (payload[0] << 8) | payload[1];
        return QStringLiteral("code %1 \"%2\"")
            .arg(code)
            .arg(QString::fromUtf8(reinterpret_cast<const char *>(payload.data()) + 2,
                                   qsizetype(payload.size() - 2)));
    }
    const bool printable
        = !step.frame->header.rsv1 && (opcode == 0x1 || opcode == 0x9 || opcode == 0xA);
    if (printable)
        return QLatin1Char('"')
               + QString::fromUtf8(reinterpret_cast<const char *>(payload.data()),
                                   qsizetype(payload.size()))
               + QLatin1Char('"');
    return hex(payload, 16);
}

int printDemo(const framescope::protocol::EchoDemoResult &result, bool json)
{
    QTextStream out(stdout);
    if (json) {
        QJsonArray steps;
        for (const EchoDemoStep &step : result.steps) {
            QJsonObject object;
            object[QStringLiteral("direction")] = step.fromClient
                                                      ? QStringLiteral("client-to-server")
                                                      : QStringLiteral("server-to-client");
            if (step.frame) {
                const auto &h = step.frame->header;
                object[QStringLiteral("type")] = QStringLiteral("frame");
                object[QStringLiteral("fin")] = h.fin;
                object[QStringLiteral("rsv1")] = h.rsv1;
                object[QStringLiteral("rsv2")] = h.rsv2;
                object[QStringLiteral("rsv3")] = h.rsv3;
                object[QStringLiteral("opcode")] = int(h.opcode);
                object[QStringLiteral("masked")] = h.masked;
                if (h.masked)
                    object[QStringLiteral("maskKey")]
                        = hex({h.maskKey.begin(), h.maskKey.end()}, 4).remove(QLatin1Char(' '));
                object[QStringLiteral("payloadLength")] = qint64(h.payloadLength);
                object[QStringLiteral("headerSize")] = int(step.frame->headerSize);
                object[QStringLiteral("wire")]
                    = hex(step.wire, step.wire.size()).remove(QLatin1Char(' '));
            } else {
                object[QStringLiteral("type")]
                    = step.kind == EchoDemoStep::Kind::Note      ? QStringLiteral("note")
                      : step.kind == EchoDemoStep::Kind::Message ? QStringLiteral("message")
                                                                 : QStringLiteral("handshake");
                object[QStringLiteral("text")] = QString::fromStdString(step.text);
            }
            steps.append(object);
        }
        QJsonObject root;
        root[QStringLiteral("steps")] = steps;
        root[QStringLiteral("messagesEchoed")] = qint64(result.messagesEchoed);
        root[QStringLiteral("closedCleanly")] = result.closedCleanly;
        root[QStringLiteral("ok")] = result.ok();
        if (!result.ok())
            root[QStringLiteral("error")] = QString::fromStdString(result.error);
        out << QJsonDocument(root).toJson(QJsonDocument::Compact) << '\n';
        return result.ok() ? Success : DemoFailed;
    }

    out << "Framescope echo round trip (client and echo server in one process, joined by a byte "
           "pipe)\n\n";
    for (const EchoDemoStep &step : result.steps) {
        const QString arrow = step.fromClient ? QStringLiteral("C→S") : QStringLiteral("S→C");
        switch (step.kind) {
        case EchoDemoStep::Kind::HandshakeRequest:
        case EchoDemoStep::Kind::HandshakeResponse: {
            out << arrow << "  handshake\n";
            QString head = QString::fromStdString(step.text).trimmed();
            for (const QString &line : head.split(QStringLiteral("\r\n")))
                out << "       " << line << '\n';
            break;
        }
        case EchoDemoStep::Kind::Frame:
            out << arrow << "  "
                << QString::fromStdString(framescope::protocol::describeHeader(step.frame->header))
                << "  " << preview(step) << '\n'
                << "       wire " << hex(step.wire, 24) << '\n';
            break;
        case EchoDemoStep::Kind::Message:
            out << "       " << QString::fromStdString(step.text) << '\n';
            break;
        case EchoDemoStep::Kind::Note:
            out << "  --   " << QString::fromStdString(step.text) << '\n';
            break;
        }
    }
    out << '\n';
    if (result.ok()) {
        out << "OK: " << result.messagesEchoed
            << " messages echoed byte for byte, ping answered, closed cleanly.\n";
        return Success;
    }
    out << "FAILED: " << QString::fromStdString(result.error) << '\n';
    return DemoFailed;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("framescope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FRAMESCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Framescope command-line client.\n\nCommands:\n"
        "  demo    a full WebSocket conversation through the codec, printed frame by frame"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("demo"));
    const QCommandLineOption deflate(QStringLiteral("deflate"),
                                     QStringLiteral("Offer permessage-deflate."));
    const QCommandLineOption fragment(
        QStringLiteral("fragment"),
        QStringLiteral("Split messages into frames of at most N bytes."), QStringLiteral("N"));
    const QCommandLineOption send(QStringLiteral("send"),
                                  QStringLiteral("A text message to send (repeatable)."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("One JSON object instead of text."));
    parser.addOptions({deflate, fragment, send, json});
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.value(0) != QLatin1String("demo")) {
        std::fprintf(stderr, "framescope-cli: unknown or missing command (try --help)\n");
        return UsageError;
    }
    framescope::protocol::EchoDemoOptions options;
    options.offerDeflate = parser.isSet(deflate);
    if (parser.isSet(fragment)) {
        bool ok = false;
        const qulonglong size = parser.value(fragment).toULongLong(&ok);
        if (!ok || size == 0) {
            std::fprintf(stderr, "framescope-cli: --fragment needs a positive number of bytes\n");
            return UsageError;
        }
        options.fragmentSize = std::size_t(size);
    }
    if (parser.isSet(send)) {
        options.textMessages.clear();
        for (const QString &text : parser.values(send))
            options.textMessages.push_back(text.toStdString());
    }
    return printDemo(framescope::protocol::runEchoDemo(options), parser.isSet(json));
}
