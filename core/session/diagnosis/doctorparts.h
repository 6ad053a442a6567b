#pragma once

// What the Handshake Doctor's parts share (not for use outside core/session/diagnosis).

#include "handshakedoctor.h"

#include <QUrl>
#include <protocol/httphead.h>

namespace framescope::session::doctor {

using Severity = Finding::Severity;

inline QString header(const protocol::HttpHead &head, const char *name)
{
    const auto value = head.joined(name);
    return value ? QString::fromStdString(*value) : QString();
}

inline Finding finding(Severity severity, const char *id, const QString &title,
                       const QString &detail, const QString &fix)
{
    return {severity, QString::fromLatin1(id), title, detail, fix};
}

// A setting the advice tells the user to change, and its one table of names per front end
// (setting()).
enum class Setting {
    CaFile,
    Pin,
    Insecure,
    ClientCertificate, // and its key
    ClientKey,
    Subprotocol,
    Cookie,
    Origin,
    Authorization,
    HostHeader,
    Proxy,
    FollowRedirects,
    Deflate,
    TlsTimeout,
};
// How `audience` names `setting`: a command-line option, or a control of the desktop
// application.
QString setting(Setting setting, HandshakeDoctor::Audience audience);
inline QString setting(Setting which, const HandshakeDoctor::Input &input)
{
    return setting(which, input.audience);
}

// The URL with the other scheme, to be tried as it is.
inline QString withScheme(QUrl url, const QString &scheme)
{
    url.setScheme(scheme);
    return url.toString(QUrl::RemoveUserInfo);
}

// The findings for TLS: a failed TLS handshake (which side, which check, what to do), and a
// connection closed before any answer (a TLS port spoken to in plain HTTP, or the other way).
Finding tlsFailureFinding(const HandshakeDoctor::Input &input);
Finding closedWithoutAnswer(const HandshakeDoctor::Input &input, bool secure);
// A TLS record header (RFC 8446 §5.1): content type alert (21) or handshake (22), then the
// legacy version 3.x.
bool startsWithTlsRecord(const QByteArray &answer);

} // namespace framescope::session::doctor
