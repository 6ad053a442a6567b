// socketio: reading an accepted QTcpSocket's descriptor directly, with Qt's read notifier off.

#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <memory>
#include <session/engine/socketio.h>
#include <sys/socket.h>

using framescope::session::canReadDirectly;
using framescope::session::LentReadBuffer;
using framescope::session::readDirectly;
using framescope::session::stopReadNotifications;

namespace {

// A client connected to a socket accepted on this side, with Qt's read notifier off on the
// accepted one (plain TCP, no proxy: as the server sets it).
struct AcceptedPair
{
    bool connect()
    {
        if (!server.listen(QHostAddress::LocalHost))
            return false;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!server.waitForNewConnection(5000))
            return false;
        accepted.reset(server.nextPendingConnection());
        accepted->setProxy(QNetworkProxy::NoProxy);
        return client.waitForConnected(5000) && stopReadNotifications(accepted.get());
    }

    QTcpServer server;
    QTcpSocket client;
    std::unique_ptr<QTcpSocket> accepted;
};

} // namespace

class tst_SocketIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // With Qt's notifier off, data waits in the kernel (no readyRead, nothing copied into Qt's
    // buffer) for the caller to recv(); Qt still writes.
    void readNotificationsStop()
    {
        AcceptedPair pair;
        QVERIFY(pair.connect());
        QSignalSpy readyRead(pair.accepted.get(), &QTcpSocket::readyRead);
        pair.client.write("hello");
        QVERIFY(pair.client.waitForBytesWritten(5000));
        QTest::qWait(200);
        QCOMPARE(readyRead.count(), 0);
        QVERIFY(canReadDirectly(pair.accepted.get()));
        char buffer[16] = {};
        QCOMPARE(
            ::recv(int(pair.accepted->socketDescriptor()), buffer, sizeof buffer, MSG_DONTWAIT),
            ssize_t(5));
        QCOMPARE(QByteArray(buffer, 5), QByteArray("hello"));
        pair.accepted->write("back");
        QVERIFY(pair.accepted->waitForBytesWritten(5000));
        QVERIFY(pair.client.waitForReadyRead(5000));
        QCOMPARE(pair.client.readAll(), QByteArray("back"));
    }

    // Many parts in one call, more than the kernel takes at once and more than one sendmsg
    // carries: what it did not take is queued on the socket after what it did, in order.
    void writeNowKeepsThePartsInOrder()
    {
        AcceptedPair pair;
        QVERIFY(pair.connect());
        const int small = 4096;
        ::setsockopt(int(pair.accepted->socketDescriptor()), SOL_SOCKET, SO_SNDBUF, &small,
                     sizeof small);
        QList<QByteArray> parts;
        QByteArray expected;
        for (int i = 0; i < int(framescope::session::kMaxWriteParts) + 44; ++i) {
            parts << QByteArray(i % 7 == 0 ? 0 : 1 + (i * 977) % 9000, char('A' + i % 26));
            expected += parts.last();
        }
        const std::vector<QByteArrayView> views(parts.cbegin(), parts.cend());
        QVERIFY(framescope::session::writeNow(pair.accepted.get(), views));
        QVERIFY(pair.accepted->bytesToWrite() > 0); // the kernel took only some
        QByteArray received;
        QVERIFY(QTest::qWaitFor(
            [&] {
                pair.client.waitForReadyRead(10);
                received += pair.client.readAll();
                return received.size() >= expected.size();
            },
            10000));
        QCOMPARE(received.size(), expected.size());
        QVERIFY(received == expected);
    }

    // The end of the stream is left for Qt to read when asked: the socket disconnects as usual.
    void qtStillSeesTheEndWhenAsked()
    {
        AcceptedPair pair;
        QVERIFY(pair.connect());
        QSignalSpy disconnected(pair.accepted.get(), &QTcpSocket::disconnected);
        pair.client.disconnectFromHost();
        QTest::qWait(200);
        QCOMPARE(disconnected.count(), 0); // nobody watched
        pair.accepted->waitForReadyRead(0);
        QVERIFY(disconnected.count() == 1 || disconnected.wait(5000));
        QCOMPARE(pair.accepted->state(), QAbstractSocket::UnconnectedState);
    }

    // A direct read gives the bytes waiting, 0 when none are, -1 at the end of the stream.
    void readDirectlyTellsBytesNothingAndTheEnd()
    {
        AcceptedPair pair;
        QVERIFY(pair.connect());
        char buffer[16] = {};
        QCOMPARE(readDirectly(pair.accepted.get(), buffer, sizeof buffer), qint64(0));
        pair.client.write("abc");
        QVERIFY(pair.client.waitForBytesWritten(5000));
        QVERIFY(QTest::qWaitFor(
            [&] { return readDirectly(pair.accepted.get(), buffer, sizeof buffer) == 3; }, 5000));
        QCOMPARE(QByteArray(buffer, 3), QByteArray("abc"));
        pair.client.disconnectFromHost();
        QVERIFY(QTest::qWaitFor(
            [&] { return readDirectly(pair.accepted.get(), buffer, sizeof buffer) < 0; }, 5000));
    }

    // One large buffer per thread, lent to one reader at a time; a reader inside another's read
    // gets its own, which is not kept.
    void readBufferIsLentOnceAtATime()
    {
        QByteArray firstOwn;
        QByteArray secondOwn;
        char *shared = nullptr;
        {
            LentReadBuffer first(firstOwn);
            QCOMPARE(first.size(), LentReadBuffer::kSize);
            shared = first.data();
            {
                LentReadBuffer nested(secondOwn);
                QCOMPARE(nested.size(), LentReadBuffer::kSize);
                QVERIFY(nested.data() != shared);
                QCOMPARE(nested.data(), secondOwn.data());
            }
            QVERIFY(secondOwn.isEmpty()); // given back
            QVERIFY(firstOwn.isEmpty());  // never needed
        }
        LentReadBuffer again(firstOwn);
        QCOMPARE(again.data(), shared); // the same thread's buffer, reused
        QVERIFY(firstOwn.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_SocketIo)
#include "tst_socketio.moc"
