// The floor for bench_server: a raw TCP echo on epoll, no WebSocket at all. Every byte read is
// written back at once, with as few system calls as it takes (one read, one write per wake-up
// when the kernel takes it all). With --busy-poll US it polls for up to US microseconds after
// traffic before sleeping, as our server does, so both floors can be shown.
// Prints "listening PORT" once ready.

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

void setNonBlocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

} // namespace

int main(int argc, char **argv)
{
    const long busyPollUs
        = argc > 2 && std::strcmp(argv[1], "--busy-poll") == 0 ? std::atol(argv[2]) : 0;
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || listen(listener, 4096) != 0)
        return 1;
    socklen_t length = sizeof address;
    getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);
    std::printf("listening %u\n", unsigned(ntohs(address.sin_port)));
    std::fflush(stdout);
    setNonBlocking(listener);
    const int poller = epoll_create1(0);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = listener;
    epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event);
    std::unordered_map<int, std::string> pending; // bytes not yet written back
    std::unordered_map<int, bool> writeWatched;   // EPOLLOUT asked for
    std::vector<char> buffer(256 * 1024);
    std::vector<epoll_event> events(512);
    bool active = false;
    for (;;) {
        int ready = epoll_wait(poller, events.data(), int(events.size()), 0);
        if (ready == 0 && active && busyPollUs > 0) {
            const auto end
                = std::chrono::steady_clock::now() + std::chrono::microseconds(busyPollUs);
            while (ready == 0 && std::chrono::steady_clock::now() < end)
                ready = epoll_wait(poller, events.data(), int(events.size()), 0);
        }
        if (ready == 0)
            ready = epoll_wait(poller, events.data(), int(events.size()), -1);
        active = ready > 0;
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listener) {
                while (true) {
                    const int client = accept(listener, nullptr, nullptr);
                    if (client < 0)
                        break;
                    setNonBlocking(client);
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event added{};
                    added.events = EPOLLIN;
                    added.data.fd = client;
                    epoll_ctl(poller, EPOLL_CTL_ADD, client, &added);
                }
                continue;
            }
            std::string &out = pending[fd];
            bool closed = false;
            if (events[i].events & EPOLLIN) {
                // A short read means the socket is drained: no second read to learn EAGAIN.
                while (true) {
                    const ssize_t n = read(fd, buffer.data(), buffer.size());
                    if (n > 0) {
                        out.append(buffer.data(), std::size_t(n));
                        if (std::size_t(n) < buffer.size())
                            break;
                        continue;
                    }
                    closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
                    break;
                }
            }
            while (!out.empty() && !closed) {
                const ssize_t n = write(fd, out.data(), out.size());
                if (n > 0) {
                    out.erase(0, std::size_t(n));
                    continue;
                }
                closed = errno != EAGAIN && errno != EWOULDBLOCK;
                break;
            }
            if (closed) {
                epoll_ctl(poller, EPOLL_CTL_DEL, fd, nullptr);
                close(fd);
                pending.erase(fd);
                writeWatched.erase(fd);
                continue;
            }
            // Ask for EPOLLOUT only while output waits.
            const bool waitingToWrite = !out.empty();
            if (waitingToWrite != writeWatched[fd]) {
                writeWatched[fd] = waitingToWrite;
                epoll_event changed{};
                changed.events = EPOLLIN | (waitingToWrite ? unsigned(EPOLLOUT) : 0u);
                changed.data.fd = fd;
                epoll_ctl(poller, EPOLL_CTL_MOD, fd, &changed);
            }
        }
    }
}
