#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

// The operating system's socket calls that Qt does not offer: reading with the kernel's arrival
// time, scatter writes, non-blocking connects on descriptors we own. Linux has them
// (socketcalls_linux.cpp); elsewhere (socketcalls_portable.cpp) hasDirectSockets() is false and
// the session layer does all socket I/O through Qt. No Qt here.
namespace framescope::platform {

using SocketHandle = std::intptr_t;
inline constexpr SocketHandle kInvalidSocket = -1;

// True where the session layer owns descriptors and reads and writes them itself; false where
// every socket goes through QTcpSocket (the portable path).
bool hasDirectSockets();

// An IPv4 or IPv6 address and port, in network byte order in `address` (4 bytes for IPv4).
struct Endpoint
{
    bool ipv6 = false;
    std::array<std::uint8_t, 16> address{};
    std::uint32_t scopeId = 0; // IPv6 link-local zone
    std::uint16_t port = 0;
};

struct ConnectStart
{
    SocketHandle socket = kInvalidSocket;
    int error = 0; // when socket is invalid
};

// A non-blocking TCP socket connecting to `endpoint`: wait until it is writable, then ask
// connectResult(). Close-on-exec, TCP_NODELAY, kernel receive timestamps on.
ConnectStart startConnect(const Endpoint &endpoint);
// 0 once connected, else the error the connect ended with.
int connectResult(SocketHandle socket);

// A socket accepted by a listener: made non-blocking, TCP_NODELAY and receive timestamps on.
void configureAccepted(SocketHandle socket);

bool peerEndpoint(SocketHandle socket, Endpoint &out);
// This end's address and port (the port the system chose for a connection we made).
bool localEndpoint(SocketHandle socket, Endpoint &out);

struct Received
{
    // > 0: bytes read; 0: nothing waiting; -1: the peer ended the stream; -2: an error (`error`).
    std::ptrdiff_t bytes = 0;
    int error = 0;
    // When the kernel received the last of these bytes, on the monotonic clock (the one
    // session::monotonicNs() reads); 0 when the kernel did not say.
    std::int64_t arrivalNs = 0;
};

Received receive(SocketHandle socket, void *into, std::size_t size);

struct ConstBuffer
{
    const void *data = nullptr;
    std::size_t size = 0;
};

// At most this many buffers go into one send().
inline constexpr std::size_t kMaxSendBuffers = 256;

// Hands what the kernel takes of `buffers` (in order) to it without blocking: the bytes taken
// (0 when the socket's buffer is full), or -1 on an error (`error` set).
std::ptrdiff_t send(SocketHandle socket, std::span<const ConstBuffer> buffers, int &error);

// No more bytes from us (TCP FIN); reading goes on.
void shutdownSend(SocketHandle socket);
// Closes the descriptor; with `reset`, the peer gets a TCP RST instead of a FIN.
void closeSocket(SocketHandle socket, bool reset = false);

// The system's words for a socket error ("Connection refused").
std::string errorText(int error);

} // namespace framescope::platform
