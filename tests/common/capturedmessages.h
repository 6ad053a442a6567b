#pragma once

// Messages for round-trip tests, and the messages a capture holds, reassembled from its frames.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <capture/framestore.h>
#include <optional>

// `size` bytes: letters for text, a byte pattern for binary.
inline QByteArray messageOfSize(int size, bool text)
{
    QByteArray data(size, '\0');
    for (int i = 0; i < size; ++i)
        data[i] = text ? char('a' + i % 26) : char(i * 31 + 7);
    return data;
}

// The data messages received in `store`, in order, as (is text, bytes); control frames are
// left out. Nothing when a payload was evicted.
inline std::optional<QList<QPair<bool, QByteArray>>>
receivedMessages(const framescope::capture::FrameStore &store)
{
    QList<QPair<bool, QByteArray>> messages;
    std::vector<std::uint8_t> payload;
    for (std::uint64_t id = store.firstId().value; id < store.endId().value; ++id) {
        const auto record = store.record({id});
        if (!record || record->direction() != framescope::capture::Direction::Received
            || record->opcode > 2)
            continue;
        if (!store.payload({id}, payload))
            return std::nullopt;
        const QByteArray piece(reinterpret_cast<const char *>(payload.data()),
                               qsizetype(payload.size()));
        if (record->opcode != 0 || messages.isEmpty())
            messages.append({record->opcode == 1, piece});
        else
            messages.last().second += piece;
    }
    return messages;
}
