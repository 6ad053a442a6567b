#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <variant>

namespace framescope::session {

// What a PKCS#12 file (.p12/.pfx) holds for a TLS client: its certificate, key and chain.
struct Pkcs12Contents
{
    QSslKey key;
    QSslCertificate certificate;
    QList<QSslCertificate> chain;
};

// Reads a PKCS#12 file through Qt, and says why it cannot (not PKCS#12, wrong password, an
// algorithm this OpenSSL does not offer). Files exported the old way (RC2-40 for the
// certificates, as older Windows and `openssl pkcs12 -export -legacy` write them) need OpenSSL
// 3's legacy provider: it is loaded for them, once per process, and said when it cannot be.
// `name` is the file's name in the messages.
std::variant<Pkcs12Contents, QString> readPkcs12(const QByteArray &data, const QByteArray &password,
                                                 const QString &name);

} // namespace framescope::session
