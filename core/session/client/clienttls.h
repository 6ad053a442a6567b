#pragma once

#include "clientoptions.h"

#include <QMap>
#include <QSsl>
#include <QString>
#include <optional>

class QSslCertificate;
class QSslConfiguration;
class QSslSocket;

namespace framescope::session {

// The client's TLS settings from its options: TLS 1.2 or later, the peer verified, extra CA
// certificates, the client certificate (PEM, or PKCS#12). What it loaded is recorded in
// `details` (the capture's TLS section). Returns why it could not, for a file that does not load.
std::optional<QString> configureClientTls(const ClientOptions &options,
                                          QSslConfiguration &configuration,
                                          QMap<QString, QString> &details);

// With a pin: compares the server's certificate with it and records the outcome in `details`
// (`setAside`: the chain errors it stands in for). Returns what differs; empty when it is the
// pinned one, or nothing is pinned.
QString checkPinnedCertificate(const QSslSocket &socket, const QByteArray &pinnedSha256,
                               QMap<QString, QString> &details, const QString &setAside = {});

// What the TLS handshake agreed and what the server showed: protocol, cipher, the chain, the
// leaf's names, expiry and fingerprint.
void recordTlsSession(const QSslSocket &socket, QMap<QString, QString> &details);

// The server's certificate: `subject` (its common name), `subjectAltNames` ("DNS:name,
// IP:address"), `expires`, `sha256`. Also for one that failed verification: its names are what
// a host-name mismatch is about.
void recordPeerCertificate(const QSslCertificate &certificate, QMap<QString, QString> &details);

// A TLS alert by its RFC 8446 §6 name and number, e.g. "certificate_required (116)"; OpenSSL 3.0
// has no text for TLS 1.3's alerts.
QString describeTlsAlert(QSsl::AlertType type);

} // namespace framescope::session
