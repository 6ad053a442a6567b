// Connecting to a name's addresses as RFC 8305 (Happy Eyeballs) says: families interleaved, an
// address that refuses gives way at once, one that stays silent after the attempt delay, the
// first to connect wins; and a client session to a name served on one family only connects.

#include <QElapsedTimer>
#include <QHostInfo>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <session/client/clientsession.h>
#include <session/client/dialer.h>
#include <session/engine/transport.h>
#include <session/server/localserver.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace framescope;
using namespace framescope::session;

namespace {

// A port on `address` that nobody listens on (refused at once).
quint16 closedPort(const QHostAddress &address)
{
    QTcpServer probe;
    probe.listen(address, 0);
    return probe.serverPort(); // closed again when probe goes
}

// A listener on 127.0.0.2:port that never answers: its accept queue is full, so the kernel
// drops further SYNs and a connect waits (for its first SYN retry, a second later).
class SilentListener
{
public:
    explicit SilentListener(quint16 port)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.2", &address.sin_addr);
        const int yes = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        m_ok = ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
               && ::listen(m_listener, 0) == 0;
        for (int i = 0; m_ok && i < 3; ++i) { // fill the queue (backlog 0 holds one or two)
            const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            ::connect(filler, reinterpret_cast<sockaddr *>(&address), sizeof address);
            m_fillers.push_back(filler);
        }
        QTest::qWait(50);
    }
    ~SilentListener()
    {
        for (const int filler : m_fillers)
            ::close(filler);
        ::close(m_listener);
    }
    bool ok() const { return m_ok; }

private:
    int m_listener = -1;
    bool m_ok = false;
    std::vector<int> m_fillers;
};

struct Dial
{
    explicit Dial(bool secure = false)
        : dialer(options, handshake)
    {
        prepared = !dialer.prepare(secure, QNetworkProxy(QNetworkProxy::NoProxy)).has_value();
    }
    ~Dial()
    {
        dialer.cancel();
        delete transport;
    }
    bool waitForEnd()
    {
        return QTest::qWaitFor([&] { return transport || !error.isEmpty(); }, 10000);
    }
    ClientOptions options;
    HandshakeRecord handshake;
    Dialer dialer;
    bool prepared = false;
    Transport *transport = nullptr;
    QString error;
};

void watch(Dial &dial)
{
    QObject::connect(&dial.dialer, &Dialer::ready, [&dial](Transport *t) { dial.transport = t; });
    QObject::connect(&dial.dialer, &Dialer::failed,
                     [&dial](SessionError, const QString &detail, EndReason) { dial.error = detail; });
}

} // namespace

class tst_Dialer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void familiesAreInterleaved()
    {
        const QHostAddress v6a(QStringLiteral("2001:db8::1")), v6b(QStringLiteral("2001:db8::2"));
        const QHostAddress v4a(QStringLiteral("192.0.2.1")), v4b(QStringLiteral("192.0.2.2"));
        QCOMPARE(Dialer::interleaved({v6a, v6b, v4a, v4b}), (QList<QHostAddress>{v6a, v4a, v6b, v4b}));
        QCOMPARE(Dialer::interleaved({v4a, v6a, v6b}), (QList<QHostAddress>{v4a, v6a, v6b}));
        QCOMPARE(Dialer::interleaved({v4a, v4b, v6a}), (QList<QHostAddress>{v4a, v6a, v4b}));
        QCOMPARE(Dialer::interleaved({v4a, v4b}), (QList<QHostAddress>{v4a, v4b}));
    }

    // An address that refuses gives way to the next at once.
    void aRefusingAddressGivesWay()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Dial dial;
        QVERIFY(dial.prepared);
        watch(dial);
        dial.dialer.startWithAddresses(
            {QHostAddress(QStringLiteral("127.0.0.3")), QHostAddress::LocalHost},
            QStringLiteral("example.test"), server.serverPort());
        QVERIFY(dial.waitForEnd());
        QVERIFY2(dial.transport, qPrintable(dial.error));
        QCOMPARE(dial.dialer.connectedAddress(), QStringLiteral("127.0.0.1"));
    }

    // An address that stays silent: the next is tried after the attempt delay, and wins.
    void aSilentAddressIsRacedAfterTheDelay()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        SilentListener silent(server.serverPort());
        if (!silent.ok())
            QSKIP("cannot listen on 127.0.0.2");
        Dial dial;
        watch(dial);
        QElapsedTimer elapsed;
        elapsed.start();
        dial.dialer.startWithAddresses(
            {QHostAddress(QStringLiteral("127.0.0.2")), QHostAddress::LocalHost},
            QStringLiteral("example.test"), server.serverPort());
        QVERIFY(dial.waitForEnd());
        QVERIFY2(dial.transport, qPrintable(dial.error));
        QCOMPARE(dial.dialer.connectedAddress(), QStringLiteral("127.0.0.1"));
        QVERIFY2(elapsed.elapsed() >= Dialer::kAttemptDelayMs, qPrintable(QString::number(elapsed.elapsed())));
    }

    // Every address failed: each one's error is said.
    void everyAddressFailing()
    {
        const quint16 port = closedPort(QHostAddress::LocalHost);
        Dial dial;
        watch(dial);
        dial.dialer.startWithAddresses(
            {QHostAddress(QStringLiteral("127.0.0.3")), QHostAddress(QStringLiteral("127.0.0.4"))},
            QStringLiteral("example.test"), port);
        QVERIFY(dial.waitForEnd());
        QVERIFY(!dial.transport);
        QVERIFY2(dial.error.contains(QStringLiteral("127.0.0.3:%1: ").arg(port))
                     && dial.error.contains(QStringLiteral("; 127.0.0.4:%1: ").arg(port)),
                 qPrintable(dial.error));
    }

    // The case: a name with ::1 and 127.0.0.1, served on 127.0.0.1 only, connects.
    void aNameServedOnOneFamilyConnects()
    {
        const QHostInfo localhost = QHostInfo::fromName(QStringLiteral("localhost"));
        bool v4 = false, v6 = false;
        for (const QHostAddress &address : localhost.addresses())
            (address.protocol() == QAbstractSocket::IPv6Protocol ? v6 : v4) = true;
        if (!v4 || !v6)
            QSKIP("localhost does not resolve to both ::1 and 127.0.0.1 here");
        LocalServerOptions serverOptions;
        serverOptions.addresses = {QHostAddress::LocalHost};
        for (const bool ipv6Only : {false, true}) {
            LocalServerOptions options = serverOptions;
            if (ipv6Only)
                options.addresses = {QHostAddress::LocalHostIPv6};
            LocalServer server(options);
            QCOMPARE(server.listen(), QString());
            ClientOptions client;
            client.url = QUrl(QStringLiteral("ws://localhost:%1/").arg(server.port()));
            capture::FrameStore store;
            ClientSession session(client, store);
            session.open();
            QVERIFY(QTest::qWaitFor([&] { return session.state() == SessionState::Open
                                                 || session.state() == SessionState::Closed; },
                                    10000));
            QVERIFY2(session.state() == SessionState::Open, qPrintable(session.errorString()));
        }
    }
};

QTEST_MAIN(tst_Dialer)
#include "tst_dialer.moc"
