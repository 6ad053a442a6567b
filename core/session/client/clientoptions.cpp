#include "clientoptions.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace framescope::session {

int reconnectDelayMs(const ReconnectPolicy &policy, int attempt, double unitRandom)
{
    double delay = std::max(1, policy.initialDelayMs);
    for (int i = 1; i < attempt && delay < policy.maxDelayMs; ++i)
        delay *= 2;
    delay = std::min<double>(delay, std::max(policy.maxDelayMs, policy.initialDelayMs));
    return static_cast<int>(delay * (1.0 + 0.2 * std::clamp(unitRandom, 0.0, 1.0)));
}

namespace {

bool isTokenChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c))
           || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// RFC 6265 §4.1.1 cookie-octet.
bool isCookieOctet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A)
           || (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

bool isCookieValue(QByteArrayView value)
{
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.sliced(1, value.size() - 2);
    return std::all_of(value.begin(), value.end(),
                       [](char c) { return isCookieOctet(static_cast<unsigned char>(c)); });
}

// RFC 6750 §2.1 b64token.
bool isBearerToken(QByteArrayView token)
{
    qsizetype end = token.size();
    while (end > 0 && token[end - 1] == '=')
        --end;
    return end > 0 && std::all_of(token.begin(), token.begin() + end, [](char c) {
               return std::isalnum(static_cast<unsigned char>(c))
                      || std::strchr("-._~+/", c) != nullptr;
           });
}

bool hasControl(const QString &text)
{
    return std::any_of(text.begin(), text.end(),
                       [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7F; });
}

} // namespace

std::optional<QString> headerProblem(QByteArrayView name, QByteArrayView value)
{
    if (name.isEmpty() || !std::all_of(name.begin(), name.end(), isTokenChar))
        return QStringLiteral("header name \"%1\" is not an HTTP token (letters, digits and "
                              "!#$%&'*+-.^_`|~)")
            .arg(QString::fromUtf8(name));
    const bool control = std::any_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && byte != '\t') || byte == 0x7F;
    });
    if (control)
        return QStringLiteral("header \"%1\": the value may not contain line breaks or other "
                              "control characters (a line break would start another header)")
            .arg(QString::fromUtf8(name));
    return std::nullopt;
}

std::optional<QString> applyCredentialHelpers(ClientOptions &options)
{
    for (const auto &[name, value] : std::as_const(options.headers))
        if (const std::optional<QString> problem = headerProblem(name, value))
            return problem;
    QList<QPair<QByteArray, QByteArray>> helperHeaders;
    if (!options.cookies.isEmpty()) {
        QByteArray cookie;
        for (const auto &[name, value] : options.cookies) {
            if (name.isEmpty() || !std::all_of(name.begin(), name.end(), isTokenChar))
                return QStringLiteral("cookie name \"%1\" is not an HTTP token")
                    .arg(QString::fromUtf8(name));
            if (!isCookieValue(value))
                return QStringLiteral("cookie \"%1\": the value may not contain spaces, quotes, "
                                      "commas, semicolons, backslashes or control characters")
                    .arg(QString::fromUtf8(name));
            if (!cookie.isEmpty())
                cookie += "; ";
            cookie += name + '=' + value;
        }
        helperHeaders.append({QByteArrayLiteral("Cookie"), cookie});
    }
    // Headers given as such (-H) are sent as they are, even a second Authorization: testing how
    // a server takes that is a use. Only the helpers must agree.
    int authorizationSources = !options.url.userName().isEmpty();
    if (options.basicAuth) {
        ++authorizationSources;
        const auto &[user, password] = *options.basicAuth;
        if (user.contains(QLatin1Char(':')) || hasControl(user) || hasControl(password))
            return QStringLiteral("Basic authentication: the user name may not contain ':' and "
                                  "neither part may contain control characters");
        helperHeaders.append({QByteArrayLiteral("Authorization"),
                              "Basic " + (user + QLatin1Char(':') + password).toUtf8().toBase64()});
    }
    if (!options.bearerToken.isEmpty()) {
        ++authorizationSources;
        if (!isBearerToken(options.bearerToken))
            return QStringLiteral("the bearer token may only contain letters, digits and "
                                  "-._~+/ with '=' padding at the end");
        helperHeaders.append({QByteArrayLiteral("Authorization"), "Bearer " + options.bearerToken});
    }
    if (authorizationSources > 1)
        return QStringLiteral("more than one of URL user info, Basic and Bearer "
                              "authentication given: keep one");
    options.headers = helperHeaders + options.headers;
    options.cookies.clear();
    options.basicAuth.reset();
    options.bearerToken.clear();
    return std::nullopt;
}

} // namespace framescope::session
