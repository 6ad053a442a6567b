// Client receive benchmark: a fast local server thread pushes N binary frames as fast as the
// socket takes them; ours (ClientSession with capture on) and QWebSocket receive them in the same
// run. Prints frames/s for both and the ratio. Also the capture metadata per frame at 1M frames.
// Not a test: it reports, it does not fail.

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QWebSocket>
#include <arpa/inet.h>
#include <capture/framestore.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <protocol/handshake.h>
#include <protocol/messagewriter.h>
#include <pthread.h>
#include <sched.h>
#include <session/client/clientsession.h>
#include <session/engine/clock.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace framescope;

namespace {

void pinToCpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % std::max(1u, std::thread::hardware_concurrency()), &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// Accepts one connection, answers the upgrade, then writes `wire` (pre-encoded frames) and waits
// for the client to close.
class PushServer
{
public:
    // Sends `wire` (whole frames) `repeat` times.
    PushServer(std::vector<std::uint8_t> wire, std::size_t repeat)
        : m_wire(std::move(wire))
        , m_repeat(repeat)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address);
        ::listen(m_listener, 1);
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { run(); });
    }
    ~PushServer()
    {
        m_thread.join();
        ::close(m_listener);
    }
    quint16 port() const { return m_port; }

private:
    void run()
    {
        pinToCpu(1);
        const int client = ::accept(m_listener, nullptr, nullptr);
        int one = 1;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0)
                return;
            request.append(buffer, std::size_t(n));
        }
        const std::size_t keyStart = request.find("Sec-WebSocket-Key: ") + 19;
        const std::string key = request.substr(keyStart, request.find("\r\n", keyStart) - keyStart);
        const std::string response = protocol::buildAcceptResponse(key);
        ::send(client, response.data(), response.size(), 0);
        for (std::size_t round = 0; round < m_repeat; ++round) {
            std::size_t sent = 0;
            while (sent < m_wire.size()) {
                const ssize_t n
                    = ::send(client, m_wire.data() + sent, m_wire.size() - sent, MSG_NOSIGNAL);
                if (n <= 0)
                    break;
                sent += std::size_t(n);
            }
        }
        // Wait for the client to go away.
        while (::recv(client, buffer, sizeof buffer, 0) > 0) {}
        ::close(client);
    }

    std::vector<std::uint8_t> m_wire;
    std::size_t m_repeat = 1;
    int m_listener = -1;
    quint16 m_port = 0;
    std::thread m_thread;
};

std::vector<std::uint8_t> framesOf(std::size_t payloadSize, std::size_t count)
{
    protocol::MessageWriter writer(protocol::Role::Server);
    std::vector<std::uint8_t> payload(payloadSize, 0x5A);
    std::vector<std::uint8_t> wire;
    wire.reserve(count * (payloadSize + 10));
    for (std::size_t i = 0; i < count; ++i)
        writer.writeMessage(protocol::Opcode::Binary, payload, wire);
    return wire;
}

// About 16 MiB of frames, sent as often as needed for `count` frames.
PushServer *pushServer(std::size_t payloadSize, std::size_t &count)
{
    const std::size_t perRound = std::max<std::size_t>(1, (16u << 20) / (payloadSize + 10));
    const std::size_t rounds = (count + perRound - 1) / perRound;
    count = rounds * perRound;
    return new PushServer(framesOf(payloadSize, perRound), rounds);
}

capture::FrameStore::Limits storeLimits()
{
    capture::FrameStore::Limits limits;
    if (const char *cap = std::getenv("FRAMESCOPE_BENCH_CAP_MIB"))
        limits.memoryCap = std::size_t(std::atoi(cap)) << 20;
    return limits;
}

// Into `store`, which may have been filled before (a long session's store, at its cap, recycles
// its memory) or be new (its first 256 MiB are memory the system must map in first).
double oursFramesPerSecond(std::size_t payloadSize, std::size_t count, capture::FrameStore &store)
{
    std::unique_ptr<PushServer> server(pushServer(payloadSize, count));
    session::ClientOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server->port()));
    session::ClientSession client(options, store);
    std::int64_t openNs = 0;
    double seconds = 0;
    QObject::connect(&client, &session::ClientSession::stateChanged,
                     [&](session::SessionState state) {
                         if (state == session::SessionState::Open)
                             openNs = session::monotonicNs();
                     });
    // Announcements are batched (about every 30 ms), so the time is taken from the capture: the
    // arrival of the last frame.
    QObject::connect(&client, &session::ClientSession::messagesReceivedChanged,
                     [&](quint64 received) {
                         if (received >= count && seconds == 0) {
                             const auto last = store.record({store.endId().value - 1});
                             seconds = double(last->endNs - openNs) / 1e9;
                             client.abort();
                         }
                     });
    QObject::connect(&client, &session::ClientSession::finished, [] { QCoreApplication::exit(0); });
    client.open();
    QCoreApplication::exec();
    if (client.messagesReceived() < count)
        std::printf("warning: ours received %llu of %zu frames (%s)\n",
                    static_cast<unsigned long long>(client.messagesReceived()), count,
                    qPrintable(client.errorString()));
    return seconds > 0 ? double(count) / seconds : 0;
}

double qtFramesPerSecond(std::size_t payloadSize, std::size_t count)
{
    std::unique_ptr<PushServer> server(pushServer(payloadSize, count));
    QWebSocket socket;
    socket.setMaxAllowedIncomingMessageSize(64 << 20);
    QElapsedTimer timer;
    std::size_t received = 0;
    double seconds = 0;
    QObject::connect(&socket, &QWebSocket::connected, [&] { timer.start(); });
    QObject::connect(&socket, &QWebSocket::binaryMessageReceived, [&](const QByteArray &) {
        if (++received == count) {
            seconds = double(timer.nsecsElapsed()) / 1e9;
            socket.abort();
            QCoreApplication::exit(0);
        }
    });
    QObject::connect(&socket, &QWebSocket::disconnected, [] { QCoreApplication::exit(0); });
    socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server->port())));
    QCoreApplication::exec();
    return seconds > 0 ? double(count) / seconds : 0;
}

// The floor: the same bytes read with recv() into a reused buffer of `readSize` bytes and thrown
// away (no WebSocket parsing, no capture): what receiving costs before any client does anything
// with the bytes. (A client run can come out above it by noise: the runs take turns.)
double rawTcpFramesPerSecond(std::size_t payloadSize, std::size_t count, std::size_t readSize)
{
    std::unique_ptr<PushServer> server(pushServer(payloadSize, count));
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(server->port());
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return 0;
    }
    const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Key: "
                                "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    ::send(fd, request.data(), request.size(), 0);
    std::vector<char> buffer(readSize);
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, buffer.data(), 1, 0);
        if (n <= 0) {
            ::close(fd);
            return 0;
        }
        head.push_back(buffer[0]);
    }
    const std::size_t frameSize = payloadSize + (payloadSize < 126 ? 2 : 4);
    const std::uint64_t total = std::uint64_t(count) * frameSize;
    std::uint64_t received = 0;
    QElapsedTimer timer;
    timer.start();
    while (received < total) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n <= 0)
            break;
        received += std::uint64_t(n);
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    ::close(fd);
    return received >= total && seconds > 0 ? double(count) / seconds : 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    pinToCpu(0);
    std::printf(
        "Framescope client receive benchmark (server thread pinned to CPU 1, client to CPU 0)\n\n");
    struct Case
    {
        std::size_t payload;
        std::size_t count;
    };
    // Enough frames that the capture passes its 256 MiB memory cap: 4M x 64 B (about 480 MB of
    // records and payload, twice the cap) and 100,000 x 16 KiB (1.6 GB, six times).
    const QStringList arguments = app.arguments();
    const bool onlyOurs = arguments.contains(QStringLiteral("ours"));
    for (const Case c : {Case{64, 4000000}, Case{16 * 1024, 100000}}) {
        if ((arguments.contains(QStringLiteral("16k")) && c.payload == 64)
            || (arguments.contains(QStringLiteral("64")) && c.payload != 64))
            continue;
        // In turns, best of 3 each: noise from the shared host falls on all three alike.
        double ours = 0;
        capture::FrameStore longSession(storeLimits());
        double qt = onlyOurs ? 1 : 0;
        double floor = 0;
        double oursFresh = 0;
        for (int round = 0; round < 3; ++round) {
            {
                capture::FrameStore fresh(storeLimits());
                oursFresh = std::max(oursFresh, oursFramesPerSecond(c.payload, c.count, fresh));
            }
            // The same store again: it is at its cap and reuses what it evicts, as a store does
            // for the rest of a long session.
            ours = std::max(ours, oursFramesPerSecond(c.payload, c.count, longSession));
            if (onlyOurs)
                continue;
            qt = std::max(qt, qtFramesPerSecond(c.payload, c.count));
            // Which read size is fastest depends on the case and the host: the floor is the
            // best of small reads (the bytes stay in the cache) and big ones (fewer window
            // updates).
            for (const std::size_t readSize : {std::size_t{128} << 10, std::size_t{8} << 20})
                floor = std::max(floor, rawTcpFramesPerSecond(c.payload, c.count, readSize));
        }
        // Goals (issue 12): 64 B at least 2x QWebSocket; 16 KiB at least 0.9x the raw floor.
        const bool small = c.payload == 64;
        const auto verdict = [&](double rate) {
            if (onlyOurs)
                return std::string();
            const bool met = small ? rate >= 2 * qt : rate >= 0.9 * floor;
            return std::string(small ? "  goal >=2x QWebSocket " : "  goal >=90% of the floor ")
                   + (met ? "met" : "NOT MET");
        };
        if (!onlyOurs)
            std::printf("receive %5zu B frames: QWebSocket %10.0f fr/s; raw recv() floor (no "
                        "parsing, no capture) %10.0f fr/s = %5.2fx QWebSocket\n",
                        c.payload, qt, floor, floor / qt);
        // A store at its cap (the rest of a long session), and a new one, whose memory the
        // system maps in as it first fills: on the virtual machines measured here that first
        // pass costs several times the copy itself.
        for (const auto &[what, rate] :
             {std::pair{"long session", ours}, std::pair{"new store   ", oursFresh}}) {
            std::printf("receive %5zu B frames, ours (%s) %10.0f fr/s", c.payload, what, rate);
            if (!onlyOurs)
                std::printf(" = %5.2fx QWebSocket, %3.0f%% of the floor%s", rate / qt,
                            100 * rate / floor, verdict(rate).c_str());
            std::printf("\n");
        }
    }

    capture::FrameStore::Limits limits;
    limits.memoryCap = std::size_t{1} << 30;
    capture::FrameStore store(limits);
    capture::FrameRecord record;
    record.opcode = 2;
    for (int i = 0; i < 1000000; ++i)
        store.append(record, {});
    const double perFrame = double(store.memoryUsed()) / 1e6;
    std::printf("capture metadata at 1,000,000 frames: %.1f bytes per frame (sizeof FrameRecord "
                "%zu)  goal <=64 %s\n",
                perFrame, sizeof(capture::FrameRecord), perFrame <= 64 ? "met" : "NOT MET");
    return 0;
}
