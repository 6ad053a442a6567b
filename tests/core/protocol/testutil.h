#pragma once

// Helpers shared by the protocol test suites: hex wire bytes, a recording MessageHandler and
// feeding a reader whole, byte by byte or split at a given point.

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <protocol/messagehandler.h>
#include <protocol/messagereader.h>
#include <span>
#include <string>
#include <vector>

namespace testutil {

using Bytes = std::vector<std::uint8_t>;

// "81 05 48 65" (spaces ignored) to bytes.
inline Bytes hex(const char *text)
{
    const QByteArray decoded = QByteArray::fromHex(QByteArray(text).replace(' ', ""));
    return Bytes(decoded.begin(), decoded.end());
}

inline Bytes bytesOf(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

inline QString toHex(std::span<const std::uint8_t> bytes)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()))
            .toHex(' '));
}

inline Bytes concat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes &part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

struct Message
{
    framescope::protocol::Opcode opcode;
    Bytes data;
    bool compressed = false;
};

struct ControlFrame
{
    framescope::protocol::Opcode opcode;
    Bytes payload;
};

// Records everything a reader hands out, as a string log too, so two runs can be compared.
class RecordingHandler : public framescope::protocol::MessageHandler
{
public:
    void frameStarted(const framescope::protocol::DecodedFrame &frame) override
    {
        ++frames;
        log += "F" + std::to_string(frame.header.opcode) + (frame.header.fin ? "f" : "c") + ";";
    }
    void messageStarted(framescope::protocol::Opcode opcode, bool compressed) override
    {
        current = Message{opcode, {}, compressed};
        log += "M;";
    }
    void messageData(std::span<const std::uint8_t> data) override
    {
        current.data.insert(current.data.end(), data.begin(), data.end());
    }
    void messageFinished() override
    {
        messages.push_back(current);
        log += "E" + std::to_string(current.data.size()) + ";";
    }
    void controlFrameReceived(framescope::protocol::Opcode opcode,
                              std::span<const std::uint8_t> payload) override
    {
        controls.push_back({opcode, Bytes(payload.begin(), payload.end())});
        log += "C" + std::to_string(int(opcode)) + ";";
    }
    void violationFound(framescope::protocol::ProtocolError error) override
    {
        violations.push_back(error);
        log += "V" + std::to_string(int(error)) + ";";
    }

    int frames = 0;
    Message current{};
    std::vector<Message> messages;
    std::vector<ControlFrame> controls;
    std::vector<framescope::protocol::ProtocolError> violations;
    std::string log;
};

struct ReadResult
{
    framescope::protocol::ProtocolError error = framescope::protocol::ProtocolError::None;
    RecordingHandler handler;
};

// Feeds `wire` to a fresh reader in chunks of `chunk` bytes (0: whole), optionally first split
// at `split`.
inline void readInto(ReadResult &result, const framescope::protocol::ReaderOptions &options,
                     std::span<const std::uint8_t> wire, std::size_t chunk = 0,
                     std::size_t split = 0,
                     const framescope::protocol::DeflateParameters *deflate = nullptr)
{
    framescope::protocol::MessageReader reader(options, result.handler);
    if (deflate)
        reader.enableDeflate(*deflate);
    auto feed = [&](std::span<const std::uint8_t> part) {
        if (chunk == 0) {
            reader.feed(part);
            return;
        }
        for (std::size_t i = 0; i < part.size(); i += chunk)
            reader.feed(part.subspan(i, std::min(chunk, part.size() - i)));
    };
    if (split > 0 && split < wire.size()) {
        feed(wire.first(split));
        feed(wire.subspan(split));
    } else {
        feed(wire);
    }
    result.error = reader.error();
}

} // namespace testutil

#include <QCryptographicHash>
#include <QStringList>
#include <protocol/messagewriter.h>

namespace testutil {

inline constexpr framescope::protocol::MaskKey kTestKey{0x37, 0xfa, 0x21, 0x3d};

// One frame on the wire. rsv is the 3-bit RSV value (RSV1 = 4, RSV2 = 2, RSV3 = 1).
inline Bytes frame(std::uint8_t opcode, const Bytes &payload, bool fin = true, bool masked = false,
                   std::uint8_t rsv = 0, framescope::protocol::MaskKey key = kTestKey)
{
    framescope::protocol::FrameHeader header;
    header.opcode = opcode;
    header.fin = fin;
    header.rsv1 = rsv & 4;
    header.rsv2 = rsv & 2;
    header.rsv3 = rsv & 1;
    header.masked = masked;
    header.maskKey = key;
    header.payloadLength = payload.size();
    Bytes out;
    framescope::protocol::appendFrame(header, payload, out);
    return out;
}

inline Bytes filled(std::size_t size, std::uint8_t byte = '*')
{
    return Bytes(size, byte);
}

inline Bytes closeBody(std::uint16_t code, std::string_view reason = {})
{
    // Sized once: GCC 12 warns (-Warray-bounds, a false positive) on growing a 2-byte vector.
    Bytes body(2 + reason.size());
    body[0] = std::uint8_t(code >> 8);
    body[1] = std::uint8_t(code);
    std::copy(reason.begin(), reason.end(), body.begin() + 2);
    return body;
}

// A short, comparable description of a payload: its size and, for short ones, the bytes.
inline QString summary(int opcode, const Bytes &data)
{
    QString text = QString::number(opcode) + QLatin1Char(':') + QString::number(data.size());
    if (data.size() <= 16) {
        text += QLatin1Char(':') + toHex(data);
    } else {
        const QByteArray digest = QCryptographicHash::hash(
            QByteArrayView(reinterpret_cast<const char *>(data.data()), qsizetype(data.size())),
            QCryptographicHash::Sha1);
        text += QLatin1Char('#') + QString::fromLatin1(digest.toHex().left(12));
    }
    return text;
}

inline QStringList messageSummaries(const RecordingHandler &handler)
{
    QStringList out;
    for (const Message &message : handler.messages)
        out << summary(int(message.opcode), message.data);
    return out;
}

inline QStringList controlSummaries(const RecordingHandler &handler)
{
    QStringList out;
    for (const ControlFrame &control : handler.controls)
        out << summary(int(control.opcode), control.payload);
    return out;
}

} // namespace testutil
