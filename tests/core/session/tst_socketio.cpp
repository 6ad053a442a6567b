// socketio: reading an accepted QTcpSocket's descriptor directly, with Qt's read notifier off.

#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <memory>
#include <session/socketio.h>
#include <sys/socket.h>

using framescope::session::canReadDirectly;
using framescope::session::LentReadBuffer;
using framescope::session::stopReadNotifications;

class tst_SocketIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // With Qt's notifier off, data waits in the kernel (no readyRead, nothing copied into Qt's
    // buffer) for the caller to recv(); Qt still writes.
    void readNotificationsStop()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(server.waitForNewConnection(5000));
        std::unique_ptr<QTcpSocket> accepted(server.nextPendingConnection());
        QVERIFY(client.waitForConnected(5000));
        accepted->setProxy(QNetworkProxy::NoProxy); // as the server sets it: nothing in between
        QVERIFY(stopReadNotifications(accepted.get()));
        QSignalSpy readyRead(accepted.get(), &QTcpSocket::readyRead);
        client.write("hello");
        QVERIFY(client.waitForBytesWritten(5000));
        QTest::qWait(200);
        QCOMPARE(readyRead.count(), 0);
        QVERIFY(canReadDirectly(accepted.get()));
        char buffer[16] = {};
        QCOMPARE(::recv(int(accepted->socketDescriptor()), buffer, sizeof buffer, MSG_DONTWAIT),
                 ssize_t(5));
        QCOMPARE(QByteArray(buffer, 5), QByteArray("hello"));
        accepted->write("back");
        QVERIFY(accepted->waitForBytesWritten(5000));
        QVERIFY(client.waitForReadyRead(5000));
        QCOMPARE(client.readAll(), QByteArray("back"));
    }

    // The end of the stream is left for Qt to read when asked: the socket disconnects as usual.
    void qtStillSeesTheEndWhenAsked()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(server.waitForNewConnection(5000));
        std::unique_ptr<QTcpSocket> accepted(server.nextPendingConnection());
        QVERIFY(client.waitForConnected(5000));
        QVERIFY(stopReadNotifications(accepted.get()));
        QSignalSpy disconnected(accepted.get(), &QTcpSocket::disconnected);
        client.disconnectFromHost();
        QTest::qWait(200);
        QCOMPARE(disconnected.count(), 0); // nobody watched
        accepted->waitForReadyRead(0);
        QVERIFY(disconnected.count() == 1 || disconnected.wait(5000));
        QCOMPARE(accepted->state(), QAbstractSocket::UnconnectedState);
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
