#include "readinesspoller.h"

namespace framescope::platform {

ReadinessPoller::ReadinessPoller() = default;
ReadinessPoller::~ReadinessPoller() = default;

bool ReadinessPoller::add(SocketHandle, bool)
{
    return false;
}

void ReadinessPoller::remove(SocketHandle) {}

std::size_t ReadinessPoller::readyNow(std::span<SocketHandle>)
{
    return 0;
}

} // namespace framescope::platform
