#include "clienttls.h"

#include "pkcs12.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <algorithm>
#include <session/engine/certificatefingerprint.h>
#include <utility>

namespace framescope::session {

namespace {

// Whether a PEM private key is encrypted: PKCS#8 ("ENCRYPTED PRIVATE KEY") or the traditional
// OpenSSL form ("Proc-Type: 4,ENCRYPTED"). QSslKey says only that it could not read a key.
bool isEncryptedPemKey(const QByteArray &pem)
{
    return pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
           || pem.contains("Proc-Type: 4,ENCRYPTED");
}

std::optional<QString> loadClientCertificate(const ClientOptions &options,
                                             QSslConfiguration &configuration,
                                             QMap<QString, QString> &details)
{
    if (options.certificateFile.isEmpty())
        return std::nullopt;
    QFile file(options.certificateFile);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2")
            .arg(options.certificateFile, file.errorString());
    const QString lower = options.certificateFile.toLower();
    if (lower.endsWith(QLatin1String(".p12")) || lower.endsWith(QLatin1String(".pfx"))) {
        const std::variant<Pkcs12Contents, QString> read
            = readPkcs12(file.readAll(), options.keyPassword, options.certificateFile);
        if (const QString *error = std::get_if<QString>(&read))
            return *error;
        const Pkcs12Contents &contents = std::get<Pkcs12Contents>(read);
        configuration.setLocalCertificateChain(QList<QSslCertificate>{contents.certificate}
                                               + contents.chain);
        configuration.setPrivateKey(contents.key);
        details.insert(QStringLiteral("clientCertificate"),
                       contents.certificate.subjectDisplayName());
        return std::nullopt;
    }
    const QList<QSslCertificate> certificates
        = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.isEmpty())
        return QStringLiteral("no PEM certificate in %1").arg(options.certificateFile);
    const QString keyName = options.keyFile.isEmpty() ? options.certificateFile : options.keyFile;
    QFile keyFile(keyName);
    if (!keyFile.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read the private key file %1: %2")
            .arg(keyName, keyFile.errorString());
    const QByteArray pem = keyFile.readAll();
    QSslKey key;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, options.keyPassword);
        if (!key.isNull())
            break;
    }
    if (key.isNull() && isEncryptedPemKey(pem)) {
        return options.keyPassword.isEmpty()
                   ? QStringLiteral("the private key in %1 is encrypted: give its password with "
                                    "--pass")
                         .arg(keyName)
                   : QStringLiteral("the private key in %1 could not be decrypted: wrong "
                                    "password (--pass)")
                         .arg(keyName);
    }
    if (key.isNull())
        return QStringLiteral("no PEM private key (RSA, EC or DSA) in %1").arg(keyName);
    configuration.setLocalCertificateChain(certificates);
    configuration.setPrivateKey(key);
    details.insert(QStringLiteral("clientCertificate"),
                   certificates.constFirst().subjectDisplayName());
    return std::nullopt;
}

} // namespace

std::optional<QString> configureClientTls(const ClientOptions &options,
                                          QSslConfiguration &configuration,
                                          QMap<QString, QString> &details)
{
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!options.caFile.isEmpty()) {
        if (QFile caFile(options.caFile); !caFile.open(QIODevice::ReadOnly))
            return QStringLiteral("cannot read %1: %2").arg(options.caFile, caFile.errorString());
        const auto certificates = QSslCertificate::fromPath(options.caFile);
        if (certificates.isEmpty())
            return QStringLiteral("no certificates in %1").arg(options.caFile);
        configuration.addCaCertificates(certificates);
    }
    return loadClientCertificate(options, configuration, details);
}

QString checkPinnedCertificate(const QSslSocket &socket, const QByteArray &pinnedSha256,
                               QMap<QString, QString> &details, const QString &setAside)
{
    if (pinnedSha256.isEmpty())
        return {};
    const QByteArray seen = socket.peerCertificate().digest(QCryptographicHash::Sha256);
    if (seen == pinnedSha256) {
        details.insert(QStringLiteral("pinned"),
                       setAside.isEmpty() ? QStringLiteral("matched")
                                          : QStringLiteral("matched, in place of: ") + setAside);
        return {};
    }
    details.insert(QStringLiteral("pinned"), QStringLiteral("mismatch"));
    return QStringLiteral("the server's certificate (SHA-256 %1) is not the pinned one (%2)")
        .arg(fingerprintText(seen), fingerprintText(pinnedSha256));
}

void recordTlsSession(const QSslSocket &socket, QMap<QString, QString> &details)
{
    const QSslCipher cipher = socket.sessionCipher();
    details.insert(QStringLiteral("protocol"), cipher.protocolString());
    details.insert(QStringLiteral("cipher"), cipher.name());
    const QList<QSslCertificate> chain = socket.peerCertificateChain();
    QStringList subjects;
    for (const QSslCertificate &certificate : chain)
        subjects << certificate.subjectDisplayName();
    details.insert(QStringLiteral("chain"), subjects.join(QStringLiteral(" <- ")));
    if (!chain.isEmpty())
        recordPeerCertificate(chain.constFirst(), details);
}

void recordPeerCertificate(const QSslCertificate &certificate, QMap<QString, QString> &details)
{
    if (certificate.isNull())
        return;
    details.insert(QStringLiteral("subject"),
                   certificate.subjectInfo(QSslCertificate::CommonName).join(QStringLiteral(", ")));
    QStringList names;
    const auto alternatives = certificate.subjectAlternativeNames();
    for (auto it = alternatives.cbegin(); it != alternatives.cend(); ++it) {
        switch (it.key()) {
        case QSsl::DnsEntry:
            names << QStringLiteral("DNS:") + it.value();
            break;
        case QSsl::IpAddressEntry:
            names << QStringLiteral("IP:") + it.value();
            break;
        case QSsl::EmailEntry:
            names << QStringLiteral("email:") + it.value();
            break;
        }
    }
    details.insert(QStringLiteral("subjectAltNames"), names.join(QStringLiteral(", ")));
    details.insert(QStringLiteral("expires"), certificate.expiryDate().toString(Qt::ISODate));
    details.insert(QStringLiteral("sha256"),
                   fingerprintText(certificate.digest(QCryptographicHash::Sha256)));
}

QString describeTlsAlert(QSsl::AlertType type)
{
    using Alert = QSsl::AlertType;
    static constexpr std::pair<Alert, const char *> kNames[] = {
        {Alert::CloseNotify, "close_notify"},
        {Alert::UnexpectedMessage, "unexpected_message"},
        {Alert::BadRecordMac, "bad_record_mac"},
        {Alert::RecordOverflow, "record_overflow"},
        {Alert::HandshakeFailure, "handshake_failure"},
        {Alert::BadCertificate, "bad_certificate"},
        {Alert::UnsupportedCertificate, "unsupported_certificate"},
        {Alert::CertificateRevoked, "certificate_revoked"},
        {Alert::CertificateExpired, "certificate_expired"},
        {Alert::CertificateUnknown, "certificate_unknown"},
        {Alert::IllegalParameter, "illegal_parameter"},
        {Alert::UnknownCa, "unknown_ca"},
        {Alert::AccessDenied, "access_denied"},
        {Alert::DecodeError, "decode_error"},
        {Alert::DecryptError, "decrypt_error"},
        {Alert::ProtocolVersion, "protocol_version"},
        {Alert::InsufficientSecurity, "insufficient_security"},
        {Alert::InternalError, "internal_error"},
        {Alert::InappropriateFallback, "inappropriate_fallback"},
        {Alert::UserCancelled, "user_canceled"},
        {Alert::MissingExtension, "missing_extension"},
        {Alert::UnsupportedExtension, "unsupported_extension"},
        {Alert::UnrecognizedName, "unrecognized_name"},
        {Alert::BadCertificateStatusResponse, "bad_certificate_status_response"},
        {Alert::UnknownPskIdentity, "unknown_psk_identity"},
        {Alert::CertificateRequired, "certificate_required"},
        {Alert::NoApplicationProtocol, "no_application_protocol"},
    };
    const auto *found = std::find_if(std::begin(kNames), std::end(kNames),
                                     [type](const auto &entry) { return entry.first == type; });
    const char *name = found != std::end(kNames) ? found->second : "alert";
    return QStringLiteral("%1 (%2)").arg(QLatin1String(name)).arg(int(type));
}

} // namespace framescope::session
