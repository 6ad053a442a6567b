// Reference peer for bench_server: QWebSocketServer echoing every message as it came. With
// --nodelay the accepted sockets get TCP_NODELAY (QWebSocketServer leaves Nagle on) by handing
// them to QWebSocketServer::handleConnection() from a QTcpServer of our own.
// Prints "listening PORT" once ready.

#include <QCoreApplication>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bool noDelay = app.arguments().contains(QStringLiteral("--nodelay"));
    QWebSocketServer server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode);
    QTcpServer tcp;
    auto echo = [&server] {
        while (QWebSocket *peer = server.nextPendingConnection()) {
            peer->setMaxAllowedIncomingMessageSize(64 << 20);
            QObject::connect(peer, &QWebSocket::textMessageReceived, peer,
                             [peer](const QString &text) { peer->sendTextMessage(text); });
            QObject::connect(peer, &QWebSocket::binaryMessageReceived, peer,
                             [peer](const QByteArray &data) { peer->sendBinaryMessage(data); });
            QObject::connect(peer, &QWebSocket::disconnected, peer, &QObject::deleteLater);
        }
    };
    QObject::connect(&server, &QWebSocketServer::newConnection, echo);
    server.setMaxPendingConnections(20000);
    quint16 port = 0;
    if (noDelay) {
        tcp.setMaxPendingConnections(20000);
        tcp.setListenBacklogSize(4096);
        if (!tcp.listen(QHostAddress::LocalHost))
            return 1;
        QObject::connect(&tcp, &QTcpServer::newConnection, [&] {
            while (QTcpSocket *socket = tcp.nextPendingConnection()) {
                socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                server.handleConnection(socket);
            }
        });
        port = tcp.serverPort();
    } else {
        if (!server.listen(QHostAddress::LocalHost))
            return 1;
        port = server.serverPort();
    }
    std::printf("listening %u\n", unsigned(port));
    std::fflush(stdout);
    return app.exec();
}
