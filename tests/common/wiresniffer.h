#pragma once

// tshark as an independent witness of what crossed the loopback: it records the traffic of some
// ports while a test runs, then dissects the WebSocket frames, which the test compares with what
// Framescope's captures recorded. Header-only, for the tests that need it.

#include <QByteArray>
#include <QFileInfo>
#include <QList>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>
#include <algorithm>
#include <capture/framerecord.h>
#include <csignal>
#include <protocol/frameheader.h>
#include <sys/types.h>

// One WebSocket frame header, as tshark dissected it or as a capture recorded it.
struct WireFrame
{
    bool fin = false;
    int rsv = 0; // RSV1 = 4, RSV2 = 2, RSV3 = 1
    int opcode = 0;
    bool masked = false;
    QByteArray maskKey; // hex, empty when not masked
    quint64 length = 0; // as declared on the wire
    int lengthBits = 7; // how it was written: 7, 16 or 64 bits

    friend bool operator==(const WireFrame &, const WireFrame &) = default;

    static WireFrame of(const framescope::capture::FrameRecord &record)
    {
        using framescope::capture::FrameRecord;
        WireFrame frame;
        frame.fin = record.has(FrameRecord::Fin);
        frame.rsv = (record.has(FrameRecord::Rsv1) ? 4 : 0)
                    | (record.has(FrameRecord::Rsv2) ? 2 : 0)
                    | (record.has(FrameRecord::Rsv3) ? 1 : 0);
        frame.opcode = record.opcode;
        frame.masked = record.has(FrameRecord::Masked);
        if (frame.masked)
            frame.maskKey
                = QByteArray(reinterpret_cast<const char *>(record.maskKey.data()), 4).toHex();
        frame.length = record.payloadLength;
        frame.lengthBits = record.lengthForm == framescope::protocol::LengthForm::Extended64   ? 64
                           : record.lengthForm == framescope::protocol::LengthForm::Extended16 ? 16
                                                                                               : 7;
        return frame;
    }
};

inline char *toString(const WireFrame &frame)
{
    return qstrdup(QStringLiteral("fin=%1 rsv=%2 opcode=%3 mask=%4 %5 length=%6 (%7 bits)")
                       .arg(frame.fin)
                       .arg(frame.rsv)
                       .arg(frame.opcode)
                       .arg(frame.masked)
                       .arg(QString::fromLatin1(frame.maskKey))
                       .arg(frame.length)
                       .arg(frame.lengthBits)
                       .toLocal8Bit()
                       .constData());
}

// One connection seen on the wire, by the client's port: the frames each side sent, and for each
// the time (ns since 1970, CLOCK_REALTIME) of the packet that completed it.
struct WireConnection
{
    quint16 clientPort = 0;
    QList<WireFrame> fromClient;
    QList<WireFrame> fromServer;
    QList<qint64> fromClientTimes;
    QList<qint64> fromServerTimes;
};

class WireSniffer
{
public:
    WireSniffer()
        : m_tshark(QStandardPaths::findExecutable(QStringLiteral("tshark")))
    {}
    ~WireSniffer()
    {
        if (m_capture.state() != QProcess::NotRunning) {
            m_capture.kill();
            m_capture.waitForFinished(5000);
        }
    }

    // Empty when tshark is not installed.
    bool available() const { return !m_tshark.isEmpty(); }

    // Records the loopback traffic of these server ports. Empty on success; else why not (a
    // message starting "permission" when this machine does not let tshark capture).
    QString start(const QList<quint16> &serverPorts)
    {
        m_ports = serverPorts;
        QStringList filter;
        for (quint16 port : serverPorts)
            filter << QStringLiteral("tcp port %1").arg(port);
        // Marker datagrams to a port of our own: seen in the file, they show the capture is on
        // (after start) and has everything sent before them (before stop).
        if (!m_marker.bind(QHostAddress::LocalHost))
            return QStringLiteral("no marker port");
        filter << QStringLiteral("udp port %1").arg(m_marker.localPort());
        m_capture.start(m_tshark,
                        {QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-f"),
                         filter.join(QStringLiteral(" or ")), QStringLiteral("-w"),
                         m_dir.filePath(QStringLiteral("wire.pcapng")), QStringLiteral("-q")});
        if (!m_capture.waitForStarted(10000))
            return QStringLiteral("tshark did not start");
        QByteArray err;
        const bool settled = QTest::qWaitFor(
            [&] {
                err += m_capture.readAllStandardError();
                return err.contains("Capturing on") || m_capture.state() == QProcess::NotRunning;
            },
            20000);
        if (err.contains("ermission") || err.contains("not permitted"))
            return QStringLiteral("permission: tshark may not capture here: ")
                   + QString::fromLocal8Bit(err);
        if (!settled || !err.contains("Capturing on"))
            return QStringLiteral("tshark is not capturing: ") + QString::fromLocal8Bit(err);
        if (!markAndWait()) // it starts capturing a moment after it says so
            return QStringLiteral("tshark's capture file shows no marker");
        return {};
    }

    // Ends the recording and dissects it: the connections in the order they began.
    QList<WireConnection> stopAndDissect()
    {
        markAndWait(); // the last segments reached the file before the marker
        ::kill(pid_t(m_capture.processId()), SIGINT);
        m_capture.waitForFinished(20000);
        QStringList arguments{QStringLiteral("-r"), m_dir.filePath(QStringLiteral("wire.pcapng"))};
        QSet<quint16> ports;
        for (quint16 port : m_ports) {
            arguments << QStringLiteral("-d") << QStringLiteral("tcp.port==%1,http").arg(port);
            ports.insert(port);
        }
        arguments << QStringLiteral("-Y") << QStringLiteral("websocket") << QStringLiteral("-T")
                  << QStringLiteral("fields") << QStringLiteral("-E")
                  << QStringLiteral("aggregator=,");
        for (const char *field : {"tcp.srcport", "tcp.dstport", "websocket.fin", "websocket.rsv",
                                  "websocket.opcode", "websocket.mask", "websocket.masking_key",
                                  "websocket.payload_length", "websocket.payload_length_ext_16",
                                  "websocket.payload_length_ext_64", "frame.time_epoch"})
            arguments << QStringLiteral("-e") << QString::fromLatin1(field);
        QProcess dissector;
        dissector.start(m_tshark, arguments);
        dissector.waitForFinished(60000);
        return parse(dissector.readAllStandardOutput(), ports);
    }

    // tshark's fields, one line per TCP segment, the frames of a segment separated by commas.
    // Mask keys and extended lengths are listed only for the frames that have them: taken in
    // turn.
    static QList<WireConnection> parse(const QByteArray &output, const QSet<quint16> &serverPorts)
    {
        QList<WireConnection> connections;
        for (const QByteArray &line : output.split('\n')) {
            const QList<QByteArray> columns = line.split('\t');
            if (columns.size() < 10)
                continue;
            const auto values = [&](int column) {
                return columns[column].split(',');
            };
            const bool fromServer = serverPorts.contains(columns[0].toUShort());
            const quint16 clientPort = (fromServer ? columns[1] : columns[0]).toUShort();
            auto it
                = std::find_if(connections.begin(), connections.end(),
                               [&](const WireConnection &c) { return c.clientPort == clientPort; });
            if (it == connections.end())
                it = connections.insert(connections.end(),
                                        WireConnection{clientPort, {}, {}, {}, {}});
            const QList<QByteArray> fins = values(2), rsvs = values(3), opcodes = values(4),
                                    masks = values(5), keys = values(6), lengths = values(7),
                                    lengths16 = values(8), lengths64 = values(9);
            qsizetype key = 0, extended16 = 0, extended64 = 0;
            for (qsizetype i = 0; i < fins.size(); ++i) {
                WireFrame frame;
                frame.fin = fins.value(i).toInt() != 0;
                frame.rsv = rsvs.value(i).toInt(nullptr, 16);
                frame.opcode = opcodes.value(i).toInt();
                frame.masked = masks.value(i).toInt() != 0;
                if (frame.masked)
                    frame.maskKey = keys.value(key++);
                frame.length = lengths.value(i).toULongLong();
                if (frame.length == 126) {
                    frame.length = lengths16.value(extended16++).toULongLong();
                    frame.lengthBits = 16;
                } else if (frame.length == 127) {
                    frame.length = lengths64.value(extended64++).toULongLong();
                    frame.lengthBits = 64;
                }
                (fromServer ? it->fromServer : it->fromClient).append(frame);
                (fromServer ? it->fromServerTimes : it->fromClientTimes)
                    .append(epochNs(columns.value(10)));
            }
        }
        return connections;
    }

    // "1764700000.123456789" (tshark's frame.time_epoch) in nanoseconds.
    static qint64 epochNs(QByteArray text)
    {
        text = text.trimmed();
        const qsizetype dot = text.indexOf('.');
        const qint64 seconds = (dot < 0 ? text : text.left(dot)).toLongLong();
        const QByteArray fraction
            = dot < 0 ? QByteArray() : text.mid(dot + 1).leftJustified(9, '0');
        return seconds * 1000000000 + fraction.left(9).toLongLong();
    }

private:
    // Sends a marker datagram and waits (up to 20 s) until the capture file has grown by it.
    bool markAndWait()
    {
        const QString path = m_dir.filePath(QStringLiteral("wire.pcapng"));
        const qint64 before = QFileInfo(path).size();
        m_marker.writeDatagram("marker", QHostAddress::LocalHost, m_marker.localPort());
        return QTest::qWaitFor(
            [&] {
                QFileInfo info(path);
                info.refresh();
                return info.exists() && info.size() > before;
            },
            20000);
    }

    QUdpSocket m_marker;
    QString m_tshark;
    QTemporaryDir m_dir;
    QProcess m_capture;
    QList<quint16> m_ports;
};
