#include "descriptortransport.h"

#include "clock.h"
#include "readbuffer.h"
#include "readinessspinner.h"

#include <QHostAddress>
#include <QSocketNotifier>

namespace framescope::session {

DescriptorTransport::DescriptorTransport(platform::SocketHandle socket, ReadinessSpinner *spinner,
                                         qsizetype readChunk, QObject *parent)
    : Transport(readChunk, parent)
    , m_socket(socket)
    , m_spinner(spinner)
{
    // Served from the spinner's epoll set when there is one (no notifier per connection for
    // Qt's loop to poll on every wake-up), else from a notifier of our own.
    if (!m_spinner || !m_spinner->watch(m_socket, [this] { return readAvailable(); })) {
        m_spinner = nullptr;
        m_readNotifier = new QSocketNotifier(m_socket, QSocketNotifier::Read, this);
        connect(m_readNotifier, &QSocketNotifier::activated, this,
                &DescriptorTransport::readAvailable);
    }
}

DescriptorTransport::~DescriptorTransport()
{
    if (m_socket != platform::kInvalidSocket)
        release(false);
}

QString DescriptorTransport::peerName() const
{
    return peerNameOf(m_socket);
}

QString DescriptorTransport::localName() const
{
    platform::Endpoint endpoint;
    if (m_socket == platform::kInvalidSocket || !platform::localEndpoint(m_socket, endpoint))
        return {};
    return endpointName(endpoint);
}

QString DescriptorTransport::peerNameOf(platform::SocketHandle socket)
{
    platform::Endpoint endpoint;
    if (socket == platform::kInvalidSocket || !platform::peerEndpoint(socket, endpoint))
        return {};
    return endpointName(endpoint);
}

QString DescriptorTransport::endpointName(const platform::Endpoint &endpoint)
{
    QHostAddress address;
    if (endpoint.ipv6) {
        Q_IPV6ADDR bytes;
        std::copy(endpoint.address.begin(), endpoint.address.end(), bytes.c);
        address.setAddress(bytes);
    } else {
        address.setAddress(quint32(endpoint.address[0]) << 24 | quint32(endpoint.address[1]) << 16
                           | quint32(endpoint.address[2]) << 8 | endpoint.address[3]);
    }
    return Transport::endpointName(address, endpoint.port);
}

bool DescriptorTransport::readAvailable()
{
    if (m_state == State::Closed)
        return false;
    if (m_spinner)
        m_spinner->noteActivity();
    bool ended = false;
    QString error;
    cork(); // replies made while reading go out together
    {
        LentReadBuffer buffer(m_ownReadBuffer);
        const qsizetype chunk = std::min(readChunk(), buffer.size());
        while (m_state != State::Closed) {
            const platform::Received received
                = platform::receive(m_socket, buffer.data(), std::size_t(chunk));
            if (received.bytes > 0) {
                const std::int64_t arrivalNs
                    = received.arrivalNs != 0 ? received.arrivalNs : monotonicNs();
                if (!deliver(QByteArrayView(buffer.data(), received.bytes), arrivalNs)
                    || received.bytes < chunk) // took less than it could: nothing more waits
                    break;
                continue;
            }
            if (received.bytes == -1)
                ended = true;
            else if (received.bytes == -2)
                error = QString::fromStdString(platform::errorText(received.error));
            break;
        }
    }
    uncork();
    // The end of the stream after what was read (and what it made us send).
    if (m_state != State::Closed && (ended || !error.isEmpty())) {
        release(false);
        closed(error, ended);
    }
    return m_state != State::Closed;
}

std::ptrdiff_t DescriptorTransport::sendNow(std::span<const platform::ConstBuffer> buffers)
{
    int error = 0;
    const std::ptrdiff_t sent = platform::send(m_socket, buffers, error);
    if (sent < 0) {
        release(false);
        closed(QString::fromStdString(platform::errorText(error)), false);
    }
    return sent;
}

void DescriptorTransport::waitUntilWritable()
{
    if (!m_writeNotifier) {
        m_writeNotifier = new QSocketNotifier(m_socket, QSocketNotifier::Write, this);
        connect(m_writeNotifier, &QSocketNotifier::activated, this, [this] {
            m_writeNotifier->setEnabled(false);
            flush();
        });
    }
    m_writeNotifier->setEnabled(true);
}

void DescriptorTransport::closeNow(bool reset)
{
    release(reset);
    closed({}, false);
}

void DescriptorTransport::release(bool reset)
{
    if (m_socket == platform::kInvalidSocket)
        return;
    // Before the descriptor goes: a later socket may get the same number.
    if (m_spinner)
        m_spinner->unwatch(m_socket);
    // Later: this may run inside a notifier's own signal.
    for (QSocketNotifier *notifier : {m_readNotifier, m_writeNotifier}) {
        if (notifier) {
            notifier->setEnabled(false);
            notifier->deleteLater();
        }
    }
    m_readNotifier = m_writeNotifier = nullptr;
    platform::closeSocket(m_socket, reset);
    m_socket = platform::kInvalidSocket;
}

} // namespace framescope::session
