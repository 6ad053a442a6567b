#pragma once

#include <QRegularExpression>
#include <QString>
#include <array>
#include <capture/framestore.h>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace framescope::ui {

// What the frame log shows: by direction, opcode, control frames, connection (a server's log
// shows one of its connections), and a text or a regular expression found in the payload.
struct FrameFilter
{
    enum class Direction { Any, Sent, Received };

    Direction direction = Direction::Any;
    std::uint16_t opcodes = 0xffff; // bit n: opcode n is shown
    bool showControl = true;        // close, ping, pong and the reserved control opcodes
    QString text;                   // empty: any payload
    bool regularExpression = false; // `text` is a regular expression, else plain text
    bool caseSensitive = false;
    std::optional<std::uint32_t> connection; // FrameRecord::connection; none: every connection

    bool isActive() const
    {
        return direction != Direction::Any || opcodes != 0xffff || !showControl || !text.isEmpty()
               || connection;
    }
};

// A filter made ready to test frames: the text lowered once, the expression compiled once.
// Const and thread-safe: a background scan and the GUI thread test frames with the same matcher,
// each with its own scratch buffer.
class FrameMatcher
{
public:
    // How much of a payload the text is looked for in (a 64 MiB payload is not searched whole).
    static constexpr std::size_t kSearchedBytes = 64 * 1024;

    explicit FrameMatcher(const FrameFilter &filter);

    // Empty, or why the filter cannot be used (an invalid regular expression, with where).
    QString error() const;
    bool matches(const capture::FrameStore &store, capture::FrameId id,
                 std::vector<std::uint8_t> &scratch) const;

private:
    bool matchesHeader(const capture::FrameRecord &record) const;
    bool matchesText(std::span<const std::uint8_t> payload) const;
    static bool contains(std::span<const std::uint8_t> haystack, const QByteArray &needle,
                         const std::array<std::size_t, 256> &skip, bool folded);

    FrameFilter m_filter;
    QByteArray m_needle;                   // UTF-8; lowered (ASCII) unless case-sensitive
    std::array<std::size_t, 256> m_skip{}; // Horspool's shift for the byte under the end
    // The text read as hex digits ("ff 10"), looked for in binary frames as the log shows them.
    QByteArray m_hexNeedle;
    std::array<std::size_t, 256> m_hexSkip{};
    QRegularExpression m_expression;
};

} // namespace framescope::ui
