// The floor for bench_server: a raw TCP echo on epoll, no WebSocket at all. Every byte read is
// written back. Prints "listening PORT" once ready.

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
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

int main()
{
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
    std::vector<char> buffer(256 * 1024);
    std::vector<epoll_event> events(512);
    for (;;) {
        const int ready = epoll_wait(poller, events.data(), int(events.size()), -1);
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
                while (true) {
                    const ssize_t n = read(fd, buffer.data(), buffer.size());
                    if (n > 0) {
                        out.append(buffer.data(), std::size_t(n));
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
                continue;
            }
            epoll_event changed{};
            changed.events = EPOLLIN | (out.empty() ? 0u : unsigned(EPOLLOUT));
            changed.data.fd = fd;
            epoll_ctl(poller, EPOLL_CTL_MOD, fd, &changed);
        }
    }
}
