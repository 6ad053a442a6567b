// The Handshake Doctor's TLS findings: why a TLS handshake failed, and what to try.

#include "doctorparts.h"

namespace framescope::session::doctor {

namespace {

QString clientCertificateFix(const HandshakeDoctor::Input &input)
{
    return QStringLiteral("Give one the server's CA issued: %1.")
        .arg(setting(Setting::ClientCertificate, input));
}

// The names a server's certificate holds, as recorded: "DNS:a.example, IP:10.0.0.1 (CN a)".
QString certificateNames(const QMap<QString, QString> &tls)
{
    const QString names = tls.value(QStringLiteral("subjectAltNames"));
    const QString subject = tls.value(QStringLiteral("subject"));
    if (names.isEmpty())
        return subject.isEmpty()
                   ? QStringLiteral("no names")
                   : QStringLiteral("CN %1, and no subject alternative names").arg(subject);
    return subject.isEmpty() ? names : QStringLiteral("%1 (CN %2)").arg(names, subject);
}

// The server's certificate did not verify (`errors`): which way, and what to do about it.

Finding serverCertificateFinding(const HandshakeDoctor::Input &input, const QString &errors)
{
    QString detail = errors;
    QString fix = QStringLiteral("Fix the server's certificate; for a test server, trust its CA "
                                 "with %1 or accept it for this session only with %2.")
                      .arg(setting(Setting::CaFile, input), setting(Setting::Insecure, input));
    if (errors.contains(QStringLiteral("expired"), Qt::CaseInsensitive)) {
        fix = QStringLiteral("The certificate has expired: renew it on the server.");
    } else if (errors.contains(QStringLiteral("host name"), Qt::CaseInsensitive)) {
        const QString names = certificateNames(input.handshake.tls);
        detail += QStringLiteral("; connected as %1, the certificate holds %2")
                      .arg(input.url.host(), names);
        fix = QStringLiteral(
                  "The certificate is for other names (%1): connect with one of them, or add %2 "
                  "to its subject alternative names.")
                  .arg(names, input.url.host());
    } else if (errors.contains(QStringLiteral("self"), Qt::CaseInsensitive)) {
        fix = QStringLiteral("The certificate is self-signed: trust it with %1 or pin its "
                             "fingerprint with %2, or accept it for this session only with %3.")
                  .arg(setting(Setting::CaFile, input), setting(Setting::Pin, input),
                       setting(Setting::Insecure, input));
    } else if (errors.contains(QStringLiteral("issuer"), Qt::CaseInsensitive)) {
        fix = QStringLiteral("The issuer is not trusted here: the server may not send its "
                             "intermediate certificates, or the CA must be added with %1.")
                  .arg(setting(Setting::CaFile, input));
    }
    return finding(Severity::Error, "tls-failed", QStringLiteral("The TLS handshake failed"),
                   detail, fix);
}

// OpenSSL's words for a first answer that is not a TLS record: "HTTP/1.1 400" read as a
// record header has a version of "TT".
bool answerIsNotTls(const QString &error)
{
    return error.contains(QStringLiteral("wrong version number"), Qt::CaseInsensitive)
           || error.contains(QStringLiteral("packet length too long"), Qt::CaseInsensitive)
           || error.contains(QStringLiteral("unknown protocol"), Qt::CaseInsensitive);
}

// The alerts a server sends about the client's certificate (RFC 8446 §6.2).
bool isCertificateAlert(const QString &alert)
{
    for (const char *name : {"bad_certificate", "unsupported_certificate", "certificate_revoked",
                             "certificate_expired", "certificate_unknown", "unknown_ca",
                             "access_denied", "certificate_required"}) {
        if (alert.startsWith(QLatin1String(name)))
            return true;
    }
    return false;
}

} // namespace

// Why TLS failed, when it was not the pin: the server's certificate, a port without TLS, or the
// server refusing us (its alert, or a close without one).
Finding tlsFailureFinding(const HandshakeDoctor::Input &input)
{
    const QMap<QString, QString> &tls = input.handshake.tls;
    const QString errors = tls.value(QStringLiteral("errors"));
    const QString alert = tls.value(QStringLiteral("alert"));
    // Errors --insecure or a pin set aside are not why it failed.
    const bool setAside
        = tls.contains(QStringLiteral("override"))
          || tls.value(QStringLiteral("pinned")).startsWith(QLatin1String("matched"));
    if (!errors.isEmpty() && !setAside)
        return serverCertificateFinding(input, errors);
    if (answerIsNotTls(input.errorString)) {
        const QString plain = withScheme(input.url, QStringLiteral("ws"));
        return finding(
            Severity::Error, "tls-plain-port",
            QStringLiteral("The server did not answer in TLS: this port speaks plain ws://"),
            input.errorString, QStringLiteral("Use ws:// instead: %1").arg(plain));
    }
    const QString seenAlert = QStringLiteral("the server sent the TLS alert %1").arg(alert);
    if (alert.startsWith(QLatin1String("certificate_required")) && !input.clientCertificate) {
        return finding(Severity::Error, "tls-client-certificate-required",
                       QStringLiteral("The server requires a client certificate"), seenAlert,
                       clientCertificateFix(input));
    }
    if (alert.startsWith(QLatin1String("handshake_failure")) && !input.clientCertificate) {
        // TLS 1.2 servers (OpenSSL's among them) answer a missing client certificate with it.
        return finding(Severity::Error, "tls-client-certificate-required",
                       QStringLiteral("The server probably requires a client certificate"),
                       seenAlert,
                       clientCertificateFix(input)
                           + QStringLiteral(" (The same alert also means no TLS version or "
                                            "cipher suite in common.)"));
    }
    if (input.clientCertificate
        && (isCertificateAlert(alert) || alert.startsWith(QLatin1String("handshake_failure")))) {
        return finding(
            Severity::Error, "tls-client-certificate-rejected",
            QStringLiteral("The server did not accept the client certificate"), seenAlert,
            QStringLiteral("Check that its CA is one the server trusts, that it has not expired, "
                           "that %1 is its key, and that it is meant for client "
                           "authentication (the capture's tls.clientCertificate names it).")
                .arg(setting(Setting::ClientKey, input)));
    }
    if (alert.isEmpty() && input.close.endedBy == EndReason::TcpFin) {
        const QString plain = withScheme(input.url, QStringLiteral("ws"));
        return finding(
            Severity::Error, "tls-closed-during-handshake",
            QStringLiteral("The server closed the connection during the TLS handshake"),
            input.errorString,
            input.clientCertificate
                ? QStringLiteral("It may not accept the client certificate given: check that its "
                                 "CA is one the server trusts and that %1 is its key. If this "
                                 "port does not speak TLS, use ws:// instead: %2")
                      .arg(setting(Setting::ClientKey, input), plain)
                : QStringLiteral("Servers that require a client certificate close like this "
                                 "when none is sent. %1 If this port does not speak TLS, use "
                                 "ws:// instead: %2")
                      .arg(clientCertificateFix(input), plain));
    }
    return finding(
        Severity::Error, "tls-failed", QStringLiteral("The TLS handshake failed"),
        alert.isEmpty() ? input.errorString : seenAlert + QStringLiteral(": ") + input.errorString,
        QStringLiteral("The server refused the handshake: it may not accept TLS 1.2 or later or "
                       "the offered cipher suites, or not know this host name (SNI)."));
}

// The server ended the connection before a byte of an answer. On ws://, what TLS servers do with
// a plain request; on wss://, right after the handshake, what a server that requires a client
// certificate does when none came (Qt's, and others that check it once TLS is up).
Finding closedWithoutAnswer(const HandshakeDoctor::Input &input, bool secure)
{
    const QString title = QStringLiteral("The server closed the connection without answering");
    if (!secure) {
        return finding(
            Severity::Error, "closed-without-answer", title, input.errorString,
            QStringLiteral("TLS ports close like this on a plain HTTP request; if not that, the "
                           "server refused the request without saying why (its log may tell). "
                           "If this port speaks TLS, use wss:// instead: %1")
                .arg(withScheme(input.url, QStringLiteral("wss"))));
    }
    if (!input.clientCertificate) {
        return finding(
            Severity::Error, "tls-client-certificate-required",
            QStringLiteral("The server probably requires a client certificate"),
            QStringLiteral("the server closed the connection right after the TLS handshake, "
                           "without answering the upgrade, and no client certificate was given"),
            clientCertificateFix(input)
                + QStringLiteral(" (If it wants none, the server dropped the request without "
                                 "saying why: its log may tell.)"));
    }
    return finding(Severity::Error, "closed-without-answer", title, input.errorString,
                   QStringLiteral("Right after the TLS handshake: the server may not accept the "
                                  "client certificate given (check that its CA is one the server "
                                  "trusts and that %1 is its key), or it dropped the request "
                                  "without saying why (its log may tell).")
                       .arg(setting(Setting::ClientKey, input)));
}

bool startsWithTlsRecord(const QByteArray &answer)
{
    return answer.size() >= 2 && (answer[0] == 0x15 || answer[0] == 0x16) && answer[1] == 0x03;
}

} // namespace framescope::session::doctor
