#include "readinessspinner.h"

#include <QAbstractEventDispatcher>
#include <QSocketNotifier>
#include <array>
#include <chrono>

#ifdef Q_OS_LINUX
#include <sys/epoll.h>
#include <unistd.h>
#endif

namespace framescope::session {

namespace {

// The longest a spin serves sockets before the event loop gets its turn (timers, posted events,
// new connections).
constexpr std::chrono::microseconds kMaxServing{1000};

} // namespace

ReadinessSpinner::ReadinessSpinner(int budgetUs, QObject *parent)
    : QObject(parent)
    , m_budgetUs(std::max(0, budgetUs))
{
#ifdef Q_OS_LINUX
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
#endif
}

ReadinessSpinner::~ReadinessSpinner()
{
#ifdef Q_OS_LINUX
    if (m_epoll >= 0)
        ::close(m_epoll);
#endif
}

void ReadinessSpinner::attachToCurrentThread()
{
    if (m_epoll < 0)
        return;
    // The epoll descriptor is readable while any watched socket is.
    auto *notifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, &ReadinessSpinner::serveReady);
    if (m_budgetUs == 0)
        return; // serves from the loop, never spins
    if (QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance())
        connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this,
                &ReadinessSpinner::handleAboutToBlock, Qt::DirectConnection);
}

bool ReadinessSpinner::watch(qintptr fd, Handler handler)
{
#ifdef Q_OS_LINUX
    if (m_epoll < 0 || fd < 0)
        return false;
    epoll_event event{};
    // Sockets served here are level-triggered ("is anything waiting", every time we ask). The
    // event loop serves the others: edge-triggered, so one it has yet to serve does not keep the
    // epoll descriptor readable (and the loop awake).
    event.events = handler ? EPOLLIN : EPOLLIN | EPOLLET;
    event.data.fd = int(fd);
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, int(fd), &event) != 0)
        return false;
    if (handler)
        m_handlers.insert(int(fd), std::move(handler));
    else
        m_handlers.remove(int(fd)); // a reused descriptor number
    return true;
#else
    Q_UNUSED(fd);
    Q_UNUSED(handler);
    return false;
#endif
}

void ReadinessSpinner::unwatch(qintptr fd)
{
#ifdef Q_OS_LINUX
    if (m_epoll < 0 || fd < 0)
        return;
    ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, int(fd), nullptr);
    m_handlers.remove(int(fd));
#else
    Q_UNUSED(fd);
#endif
}

bool ReadinessSpinner::spin()
{
#ifdef Q_OS_LINUX
    if (m_epoll < 0 || m_budgetUs == 0)
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
#endif
    return false;
}

bool ReadinessSpinner::serveReady()
{
    return m_epoll >= 0 && serveBatch() < 0;
}

int ReadinessSpinner::serveBatch()
{
#ifdef Q_OS_LINUX
    std::array<epoll_event, 64> events{};
    const int ready = ::epoll_wait(m_epoll, events.data(), int(events.size()), 0);
    bool eventLoopsTurn = false;
    for (int i = 0; i < ready; ++i) {
        const int fd = events[std::size_t(i)].data.fd;
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
    return eventLoopsTurn ? -1 : std::max(ready, 0);
#else
    return 0;
#endif
}

void ReadinessSpinner::handleAboutToBlock()
{
    if (!m_active)
        return;
    m_active = false;
    spin();
}

} // namespace framescope::session
