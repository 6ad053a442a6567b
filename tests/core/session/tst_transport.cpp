// Transport: one connection's byte stream, over a descriptor of its own (Linux) or a Qt socket.
// Writes keep their order however little the kernel takes, each is reported sent once with its
// bytes and times, reads carry arrival times, reads take no more than asked (the engine sizes
// them to the frames), and the end of the stream ends the transport.

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <capture/framestore.h>
#include <memory>
#include <platform/socketcalls.h>
#include <protocol/messagewriter.h>
#include <session/engine/clock.h>
#include <session/engine/connectionengine.h>
#include <session/engine/descriptortransport.h>
#include <session/engine/qtsockettransport.h>
#include <session/engine/readbuffer.h>
#include <sys/socket.h>

using namespace framescope;
using namespace framescope::session;

namespace {

// Hands over accepted descriptors as they are (as the built-in server's listener does).
class DescriptorListener : public QTcpServer
{
public:
    std::vector<qintptr> accepted;

protected:
    void incomingConnection(qintptr descriptor) override { accepted.push_back(descriptor); }
};

struct Collector final : Transport::Receiver
{
    bool bytesReceived(QByteArrayView data, std::int64_t arrivalNs) override
    {
        bytes += data.toByteArray();
        sizes.push_back(data.size());
        arrivals.push_back(arrivalNs);
        readNs.push_back(monotonicNs());
        return true;
    }
    QByteArray bytes;
    std::vector<qsizetype> sizes;
    std::vector<std::int64_t> arrivals;
    std::vector<std::int64_t> readNs;
};

struct SentRecord
{
    QByteArray wire;
    QByteArray payload;
    std::uint64_t tag = 0;
    std::int64_t queuedNs = 0;
    std::int64_t writtenNs = 0;
};

struct Sink final : Transport::SentSink
{
    void segmentSent(Transport::SentSegment &segment) override
    {
        sent.push_back({QByteArray(reinterpret_cast<const char *>(segment.wire.data()),
                                   qsizetype(segment.wire.size())),
                        segment.payload, segment.tag, segment.queuedNs, segment.writtenNs});
    }
    std::vector<SentRecord> sent;
};

// A QTcpSocket client connected to a transport on the accepting side.
struct Pair
{
    bool connect(bool direct, qsizetype readChunk = 64 * 1024)
    {
        if (direct) {
            if (!platform::hasDirectSockets() || !listener.listen(QHostAddress::LocalHost))
                return false;
            client.connectToHost(QHostAddress::LocalHost, listener.serverPort());
            if (!client.waitForConnected(5000)
                || !QTest::qWaitFor([&] { return !listener.accepted.empty(); }, 5000))
                return false;
            const qintptr descriptor = listener.accepted.front();
            platform::configureAccepted(descriptor);
            fd = int(descriptor);
            transport = std::make_unique<DescriptorTransport>(descriptor, nullptr, readChunk);
        } else {
            if (!server.listen(QHostAddress::LocalHost))
                return false;
            client.connectToHost(QHostAddress::LocalHost, server.serverPort());
            if (!client.waitForConnected(5000) || !server.waitForNewConnection(5000))
                return false;
            QTcpSocket *accepted = server.nextPendingConnection();
            fd = int(accepted->socketDescriptor());
            transport = std::make_unique<QtSocketTransport>(accepted, readChunk);
        }
        transport->setReceiver(&collector);
        transport->setSentSink(&sink);
        return true;
    }

    // Reads on the client until `size` bytes came (or the time runs out).
    QByteArray receive(qsizetype size, int ms = 10000)
    {
        QByteArray received;
        (void)QTest::qWaitFor( // what came is returned either way
            [&] {
                client.waitForReadyRead(5);
                received += client.readAll();
                return received.size() >= size;
            },
            ms);
        return received;
    }

    DescriptorListener listener;
    QTcpServer server;
    QTcpSocket client;
    std::unique_ptr<Transport> transport;
    Collector collector;
    Sink sink;
    int fd = -1;
};

std::span<const std::uint8_t> span(const QByteArray &data)
{
    return {reinterpret_cast<const std::uint8_t *>(data.constData()), std::size_t(data.size())};
}

// Binary messages of `size` bytes each, one frame each, as a server sends them (unmasked).
QByteArray serverFrames(int count, std::size_t size)
{
    protocol::MessageWriter writer(protocol::Role::Server);
    std::vector<std::uint8_t> wire;
    const std::vector<std::uint8_t> payload(size, 'a');
    for (int i = 0; i < count; ++i)
        writer.writeMessage(protocol::Opcode::Binary, payload, wire);
    return QByteArray(reinterpret_cast<const char *>(wire.data()), qsizetype(wire.size()));
}

// The role's part, as small as it gets: received bytes to the engine, frames counted.
struct EngineRole final : ConnectionEngine::Delegate, Transport::Receiver
{
    bool bytesReceived(QByteArrayView data, std::int64_t arrivalNs) override
    {
        engine->consume(data, arrivalNs);
        return true;
    }
    void frameCaptured() override { ++frames; }
    void ended(EngineEnd, const QString &) override {}
    ConnectionEngine *engine = nullptr;
    int frames = 0;
};

} // namespace

class tst_Transport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void kinds_data()
    {
        QTest::addColumn<bool>("direct");
        if (platform::hasDirectSockets())
            QTest::newRow("descriptor") << true;
        QTest::newRow("qt-socket") << false;
    }

    // Many writes, small and large (the large ones' payloads by reference), more than the kernel
    // takes at once with a small send buffer: all arrive in order, each is reported sent once,
    // in order, with its own bytes, and never before it was queued.
    void writesKeepTheirOrderAndAreEachReportedOnce_data() { kinds_data(); }
    void writesKeepTheirOrderAndAreEachReportedOnce()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        const int small = 4096;
        ::setsockopt(pair.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        QByteArray expected;
        QList<QPair<QByteArray, QByteArray>> writes;
        bool sawPending = false;
        for (int i = 0; i < 300; ++i) {
            const QByteArray wire(1 + (i * 37) % 200, char('a' + i % 26));
            const QByteArray payload
                = i % 3 == 0 ? QByteArray(9000 + i * 101, char('A' + i % 26)) : QByteArray();
            if (i % 50 == 10)
                pair.transport->cork();
            pair.transport->write(span(wire), payload, std::uint64_t(i) + 1);
            if (i % 50 == 20)
                pair.transport->uncork();
            sawPending = sawPending || pair.transport->bytesPending() > 0;
            writes.append({wire, payload});
            expected += wire + payload;
        }
        QVERIFY(sawPending); // the kernel (or Qt) did not take everything at once
        const QByteArray received = pair.receive(expected.size());
        QCOMPARE(received.size(), expected.size());
        QVERIFY(received == expected);
        QVERIFY(QTest::qWaitFor([&] { return pair.sink.sent.size() == 300; }, 5000));
        QCOMPARE(pair.transport->bytesPending(), std::size_t(0));
        for (int i = 0; i < 300; ++i) {
            const SentRecord &sent = pair.sink.sent[std::size_t(i)];
            QCOMPARE(sent.tag, std::uint64_t(i) + 1);
            // Small payloads travel with the wire bytes; large ones are handed back as given.
            QCOMPARE(sent.wire + sent.payload, writes[i].first + writes[i].second);
            QVERIFY(sent.writtenNs >= sent.queuedNs);
            if (i > 0)
                QVERIFY(sent.writtenNs >= pair.sink.sent[std::size_t(i) - 1].writtenNs);
        }
    }

    // Writes made while corked wait for the last uncork and then go out in one batch.
    void corkedWritesGoOutTogether_data() { kinds_data(); }
    void corkedWritesGoOutTogether()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        pair.transport->cork();
        pair.transport->cork();
        for (const char *part : {"one ", "two ", "three"})
            pair.transport->write(QByteArrayView(part));
        pair.transport->uncork();
        QCOMPARE(pair.transport->bytesPending(), std::size_t(13)); // still corked once
        pair.transport->uncork();
        QCOMPARE(pair.receive(13), QByteArray("one two three"));
        // Handed to the kernel in one send: one time for all three.
        QVERIFY(QTest::qWaitFor([&] { return pair.sink.sent.size() == 3; }, 5000));
        QCOMPARE(pair.sink.sent[0].writtenNs, pair.sink.sent[2].writtenNs);
    }

    // What was written without a sink (a handshake head) is not reported as sent.
    void writesWithoutASinkAreNotReported_data() { kinds_data(); }
    void writesWithoutASinkAreNotReported()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        pair.transport->setSentSink(nullptr);
        pair.transport->write(QByteArrayView("HTTP/1.1 101\r\n\r\n"));
        pair.transport->setSentSink(&pair.sink);
        pair.transport->write(QByteArrayView("frame"));
        QCOMPARE(pair.receive(21), QByteArray("HTTP/1.1 101\r\n\r\nframe"));
        QVERIFY(QTest::qWaitFor([&] { return pair.sink.sent.size() == 1; }, 5000));
        QCOMPARE(pair.sink.sent[0].wire, QByteArray("frame"));
    }

    // Bytes reach the receiver with their arrival time: never after they were handed over
    // (on a descriptor, the kernel's stamp from when the segment came in).
    void readsCarryTheirArrivalTimes_data() { kinds_data(); }
    void readsCarryTheirArrivalTimes()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        const std::int64_t before = monotonicNs();
        pair.client.write("abc");
        QVERIFY(pair.client.waitForBytesWritten(5000));
        QVERIFY(QTest::qWaitFor([&] { return pair.collector.bytes.size() == 3; }, 5000));
        QCOMPARE(pair.collector.bytes, QByteArray("abc"));
        const std::int64_t arrival = pair.collector.arrivals.front();
        QVERIFY2(arrival >= before - 1000000, "the kernel's clock maps onto the monotonic one");
        QVERIFY(arrival <= pair.collector.readNs.front());
    }

    // The peer's FIN ends the transport: disconnected(), by the peer, no error.
    void theEndOfTheStreamEndsTheTransport_data() { kinds_data(); }
    void theEndOfTheStreamEndsTheTransport()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        QSignalSpy disconnected(pair.transport.get(), &Transport::disconnected);
        pair.client.write("last words");
        pair.client.disconnectFromHost();
        QVERIFY(disconnected.wait(5000));
        QCOMPARE(disconnected.count(), 1);
        QCOMPARE(pair.collector.bytes, QByteArray("last words")); // what came before is kept
        QVERIFY(pair.transport->endedByPeer());
        QVERIFY(pair.transport->errorString().isEmpty());
        QVERIFY(!pair.transport->isOpen());
    }

    // disconnectFromPeer() sends what waits, then closes: the peer reads it all, then the end.
    void disconnectSendsWhatWaitsFirst_data() { kinds_data(); }
    void disconnectSendsWhatWaitsFirst()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        const int small = 4096;
        ::setsockopt(pair.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        const QByteArray big(3 << 20, 'x');
        pair.transport->write(span(big));
        QSignalSpy disconnected(pair.transport.get(), &Transport::disconnected);
        pair.transport->disconnectFromPeer();
        QCOMPARE(pair.receive(big.size()).size(), big.size());
        QVERIFY(disconnected.count() == 1 || disconnected.wait(5000));
        QVERIFY(!pair.transport->endedByPeer());
        QVERIFY(pair.client.state() == QAbstractSocket::UnconnectedState
                || pair.client.waitForDisconnected(5000));
    }

    // A close asked for while replies wait in the batch (a close frame answered inside a read)
    // sends them first.
    void disconnectWhileCorkedSendsTheBatchFirst_data() { kinds_data(); }
    void disconnectWhileCorkedSendsTheBatchFirst()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        QSignalSpy disconnected(pair.transport.get(), &Transport::disconnected);
        pair.transport->cork();
        pair.transport->write(QByteArrayView("close frame"));
        pair.transport->disconnectFromPeer();
        pair.transport->uncork();
        QCOMPARE(pair.receive(11), QByteArray("close frame"));
        QVERIFY(disconnected.count() == 1 || disconnected.wait(5000));
        QVERIFY(QTest::qWaitFor([&] { return pair.sink.sent.size() == 1; }, 5000));
    }

    // abort(reset) on a descriptor sends RST: the peer's next read fails with ECONNRESET.
    void abortWithResetSendsRst()
    {
        if (!platform::hasDirectSockets())
            QSKIP("the portable build has no RST of its own");
        Pair pair;
        QVERIFY(pair.connect(true));
        const int clientFd = int(pair.client.socketDescriptor());
        pair.transport->abort(true);
        QVERIFY(!pair.transport->isOpen());
        char buffer[8];
        ssize_t read = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                read = ::recv(clientFd, buffer, sizeof buffer, MSG_DONTWAIT);
                return !(read < 0 && errno == EAGAIN);
            },
            5000));
        QCOMPARE(read, ssize_t(-1));
        QCOMPARE(errno, ECONNRESET);
    }

    // No read takes more than the transport was asked for, and never more than its limit.
    void readsTakeNoMoreThanAsked_data() { kinds_data(); }
    void readsTakeNoMoreThanAsked()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct));
        QCOMPARE(pair.transport->readChunk(), 64 * 1024);
        pair.transport->setReadChunk(1000);
        QCOMPARE(pair.transport->readChunk(), 1000);
        const QByteArray sent(10000, 'x');
        pair.client.write(sent);
        QVERIFY(QTest::qWaitFor([&] { return pair.collector.bytes.size() == sent.size(); }, 5000));
        QCOMPARE(pair.collector.bytes, sent);
        QVERIFY(pair.collector.sizes.size() >= 10);
        for (const qsizetype size : pair.collector.sizes)
            QVERIFY2(size <= 1000, qPrintable(QString::number(size)));
        pair.transport->setReadChunk(LentReadBuffer::kSize);
        QCOMPARE(pair.transport->readChunk(), 64 * 1024); // the limit it was made with
    }

    // The engine sizes the next reads to the frames that came: small frames are read in the
    // largest pieces, large ones in pieces that stay in the cache until the store copies them.
    void theEngineSizesReadsToTheFrames_data() { kinds_data(); }
    void theEngineSizesReadsToTheFrames()
    {
        QFETCH(bool, direct);
        Pair pair;
        QVERIFY(pair.connect(direct, LentReadBuffer::kSize));
        capture::FrameStore store;
        EngineRole delegate;
        EngineSettings settings; // the client's role: the frames come unmasked
        ConnectionEngine engine(*pair.transport, store, settings, delegate);
        delegate.engine = &engine;
        pair.transport->setReceiver(&delegate);
        const qsizetype largest = pair.transport->readChunk();
        QCOMPARE(largest, LentReadBuffer::kSize);

        pair.client.write(serverFrames(4, 16 * 1024));
        QVERIFY(QTest::qWaitFor([&] { return delegate.frames == 4; }, 5000));
        const qsizetype forLarge = pair.transport->readChunk();
        QVERIFY2(forLarge < largest && forLarge >= 64 * 1024,
                 qPrintable(QString::number(forLarge)));

        pair.client.write(serverFrames(100, 64));
        QVERIFY(QTest::qWaitFor([&] { return delegate.frames == 104; }, 5000));
        QCOMPARE(pair.transport->readChunk(), largest);

        pair.client.write(serverFrames(2, 64 * 1024));
        QVERIFY(QTest::qWaitFor([&] { return delegate.frames == 106; }, 5000));
        QCOMPARE(pair.transport->readChunk(), forLarge);
        QCOMPARE(store.size(), std::size_t{106});
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

QTEST_GUILESS_MAIN(tst_Transport)
#include "tst_transport.moc"
