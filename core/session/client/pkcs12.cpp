#include "pkcs12.h"

#include <QBuffer>
#include <QStringList>
#include <memory>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

namespace framescope::session {

namespace {

std::optional<Pkcs12Contents> importWithQt(const QByteArray &data, const QByteArray &password)
{
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    Pkcs12Contents contents;
    if (!QSslCertificate::importPkcs12(&buffer, &contents.key, &contents.certificate,
                                       &contents.chain, password))
        return std::nullopt;
    return contents;
}

// The first error OpenSSL queued on this thread, with the detail it attached (a module's file
// name, say); the queue is left empty, as Qt reads the same queue for its own messages.
QString takeOpenSslError()
{
    const char *data = nullptr;
    int flags = 0;
    const unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags);
    QString text;
    if (code != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text = QString::fromLatin1(buffer);
        if (data && (flags & ERR_TXT_STRING) && *data)
            text += QStringLiteral(" (%1)").arg(QString::fromLocal8Bit(data));
    }
    ERR_clear_error();
    return text;
}

// Once per process. Loading a provider by hand stops OpenSSL from loading the default one by
// itself, so both are loaded. The legacy one only adds algorithms for code that asks for them
// by name: TLS offers none of them. Empty when it worked, else why not.
// Unloaded when the process ends (before OpenSSL's own clean-up, registered earlier), so that
// nothing is left behind.
struct LoadedProviders
{
    LoadedProviders()
    {
        ERR_clear_error();
        defaults = OSSL_PROVIDER_load(nullptr, "default");
        if (!defaults) {
            failure = QStringLiteral("the default provider: ") + takeOpenSslError();
            return;
        }
        legacy = OSSL_PROVIDER_load(nullptr, "legacy");
        if (!legacy)
            failure = takeOpenSslError();
    }
    ~LoadedProviders()
    {
        if (legacy)
            OSSL_PROVIDER_unload(legacy);
        if (defaults)
            OSSL_PROVIDER_unload(defaults);
    }
    OSSL_PROVIDER *defaults = nullptr;
    OSSL_PROVIDER *legacy = nullptr;
    QString failure;
};

const QString &loadLegacyProvider()
{
    static const LoadedProviders providers;
    return providers.failure;
}

struct Diagnosis
{
    enum class Problem { None, NotPkcs12, WrongPassword, UnavailableAlgorithm };
    Problem problem = Problem::None;
    QStringList algorithms; // UnavailableAlgorithm: the ciphers this process cannot fetch
};

// PKCS#12's own password-based schemes (RC2, RC4, DES) name their cipher by their identifier;
// PBES2 names it in its parameters (AES in files made today) and is not looked into.
void noteUnavailableCipher(const X509_ALGOR *algorithm, QStringList &unavailable)
{
    const ASN1_OBJECT *object = nullptr;
    X509_ALGOR_get0(&object, nullptr, nullptr, algorithm);
    int cipherNid = NID_undef;
    int digestNid = NID_undef;
    if (!EVP_PBE_find(EVP_PBE_TYPE_OUTER, OBJ_obj2nid(object), &cipherNid, &digestNid, nullptr)
        || cipherNid <= NID_undef)
        return;
    const QString name = QString::fromLatin1(OBJ_nid2sn(cipherNid));
    if (EVP_CIPHER *cipher = EVP_CIPHER_fetch(nullptr, OBJ_nid2sn(cipherNid), nullptr))
        EVP_CIPHER_free(cipher);
    else if (!unavailable.contains(name))
        unavailable << name;
}

// What keeps a file from being read: OpenSSL's own calls tell a wrong password (the MAC does not
// verify) from a cipher this process does not offer, where Qt says only that it failed.
Diagnosis diagnose(const QByteArray &data, const QByteArray &password)
{
    Diagnosis diagnosis;
    const auto *bytes = reinterpret_cast<const unsigned char *>(data.constData());
    const std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(
        d2i_PKCS12(nullptr, &bytes, long(data.size())), PKCS12_free);
    if (!p12) {
        ERR_clear_error();
        diagnosis.problem = Diagnosis::Problem::NotPkcs12;
        return diagnosis;
    }
    if (PKCS12_mac_present(p12.get())) {
        // As PKCS12_parse() does: an empty password may have been made as "" or as none.
        bool verified
            = PKCS12_verify_mac(p12.get(), password.constData(), int(password.size())) == 1;
        if (!verified && password.isEmpty())
            verified = PKCS12_verify_mac(p12.get(), nullptr, 0) == 1;
        if (!verified) {
            ERR_clear_error();
            diagnosis.problem = Diagnosis::Problem::WrongPassword;
            return diagnosis;
        }
    }
    if (STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12.get())) {
        for (int i = 0; i < sk_PKCS7_num(safes); ++i) {
            PKCS7 *safe = sk_PKCS7_value(safes, i);
            const int type = OBJ_obj2nid(safe->type);
            if (type == NID_pkcs7_encrypted) {
                noteUnavailableCipher(safe->d.encrypted->enc_data->algorithm, diagnosis.algorithms);
            } else if (type == NID_pkcs7_data) {
                STACK_OF(PKCS12_SAFEBAG) *bags = PKCS12_unpack_p7data(safe);
                for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); ++j) {
                    const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);
                    if (PKCS12_SAFEBAG_get_nid(bag) != NID_pkcs8ShroudedKeyBag)
                        continue;
                    const X509_ALGOR *algorithm = nullptr;
                    X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nullptr);
                    noteUnavailableCipher(algorithm, diagnosis.algorithms);
                }
                sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
            }
        }
        sk_PKCS7_pop_free(safes, PKCS7_free);
    }
    ERR_clear_error();
    if (!diagnosis.algorithms.isEmpty())
        diagnosis.problem = Diagnosis::Problem::UnavailableAlgorithm;
    return diagnosis;
}

} // namespace

std::variant<Pkcs12Contents, QString> readPkcs12(const QByteArray &data, const QByteArray &password,
                                                 const QString &name)
{
    // Looked at before Qt reads it: Qt would warn of a file it cannot parse even when loading
    // the legacy provider then lets it.
    const Diagnosis diagnosis = diagnose(data, password);
    const QString algorithms = diagnosis.algorithms.join(QStringLiteral(", "));
    switch (diagnosis.problem) {
    case Diagnosis::Problem::NotPkcs12:
        return QStringLiteral("%1 is not a PKCS#12 file").arg(name);
    case Diagnosis::Problem::WrongPassword:
        return password.isEmpty()
                   ? QStringLiteral("the PKCS#12 file %1 is protected: give its password with "
                                    "--pass")
                         .arg(name)
                   : QStringLiteral("cannot read the PKCS#12 file %1: wrong password (--pass)")
                         .arg(name);
    case Diagnosis::Problem::UnavailableAlgorithm:
        if (const QString &failure = loadLegacyProvider(); !failure.isEmpty())
            return QStringLiteral(
                       "the PKCS#12 file %1 is encrypted with %2, which OpenSSL 3 keeps in its "
                       "legacy provider, and that provider could not be loaded: %3. Install it, "
                       "or export the file again without -legacy (AES)")
                .arg(name, algorithms, failure);
        break;
    case Diagnosis::Problem::None:
        break;
    }
    if (std::optional<Pkcs12Contents> contents = importWithQt(data, password))
        return *contents;
    if (diagnosis.problem == Diagnosis::Problem::UnavailableAlgorithm)
        return QStringLiteral("cannot read the PKCS#12 file %1 (encrypted with %2), even with "
                              "OpenSSL's legacy provider loaded")
            .arg(name, algorithms);
    return QStringLiteral("cannot read the PKCS#12 file %1: no certificate and private key in it "
                          "that Qt can use")
        .arg(name);
}

} // namespace framescope::session
