#pragma once

#include "transport.h"

class QSocketNotifier;

namespace framescope::session {

class ReadinessSpinner;

// A transport over a connected descriptor it owns, read and written with the platform's calls
// (platform::hasDirectSockets()): no copy through Qt's buffers, the kernel's arrival time for
// each read, scatter writes. Readiness comes from a ReadinessSpinner (the server's epoll set)
// or, without one, from a QSocketNotifier of its own.
class DescriptorTransport : public Transport
{
    Q_OBJECT

public:
    // `readChunk`: the most one read takes (at most LentReadBuffer::kSize).
    DescriptorTransport(platform::SocketHandle socket, ReadinessSpinner *spinner,
                        qsizetype readChunk, QObject *parent = nullptr);
    ~DescriptorTransport() override;

    bool isDirect() const override { return true; }
    QString peerName() const override;
    QString localName() const override;
    // "address:port" of a connected descriptor's peer ("[::1]:port" for IPv6).
    static QString peerNameOf(platform::SocketHandle socket);
    static QString endpointName(const platform::Endpoint &endpoint);
    using Transport::endpointName;

    // Reads what is waiting now, until the socket has no more or the receiver stops; the end of
    // the stream or an error closes the transport. False once it is closed.
    bool readAvailable();
    void readWaiting() override
    {
        if (!isCorked())
            readAvailable();
    }

protected:
    std::ptrdiff_t sendNow(std::span<const platform::ConstBuffer> buffers) override;
    void waitUntilWritable() override;
    void closeNow(bool reset) override;

private:
    void release(bool reset);

    platform::SocketHandle m_socket;
    ReadinessSpinner *m_spinner = nullptr;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_ownReadBuffer; // only when the thread's read buffer is lent out
};

} // namespace framescope::session
