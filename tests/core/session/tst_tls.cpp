// wss:// against QWebSocketServer in secure mode with certificates this test makes: verified by
// default, with distinct failures for an untrusted issuer, an expired certificate, a wrong host
// and a self-signed one, and the per-session override recorded when it is used.

#include "echoroundtrip.h"
#include "testcertificates.h"

#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <capture/framestore.h>
#include <session/client/clientsession.h>

using namespace framescope;
using namespace framescope::session;

namespace {

class TlsEchoServer : public QObject
{
public:
    explicit TlsEchoServer(const testcertificates::Pem &pem)
        : m_server(QStringLiteral("tls-echo"), QWebSocketServer::SecureMode)
    {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(QSslCertificate(pem.certificate));
        configuration.setPrivateKey(QSslKey(pem.key, QSsl::Ec));
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(configuration);
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket *peer = m_server.nextPendingConnection();
            peer->setParent(this);
            connect(peer, &QWebSocket::textMessageReceived, peer,
                    [peer](const QString &text) { peer->sendTextMessage(text); });
        });
        // A failed TLS handshake on the server side is expected in most cases here.
        connect(&m_server, &QWebSocketServer::sslErrors, this, [] {});
    }
    QUrl url(const QString &host = QStringLiteral("127.0.0.1")) const
    {
        return QUrl(QStringLiteral("wss://%1:%2/").arg(host).arg(m_server.serverPort()));
    }

private:
    QWebSocketServer m_server;
};

QByteArray sha256Of(const QByteArray &pemCertificate)
{
    return QSslCertificate(pemCertificate).digest(QCryptographicHash::Sha256);
}

EchoRoundTrip connectTo(const QUrl &url, const QString &caFile, bool insecure,
                        const QByteArray &pin = {})
{
    ClientOptions options;
    options.url = url;
    options.caFile = caFile;
    options.acceptInvalidCertificate = insecure;
    options.pinnedSha256 = pin;
    options.connectTimeoutMs = 5000;
    return echoRoundTrip(options);
}

} // namespace

class tst_Tls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void verifiedWithTheTestCa();
    void untrustedIssuer();
    void expired();
    void wrongHost();
    void selfSignedFailsUnlessOverridden();
    void pinnedSelfSignedCertificateIsTrusted();
    void anotherCertificateThanThePinnedOneFails();
    void wssToAPlainPort();
    void wsToATlsPort_data();
    void wsToATlsPort();

private:
    testcertificates::Set m_certificates;
    QTemporaryDir m_dir;
    QString m_caFile;
};

void tst_Tls::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    m_caFile = m_dir.filePath(QStringLiteral("ca.pem"));
    QFile file(m_caFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(m_certificates.ca.certificate);
}

void tst_Tls::verifiedWithTheTestCa()
{
    TlsEchoServer server(m_certificates.valid);
    const EchoRoundTrip outcome = connectTo(server.url(), m_caFile, false);
    QCOMPARE(outcome.error, SessionError::None);
    QVERIFY(outcome.tls.value(QStringLiteral("protocol")).startsWith(QStringLiteral("TLSv1.")));
    QVERIFY(!outcome.tls.value(QStringLiteral("cipher")).isEmpty());
    QVERIFY(
        outcome.tls.value(QStringLiteral("subjectAltNames")).contains(QStringLiteral("localhost")));
    QCOMPARE(outcome.tls.value(QStringLiteral("sha256")).count(QLatin1Char(':')), 31);
    QVERIFY(!outcome.tls.contains(QStringLiteral("override")));
}

void tst_Tls::untrustedIssuer()
{
    TlsEchoServer server(m_certificates.valid);
    const EchoRoundTrip outcome = connectTo(server.url(), {}, false);
    QCOMPARE(outcome.error, SessionError::TlsFailed);
    QVERIFY2(outcome.tls.value(QStringLiteral("errors"))
                 .contains(QStringLiteral("issuer"), Qt::CaseInsensitive),
             qPrintable(outcome.tls.value(QStringLiteral("errors"))));
}

void tst_Tls::expired()
{
    TlsEchoServer server(m_certificates.expired);
    const EchoRoundTrip outcome = connectTo(server.url(), m_caFile, false);
    QCOMPARE(outcome.error, SessionError::TlsFailed);
    QVERIFY2(outcome.tls.value(QStringLiteral("errors"))
                 .contains(QStringLiteral("expired"), Qt::CaseInsensitive),
             qPrintable(outcome.tls.value(QStringLiteral("errors"))));
}

void tst_Tls::wrongHost()
{
    TlsEchoServer server(m_certificates.wrongHost);
    const EchoRoundTrip outcome = connectTo(server.url(), m_caFile, false);
    QCOMPARE(outcome.error, SessionError::TlsFailed);
    QVERIFY2(outcome.tls.value(QStringLiteral("errors"))
                 .contains(QStringLiteral("host name"), Qt::CaseInsensitive),
             qPrintable(outcome.tls.value(QStringLiteral("errors"))));
    // The names the certificate holds are recorded though it failed, and the Doctor lists them.
    QCOMPARE(outcome.tls.value(QStringLiteral("subjectAltNames")),
             QStringLiteral("DNS:other.example"));
    QCOMPARE(outcome.tls.value(QStringLiteral("subject")), QStringLiteral("other.example"));
    const Finding *failed = outcome.finding(QStringLiteral("tls-failed"));
    QVERIFY2(failed, qPrintable(outcome.describeFindings()));
    QVERIFY2(failed->detail.contains(
                 QStringLiteral("connected as 127.0.0.1, the certificate holds DNS:other.example "
                                "(CN other.example)")),
             qPrintable(outcome.describeFindings()));
    QVERIFY2(failed->fix.contains(QStringLiteral("add 127.0.0.1 to its subject alternative names")),
             qPrintable(outcome.describeFindings()));
}

void tst_Tls::selfSignedFailsUnlessOverridden()
{
    TlsEchoServer server(m_certificates.selfSigned);
    const EchoRoundTrip refused = connectTo(server.url(), m_caFile, false);
    QCOMPARE(refused.error, SessionError::TlsFailed);
    QVERIFY(refused.tls.value(QStringLiteral("errors"))
                .contains(QStringLiteral("self signed"), Qt::CaseInsensitive)
            || refused.tls.value(QStringLiteral("errors"))
                   .contains(QStringLiteral("self-signed"), Qt::CaseInsensitive));
    const EchoRoundTrip accepted = connectTo(server.url(), {}, true);
    QCOMPARE(accepted.error, SessionError::None);
    QCOMPARE(accepted.tls.value(QStringLiteral("override")),
             QStringLiteral("invalid certificate accepted"));
}

void tst_Tls::pinnedSelfSignedCertificateIsTrusted()
{
    // The built-in server's way: a self-signed certificate whose fingerprint the client pins.
    TlsEchoServer server(m_certificates.selfSigned);
    const QByteArray pin = sha256Of(m_certificates.selfSigned.certificate);
    const EchoRoundTrip outcome = connectTo(server.url(), {}, false, pin);
    QCOMPARE(outcome.error, SessionError::None);
    QCOMPARE(outcome.tls.value(QStringLiteral("sha256")),
             QString::fromLatin1(pin.toHex(':').toUpper()));
    QVERIFY2(outcome.tls.value(QStringLiteral("pinned")).startsWith(QStringLiteral("matched")),
             qPrintable(outcome.tls.value(QStringLiteral("pinned"))));
    QVERIFY(!outcome.tls.contains(QStringLiteral("override")));
    // The pin stands in for the name too: exactly this certificate is trusted, whatever name
    // it was reached by (no name lookup here: a certificate made for another host).
    TlsEchoServer otherName(m_certificates.wrongHost);
    const EchoRoundTrip byPin
        = connectTo(otherName.url(), {}, false, sha256Of(m_certificates.wrongHost.certificate));
    QCOMPARE(byPin.error, SessionError::None);
    QVERIFY2(byPin.tls.value(QStringLiteral("pinned"))
                 .contains(QStringLiteral("host name"), Qt::CaseInsensitive),
             qPrintable(byPin.tls.value(QStringLiteral("pinned"))));
}

void tst_Tls::anotherCertificateThanThePinnedOneFails()
{
    const QByteArray otherPin = sha256Of(m_certificates.valid.certificate);
    // Self-signed, not the pinned one.
    {
        TlsEchoServer server(m_certificates.selfSigned);
        const EchoRoundTrip outcome = connectTo(server.url(), {}, false, otherPin);
        QCOMPARE(outcome.error, SessionError::TlsFailed);
        QVERIFY2(outcome.errorString.contains(QStringLiteral("pinned")),
                 qPrintable(outcome.errorString));
        QVERIFY2(outcome.errorString.contains(QString::fromLatin1(
                     sha256Of(m_certificates.selfSigned.certificate).toHex(':').toUpper())),
                 qPrintable(outcome.errorString));
        // --insecure accepts invalid certificates; it does not undo a pin.
        QCOMPARE(connectTo(server.url(), {}, true, otherPin).error, SessionError::TlsFailed);
    }
    // A certificate that verifies against a trusted CA, but is not the pinned one.
    {
        TlsEchoServer server(m_certificates.valid);
        const QByteArray selfSignedPin = sha256Of(m_certificates.selfSigned.certificate);
        const EchoRoundTrip outcome = connectTo(server.url(), m_caFile, false, selfSignedPin);
        QCOMPARE(outcome.error, SessionError::TlsFailed);
        QVERIFY2(outcome.errorString.contains(QStringLiteral("pinned")),
                 qPrintable(outcome.errorString));
        QCOMPARE(connectTo(server.url(), m_caFile, false, otherPin).error, SessionError::None);
    }
}

// A plain HTTP server answers the ClientHello with an error page, which OpenSSL reads as a
// record of the wrong version: the port speaks ws://, and no certificate advice is given.
void tst_Tls::wssToAPlainPort()
{
    QTcpServer plain;
    QVERIFY(plain.listen(QHostAddress::LocalHost));
    connect(&plain, &QTcpServer::newConnection, this, [&plain] {
        QTcpSocket *peer = plain.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer] {
            peer->readAll();
            peer->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
    });
    const EchoRoundTrip outcome = connectTo(
        QUrl(QStringLiteral("wss://127.0.0.1:%1/chat").arg(plain.serverPort())), m_caFile, false);
    QCOMPARE(outcome.error, SessionError::TlsFailed);
    const Finding *plainPort = outcome.finding(QStringLiteral("tls-plain-port"));
    QVERIFY2(plainPort, qPrintable(outcome.describeFindings()));
    QVERIFY(
        plainPort->fix.contains(QStringLiteral("ws://127.0.0.1:%1/chat").arg(plain.serverPort())));
    QVERIFY2(!outcome.advises(QStringLiteral("--cacert"))
                 && !outcome.advises(QStringLiteral("--insecure")),
             qPrintable(outcome.describeFindings()));
}

// An HTTP request to a TLS port: Qt's (and OpenSSL's) servers close without a word, others
// answer with a TLS alert record. Either way the advice is wss://, said for sure for the alert.
void tst_Tls::wsToATlsPort_data()
{
    QTest::addColumn<bool>("alerts");
    QTest::addColumn<QString>("id");
    QTest::newRow("closes without a word") << false << QStringLiteral("closed-without-answer");
    QTest::newRow("answers with an alert") << true << QStringLiteral("tls-port");
}

void tst_Tls::wsToATlsPort()
{
    QFETCH(bool, alerts);
    QFETCH(QString, id);
    TlsEchoServer tls(m_certificates.valid);
    QTcpServer alerting;
    QVERIFY(alerting.listen(QHostAddress::LocalHost));
    connect(&alerting, &QTcpServer::newConnection, this, [&alerting] {
        QTcpSocket *peer = alerting.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer] {
            peer->readAll();
            // RFC 8446 §5.1, §6: a fatal protocol_version alert in a TLS 1.2 record.
            peer->write(QByteArray::fromHex("15030300020246"));
            peer->disconnectFromHost();
        });
    });
    QUrl url = alerts ? QUrl(QStringLiteral("wss://127.0.0.1:%1/").arg(alerting.serverPort()))
                      : tls.url();
    url.setScheme(QStringLiteral("ws"));
    const EchoRoundTrip outcome = connectTo(url, {}, false);
    QCOMPARE(outcome.error, SessionError::HandshakeFailed);
    const Finding *advice = outcome.finding(id);
    QVERIFY2(advice, qPrintable(outcome.describeFindings()));
    url.setScheme(QStringLiteral("wss"));
    QVERIFY2(advice->fix.contains(url.toString()), qPrintable(outcome.describeFindings()));
    if (alerts)
        QCOMPARE(advice->title, QStringLiteral("This port speaks TLS: use wss://"));
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
