#pragma once

#include <QHash>
#include <QObject>
#include <cstdint>
#include <functional>

namespace framescope::session {

// Spins for a short while before the thread's event loop goes to sleep, watching a set of
// sockets with an epoll set of its own, and serves the ones that become readable itself.
//
// Why: while clients exchange messages at a fast pace, the next one usually arrives a few
// microseconds after the answer went out. Sleeping in poll() and being woken again costs far
// more than that (on a virtual machine an idle CPU halts, and waking it costs 10-20 us), so a
// short spin halves the round-trip time. Serving a ready socket from here (its handler reads it
// at once) also skips a pass of the event loop.
//
// It only spins after the loop handled reads (noteActivity()) since it last slept, so an idle
// server never spins; each spin ends after the budget passes with nothing to read, or after at
// most 1 ms of serving, so timers and posted events still run. Linux only; elsewhere it does
// nothing.
class ReadinessSpinner : public QObject
{
    Q_OBJECT

public:
    // Serves a readable socket; false: stop watching it (closed, or closing).
    using Handler = std::function<bool()>;

    // budgetUs 0 disables it.
    explicit ReadinessSpinner(int budgetUs, QObject *parent = nullptr);
    ~ReadinessSpinner() override;

    // Spins whenever the event loop of the calling thread is about to block (after activity).
    void attachToCurrentThread();

    // A socket to watch. With a handler the spin serves it; without one (a listening socket)
    // the spin ends when it is readable and the event loop serves it. Closing a socket ends
    // its watch (epoll drops closed descriptors); unwatch() also forgets its handler.
    void watch(qintptr fd, Handler handler = {});
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

    std::uint64_t spins() const { return m_spins; }
    std::uint64_t served() const { return m_served; }

private:
    void handleAboutToBlock();

    int m_budgetUs = 0;
    int m_epoll = -1;
    bool m_active = false;
    bool m_continuous = true;
    QHash<int, Handler> m_handlers;
    std::uint64_t m_spins = 0;
    std::uint64_t m_served = 0;
};

} // namespace framescope::session
