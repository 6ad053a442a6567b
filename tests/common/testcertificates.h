#pragma once

// X.509 certificates made with OpenSSL for TLS tests: a test CA and server certificates that are
// valid for localhost, expired, for another host, or self-signed. Keys are P-256. And the files a
// client certificate comes in: an encrypted PEM key, a legacy PKCS#12 file.

#include <QByteArray>
#include <QString>
#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace testcertificates {

struct Pem
{
    QByteArray certificate;
    QByteArray key;
};

struct Issuer
{
    X509 *certificate = nullptr;
    EVP_PKEY *key = nullptr;
};

inline QByteArray toPem(auto write, auto *object)
{
    BIO *bio = BIO_new(BIO_s_mem());
    write(bio, object);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    QByteArray pem(data, int(size));
    BIO_free(bio);
    return pem;
}

inline void addExtension(X509 *certificate, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer ? issuer : certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
}

// Makes a certificate; `issuer` empty means self-signed. Days are relative to now.
inline Pem make(const char *commonName, const char *subjectAltNames, long notBeforeDays,
                long notAfterDays, bool isCa, const Issuer &issuer, Issuer *keep = nullptr)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *certificate = X509_new();
    X509_set_version(certificate, 2);
    static long serial = 1000;
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(certificate), notBeforeDays * 86400);
    X509_gmtime_adj(X509_getm_notAfter(certificate), notAfterDays * 86400);
    X509_set_pubkey(certificate, key);
    X509_NAME *name = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
    X509_set_issuer_name(certificate,
                         issuer.certificate ? X509_get_subject_name(issuer.certificate) : name);
    addExtension(certificate, issuer.certificate, NID_basic_constraints,
                 isCa ? "critical,CA:TRUE" : "CA:FALSE");
    if (subjectAltNames)
        addExtension(certificate, issuer.certificate, NID_subject_alt_name, subjectAltNames);
    X509_sign(certificate, issuer.key ? issuer.key : key, EVP_sha256());
    Pem pem{toPem(PEM_write_bio_X509, certificate),
            toPem(
                [](BIO *bio, EVP_PKEY *k) {
                    return PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
                },
                key)};
    if (keep) {
        keep->certificate = certificate;
        keep->key = key;
    } else {
        X509_free(certificate);
        EVP_PKEY_free(key);
    }
    return pem;
}

// The key as encrypted PEM (PKCS#8, AES-256-CBC) under this password.
inline QByteArray encryptedKey(const Pem &pem, const char *password)
{
    BIO *in = BIO_new_mem_buf(pem.key.constData(), int(pem.key.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    const QByteArray encrypted = toPem(
        [password](BIO *bio, EVP_PKEY *k) {
            return PEM_write_bio_PKCS8PrivateKey(bio, k, EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                                 const_cast<char *>(password));
        },
        key);
    EVP_PKEY_free(key);
    return encrypted;
}

// A PKCS#12 file as older Windows and `openssl pkcs12 -export -legacy` write them: the
// certificate encrypted with RC2-40, the key with 3DES. Made in a library context of its own
// that has the legacy provider, so that the process's default context stays as it was.
// Empty when the legacy provider is not installed.
inline QByteArray legacyPkcs12(const Pem &pem, const char *password)
{
    OSSL_LIB_CTX *context = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *defaults = OSSL_PROVIDER_load(context, "default");
    OSSL_PROVIDER *legacy = OSSL_PROVIDER_load(context, "legacy");
    BIO *in = BIO_new_mem_buf(pem.certificate.constData(), int(pem.certificate.size()));
    X509 *certificate = PEM_read_bio_X509(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    in = BIO_new_mem_buf(pem.key.constData(), int(pem.key.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    QByteArray der;
    if (PKCS12 *p12
        = legacy ? PKCS12_create_ex(password, "client", key, certificate, nullptr,
                                    NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                                    NID_pbe_WithSHA1And40BitRC2_CBC, 2048, 1, 0, context, nullptr)
                 : nullptr) {
        der = toPem([](BIO *bio, PKCS12 *p) { return i2d_PKCS12_bio(bio, p); }, p12);
        PKCS12_free(p12);
    }
    X509_free(certificate);
    EVP_PKEY_free(key);
    if (legacy)
        OSSL_PROVIDER_unload(legacy);
    if (defaults)
        OSSL_PROVIDER_unload(defaults);
    OSSL_LIB_CTX_free(context);
    ERR_clear_error();
    return der;
}

struct Set
{
    Pem ca;
    Pem valid;     // localhost, 127.0.0.1 and ::1, signed by the CA
    Pem expired;   // same names, expired yesterday
    Pem wrongHost; // other.example only
    Pem selfSigned;
    Pem client; // framescope-test-client, signed by the CA

    Set()
    {
        Issuer issuer;
        ca = make("Framescope Test CA", nullptr, -1, 30, true, {}, &issuer);
        valid = make("localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", -1, 30, false, issuer);
        expired = make("localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", -30, -1, false, issuer);
        wrongHost = make("other.example", "DNS:other.example", -1, 30, false, issuer);
        selfSigned = make("localhost", "DNS:localhost,IP:127.0.0.1", -1, 30, false, {});
        client = make("framescope-test-client", nullptr, -1, 30, false, issuer);
        X509_free(issuer.certificate);
        EVP_PKEY_free(issuer.key);
    }
};

} // namespace testcertificates
