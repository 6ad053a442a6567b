#pragma once

#include <QList>
#include <QString>
#include <session/client/clientsnapshot.h>

namespace framescope::session {

// One thing the Handshake Doctor noticed, in plain words, with what to do about it.
struct Finding
{
    enum class Severity { Info, Warning, Error };
    Severity severity = Severity::Info;
    QString id;     // stable, e.g. "iis-websocket-feature-missing"
    QString title;  // one line
    QString detail; // what was seen
    QString fix;    // what to try
};

QString describe(Finding::Severity severity);

// What the server's answer reveals about it.
struct ServerFingerprint
{
    QString server;    // the Server header
    QString poweredBy; // X-Powered-By
    QString aspNetVersion;
    bool iis = false;
    int iisMajor = 0;
    int iisMinor = 0;
    bool httpSys = false; // Microsoft-HTTPAPI/2.0: http.sys answered, not a site
    bool aspNet = false;
    bool kestrel = false;
    bool arr = false; // Application Request Routing reverse proxy
};

// Explains why an upgrade failed, or what looks risky about one that worked, from the exact
// bytes and the session's outcome. Knows the IIS / ASP.NET failure modes (see IIS-NOTES).
class HandshakeDoctor
{
public:
    // Who reads the advice: it names the settings to change as that front end shows them
    // ("--cacert FILE", or "TLS CA file (Connection tab)").
    enum class Audience { CommandLine, Desktop };

    struct Input
    {
        Audience audience = Audience::CommandLine;
        QUrl url;
        HandshakeRecord handshake;
        SessionError error = SessionError::None;
        QString errorString;
        QList<QByteArray> offeredSubprotocols;
        bool offeredDeflate = false;
        bool clientCertificate = false; // one was given (--cert)
        CloseInfo close;
    };

    // What a client session gives the Doctor.
    static Input inputFor(const ClientSnapshot &session);
    // The findings, errors first, then warnings, then notes (each kind in the order found).
    static QList<Finding> examine(const Input &input);
    static ServerFingerprint fingerprint(const QByteArray &responseHead);
    // "HTTP Error 404.3 - Not Found" from an IIS detailed error page, or empty.
    static QString iisErrorLine(const QByteArray &body);
    // A short plain-text summary of an HTML or text body.
    static QString summarizeBody(const QByteArray &body, int maxLength = 200);

private:
    static QList<Finding> findAll(const Input &input);
};

} // namespace framescope::session
