#include "readinesspoller.h"

#include <array>
#include <sys/epoll.h>
#include <unistd.h>

namespace framescope::platform {

ReadinessPoller::ReadinessPoller()
{
    const int fd = ::epoll_create1(EPOLL_CLOEXEC);
    m_handle = fd < 0 ? kInvalidSocket : fd;
}

ReadinessPoller::~ReadinessPoller()
{
    if (isValid())
        ::close(int(m_handle));
}

bool ReadinessPoller::add(SocketHandle socket, bool edgeTriggered)
{
    if (!isValid() || socket < 0)
        return false;
    epoll_event event{};
    event.events = edgeTriggered ? EPOLLIN | EPOLLET : EPOLLIN;
    event.data.fd = int(socket);
    return ::epoll_ctl(int(m_handle), EPOLL_CTL_ADD, int(socket), &event) == 0;
}

void ReadinessPoller::remove(SocketHandle socket)
{
    if (isValid() && socket >= 0)
        ::epoll_ctl(int(m_handle), EPOLL_CTL_DEL, int(socket), nullptr);
}

std::size_t ReadinessPoller::readyNow(std::span<SocketHandle> ready)
{
    if (!isValid())
        return 0;
    std::array<epoll_event, 64> events{};
    const int count
        = ::epoll_wait(int(m_handle), events.data(), int(std::min(events.size(), ready.size())), 0);
    for (int i = 0; i < count; ++i)
        ready[std::size_t(i)] = events[std::size_t(i)].data.fd;
    return count < 0 ? 0 : std::size_t(count);
}

} // namespace framescope::platform
