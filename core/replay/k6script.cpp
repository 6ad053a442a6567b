#include "k6script.h"

#include <QJSEngine>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <capture/redaction.h>

namespace framescope::replay {

namespace {

// A JavaScript string literal (JSON's escaping is JavaScript's, and U+2028/2029 are escaped so
// that older engines read it too).
QString literal(const QString &text)
{
    QString json
        = QString::fromUtf8(QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact));
    json = json.mid(1, json.size() - 2);
    json.replace(QChar(0x2028), QStringLiteral("\\u2028"));
    json.replace(QChar(0x2029), QStringLiteral("\\u2029"));
    return json;
}

// A replacement as QRegularExpression reads it (\\1 for a group) as JavaScript's replace() reads
// it ($1 for a group, $$ for a dollar).
QString javaScriptReplacement(const QString &replacement)
{
    QString out;
    for (qsizetype i = 0; i < replacement.size(); ++i) {
        const QChar c = replacement[i];
        if (c == QLatin1Char('\\') && i + 1 < replacement.size() && replacement[i + 1].isDigit()) {
            out += QLatin1Char('$');
            while (i + 1 < replacement.size() && replacement[i + 1].isDigit())
                out += replacement[++i];
        } else if (c == QLatin1Char('$')) {
            out += QStringLiteral("$$");
        } else {
            out += c;
        }
    }
    return out;
}

QString milliseconds(std::int64_t ns)
{
    return QString::number(double(ns) / 1e6, 'f', 3);
}

QString messageItem(const RecordedMessage &message, bool withTime)
{
    QString item = QStringLiteral("{ ");
    if (withTime)
        item += QStringLiteral("at: %1, ").arg(milliseconds(message.atNs));
    if (message.binary)
        item += QStringLiteral("binary: %1 }")
                    .arg(literal(QString::fromLatin1(message.data.toBase64())));
    else
        item += QStringLiteral("text: %1 }").arg(literal(QString::fromUtf8(message.data)));
    return item;
}

} // namespace

QString k6HeaderVariable(const QString &headerName)
{
    QString name = headerName.toUpper();
    for (QChar &c : name)
        if (!c.isLetterOrNumber())
            c = QLatin1Char('_');
    return QStringLiteral("FRAMESCOPE_HEADER_") + name;
}

QString k6Script(const Recording &recording, const K6Options &options)
{
    // A URL with secrets (user info, token-like query parameters) is never written.
    const std::string url = recording.url.toStdString();
    const bool urlRedacted = recording.url.contains(QLatin1String(capture::kRedacted.data()))
                             || capture::redactUrl(url) != url;
    QStringList headers;
    QStringList secrets;
    for (const auto &[name, value] : recording.headers) {
        const QString shown = QString::fromLatin1(name);
        if (capture::isSecretHeader(name.toStdString())) {
            headers << QStringLiteral("    %1: __ENV.%2 || '',")
                           .arg(literal(shown), k6HeaderVariable(shown));
            secrets << k6HeaderVariable(shown);
        } else {
            headers << QStringLiteral("    %1: %2,")
                           .arg(literal(shown), literal(QString::fromUtf8(value)));
        }
    }
    for (const QString &name : recording.redactedHeaders) {
        headers << QStringLiteral("    %1: __ENV.%2 || '', // redacted in the recording")
                       .arg(literal(name), k6HeaderVariable(name));
        secrets << k6HeaderVariable(name);
    }
    if (!recording.subprotocols.isEmpty()) {
        QStringList protocols;
        for (const QByteArray &p : recording.subprotocols)
            protocols << QString::fromLatin1(p);
        headers << QStringLiteral("    'Sec-WebSocket-Protocol': %1,")
                       .arg(literal(protocols.join(QStringLiteral(", "))));
    }
    QStringList sends;
    std::int64_t lastNs = 0;
    for (const RecordedMessage &m : recording.clientMessages) {
        sends << QStringLiteral("  ") + messageItem(m, true) + QLatin1Char(',');
        lastNs = std::max(lastNs, m.atNs);
    }
    QStringList replies;
    for (const RecordedMessage &m : recording.serverMessages)
        replies << QStringLiteral("  ") + messageItem(m, false) + QLatin1Char(',');
    QStringList rules;
    for (const IgnoreRule &rule : options.rules) {
        if (rule.isJsonPath()) {
            QStringList steps;
            for (const QString &step : rule.path)
                steps << literal(step);
            rules << QStringLiteral("  { path: [%1] },").arg(steps.join(QStringLiteral(", ")));
        } else {
            rules << QStringLiteral("  { pattern: new RegExp(%1, 'g'), replacement: %2 },")
                         .arg(literal(rule.pattern.pattern()),
                              literal(javaScriptReplacement(rule.replacement)));
        }
    }

    QString s;
    s += QStringLiteral("// @ts-check\n");
    s += QStringLiteral("// A k6 script made by Framescope (framescope-cli export-k6) from %1: the "
                        "recorded session,\n// replayed by every virtual user at the recorded "
                        "pace, each reply checked against the recording.\n")
             .arg(options.sourceName.isEmpty() ? QStringLiteral("a recording")
                                               : options.sourceName);
    s += QStringLiteral("//   k6 run script.js                      (the options below)\n"
                        "//   k6 run -e VUS=50 -e DURATION=5m script.js\n");
    if (urlRedacted || !secrets.isEmpty()) {
        s += QStringLiteral("// Secrets are not in this file; give them in the environment:\n");
        if (urlRedacted)
            s += QStringLiteral(
                "//   -e FRAMESCOPE_URL=... (the recorded URL had redacted parts)\n");
        for (const QString &secret : secrets)
            s += QStringLiteral("//   -e %1=...\n").arg(secret);
    }
    s += QStringLiteral("import { check } from 'k6';\n"
                        "import { b64decode } from 'k6/encoding';\n"
                        "import { connect } from 'k6/ws';\n\n");
    s += QStringLiteral("export const options = {\n"
                        "  vus: Number(__ENV.VUS || %1),\n"
                        "  duration: __ENV.DURATION || %2,\n"
                        "};\n\n")
             .arg(options.vus)
             .arg(literal(options.duration));
    if (urlRedacted)
        s += QStringLiteral(
            "// The recorded URL had secrets: it is not written here.\n"
            "const url = __ENV.FRAMESCOPE_URL || '';\n"
            "if (!url) throw new Error('give the URL: k6 run -e FRAMESCOPE_URL=wss://... "
            "(the recorded one had secrets)');\n");
    else
        s += QStringLiteral("const url = __ENV.FRAMESCOPE_URL || %1;\n")
                 .arg(literal(recording.url));
    s += QStringLiteral("/** @type {import('k6/ws').Params} */\nconst params = {\n  headers: {\n");
    s += headers.join(QLatin1Char('\n')) + (headers.isEmpty() ? QString() : QStringLiteral("\n"));
    s += QStringLiteral("  },\n");
    if (recording.deflate)
        s += QStringLiteral("  compression: 'deflate',\n");
    s += QStringLiteral("};\n");
    s += QStringLiteral("// A secret not given in the environment is left out, not sent empty.\n"
                        "for (const [name, value] of Object.entries(params.headers || {}))\n"
                        "  if (value === '' && params.headers) delete params.headers[name];\n\n");
    s += QStringLiteral("// The client's messages, each at its time in ms after the connection "
                        "opened (binary in base64).\n"
                        "/** @type {Array<{at: number, text?: string, binary?: string}>} */\n"
                        "const sends = [\n");
    s += sends.join(QLatin1Char('\n')) + (sends.isEmpty() ? QString() : QStringLiteral("\n"));
    s += QStringLiteral("];\n\n// The messages the recording received, in order.\n"
                        "/** @type {Array<{text?: string, binary?: string}>} */\n"
                        "const replies = [\n");
    s += replies.join(QLatin1Char('\n')) + (replies.isEmpty() ? QString() : QStringLiteral("\n"));
    s += QStringLiteral("];\n\n// What a check leaves out (framescope-cli export-k6 --ignore).\n"
                        "/** @type {Array<{pattern?: RegExp, replacement?: string, path?: "
                        "string[]}>} */\n"
                        "const ignore = [\n");
    s += rules.join(QLatin1Char('\n')) + (rules.isEmpty() ? QString() : QStringLiteral("\n"));
    s += QStringLiteral("];\n\nconst replyWaitMs = %1;\nconst lastSendMs = %2;\n"
                        "const closeCode = %3; // as the recorded client closed\n\n")
             .arg(options.replyWaitMs)
             .arg(milliseconds(lastNs))
             .arg(recording.clientCloseCode.value_or(1000));
    s += QStringLiteral(R"(/**
 * @param {any} value
 * @param {string[]} path
 * @param {number} at
 */
function leaveOut(value, path, at) {
  if (value === null || typeof value !== 'object') return;
  const keys = path[at] === '*' ? Object.keys(value) : [path[at]];
  for (const key of keys) {
    if (!(key in value)) continue;
    if (at + 1 < path.length) leaveOut(value[key], path, at + 1);
    else if (Array.isArray(value)) value[Number(key)] = '…';
    else delete value[key];
  }
}

/** @param {string} text @returns {any} the value, or undefined when it is not JSON */
function parsed(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return undefined;
  }
}

/** @param {string} text */
function withTextRules(text) {
  for (const rule of ignore)
    if (rule.pattern) text = text.replace(rule.pattern, rule.replacement || '');
  return text;
}

/** @param {any} value */
function withoutPaths(value) {
  for (const rule of ignore) if (rule.path) leaveOut(value, rule.path, 0);
  return JSON.stringify(sorted(value));
}

// As framescope-cli replay compares: the text rules, then the JSON paths; when the text rules
// leave text that is no longer JSON, the paths first, on the message as it came.
/** @param {string} text */
function normalized(text) {
  const ruled = withTextRules(text);
  const value = parsed(ruled);
  if (value !== undefined) return withoutPaths(value);
  const asCame = parsed(text);
  if (asCame === undefined || !ignore.some((rule) => rule.path)) return ruled;
  const again = withTextRules(withoutPaths(asCame));
  const valueAgain = parsed(again);
  return valueAgain !== undefined ? withoutPaths(valueAgain) : again;
}

/** @param {any} value @returns {any} */
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  /** @type {{[key: string]: any}} */
  const out = {};
  for (const key of Object.keys(value).sort()) out[key] = sorted(value[key]);
  return out;
}

/** @param {ArrayBuffer} buffer */
function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
    out += alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.length ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? alphabet[n & 63] : '=';
  }
  return out;
}

export default function () {
  const response = connect(url, params, function (socket) {
    let received = 0;
    /** @param {{text?: string, binary?: string}} got */
    const compare = (got) => {
      const expected = replies[received];
      received += 1;
      check(got, {
        'reply as recorded': () =>
          expected !== undefined &&
          (expected.binary !== undefined
            ? got.binary === expected.binary
            : got.text !== undefined && expected.text !== undefined &&
              normalized(got.text) === normalized(expected.text)),
      });
      closeWhenDone();
    };
    let sent = 0;
    // Done: every message sent and every reply in.
    const closeWhenDone = () => {
      if (sent === sends.length && received >= replies.length) socket.close(closeCode);
    };
    socket.on('open', function () {
      for (const item of sends) {
        socket.setTimeout(function () {
          if (item.binary !== undefined) socket.sendBinary(b64decode(item.binary));
          else socket.send(item.text || '');
          sent += 1;
          closeWhenDone();
        }, item.at);
      }
      socket.setTimeout(function () {
        socket.close(closeCode);
      }, lastSendMs + replyWaitMs);
    });
    socket.on('message', function (text) {
      compare({ text: text });
    });
    socket.on('binaryMessage', function (data) {
      compare({ binary: toBase64(data) });
    });
    socket.on('close', function () {
      check(received, { 'every recorded reply came': (n) => n >= replies.length });
    });
  });
  check(response, { 'upgraded (101)': (r) => r !== undefined && r.status === 101 });
}
)");
    return s;
}

std::optional<QString> k6RuleProblem(const IgnoreRule &rule)
{
    if (rule.isJsonPath())
        return std::nullopt;
    // k6 runs JavaScript: the pattern must be a JavaScript regular expression too (no (?i) and
    // other Perl-only forms).
    QJSEngine engine;
    engine.globalObject().setProperty(QStringLiteral("pattern"), rule.pattern.pattern());
    const QJSValue made = engine.evaluate(QStringLiteral("new RegExp(pattern, 'g')"));
    if (!made.isError())
        return std::nullopt;
    return QStringLiteral("\"%1\": k6 runs JavaScript, and this is not a JavaScript regular "
                          "expression (%2)")
        .arg(rule.text, made.property(QStringLiteral("message")).toString());
}

} // namespace framescope::replay
