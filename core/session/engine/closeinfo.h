#pragma once

#include <QByteArray>
#include <QString>
#include <capture/captureevent.h>
#include <cstdint>
#include <optional>

namespace framescope::session {

using capture::EndReason;

// How a connection ended, both ways.
struct CloseInfo
{
    std::optional<std::uint16_t> codeSent;
    QByteArray reasonSent;
    std::optional<std::uint16_t> codeReceived;
    QByteArray reasonReceived;
    bool closeFrameReceived = false;
    EndReason endedBy = EndReason::None;
    // Monotonic (clock.h): when our close frame was handed to the kernel, and when the read that
    // completed the peer's arrived (0: none).
    std::int64_t sentNs = 0;
    std::int64_t receivedNs = 0;
};

// The reason's stable name ("close-frame", "tcp-fin", ...), as captures record it.
inline QString describe(EndReason reason)
{
    const std::string_view name = capture::endReasonName(reason);
    return QString::fromLatin1(name.data(), qsizetype(name.size()));
}

} // namespace framescope::session
