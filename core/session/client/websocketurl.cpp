#include "websocketurl.h"

namespace framescope::session {

ParsedUrl parseWebSocketUrl(const QString &text)
{
    ParsedUrl parsed;
    const QString trimmed = text.trimmed();
    const auto fail = [&](const QString &why) {
        parsed.error = QStringLiteral("\"%1\" is not a WebSocket URL: %2").arg(text, why);
        return parsed;
    };
    if (trimmed.isEmpty())
        return fail(QStringLiteral("it is empty"));
    // "localhost:8080" parses as the scheme "localhost": say what is missing instead.
    if (!trimmed.contains(QLatin1String("://")))
        return fail(QStringLiteral("it has no scheme; ws://%1 perhaps?").arg(trimmed));
    QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid()) // Qt's reason, without its echo of the parts
        return fail(url.errorString().section(QLatin1String("; source was"), 0, 0));
    QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http") || scheme == QLatin1String("https")) {
        const QString mapped
            = scheme == QLatin1String("http") ? QStringLiteral("ws") : QStringLiteral("wss");
        parsed.note = QStringLiteral("%1:// taken as %2://").arg(scheme, mapped);
        url.setScheme(mapped);
        scheme = mapped;
    }
    if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return fail(QStringLiteral("the scheme is %1, not ws or wss").arg(scheme));
    if (url.host().isEmpty())
        return fail(QStringLiteral("it has no host"));
    parsed.url = url;
    return parsed;
}

} // namespace framescope::session
