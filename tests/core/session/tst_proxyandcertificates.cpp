// Connections through an HTTP CONNECT proxy and a SOCKS5 proxy (both written here, on
// loopback), a proxy that wants authentication, and TLS client certificates (PEM and PKCS#12)
// against a server that requires one.

#include "echoroundtrip.h"
#include "testcertificates.h"

#include <QProcess>
#include <QSslKey>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtEndian>
#include <capture/framestore.h>
#include <openssl/pkcs12.h>
#include <session/client/clientsession.h>
#include <session/diagnosis/handshakedoctor.h>

using namespace framescope;
using namespace framescope::session;

namespace {

// Relays bytes both ways once the proxy protocol is done.
void pipe(QTcpSocket *a, QTcpSocket *b)
{
    QObject::connect(a, &QTcpSocket::readyRead, b, [a, b] { b->write(a->readAll()); });
    QObject::connect(b, &QTcpSocket::readyRead, a, [a, b] { a->write(b->readAll()); });
    QObject::connect(a, &QTcpSocket::disconnected, b, &QTcpSocket::disconnectFromHost);
    QObject::connect(b, &QTcpSocket::disconnected, a, &QTcpSocket::disconnectFromHost);
}

class HttpConnectProxy : public QObject
{
public:
    explicit HttpConnectProxy(QByteArray requiredCredentials = {})
        : m_required(std::move(requiredCredentials))
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *client = m_server.nextPendingConnection();
            auto head = std::make_shared<QByteArray>();
            connect(client, &QTcpSocket::readyRead, this, [this, client, head] {
                if (head->endsWith("\r\n\r\n"))
                    return;
                *head += client->readAll();
                if (!head->contains("\r\n\r\n"))
                    return;
                requests << *head;
                if (!m_required.isEmpty()
                    && !head->contains("Proxy-Authorization: Basic " + m_required.toBase64())) {
                    // Like real proxies, keep the connection for the retry with credentials.
                    client->write("HTTP/1.1 407 Proxy Authentication "
                                  "Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                                  "Content-Length: 0\r\n\r\n");
                    head->clear();
                    return;
                }
                const QList<QByteArray> target = head->split(' ').value(1).split(':');
                auto *upstream = new QTcpSocket(client);
                connect(upstream, &QTcpSocket::connected, client, [client, upstream] {
                    client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                    client->disconnect();
                    pipe(client, upstream);
                });
                upstream->connectToHost(QString::fromLatin1(target.value(0)),
                                        quint16(target.value(1).toUInt()));
            });
        });
    }
    QString url(const QByteArray &credentials = {}) const
    {
        const QString userInfo = credentials.isEmpty()
                                     ? QString()
                                     : QString::fromLatin1(credentials) + QLatin1Char('@');
        return QStringLiteral("http://") + userInfo + QStringLiteral("127.0.0.1:")
               + QString::number(m_server.serverPort());
    }
    QList<QByteArray> requests;

private:
    QTcpServer m_server;
    QByteArray m_required;
};

// RFC 1928, no authentication, CONNECT with an IPv4 address or a domain name.
class Socks5Proxy : public QObject
{
public:
    Socks5Proxy()
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *client = m_server.nextPendingConnection();
            auto buffer = std::make_shared<QByteArray>();
            auto stage = std::make_shared<int>(0);
            connect(client, &QTcpSocket::readyRead, this, [this, client, buffer, stage] {
                *buffer += client->readAll();
                if (*stage == 0 && buffer->size() >= 2
                    && buffer->size() >= 2 + quint8(buffer->at(1))) {
                    buffer->remove(0, 2 + quint8(buffer->at(1)));
                    client->write(QByteArray::fromHex("0500")); // version 5, no authentication
                    *stage = 1;
                }
                if (*stage != 1 || buffer->size() < 5)
                    return;
                QString host;
                int used = 0;
                if (buffer->at(3) == 1 && buffer->size() >= 10) {
                    host
                        = QHostAddress(qFromBigEndian<quint32>(buffer->constData() + 4)).toString();
                    used = 10;
                } else if (buffer->at(3) == 3 && buffer->size() >= 5 + quint8(buffer->at(4)) + 2) {
                    host = QString::fromLatin1(buffer->mid(5, quint8(buffer->at(4))));
                    used = 5 + quint8(buffer->at(4)) + 2;
                } else {
                    return;
                }
                const quint16 port = qFromBigEndian<quint16>(buffer->constData() + used - 2);
                targets << QStringLiteral("%1:%2").arg(host).arg(port);
                *stage = 2;
                auto *upstream = new QTcpSocket(client);
                connect(upstream, &QTcpSocket::connected, client, [client, upstream] {
                    client->write(QByteArray::fromHex("05000001000000000000"));
                    client->disconnect();
                    pipe(client, upstream);
                });
                upstream->connectToHost(host, port);
            });
        });
    }
    QString url() const
    {
        return QStringLiteral("socks5://127.0.0.1:%1").arg(m_server.serverPort());
    }
    QStringList targets;

private:
    QTcpServer m_server;
};

class EchoServer : public QObject
{
public:
    explicit EchoServer(QWebSocketServer::SslMode mode,
                        const testcertificates::Set *certificates = nullptr,
                        QSsl::SslProtocol protocol = QSsl::TlsV1_2OrLater)
        : m_server(QStringLiteral("echo"), mode)
    {
        if (certificates) {
            QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
            configuration.setProtocol(protocol);
            configuration.setLocalCertificate(QSslCertificate(certificates->valid.certificate));
            configuration.setPrivateKey(QSslKey(certificates->valid.key, QSsl::Ec));
            configuration.setCaCertificates({QSslCertificate(certificates->ca.certificate)});
            configuration.setPeerVerifyMode(
                QSslSocket::VerifyPeer); // a client certificate is required
            m_server.setSslConfiguration(configuration);
        }
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket *peer = m_server.nextPendingConnection();
            peer->setParent(this);
            clientCertificates << peer->sslConfiguration().peerCertificate().subjectDisplayName();
            connect(peer, &QWebSocket::textMessageReceived, peer,
                    [peer](const QString &text) { peer->sendTextMessage(text); });
        });
        connect(&m_server, &QWebSocketServer::sslErrors, this, [] {});
    }
    QUrl url(const QString &scheme = QStringLiteral("ws"),
             const QString &host = QStringLiteral("127.0.0.1")) const
    {
        return QUrl(QStringLiteral("%1://%2:%3/").arg(scheme, host).arg(m_server.serverPort()));
    }
    QStringList clientCertificates;

private:
    QWebSocketServer m_server;
};

// OpenSSL's own server (as nginx, Apache and HAProxy use it) requiring a client certificate:
// unlike Qt's, it ends the handshake with an alert that says so.
class OpenSslServer
{
public:
    OpenSslServer(const QString &certificate, const QString &key, const QString &ca,
                  const QString &version)
    {
        m_process.start(QStringLiteral("openssl"),
                        {QStringLiteral("s_server"), QStringLiteral("-accept"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("-cert"), certificate,
                         QStringLiteral("-key"), key, QStringLiteral("-CAfile"), ca,
                         QStringLiteral("-Verify"), QStringLiteral("1"), version});
        QByteArray out;
        (void)QTest::qWaitFor(
            [&] {
                out += m_process.readAllStandardOutput();
                return (out.contains("ACCEPT ") && out.indexOf('\n', out.indexOf("ACCEPT ")) > 0)
                       || m_process.state() == QProcess::NotRunning;
            },
            10000);
        const qsizetype at = out.indexOf("ACCEPT ");
        if (at >= 0) {
            const QByteArray line = out.mid(at, out.indexOf('\n', at) - at).trimmed();
            port = quint16(line.mid(line.lastIndexOf(':') + 1).toUInt());
        }
    }
    ~OpenSslServer()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    quint16 port = 0;

private:
    QProcess m_process;
};

SessionError roundTrip(const ClientOptions &options, QString *errorString = nullptr)
{
    const EchoRoundTrip outcome = echoRoundTrip(options);
    if (errorString)
        *errorString = outcome.errorString;
    return outcome.error;
}

} // namespace

class tst_ProxyAndCertificates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void httpConnectProxy();
    void httpProxyWantsCredentials();
    void socks5Proxy();
    void badProxySetting();
    void clientCertificatePem();
    void clientCertificatePkcs12();
    void clientCertificateWithAnEncryptedPemKey();
    void clientCertificateInALegacyPkcs12File();
    void clientCertificateRequiredButMissing_data();
    void clientCertificateRequiredButMissing();
    void clientCertificateRequiredByAnOpenSslServer_data();
    void clientCertificateRequiredByAnOpenSslServer();

private:
    testcertificates::Set m_certificates;
    testcertificates::Pem m_client;
    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    void write(const char *name, const QByteArray &data)
    {
        QFile file(path(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(data);
    }
};

void tst_ProxyAndCertificates::initTestCase()
{
    write("ca.pem", m_certificates.ca.certificate);
    write("server.pem", m_certificates.valid.certificate);
    write("server.key", m_certificates.valid.key);
    // A client certificate from the same CA.
    testcertificates::Issuer issuer;
    // Re-issue with the CA's key: make() needs the CA objects, so parse them back from PEM.
    BIO *bio = BIO_new_mem_buf(m_certificates.ca.certificate.constData(),
                               int(m_certificates.ca.certificate.size()));
    issuer.certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    bio = BIO_new_mem_buf(m_certificates.ca.key.constData(), int(m_certificates.ca.key.size()));
    issuer.key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    testcertificates::Issuer clientObjects;
    m_client = testcertificates::make("framescope-test-client", nullptr, -1, 30, false, issuer,
                                      &clientObjects);
    write("client.pem", m_client.certificate);
    write("client.key", m_client.key);
    write("client-encrypted.key", testcertificates::encryptedKey(m_client, "secret"));
    // The same as PKCS#12 with a password.
    PKCS12 *p12 = PKCS12_create("secret", "client", clientObjects.key, clientObjects.certificate,
                                nullptr, 0, 0, 0, 0, 0);
    QVERIFY(p12);
    BIO *out = BIO_new(BIO_s_mem());
    i2d_PKCS12_bio(out, p12);
    char *data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    write("client.p12", QByteArray(data, int(size)));
    BIO_free(out);
    PKCS12_free(p12);
    X509_free(clientObjects.certificate);
    EVP_PKEY_free(clientObjects.key);
    X509_free(issuer.certificate);
    EVP_PKEY_free(issuer.key);
}

void tst_ProxyAndCertificates::httpConnectProxy()
{
    EchoServer server(QWebSocketServer::NonSecureMode);
    HttpConnectProxy proxy;
    ClientOptions options;
    options.url = server.url();
    options.proxy = proxy.url();
    QCOMPARE(roundTrip(options), SessionError::None);
    QCOMPARE(proxy.requests.size(), 1);
    QVERIFY(proxy.requests.first().startsWith("CONNECT 127.0.0.1:"));
}

// A 407 is said as what it is, and the Doctor says to give credentials (not to check the host
// and port); credentials in the proxy URL go with the first CONNECT, not after a challenge.
void tst_ProxyAndCertificates::httpProxyWantsCredentials()
{
    EchoServer server(QWebSocketServer::NonSecureMode);
    HttpConnectProxy proxy("user:pass");
    ClientOptions options;
    options.url = server.url();
    options.proxy = proxy.url();
    {
        capture::FrameStore store;
        ClientSession session(options, store);
        session.open();
        QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Closed; }, 10000));
        QCOMPARE(session.error(), SessionError::ConnectionFailed);
        QVERIFY2(session.errorString().contains(QStringLiteral("407 Proxy Authentication Required")),
                 qPrintable(session.errorString()));
        const QList<Finding> findings
            = HandshakeDoctor::examine(HandshakeDoctor::inputFor(session.snapshot()));
        QVERIFY(!findings.isEmpty());
        QCOMPARE(findings.first().id, QStringLiteral("proxy-authentication"));
        QVERIFY2(findings.first().fix.contains(QStringLiteral("http://USER:PASSWORD@")),
                 qPrintable(findings.first().fix));
    }
    proxy.requests.clear();
    options.proxy = proxy.url("user:pass");
    QCOMPARE(roundTrip(options), SessionError::None);
    QCOMPARE(proxy.requests.size(), 1); // no 407 round first
    QVERIFY(proxy.requests.first().contains("Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"));
    // Wrong credentials: said so, with the user's name.
    options.proxy = proxy.url("user:wrong");
    QString error;
    QCOMPARE(roundTrip(options, &error), SessionError::ConnectionFailed);
    QVERIFY2(error.contains(QStringLiteral("refused the credentials for user \"user\"")),
             qPrintable(error));
}

void tst_ProxyAndCertificates::socks5Proxy()
{
    EchoServer server(QWebSocketServer::NonSecureMode);
    Socks5Proxy proxy;
    ClientOptions options;
    options.url = server.url();
    options.proxy = proxy.url();
    QCOMPARE(roundTrip(options), SessionError::None);
    QCOMPARE(proxy.targets.size(), 1);
    QVERIFY(proxy.targets.first().startsWith(QStringLiteral("127.0.0.1:")));
}

void tst_ProxyAndCertificates::badProxySetting()
{
    ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:1/"));
    options.proxy = QStringLiteral("ftp://nowhere");
    QCOMPARE(roundTrip(options), SessionError::InvalidUrl);
}

void tst_ProxyAndCertificates::clientCertificatePem()
{
    EchoServer server(QWebSocketServer::SecureMode, &m_certificates);
    ClientOptions options;
    options.url = server.url(QStringLiteral("wss"), QStringLiteral("127.0.0.1"));
    options.caFile = path("ca.pem");
    options.certificateFile = path("client.pem");
    options.keyFile = path("client.key");
    QString error;
    QCOMPARE(roundTrip(options, &error), SessionError::None);
    QCOMPARE(server.clientCertificates, QStringList{QStringLiteral("framescope-test-client")});
}

void tst_ProxyAndCertificates::clientCertificatePkcs12()
{
    EchoServer server(QWebSocketServer::SecureMode, &m_certificates);
    ClientOptions options;
    options.url = server.url(QStringLiteral("wss"), QStringLiteral("127.0.0.1"));
    options.caFile = path("ca.pem");
    options.certificateFile = path("client.p12");
    options.keyPassword = "wrong";
    QString error;
    QCOMPARE(roundTrip(options, &error), SessionError::LocalError);
    QVERIFY2(error.contains(QStringLiteral("PKCS#12 file"))
                 && error.contains(options.certificateFile)
                 && error.contains(QStringLiteral("wrong password (--pass)")),
             qPrintable(error));
    options.keyPassword.clear();
    QCOMPARE(roundTrip(options, &error), SessionError::LocalError);
    QVERIFY2(error.contains(QStringLiteral("give its password with --pass")), qPrintable(error));
    write("pem-named.p12", m_client.certificate);
    options.certificateFile = path("pem-named.p12");
    QCOMPARE(roundTrip(options, &error), SessionError::LocalError);
    QVERIFY2(error.contains(QStringLiteral("is not a PKCS#12 file")), qPrintable(error));
    options.certificateFile = path("client.p12");
    options.keyPassword = "secret";
    const EchoRoundTrip outcome = echoRoundTrip(options);
    QCOMPARE(outcome.error, SessionError::None);
    QCOMPARE(server.clientCertificates, QStringList{QStringLiteral("framescope-test-client")});
    // Recorded as a PEM one is (the capture's tls.clientCertificate).
    QCOMPARE(outcome.tls.value(QStringLiteral("clientCertificate")),
             QStringLiteral("framescope-test-client"));
}

// A wrong password is said as such, not as a file without a key.
void tst_ProxyAndCertificates::clientCertificateWithAnEncryptedPemKey()
{
    EchoServer server(QWebSocketServer::SecureMode, &m_certificates);
    ClientOptions options;
    options.url = server.url(QStringLiteral("wss"), QStringLiteral("127.0.0.1"));
    options.caFile = path("ca.pem");
    options.certificateFile = path("client.pem");
    options.keyFile = path("client-encrypted.key");
    options.keyPassword = "wrong";
    QString error;
    QCOMPARE(roundTrip(options, &error), SessionError::LocalError);
    QVERIFY2(error.contains(QStringLiteral("could not be decrypted: wrong password (--pass)")),
             qPrintable(error));
    QVERIFY2(error.contains(options.keyFile), qPrintable(error));
    options.keyPassword.clear();
    QCOMPARE(roundTrip(options, &error), SessionError::LocalError);
    QVERIFY2(error.contains(QStringLiteral("is encrypted: give its password with --pass")),
             qPrintable(error));
    options.keyFile = path("ca.pem"); // a certificate, no key
    QCOMPARE(roundTrip(options, &error), SessionError::LocalError);
    QVERIFY2(error.contains(QStringLiteral("no PEM private key")), qPrintable(error));
    options.keyFile = path("client-encrypted.key");
    options.keyPassword = "secret";
    QCOMPARE(roundTrip(options, &error), SessionError::None);
    QCOMPARE(server.clientCertificates, QStringList{QStringLiteral("framescope-test-client")});
}

// RC2-40 and 3DES, as older Windows exports: OpenSSL 3 has RC2 only in its legacy provider. With
// the right password the file works (and is recorded); a wrong one is said to be wrong.
void tst_ProxyAndCertificates::clientCertificateInALegacyPkcs12File()
{
    const QByteArray legacy = testcertificates::legacyPkcs12(m_client, "secret");
    QVERIFY2(!legacy.isEmpty(), "OpenSSL's legacy provider is needed to make the test file");
    write("client-legacy.pfx", legacy);
    EchoServer server(QWebSocketServer::SecureMode, &m_certificates);
    ClientOptions options;
    options.url = server.url(QStringLiteral("wss"), QStringLiteral("127.0.0.1"));
    options.caFile = path("ca.pem");
    options.certificateFile = path("client-legacy.pfx");
    options.keyPassword = "secret";
    const EchoRoundTrip outcome = echoRoundTrip(options);
    QVERIFY2(outcome.error == SessionError::None, qPrintable(outcome.errorString));
    QCOMPARE(server.clientCertificates, QStringList{QStringLiteral("framescope-test-client")});
    QCOMPARE(outcome.tls.value(QStringLiteral("clientCertificate")),
             QStringLiteral("framescope-test-client"));
    options.keyPassword = "wrong";
    QString error;
    QCOMPARE(roundTrip(options, &error), SessionError::LocalError);
    QVERIFY2(error.contains(QStringLiteral("wrong password (--pass)")), qPrintable(error));
}

// Qt's server says nothing of why: with TLS 1.3 it closes once the handshake is done (before
// answering the upgrade), with TLS 1.2 during it. The advice is still the client certificate's.
void tst_ProxyAndCertificates::clientCertificateRequiredButMissing_data()
{
    QTest::addColumn<QSsl::SslProtocol>("protocol");
    QTest::newRow("TLS 1.2") << QSsl::TlsV1_2;
    QTest::newRow("TLS 1.3") << QSsl::TlsV1_3;
}

void tst_ProxyAndCertificates::clientCertificateRequiredButMissing()
{
    QFETCH(QSsl::SslProtocol, protocol);
    EchoServer server(QWebSocketServer::SecureMode, &m_certificates, protocol);
    ClientOptions options;
    options.url = server.url(QStringLiteral("wss"), QStringLiteral("127.0.0.1"));
    options.caFile = path("ca.pem");
    const EchoRoundTrip outcome = echoRoundTrip(options);
    QVERIFY2(outcome.error == SessionError::TlsFailed
                 || outcome.error == SessionError::HandshakeFailed,
             qPrintable(outcome.describeFindings()));
    QVERIFY(server.clientCertificates.isEmpty());
    QVERIFY2(outcome.advises(QStringLiteral("--cert client.pem --key client.key")),
             qPrintable(outcome.describeFindings()));
    QVERIFY2(!outcome.advises(QStringLiteral("--insecure"))
                 && !outcome.advises(QStringLiteral("--cacert")),
             qPrintable(outcome.describeFindings()));
}

// OpenSSL's server says it: certificate_required (116) after a TLS 1.3 handshake the client
// thought done, handshake_failure (40) in TLS 1.2. Both are TLS failures, with the alert in the
// record and the client certificate in the advice.
void tst_ProxyAndCertificates::clientCertificateRequiredByAnOpenSslServer_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("alert");
    QTest::newRow("TLS 1.2") << QStringLiteral("-tls1_2")
                             << QStringLiteral("handshake_failure (40)");
    QTest::newRow("TLS 1.3") << QStringLiteral("-tls1_3")
                             << QStringLiteral("certificate_required (116)");
}

void tst_ProxyAndCertificates::clientCertificateRequiredByAnOpenSslServer()
{
    QFETCH(QString, version);
    QFETCH(QString, alert);
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
        QSKIP("needs the openssl command (Debian: openssl)");
    OpenSslServer server(path("server.pem"), path("server.key"), path("ca.pem"), version);
    QVERIFY2(server.port != 0, "openssl s_server did not say its port");
    ClientOptions options;
    options.url = QUrl(QStringLiteral("wss://127.0.0.1:%1/").arg(server.port));
    options.caFile = path("ca.pem");
    const EchoRoundTrip outcome = echoRoundTrip(options);
    QVERIFY2(outcome.error == SessionError::TlsFailed, qPrintable(outcome.describeFindings()));
    QCOMPARE(outcome.tls.value(QStringLiteral("alert")), alert);
    const Finding *required = outcome.finding(QStringLiteral("tls-client-certificate-required"));
    QVERIFY2(required, qPrintable(outcome.describeFindings()));
    QVERIFY(required->detail.contains(alert));
    QVERIFY(required->fix.contains(QStringLiteral("--cert client.pem --key client.key")));
    QVERIFY2(!outcome.advises(QStringLiteral("--insecure")),
             qPrintable(outcome.describeFindings()));
}

QTEST_GUILESS_MAIN(tst_ProxyAndCertificates)
#include "tst_proxyandcertificates.moc"
