#pragma once

#include "recording.h"

namespace framescope::replay {

// Text or binary messages put together from data frames, one direction at a time.
class MessageAssembler
{
public:
    // Adds a data frame; true when it completed a message (then in `done`).
    bool add(std::uint8_t opcode, bool fin, const QByteArray &payload, std::uint64_t wireLength,
             std::int64_t atNs, RecordedMessage &done)
    {
        if (opcode == 0x1 || opcode == 0x2) {
            m_open = true;
            m_message = RecordedMessage{opcode == 0x2, payload, atNs, {wireLength}};
        } else if (opcode == 0x0 && m_open) {
            m_message.data += payload;
            m_message.frameLengths.push_back(wireLength);
        } else {
            return false; // a continuation with nothing to continue, or a reserved opcode
        }
        if (!fin)
            return false;
        m_open = false;
        done = std::move(m_message);
        return true;
    }

private:
    bool m_open = false;
    RecordedMessage m_message;
};

} // namespace framescope::replay
