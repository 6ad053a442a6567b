// ReadinessSpinner: a bounded spin before the event loop sleeps, only after activity.

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTest>
#include <QTimer>
#include <platform/readinesspoller.h>
#include <session/engine/readinessspinner.h>
#include <sys/socket.h>
#include <unistd.h>

using framescope::session::ReadinessSpinner;

namespace {

struct SocketPair
{
    int ends[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM, 0, ends); }
    ~SocketPair() { closeBoth(); }
    void closeBoth()
    {
        for (int &fd : ends) {
            if (fd >= 0)
                ::close(fd);
            fd = -1;
        }
    }
};

// Watches `fd` with a handler that counts its calls, leaves what waits unread (the socket stays
// ready) and answers `keepWatching`.
void watchCounting(ReadinessSpinner &spinner, int fd, int &calls, bool keepWatching)
{
    spinner.watch(fd, [&calls, keepWatching] {
        ++calls;
        return keepWatching;
    });
}

} // namespace

class tst_ReadinessSpinner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!framescope::platform::ReadinessPoller().isValid())
            QSKIP("no readiness poller in this build (the portable platform): nothing spins");
    }
    // A socket without a handler (a listener) is the event loop's: the spin ends at once.
    void returnsAtOnceWhenAnUnservedSocketIsReadable()
    {
        SocketPair pair;
        ReadinessSpinner spinner(5'000'000); // 5 s: it must not wait for the budget
        spinner.watch(pair.ends[0]);
        QCOMPARE(::write(pair.ends[1], "x", 1), 1);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(spinner.spin());
        QVERIFY2(timer.elapsed() < 2000, "spun past readable data");
        QCOMPARE(spinner.served(), 0u);
    }

    // A socket with a handler is served by the spin, as often as it becomes readable.
    void servesReadableSocketsWithTheirHandler()
    {
        SocketPair pair;
        ReadinessSpinner spinner(20'000);
        QByteArray received;
        spinner.watch(pair.ends[0], [&] {
            char byte = 0;
            if (::read(pair.ends[0], &byte, 1) == 1)
                received += byte;
            if (received == "a") // the next byte arrives while the spin goes on
                ::write(pair.ends[1], "b", 1);
            return true;
        });
        QCOMPARE(::write(pair.ends[1], "a", 1), 1);
        QVERIFY(!spinner.spin()); // served both, then nothing for the budget
        QCOMPARE(received, QByteArray("ab"));
        QCOMPARE(spinner.served(), 2u);
    }

    // Continuous serving off: the sockets ready at once are served, then the loop gets its turn
    // even though there is more to read.
    void oneBatchWhenNotContinuous()
    {
        SocketPair pair;
        ReadinessSpinner spinner(5'000'000);
        int calls = 0;
        watchCounting(spinner, pair.ends[0], calls, true);
        spinner.setContinuousServing(false);
        QCOMPARE(::write(pair.ends[1], "x", 1), 1);
        QVERIFY(spinner.spin());
        QCOMPARE(calls, 1);
        QCOMPARE(spinner.served(), 1u);
    }

    // A handler that answers false is not asked again.
    void socketWhoseHandlerGivesUpIsForgotten()
    {
        SocketPair pair;
        ReadinessSpinner spinner(20'000);
        int calls = 0;
        watchCounting(spinner, pair.ends[0], calls, false);
        QCOMPARE(::write(pair.ends[1], "x", 1), 1);
        QVERIFY(!spinner.spin());
        QCOMPARE(calls, 1);
    }

    // A handler that never drains its socket cannot keep the spin: the loop gets its turn.
    void servingIsBounded()
    {
        SocketPair pair;
        ReadinessSpinner spinner(5'000'000);
        int calls = 0;
        watchCounting(spinner, pair.ends[0], calls, true);
        QCOMPARE(::write(pair.ends[1], "x", 1), 1);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(spinner.spin());
        QVERIFY2(timer.elapsed() < 2000, "served past its bound");
        QVERIFY(spinner.served() > 1u);
    }

    void givesUpAfterTheBudget()
    {
        SocketPair pair;
        ReadinessSpinner spinner(20'000); // 20 ms
        spinner.watch(pair.ends[0]);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!spinner.spin());
        QVERIFY(timer.nsecsElapsed() >= 20'000'000);
        QCOMPARE(spinner.spins(), 1u);
    }

    void zeroBudgetIsOff()
    {
        SocketPair pair;
        ReadinessSpinner spinner(0);
        spinner.watch(pair.ends[0]);
        QCOMPARE(::write(pair.ends[1], "x", 1), 1);
        QVERIFY(!spinner.spin());
        QCOMPARE(spinner.spins(), 0u);
    }

    // A closed descriptor leaves the set; a new socket given the same number is not watched.
    void closedSocketIsForgotten()
    {
        ReadinessSpinner spinner(1000);
        auto first = std::make_unique<SocketPair>();
        const int number = first->ends[0];
        spinner.watch(number);
        first.reset();
        SocketPair second;
        QVERIFY(second.ends[0] == number || second.ends[1] == number);
        QCOMPARE(::write(second.ends[0] == number ? second.ends[1] : second.ends[0], "x", 1), 1);
        QVERIFY(!spinner.spin());
    }

    // The loop spins once before sleeping after activity, never when idle.
    void spinsBeforeBlockingOnlyAfterActivity()
    {
        SocketPair pair;
        ReadinessSpinner spinner(1000);
        spinner.attachToCurrentThread();
        spinner.watch(pair.ends[0]);
        const auto waitOnce = [] {
            QEventLoop loop;
            QTimer::singleShot(20, &loop, &QEventLoop::quit);
            loop.exec();
        };
        waitOnce();
        QCOMPARE(spinner.spins(), 0u);
        spinner.noteActivity();
        waitOnce();
        QCOMPARE(spinner.spins(), 1u);
        waitOnce();
        QCOMPARE(spinner.spins(), 1u);
    }

    // The event loop waits on the epoll set: a socket that becomes readable is served from
    // the loop, without a spin.
    void servesFromTheEventLoop()
    {
        SocketPair pair;
        ReadinessSpinner spinner(1000);
        spinner.attachToCurrentThread();
        QByteArray received;
        QVERIFY(spinner.watch(pair.ends[0], [&] {
            char buffer[16];
            const ssize_t n = ::read(pair.ends[0], buffer, sizeof buffer);
            if (n > 0)
                received.append(buffer, n);
            return true;
        }));
        QCOMPARE(::write(pair.ends[1], "hello", 5), 5);
        QEventLoop loop;
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        QTimer poll;
        connect(&poll, &QTimer::timeout, &loop, [&] {
            if (!received.isEmpty())
                loop.quit();
        });
        poll.start(1);
        loop.exec();
        QCOMPARE(received, QByteArray("hello"));
        QCOMPARE(spinner.served(), 1u);
        QCOMPARE(spinner.spins(), 0u); // no noteActivity(): served by the loop, not a spin
    }

    // A socket without a handler is reported once per new readiness (edge-triggered): one the
    // event loop has yet to serve does not keep the epoll set readable.
    void unservedSocketIsReportedOnce()
    {
        SocketPair pair;
        ReadinessSpinner spinner(1000);
        QVERIFY(spinner.watch(pair.ends[0]));
        QCOMPARE(::write(pair.ends[1], "x", 1), 1);
        QVERIFY(spinner.serveReady());
        QVERIFY(!spinner.serveReady()); // still readable, already reported
        QCOMPARE(::write(pair.ends[1], "y", 1), 1);
        QVERIFY(spinner.serveReady());
    }

    // Without a budget it never spins, but still serves sockets from the event loop.
    void zeroBudgetStillServesFromTheLoop()
    {
        SocketPair pair;
        ReadinessSpinner spinner(0);
        spinner.attachToCurrentThread();
        int calls = 0;
        QVERIFY(spinner.watch(pair.ends[0], [&] {
            char byte = 0;
            ++calls;
            return ::read(pair.ends[0], &byte, 1) == 1;
        }));
        QCOMPARE(::write(pair.ends[1], "x", 1), 1);
        spinner.noteActivity();
        QVERIFY(QTest::qWaitFor([&] { return calls == 1; }, 5000));
        QEventLoop loop; // the loop blocks once more: still no spin
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(spinner.spins(), 0u);
    }
};

QTEST_GUILESS_MAIN(tst_ReadinessSpinner)
#include "tst_readinessspinner.moc"
