#pragma once

#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <optional>

namespace framescope::session {

struct ServerCertificate
{
    QSslCertificate certificate;
    QSslKey key;
    QString certificatePath;
    QString keyPath;
    bool created = false; // made just now (first use, or the kept one was about to expire)

    // "AB:CD:..." over the DER certificate, for clients to pin.
    QString sha256Fingerprint() const;
};

struct ServerCertificateResult
{
    std::optional<ServerCertificate> certificate;
    QString error;
};

// Where the local server keeps its self-signed certificate: framescope/ in the user's data
// folder (~/.local/share/framescope on Linux).
QString defaultCertificateDirectory();

// The local server's self-signed certificate (subject alternative names localhost, 127.0.0.1
// and ::1), kept as server-cert.pem and server-key.pem (owner-only) in `directory`. Made with
// OpenSSL on first use, and made again when the kept one expires within 30 days. A kept pair
// that cannot be read, or whose key does not match, is an error, never overwritten.
ServerCertificateResult loadOrCreateServerCertificate(const QString &directory);

// A certificate and private key the user supplies, in PEM (the key may be encrypted).
ServerCertificateResult loadServerCertificate(const QString &certificateFile,
                                              const QString &keyFile,
                                              const QByteArray &password = {});

} // namespace framescope::session
