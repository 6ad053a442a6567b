#include "socketcalls.h"

// The portable build: no direct socket calls. The session layer sees hasDirectSockets() false
// and does every socket's I/O through QTcpSocket / QSslSocket, which Qt ports everywhere.
namespace framescope::platform {

bool hasDirectSockets()
{
    return false;
}

ConnectStart startConnect(const Endpoint &)
{
    return {kInvalidSocket, -1};
}

int connectResult(SocketHandle)
{
    return -1;
}

void configureAccepted(SocketHandle) {}

bool peerEndpoint(SocketHandle, Endpoint &)
{
    return false;
}

bool localEndpoint(SocketHandle, Endpoint &)
{
    return false;
}

Received receive(SocketHandle, void *, std::size_t)
{
    return {-2, -1, 0};
}

std::ptrdiff_t send(SocketHandle, std::span<const ConstBuffer>, int &error)
{
    error = -1;
    return -1;
}

void shutdownSend(SocketHandle) {}

void closeSocket(SocketHandle, bool) {}

std::string errorText(int error)
{
    return "socket error " + std::to_string(error);
}

} // namespace framescope::platform
