#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QUrl>

namespace framescope::session {

// Where a redirect leads: Location resolved against the request URL, http(s) mapped to ws(s).
// Invalid when Location is missing or not a ws/wss/http/https URL.
QUrl redirectTarget(const QUrl &from, const QByteArray &location);

// True when following from -> to must drop credentials: another host, or wss to ws.
bool redirectDropsCredentials(const QUrl &from, const QUrl &to);

// The extra headers that may follow a redirect (credential headers dropped when needed).
QList<QPair<QByteArray, QByteArray>>
headersForRedirect(const QUrl &from, const QUrl &to,
                   const QList<QPair<QByteArray, QByteArray>> &headers);

} // namespace framescope::session
