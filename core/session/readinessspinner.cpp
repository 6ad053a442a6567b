#include "readinessspinner.h"

#include <QAbstractEventDispatcher>
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
    if (m_budgetUs > 0)
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
    if (QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance())
        connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this,
                &ReadinessSpinner::handleAboutToBlock, Qt::DirectConnection);
}

void ReadinessSpinner::watch(qintptr fd, Handler handler)
{
#ifdef Q_OS_LINUX
    if (m_epoll < 0 || fd < 0)
        return;
    epoll_event event{};
    event.events = EPOLLIN; // level-triggered: "is anything waiting", every time we ask
    event.data.fd = int(fd);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, int(fd), &event);
    if (handler)
        m_handlers.insert(int(fd), std::move(handler));
    else
        m_handlers.remove(int(fd)); // a reused descriptor number
#else
    Q_UNUSED(fd);
    Q_UNUSED(handler);
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
    if (m_epoll < 0)
        return false;
    ++m_spins;
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    Clock::time_point idleUntil = start + std::chrono::microseconds(m_budgetUs);
    std::array<epoll_event, 64> events{};
    while (true) {
        const int ready = ::epoll_wait(m_epoll, events.data(), int(events.size()), 0);
        const Clock::time_point now = Clock::now();
        if (ready > 0) {
            for (int i = 0; i < ready; ++i) {
                const int fd = events[std::size_t(i)].data.fd;
                const auto it = m_handlers.constFind(fd);
                if (it == m_handlers.cend())
                    return true; // the event loop serves it
                // A copy: the handler may unwatch sockets (its own included).
                const Handler handler = *it;
                ++m_served;
                if (!handler())
                    unwatch(fd);
            }
            if (!m_continuous || now - start >= kMaxServing)
                return true;
            idleUntil = Clock::now() + std::chrono::microseconds(m_budgetUs);
        } else if (now >= idleUntil) {
            return false;
        }
    }
#endif
    return false;
}

void ReadinessSpinner::handleAboutToBlock()
{
    if (!m_active)
        return;
    m_active = false;
    spin();
}

} // namespace framescope::session
