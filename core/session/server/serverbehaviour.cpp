#include "serverbehaviour.h"

#include <QHash>

namespace framescope::session {

QByteArray reasonPhrase(int status)
{
    // RFC 9110 §15, and 429 from RFC 6585.
    static const QHash<int, QByteArray> phrases{
        {100, "Continue"},
        {101, "Switching Protocols"},
        {102, "Processing"},
        {103, "Early Hints"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {203, "Non-Authoritative Information"},
        {204, "No Content"},
        {205, "Reset Content"},
        {206, "Partial Content"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {407, "Proxy Authentication Required"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {416, "Range Not Satisfiable"},
        {417, "Expectation Failed"},
        {421, "Misdirected Request"},
        {422, "Unprocessable Content"},
        {426, "Upgrade Required"},
        {428, "Precondition Required"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    if (const auto it = phrases.constFind(status); it != phrases.cend())
        return *it;
    // An unregistered code: the class's name (RFC 9110 §15 lets a client read the class alone).
    switch (status / 100) {
    case 1:
        return "Informational";
    case 2:
        return "Success";
    case 3:
        return "Redirection";
    case 4:
        return "Client Error";
    default:
        return "Server Error";
    }
}

bool statusHasNoBody(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

namespace {

// The shape of an IIS 10 detailed error page: what the Handshake Doctor reads "HTTP Error
// NNN.S" from.
QByteArray iisPage(const QByteArray &title, const QByteArray &error, const QByteArray &text)
{
    return "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\r\n<html><head><title>IIS "
           "10.0 Detailed Error - "
           + title
           + "</title></head>\r\n<body><div id=\"content\"><div "
             "class=\"content-container\">\r\n<h3>"
           + error + "</h3>\r\n<h4>" + text + "</h4>\r\n</div></div></body></html>\r\n";
}

// http.sys answers with its own short page when a request never reaches a site.
QByteArray httpSysPage(const QByteArray &title, const QByteArray &error)
{
    return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\r\n<HTML><HEAD><TITLE>" + title
           + "</TITLE></HEAD>\r\n<BODY><h2>" + title + "</h2>\r\n<hr><p>" + error
           + "</p>\r\n</BODY></HTML>\r\n";
}

} // namespace

QStringList iisEmulationNames()
{
    return {QStringLiteral("iis-101-no-accept"),
            QStringLiteral("iis-400"),
            QStringLiteral("iis-401"),
            QStringLiteral("iis-403"),
            QStringLiteral("iis-404"),
            QStringLiteral("iis-500"),
            QStringLiteral("iis-503")};
}

std::optional<ServerRefusal> iisEmulation(const QString &name)
{
    const QPair<QByteArray, QByteArray> iis{"Server", "Microsoft-IIS/10.0"};
    const QPair<QByteArray, QByteArray> aspNet{"X-Powered-By", "ASP.NET"};
    const QPair<QByteArray, QByteArray> httpSys{"Server", "Microsoft-HTTPAPI/2.0"};
    const QPair<QByteArray, QByteArray> html{"Content-Type", "text/html; charset=us-ascii"};
    ServerRefusal refusal;
    if (name == QLatin1String("iis-101-no-accept")) {
        // The WebSocket Protocol feature is not installed: IIS switches protocols itself.
        refusal.status = 101;
        refusal.upgradeWithoutAccept = true;
        refusal.headers = {iis, aspNet};
    } else if (name == QLatin1String("iis-400")) {
        refusal.status = 400;
        refusal.headers = {html, httpSys};
        refusal.body = httpSysPage("Bad Request", "HTTP Error 400. The request is badly formed.");
    } else if (name == QLatin1String("iis-401")) {
        // Windows Authentication: the anonymous first leg of NTLM / Negotiate.
        refusal.status = 401;
        refusal.headers = {{"Content-Type", "text/html"},
                           iis,
                           {"WWW-Authenticate", "Negotiate"},
                           {"WWW-Authenticate", "NTLM"},
                           aspNet};
        refusal.body = iisPage("401.2 - Unauthorized", "HTTP Error 401.2 - Unauthorized",
                               "You are not authorized to view this page due to invalid "
                               "authentication headers.");
    } else if (name == QLatin1String("iis-403")) {
        refusal.status = 403;
        refusal.headers = {{"Content-Type", "text/html"}, iis, aspNet};
        refusal.body = iisPage("403.0 - Forbidden", "HTTP Error 403.0 - Forbidden",
                               "The origin of this request is not allowed.");
    } else if (name == QLatin1String("iis-404")) {
        refusal.status = 404;
        refusal.headers = {{"Content-Type", "text/html"}, iis, aspNet};
        refusal.body = iisPage("404.0 - Not Found", "HTTP Error 404.0 - Not Found",
                               "The resource you are looking for has been removed, had its name "
                               "changed, or is temporarily unavailable.");
    } else if (name == QLatin1String("iis-500")) {
        refusal.status = 500;
        refusal.headers = {{"Content-Type", "text/html"}, iis, aspNet};
        refusal.body
            = iisPage("500.19 - Internal Server Error", "HTTP Error 500.19 - Internal Server Error",
                      "The requested page cannot be accessed because the related "
                      "configuration data for the page is invalid.");
    } else if (name == QLatin1String("iis-503")) {
        // The application pool is stopped: http.sys answers.
        refusal.status = 503;
        refusal.headers = {html, httpSys};
        refusal.body
            = httpSysPage("Service Unavailable", "HTTP Error 503. The service is unavailable.");
    } else {
        return std::nullopt;
    }
    return refusal;
}

} // namespace framescope::session
