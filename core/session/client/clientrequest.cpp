#include "clientrequest.h"

#include <QUrl>

namespace framescope::session {

std::optional<protocol::ClientRequest>
buildUpgradeRequest(const ClientOptions &options,
                    std::optional<protocol::DeflateOffer> &deflateOffer)
{
    // RFC 6455 §4.1: the request.
    const QUrl &url = options.url;
    const bool secure = url.scheme().toLower() == QLatin1String("wss");
    protocol::ClientRequest request;
    const auto key = protocol::generateClientKey();
    if (!key)
        return std::nullopt;
    request.key = *key;
    const int port = url.port(secure ? 443 : 80);
    const bool defaultPort = url.port() == -1 || url.port() == (secure ? 443 : 80);
    QString hostHeader = url.host(QUrl::FullyEncoded);
    if (hostHeader.contains(QLatin1Char(':')))
        hostHeader = QLatin1Char('[') + hostHeader + QLatin1Char(']'); // IPv6 literal
    if (!defaultPort)
        hostHeader += QLatin1Char(':') + QString::number(port);
    request.host = hostHeader.toStdString();
    QString resource = url.path(QUrl::FullyEncoded);
    if (resource.isEmpty())
        resource = QStringLiteral("/");
    if (url.hasQuery())
        resource += QLatin1Char('?') + url.query(QUrl::FullyEncoded);
    request.resource = resource.toStdString();
    request.origin = options.origin.toStdString();
    for (const QByteArray &protocolName : options.subprotocols)
        request.subprotocols.push_back(protocolName.toStdString());
    deflateOffer.reset();
    if (options.offerDeflate) {
        deflateOffer = options.deflateOffer;
        request.extensions.push_back(protocol::toExtension(*deflateOffer));
    }
    // URL userinfo becomes Basic authentication, as browsers and curl do.
    if (!url.userName().isEmpty()) {
        const QByteArray credentials
            = (url.userName() + QLatin1Char(':') + url.password()).toUtf8().toBase64();
        request.extraHeaders.push_back({"Authorization", "Basic " + credentials.toStdString()});
    }
    // A Host given as a header replaces the one made from the URL (IIS site bindings by host
    // name need exactly that); two Host headers would be a request a server must refuse (RFC 7230
    // §5.4). Only the first replaces: more, given on purpose, go out as given.
    bool hostReplaced = false;
    for (const auto &[name, value] : options.headers) {
        if (!hostReplaced && name.compare("Host", Qt::CaseInsensitive) == 0) {
            request.host = value.toStdString();
            hostReplaced = true;
            continue;
        }
        request.extraHeaders.push_back({name.toStdString(), value.toStdString()});
    }
    return request;
}

std::variant<QNetworkProxy, QString> proxyFor(const ClientOptions &options)
{
    const QString setting = options.proxy.trimmed();
    if (setting.isEmpty())
        return QNetworkProxy(QNetworkProxy::NoProxy);
    if (setting == QLatin1String("system")) {
        const QList<QNetworkProxy> found = QNetworkProxyFactory::systemProxyForQuery(
            QNetworkProxyQuery(options.url, QNetworkProxyQuery::TcpSocket));
        return found.isEmpty() ? QNetworkProxy(QNetworkProxy::NoProxy) : found.constFirst();
    }
    const QUrl url(setting, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || url.port() <= 0
        || (scheme != QLatin1String("http") && scheme != QLatin1String("socks5")))
        return QStringLiteral("proxy must be http://host:port, socks5://host:port or system");
    QNetworkProxy proxy(scheme == QLatin1String("http") ? QNetworkProxy::HttpProxy
                                                        : QNetworkProxy::Socks5Proxy,
                        url.host(), quint16(url.port()), url.userName(), url.password());
    // Qt sends an HTTP proxy the credentials only after a 407 challenge, on the same connection,
    // which some proxies close after a 407: sent up front, with the first CONNECT (RFC 9110 §11.7).
    if (proxy.type() == QNetworkProxy::HttpProxy && !url.userName().isEmpty())
        proxy.setRawHeader(
            "Proxy-Authorization",
            "Basic " + (url.userName() + QLatin1Char(':') + url.password()).toUtf8().toBase64());
    return proxy;
}

QString describeProxy(const QNetworkProxy &proxy)
{
    if (proxy.type() == QNetworkProxy::NoProxy || proxy.type() == QNetworkProxy::DefaultProxy)
        return {};
    return QStringLiteral("%1 %2:%3")
        .arg(proxy.type() == QNetworkProxy::HttpProxy ? QStringLiteral("http")
                                                      : QStringLiteral("socks5"))
        .arg(proxy.hostName())
        .arg(proxy.port());
}

} // namespace framescope::session
