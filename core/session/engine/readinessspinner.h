#pragma once

#include <QHash>
#include <QObject>
#include <cstdint>
#include <functional>
#include <platform/readinesspoller.h>

namespace framescope::session {

// Serves a set of sockets from an epoll set of its own: from the event loop (which waits on the
// one epoll descriptor instead of polling every socket), and by spinning for a short while before
// the thread's event loop goes to sleep.
//
// Why the epoll set: Qt's event loop polls every socket notifier on every wake-up, which costs in
// proportion to the connections held (10,000 idle ones are polled each time one is busy); epoll
// reports only the ready ones.
//
// Why the spin: while clients exchange messages at a fast pace, the next one usually arrives a few
// microseconds after the answer went out. Sleeping in poll() and being woken again costs far
// more than that (on a virtual machine an idle CPU halts, and waking it costs 10-20 us), so a
// short spin halves the round-trip time. Serving a ready socket from here (its handler reads it
// at once) also skips a pass of the event loop.
//
// It only spins after the loop handled reads (noteActivity()) since it last slept, so an idle
// server never spins; each spin ends after the budget passes with nothing to read, or after at
// most 1 ms of serving, so timers and posted events still run. Where the platform has no poller
// (platform::ReadinessPoller) it watches nothing (watch() says so) and the caller relies on Qt's
// notifications.
class ReadinessSpinner : public QObject
{
    Q_OBJECT

public:
    // Serves a readable socket; false: stop watching it (closed, or closing).
    using Handler = std::function<bool()>;

    // budgetUs 0: never spins (sockets are still served from the event loop).
    explicit ReadinessSpinner(int budgetUs, QObject *parent = nullptr);
    ~ReadinessSpinner() override;

    // Serves ready sockets from the calling thread's event loop, and spins whenever that loop
    // is about to block (after activity).
    void attachToCurrentThread();

    // A socket to watch. With a handler it is served here: from the event loop and while
    // spinning. Without one (a listening socket) the event loop serves it; a new connection ends
    // a spin. Closing a socket ends its watch (epoll drops closed descriptors); unwatch() also
    // forgets its handler. False when nothing is watched (the spinner is off, or not on Linux):
    // the caller's own notifications must then serve the socket.
    bool watch(qintptr fd, Handler handler = {});
    void unwatch(qintptr fd);
    // On (the default): the spin keeps serving sockets as they become ready, up to 1 ms. Off:
    // it serves the ones ready at once, then hands over to the event loop.
    void setContinuousServing(bool continuous) { m_continuous = continuous; }
    // Reads happened: the next time the loop is about to sleep, spin first.
    void noteActivity() { m_active = true; }

    // Spins: serves watched sockets as they become readable until the budget passes with none,
    // then returns false; returns true as soon as a socket without a handler is readable, or
    // after 1 ms of serving.
    bool spin();
    // Serves the sockets that are ready now, once each; true when a socket without a handler
    // is readable too.
    bool serveReady();

    std::uint64_t spins() const { return m_spins; }
    std::uint64_t served() const { return m_served; }

private:
    void handleAboutToBlock();
    // Serves one batch of ready sockets: how many were ready, -1 when one is the event loop's.
    int serveBatch();

    int m_budgetUs = 0;
    platform::ReadinessPoller m_poller;
    bool m_active = false;
    bool m_continuous = true;
    QHash<qintptr, Handler> m_handlers;
    std::uint64_t m_spins = 0;
    std::uint64_t m_served = 0;
};

} // namespace framescope::session
