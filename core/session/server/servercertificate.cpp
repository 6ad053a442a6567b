#include "servercertificate.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>
#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <session/engine/certificatefingerprint.h>

namespace framescope::session {

namespace {

constexpr int kValidDays = 397;
constexpr int kRenewDays = 30;

struct Freer
{
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(BIO *p) const { BIO_free(p); }
    void operator()(X509_EXTENSION *p) const { X509_EXTENSION_free(p); }
};
template<typename T>
using Owned = std::unique_ptr<T, Freer>;

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(size));
}

bool addExtension(X509 *certificate, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    Owned<X509_EXTENSION> extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

// A P-256 key and a self-signed certificate for the local names, as PEM. No key usage
// extension: one without keyCertSign makes OpenSSL (and Qt) deny that the certificate signed
// itself, and keyCertSign without CA:TRUE breaks RFC 5280.
std::optional<std::pair<QByteArray, QByteArray>> makeSelfSigned()
{
    Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
    Owned<X509> certificate(X509_new());
    if (!key || !certificate)
        return std::nullopt;
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return std::nullopt;
    serial[0] &= 0x7F; // a positive serial number
    BIGNUM *number = BN_bin2bn(serial, sizeof serial, nullptr);
    const bool serialSet
        = number && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate.get()));
    BN_free(number);
    X509_NAME *name = X509_get_subject_name(certificate.get());
    const auto *commonName = reinterpret_cast<const unsigned char *>("Framescope local server");
    const bool ok
        = serialSet && X509_set_version(certificate.get(), 2) == 1
          && X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600)
          && X509_gmtime_adj(X509_getm_notAfter(certificate.get()), long(kValidDays) * 86400)
          && X509_set_pubkey(certificate.get(), key.get()) == 1
          && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
          && X509_set_issuer_name(certificate.get(), name) == 1
          && addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE")
          && addExtension(certificate.get(), NID_ext_key_usage, "serverAuth")
          && addExtension(certificate.get(), NID_subject_alt_name,
                          "DNS:localhost,IP:127.0.0.1,IP:::1")
          && addExtension(certificate.get(), NID_subject_key_identifier, "hash")
          && X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0;
    if (!ok)
        return std::nullopt;
    Owned<BIO> certificateBio(BIO_new(BIO_s_mem()));
    Owned<BIO> keyBio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(certificateBio.get(), certificate.get()) != 1
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
               != 1)
        return std::nullopt;
    return std::make_pair(bioBytes(certificateBio.get()), bioBytes(keyBio.get()));
}

// Does the private key belong to the certificate? (OpenSSL compares the public halves.)
bool keyMatches(const QByteArray &certificatePem, const QByteArray &keyPem,
                const QByteArray &password)
{
    Owned<BIO> certificateBio(
        BIO_new_mem_buf(certificatePem.constData(), int(certificatePem.size())));
    Owned<BIO> keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    Owned<X509> certificate(PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr));
    Owned<EVP_PKEY> key(PEM_read_bio_PrivateKey(
        keyBio.get(), nullptr, nullptr,
        password.isEmpty() ? nullptr : const_cast<char *>(password.constData())));
    return certificate && key && X509_check_private_key(certificate.get(), key.get()) == 1;
}

QSslKey readKey(const QByteArray &pem, const QByteArray &password)
{
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, password);
        if (!key.isNull())
            return key;
    }
    return {};
}

ServerCertificateResult fromPem(const QByteArray &certificatePem, const QByteArray &keyPem,
                                const QByteArray &password, const QString &certificatePath,
                                const QString &keyPath)
{
    ServerCertificateResult result;
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (chain.isEmpty()) {
        result.error = QStringLiteral("%1 holds no PEM certificate").arg(certificatePath);
        return result;
    }
    const QSslKey key = readKey(keyPem, password);
    if (key.isNull()) {
        result.error
            = QStringLiteral("%1 holds no PEM private key (or the password is wrong)").arg(keyPath);
        return result;
    }
    if (!keyMatches(certificatePem, keyPem, password)) {
        result.error = QStringLiteral("the key in %1 does not belong to the certificate in %2")
                           .arg(keyPath, certificatePath);
        return result;
    }
    ServerCertificate certificate;
    certificate.certificate = chain.first();
    certificate.key = key;
    certificate.certificatePath = certificatePath;
    certificate.keyPath = keyPath;
    result.certificate = certificate;
    return result;
}

bool writeFile(const QString &path, const QByteArray &data, QFileDevice::Permissions permissions,
               QString &error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(permissions)
        || file.write(data) != data.size() || !file.commit()) {
        error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

QString ServerCertificate::sha256Fingerprint() const
{
    return fingerprintText(certificate.digest(QCryptographicHash::Sha256));
}

QString defaultCertificateDirectory()
{
    // Shared by the app and framescope-cli, so clients pin one fingerprint.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
           + QStringLiteral("/framescope");
}

ServerCertificateResult loadOrCreateServerCertificate(const QString &directory)
{
    const QString certificatePath = QDir(directory).filePath(QStringLiteral("server-cert.pem"));
    const QString keyPath = QDir(directory).filePath(QStringLiteral("server-key.pem"));
    QFile certificateFile(certificatePath);
    QFile keyFile(keyPath);
    if (certificateFile.exists() || keyFile.exists()) {
        if (!certificateFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
            ServerCertificateResult result;
            result.error = QStringLiteral("cannot read the kept certificate (%1, %2): delete "
                                          "both to make a new one")
                               .arg(certificatePath, keyPath);
            return result;
        }
        ServerCertificateResult kept
            = fromPem(certificateFile.readAll(), keyFile.readAll(), {}, certificatePath, keyPath);
        if (!kept.certificate) {
            kept.error += QStringLiteral(": delete %1 and %2 to make a new one")
                              .arg(certificatePath, keyPath);
            return kept;
        }
        const QDateTime renewAt = QDateTime::currentDateTimeUtc().addDays(kRenewDays);
        if (kept.certificate->certificate.expiryDate() > renewAt)
            return kept;
        // Ours and about to expire: make a new one below.
    }
    ServerCertificateResult result;
    if (!QDir().mkpath(directory)) {
        result.error = QStringLiteral("cannot create %1").arg(directory);
        return result;
    }
    const auto pem = makeSelfSigned();
    if (!pem) {
        result.error = QStringLiteral("OpenSSL could not make a certificate");
        return result;
    }
    if (!writeFile(keyPath, pem->second, QFileDevice::ReadOwner | QFileDevice::WriteOwner,
                   result.error)
        || !writeFile(certificatePath, pem->first,
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                          | QFileDevice::ReadOther,
                      result.error))
        return result;
    result = fromPem(pem->first, pem->second, {}, certificatePath, keyPath);
    if (result.certificate)
        result.certificate->created = true;
    return result;
}

ServerCertificateResult loadServerCertificate(const QString &certificateFile,
                                              const QString &keyFile, const QByteArray &password)
{
    QFile certificate(certificateFile);
    QFile key(keyFile);
    ServerCertificateResult result;
    if (!certificate.open(QIODevice::ReadOnly)) {
        result.error
            = QStringLiteral("cannot read %1: %2").arg(certificateFile, certificate.errorString());
        return result;
    }
    if (!key.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("cannot read %1: %2").arg(keyFile, key.errorString());
        return result;
    }
    return fromPem(certificate.readAll(), key.readAll(), password, certificateFile, keyFile);
}

} // namespace framescope::session
