#pragma once

#include <QObject>
#include <cstdint>

namespace framescope::session {

// Spins for a short while before the thread's event loop goes to sleep, watching a set of
// sockets, and lets the loop run again as soon as one of them is readable.
//
// Why: while a client is exchanging messages at a fast pace, the next one usually arrives a few
// microseconds after the answer went out. Sleeping in poll() and being woken again costs far
// more than that (on a virtual machine an idle CPU halts, and waking it costs 10-20 us), so a
// short spin halves the round-trip time. It only spins after the loop handled reads
// (noteActivity()) since it last slept, so an idle server never spins, and each spin is bounded.
// Linux only (epoll); elsewhere it does nothing.
class ReadinessSpinner : public QObject
{
    Q_OBJECT

public:
    // budgetUs 0 disables it.
    explicit ReadinessSpinner(int budgetUs, QObject *parent = nullptr);
    ~ReadinessSpinner() override;

    // Spins whenever the event loop of the calling thread is about to block (after activity).
    void attachToCurrentThread();

    // A socket to watch. Closing it ends the watch (epoll drops closed descriptors), so a
    // descriptor number reused by a later socket is never confused with it.
    void watch(qintptr fd);
    // Reads happened: the next time the loop is about to sleep, spin first.
    void noteActivity() { m_active = true; }

    // Waits up to the budget for a watched socket to become readable; true if one did.
    bool spin();

    int budgetUs() const { return m_budgetUs; }
    std::uint64_t spins() const { return m_spins; }
    std::uint64_t hits() const { return m_hits; }

private:
    void handleAboutToBlock();

    int m_budgetUs = 0;
    int m_epoll = -1;
    bool m_active = false;
    std::uint64_t m_spins = 0;
    std::uint64_t m_hits = 0;
};

} // namespace framescope::session
