#include "redirects.h"

namespace framescope::session {

QUrl redirectTarget(const QUrl &from, const QByteArray &location)
{
    if (location.trimmed().isEmpty())
        return {};
    QUrl target = from.resolved(QUrl(QString::fromUtf8(location.trimmed())));
    const QString scheme = target.scheme().toLower();
    if (scheme == QLatin1String("http"))
        target.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        target.setScheme(QStringLiteral("wss"));
    else if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return {};
    return target.isValid() && !target.host().isEmpty() ? target : QUrl();
}

bool redirectDropsCredentials(const QUrl &from, const QUrl &to)
{
    const bool otherHost = from.host().compare(to.host(), Qt::CaseInsensitive) != 0;
    const bool downgrade
        = from.scheme() == QLatin1String("wss") && to.scheme() == QLatin1String("ws");
    return otherHost || downgrade;
}

QList<QPair<QByteArray, QByteArray>>
headersForRedirect(const QUrl &from, const QUrl &to,
                   const QList<QPair<QByteArray, QByteArray>> &headers)
{
    if (!redirectDropsCredentials(from, to))
        return headers;
    QList<QPair<QByteArray, QByteArray>> kept;
    for (const auto &header : headers) {
        const QByteArray name = header.first.toLower();
        if (name != "authorization" && name != "cookie" && name != "proxy-authorization")
            kept.append(header);
    }
    return kept;
}

} // namespace framescope::session
