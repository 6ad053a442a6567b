#pragma once

// A raw TCP server for tests that answers the opening handshake with whatever bytes a test
// scripts (valid or not), then runs a script of writes, and records every byte the client sends.

#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <functional>
#include <protocol/framedecoder.h>
#include <protocol/handshake.h>
#include <protocol/httphead.h>
#include <protocol/masking.h>
#include <protocol/messagereader.h>

class HostileServer : public QObject
{
    Q_OBJECT

public:
    // Builds the response to the client's request head (key already parsed).
    using Responder = std::function<QByteArray(const std::string &key)>;
    // Called after the response went out, and again on every read, with the socket.
    using Script = std::function<void(QTcpSocket *socket, HostileServer *server)>;

    explicit HostileServer(Responder responder, Script afterHandshake = {}, Script onRead = {})
        : m_responder(std::move(responder))
        , m_afterHandshake(std::move(afterHandshake))
        , m_onRead(std::move(onRead))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            // Each connection starts with its own handshake; the accessors describe the latest.
            m_socket = socket;
            m_handshakeDone = false;
            m_requestHead.clear();
            m_received.clear();
            ++m_connections;
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                if (socket == m_socket)
                    handleRead(socket);
            });
            connect(socket, &QTcpSocket::disconnected, this,
                    [this] { m_clientDisconnected = true; });
        });
        m_server.listen(QHostAddress::LocalHost);
    }

    static QByteArray acceptFor(const std::string &key)
    {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: "
               + QByteArray::fromStdString(framescope::protocol::computeAcceptKey(key))
               + "\r\n\r\n";
    }

    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &path = QStringLiteral("/")) const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(port()).arg(path));
    }
    QTcpSocket *socket() const { return m_socket; }
    const QByteArray &received() const { return m_received; } // after the request head
    const QByteArray &requestHead() const { return m_requestHead; }
    bool clientDisconnected() const { return m_clientDisconnected; }
    int connections() const { return m_connections; }

    // The close code in the first close frame the client sent, or -1.
    int closeCodeFromClient() const
    {
        struct Handler : framescope::protocol::MessageHandler
        {
            void messageData(std::span<const std::uint8_t>) override {}
            void messageFinished() override {}
            void controlFrameReceived(framescope::protocol::Opcode opcode,
                                      std::span<const std::uint8_t> payload) override
            {
                if (opcode == framescope::protocol::Opcode::Close && code < 0
                    && payload.size() >= 2)
                    code = (payload[0] << 8) | payload[1];
            }
            int code = -1;
        } handler;
        framescope::protocol::ReaderOptions options;
        options.decoder.role = framescope::protocol::Role::Server;
        options.decoder.reportMode = options.assembler.reportMode = true;
        framescope::protocol::MessageReader reader(options, handler);
        reader.feed({reinterpret_cast<const std::uint8_t *>(m_received.data()),
                     std::size_t(m_received.size())});
        return handler.code;
    }

private:
    void handleRead(QTcpSocket *socket)
    {
        const QByteArray data = socket->readAll();
        if (!m_handshakeDone) {
            m_requestHead += data;
            const qsizetype end = m_requestHead.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_received = m_requestHead.mid(end + 4);
            m_requestHead.truncate(end + 4);
            framescope::protocol::HttpHeadParser parser(
                framescope::protocol::HttpHeadParser::Kind::Request);
            std::size_t consumed = 0;
            parser.feed({reinterpret_cast<const std::uint8_t *>(m_requestHead.data()),
                         std::size_t(m_requestHead.size())},
                        consumed);
            const std::string *key = parser.head().find("Sec-WebSocket-Key");
            m_handshakeDone = true;
            socket->write(m_responder(key ? *key : std::string()));
            if (m_afterHandshake)
                m_afterHandshake(socket, this);
            return;
        }
        m_received += data;
        if (m_onRead)
            m_onRead(socket, this);
    }

    QTcpServer m_server;
    Responder m_responder;
    Script m_afterHandshake;
    Script m_onRead;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_requestHead;
    QByteArray m_received;
    bool m_handshakeDone = false;
    bool m_clientDisconnected = false;
    int m_connections = 0;
};
