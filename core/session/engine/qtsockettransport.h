#pragma once

#include "transport.h"

class QTcpSocket;

namespace framescope::session {

// A transport over a connected QTcpSocket or QSslSocket (which it takes over): TLS, proxies,
// and every socket of the portable build. Arrival times are taken when Qt hands the bytes over;
// a write is reported sent when Qt says it left its buffer (bytesWritten).
class QtSocketTransport : public Transport
{
    Q_OBJECT

public:
    // `readChunk`: the most one read takes (at most LentReadBuffer::kSize).
    QtSocketTransport(QTcpSocket *socket, qsizetype readChunk, QObject *parent = nullptr);
    ~QtSocketTransport() override;

    bool isDirect() const override { return false; }
    QString peerName() const override;
    QString localName() const override;
    QTcpSocket *socket() const { return m_socket; }

protected:
    std::ptrdiff_t sendNow(std::span<const platform::ConstBuffer> buffers) override;
    bool reportsHandedLater() const override { return true; }
    void closeNow(bool reset) override;

private:
    void readAvailable();
    void handleDisconnected();

    QTcpSocket *m_socket;
    QByteArray m_ownReadBuffer; // only when the thread's read buffer is lent out
    QString m_socketError;
};

} // namespace framescope::session
