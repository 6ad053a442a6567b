#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <capture/capturefile.h>
#include <cstdint>
#include <optional>
#include <protocol/frameheader.h>
#include <vector>

namespace framescope::replay {

// One message of a recording (text or binary), at its time since the connection opened.
struct RecordedMessage
{
    bool binary = false;
    QByteArray data; // inflated when it was compressed
    std::int64_t atNs = 0;
    // The payload length of each of its frames on the wire (none for a HAR file's messages).
    std::vector<std::uint64_t> frameLengths;
    friend bool operator==(const RecordedMessage &, const RecordedMessage &) = default;
};

// One frame the client sent, as recorded: the header (the mask key it had) and the unmasked
// payload, at its time since the connection opened.
struct RecordedFrame
{
    protocol::FrameHeader header;
    QByteArray payload; // unmasked; inflated when compressed
    std::int64_t atNs = 0;
    bool compressed = false; // part of a permessage-deflate message
    // A pong answering the server's ping with its payload: the live session answers pings
    // itself, so a replay does not send it again.
    bool answer = false;
};

// What a replay needs from a capture or a HAR file: how the client connected, what it sent
// (frames and messages) and what it received, in order.
struct Recording
{
    QString source; // "capture", or "HAR"
    QString url;    // as recorded (redacted parts stay redacted)
    // Request headers to send again: those the client chose (Origin, Authorization, cookies,
    // custom ones), not the ones the handshake makes itself (Host, Upgrade, Sec-WebSocket-*).
    QList<QPair<QByteArray, QByteArray>> headers;
    QList<QByteArray> subprotocols; // as offered
    bool deflate = false;           // permessage-deflate was negotiated
    // Every frame the client sent (frame-exact replay); empty for HAR, which keeps messages.
    std::vector<RecordedFrame> clientFrames;
    std::vector<RecordedMessage> clientMessages;
    std::vector<RecordedMessage> serverMessages;
    // The close frame the client sent first (its code and reason), if it did.
    std::optional<std::uint16_t> clientCloseCode;
    QByteArray clientCloseReason;
    std::int64_t clientCloseAtNs = 0;
    // The server sent a close frame (first, or in answer).
    bool serverClosed = false;
    // The source's other connections (a capture's connection numbers, a HAR file's entries from
    // 0), to replay one of them instead; empty when it has only this one.
    QList<int> choices;
    int chosen = 0;
    // Headers whose values the recording redacted: a replay must be given them again.
    QStringList redactedHeaders;
    // What the reader left out or could not keep, in words.
    QStringList notes;
};

struct RecordingRead
{
    Recording recording;
    QString error; // why nothing could be read
    bool ok() const { return error.isEmpty(); }
};

// Reads a Framescope capture or a HAR file (told apart by their content). `connection`: which
// connection of a capture with several (a server's, or a client's after reconnects), or which
// WebSocket entry of a HAR file (counted from 0 among those with messages); the first when
// absent.
RecordingRead readRecording(const QString &path, std::optional<int> connection = std::nullopt);

// A capture already read. The client's side is the one whose data frames are masked (a
// capture made by the built-in server has the client's frames as received).
RecordingRead recordingFromCapture(const capture::CaptureReadResult &capture,
                                   std::optional<int> connection = std::nullopt);

// The WebSocket entries of a HAR file (Chrome's and Edge's `_webSocketMessages`, which Firefox
// writes too): messages only, times relative to the first message.
RecordingRead recordingFromHar(const QByteArray &json, std::optional<int> entry = std::nullopt);

// The request headers of a head worth sending again, with the subprotocols offered (the
// Sec-WebSocket-Protocol values) and the names whose values are redacted.
void takeRequestHeaders(const QList<QPair<QByteArray, QByteArray>> &all, Recording &into);

} // namespace framescope::replay
