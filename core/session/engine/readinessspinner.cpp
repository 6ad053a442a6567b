#include "readinessspinner.h"

#include <QAbstractEventDispatcher>
#include <QSocketNotifier>
#include <array>
#include <chrono>

namespace framescope::session {

namespace {

// The longest a spin serves sockets before the event loop gets its turn (timers, posted events,
// new connections).
constexpr std::chrono::microseconds kMaxServing{1000};

} // namespace

ReadinessSpinner::ReadinessSpinner(int budgetUs, QObject *parent)
    : QObject(parent)
    , m_budgetUs(std::max(0, budgetUs))
{}

ReadinessSpinner::~ReadinessSpinner() = default;

void ReadinessSpinner::attachToCurrentThread()
{
    if (!m_poller.isValid())
        return;
    // The poller's handle is readable while any watched socket is.
    auto *notifier = new QSocketNotifier(m_poller.handle(), QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, &ReadinessSpinner::serveReady);
    if (m_budgetUs == 0)
        return; // serves from the loop, never spins
    if (QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance())
        connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this,
                &ReadinessSpinner::handleAboutToBlock, Qt::DirectConnection);
}

bool ReadinessSpinner::watch(qintptr fd, Handler handler)
{
    // Sockets served here are level-triggered ("is anything waiting", every time we ask). The
    // event loop serves the others: edge-triggered, so one it has yet to serve does not keep the
    // poller readable (and the loop awake).
    if (!m_poller.add(fd, !handler))
        return false;
    if (handler)
        m_handlers.insert(fd, std::move(handler));
    else
        m_handlers.remove(fd); // a reused descriptor number
    return true;
}

void ReadinessSpinner::unwatch(qintptr fd)
{
    m_poller.remove(fd);
    m_handlers.remove(fd);
}

bool ReadinessSpinner::spin()
{
    if (!m_poller.isValid() || m_budgetUs == 0)
        return false;
    ++m_spins;
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    Clock::time_point idleUntil = start + std::chrono::microseconds(m_budgetUs);
    while (true) {
        const int ready = serveBatch();
        if (ready < 0)
            return true; // the event loop's turn
        const Clock::time_point now = Clock::now();
        if (ready > 0) {
            if (!m_continuous || now - start >= kMaxServing)
                return true;
            idleUntil = now + std::chrono::microseconds(m_budgetUs);
        } else if (now >= idleUntil) {
            return false;
        }
    }
}

bool ReadinessSpinner::serveReady()
{
    return m_poller.isValid() && serveBatch() < 0;
}

int ReadinessSpinner::serveBatch()
{
    std::array<platform::SocketHandle, 64> ready{};
    const std::size_t count = m_poller.readyNow(ready);
    bool eventLoopsTurn = false;
    for (std::size_t i = 0; i < count; ++i) {
        const qintptr fd = ready[i];
        const auto it = m_handlers.constFind(fd);
        if (it == m_handlers.cend()) {
            eventLoopsTurn = true; // the event loop serves it
            continue;
        }
        // A copy: the handler may unwatch sockets (its own included).
        const Handler handler = *it;
        ++m_served;
        if (!handler())
            unwatch(fd);
    }
    return eventLoopsTurn ? -1 : int(count);
}

void ReadinessSpinner::handleAboutToBlock()
{
    if (!m_active)
        return;
    m_active = false;
    spin();
}

} // namespace framescope::session
