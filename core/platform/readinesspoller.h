#pragma once

#include "socketcalls.h"

#include <span>

namespace framescope::platform {

// A set of sockets asked "which are readable?" in one call, whose own handle is readable while
// any of them is (epoll on Linux). Elsewhere isValid() is false and nothing is watched: callers
// rely on Qt's notifications instead.
class ReadinessPoller
{
public:
    ReadinessPoller();
    ~ReadinessPoller();
    ReadinessPoller(const ReadinessPoller &) = delete;
    ReadinessPoller &operator=(const ReadinessPoller &) = delete;

    bool isValid() const { return m_handle != kInvalidSocket; }
    // Readable while a watched socket is (for a QSocketNotifier).
    SocketHandle handle() const { return m_handle; }

    // Level-triggered: reported every time it has something to read. Edge-triggered: reported
    // once each time new bytes arrive. False when it cannot be watched.
    bool add(SocketHandle socket, bool edgeTriggered);
    void remove(SocketHandle socket);
    // The sockets readable now, without waiting (at most ready.size()).
    std::size_t readyNow(std::span<SocketHandle> ready);

private:
    SocketHandle m_handle = kInvalidSocket;
};

} // namespace framescope::platform
