#include "socketcalls.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

namespace framescope::platform {

namespace {

void configure(int fd)
{
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    // The kernel stamps each segment as it arrives: a frame's time is the wire's, not when this
    // thread got around to reading (see receive()).
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

std::int64_t nanoseconds(const timespec &time)
{
    return std::int64_t(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

// A CLOCK_REALTIME time (what SO_TIMESTAMPNS gives) on the monotonic clock (steady_clock,
// which is CLOCK_MONOTONIC here), by the clocks' difference now.
std::int64_t realtimeToMonotonic(std::int64_t realtimeNs)
{
    timespec realtime{};
    timespec monotonic{};
    ::clock_gettime(CLOCK_REALTIME, &realtime);
    ::clock_gettime(CLOCK_MONOTONIC, &monotonic);
    return nanoseconds(monotonic) - (nanoseconds(realtime) - realtimeNs);
}

static_assert(std::chrono::steady_clock::is_steady);

} // namespace

bool hasDirectSockets()
{
    return true;
}

ConnectStart startConnect(const Endpoint &endpoint)
{
    ConnectStart start;
    const int fd = ::socket(endpoint.ipv6 ? AF_INET6 : AF_INET,
                            SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
        start.error = errno;
        return start;
    }
    configure(fd);
    int result = 0;
    if (endpoint.ipv6) {
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_port = htons(endpoint.port);
        address.sin6_scope_id = endpoint.scopeId;
        std::memcpy(&address.sin6_addr, endpoint.address.data(), 16);
        result = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    } else {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(endpoint.port);
        std::memcpy(&address.sin_addr, endpoint.address.data(), 4);
        result = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    }
    if (result != 0 && errno != EINPROGRESS) {
        start.error = errno;
        ::close(fd);
        return start;
    }
    start.socket = fd;
    return start;
}

int connectResult(SocketHandle socket)
{
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(int(socket), SOL_SOCKET, SO_ERROR, &error, &size) != 0)
        return errno;
    return error;
}

void configureAccepted(SocketHandle socket)
{
    const int fd = int(socket);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
    configure(fd);
}

namespace {

bool endpointOf(const sockaddr_storage &storage, Endpoint &out)
{
    out = {};
    if (storage.ss_family == AF_INET6) {
        const auto &address = reinterpret_cast<const sockaddr_in6 &>(storage);
        out.ipv6 = true;
        std::memcpy(out.address.data(), &address.sin6_addr, 16);
        out.scopeId = address.sin6_scope_id;
        out.port = ntohs(address.sin6_port);
        return true;
    }
    if (storage.ss_family == AF_INET) {
        const auto &address = reinterpret_cast<const sockaddr_in &>(storage);
        std::memcpy(out.address.data(), &address.sin_addr, 4);
        out.port = ntohs(address.sin_port);
        return true;
    }
    return false;
}

} // namespace

bool peerEndpoint(SocketHandle socket, Endpoint &out)
{
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    return ::getpeername(int(socket), reinterpret_cast<sockaddr *>(&storage), &size) == 0
           && endpointOf(storage, out);
}

bool localEndpoint(SocketHandle socket, Endpoint &out)
{
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    return ::getsockname(int(socket), reinterpret_cast<sockaddr *>(&storage), &size) == 0
           && endpointOf(storage, out);
}

Received receive(SocketHandle socket, void *into, std::size_t size)
{
    Received received;
    iovec vector{into, size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr message{};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t read = ::recvmsg(int(socket), &message, MSG_DONTWAIT);
    if (read > 0) {
        received.bytes = read;
        // For TCP the kernel gives the time of the last segment this read took.
        for (cmsghdr *header = CMSG_FIRSTHDR(&message); header;
             header = CMSG_NXTHDR(&message, header)) {
            if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
                timespec time{};
                std::memcpy(&time, CMSG_DATA(header), sizeof time);
                received.arrivalNs = realtimeToMonotonic(nanoseconds(time));
            }
        }
        return received;
    }
    if (read == 0) {
        received.bytes = -1;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        received.bytes = 0;
    } else {
        received.bytes = -2;
        received.error = errno;
    }
    return received;
}

std::ptrdiff_t send(SocketHandle socket, std::span<const ConstBuffer> buffers, int &error)
{
    iovec vectors[kMaxSendBuffers];
    std::size_t count = 0;
    for (const ConstBuffer &buffer : buffers.first(std::min(buffers.size(), kMaxSendBuffers))) {
        if (buffer.size > 0)
            vectors[count++] = {const_cast<void *>(buffer.data), buffer.size};
    }
    if (count == 0)
        return 0;
    msghdr message{};
    message.msg_iov = vectors;
    message.msg_iovlen = count;
    for (;;) {
        const ssize_t sent = ::sendmsg(int(socket), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent >= 0)
            return sent;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        error = errno;
        return -1;
    }
}

void shutdownSend(SocketHandle socket)
{
    ::shutdown(int(socket), SHUT_WR);
}

void closeSocket(SocketHandle socket, bool reset)
{
    if (reset) {
        // SO_LINGER with a zero time: close() sends RST and drops what was queued.
        const linger option{1, 0};
        ::setsockopt(int(socket), SOL_SOCKET, SO_LINGER, &option, sizeof option);
    }
    ::close(int(socket));
}

std::string errorText(int error)
{
    char buffer[256];
    // The GNU strerror_r returns the text (maybe not in buffer).
    return ::strerror_r(error, buffer, sizeof buffer);
}

} // namespace framescope::platform
