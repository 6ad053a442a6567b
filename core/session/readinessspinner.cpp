#include "readinessspinner.h"

#include <QAbstractEventDispatcher>
#include <QThread>
#include <chrono>

#ifdef Q_OS_LINUX
#include <sys/epoll.h>
#include <unistd.h>
#endif

namespace framescope::session {

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

void ReadinessSpinner::watch(qintptr fd)
{
#ifdef Q_OS_LINUX
    if (m_epoll < 0 || fd < 0)
        return;
    epoll_event event{};
    event.events = EPOLLIN; // level-triggered: "is anything waiting", every time we ask
    event.data.fd = int(fd);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, int(fd), &event);
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
    const Clock::time_point end = Clock::now() + std::chrono::microseconds(m_budgetUs);
    epoll_event event{};
    do {
        if (::epoll_wait(m_epoll, &event, 1, 0) > 0) {
            ++m_hits;
            return true;
        }
    } while (Clock::now() < end);
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
