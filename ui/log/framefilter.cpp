#include "framefilter.h"

#include <algorithm>

namespace framescope::ui {

namespace {

constexpr std::uint8_t lowered(std::uint8_t byte)
{
    return byte >= 'A' && byte <= 'Z' ? std::uint8_t(byte + ('a' - 'A')) : byte;
}

std::array<std::size_t, 256> skipTable(const QByteArray &needle)
{
    std::array<std::size_t, 256> skip;
    const std::size_t size = std::size_t(needle.size());
    skip.fill(size);
    for (std::size_t i = 0; i + 1 < size; ++i)
        skip[std::uint8_t(needle[qsizetype(i)])] = size - 1 - i;
    return skip;
}

} // namespace

FrameMatcher::FrameMatcher(const FrameFilter &filter)
    : m_filter(filter)
{
    if (m_filter.text.isEmpty())
        return;
    if (m_filter.regularExpression) {
        QRegularExpression::PatternOptions options = QRegularExpression::UseUnicodePropertiesOption;
        if (!m_filter.caseSensitive)
            options |= QRegularExpression::CaseInsensitiveOption;
        m_expression = QRegularExpression(m_filter.text, options);
        m_expression.optimize();
        return;
    }
    m_needle = m_filter.text.toUtf8();
    if (!m_filter.caseSensitive)
        std::transform(m_needle.begin(), m_needle.end(), m_needle.begin(),
                       [](char c) { return char(lowered(std::uint8_t(c))); });
    m_skip = skipTable(m_needle);
    static const QRegularExpression hexPairs(QStringLiteral("^\\s*([0-9A-Fa-f]{2}\\s*)+$"));
    if (hexPairs.match(m_filter.text).hasMatch()) {
        QString digits = m_filter.text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        m_hexNeedle = QByteArray::fromHex(digits.toLatin1());
        m_hexSkip = skipTable(m_hexNeedle);
    }
}

QString FrameMatcher::error() const
{
    if (!m_filter.regularExpression || m_filter.text.isEmpty() || m_expression.isValid())
        return {};
    return QObject::tr("Not a regular expression: %1 at character %2")
        .arg(m_expression.errorString())
        .arg(m_expression.patternErrorOffset());
}

bool FrameMatcher::matchesHeader(const capture::FrameRecord &record) const
{
    using Direction = FrameFilter::Direction;
    if (m_filter.direction != Direction::Any
        && record.has(capture::FrameRecord::Sent) != (m_filter.direction == Direction::Sent))
        return false;
    if (!(m_filter.opcodes & (1u << (record.opcode & 0xf))))
        return false;
    if (m_filter.connection && record.connection != *m_filter.connection)
        return false;
    return m_filter.showControl || record.opcode < 0x8;
}

// Plain text is looked for in the payload's bytes as they are (UTF-8 text matches as typed, a
// close frame's reason too); ASCII letters without case unless asked. A regular expression is
// matched against the payload decoded as UTF-8.
bool FrameMatcher::matchesText(std::span<const std::uint8_t> payload) const
{
    if (m_filter.regularExpression) {
        const QString text = QString::fromUtf8(reinterpret_cast<const char *>(payload.data()),
                                               qsizetype(payload.size()));
        return m_expression.match(text).hasMatch();
    }
    return contains(payload, m_needle, m_skip, !m_filter.caseSensitive);
}

// Horspool: the needle's last byte is compared first, and a mismatch skips ahead by the table's
// distance for the byte under the needle's end. `folded`: the needle is lowered, and so is each
// payload byte compared.
bool FrameMatcher::contains(std::span<const std::uint8_t> haystack, const QByteArray &needleBytes,
                            const std::array<std::size_t, 256> &skip, bool folded)
{
    const auto *needle = reinterpret_cast<const std::uint8_t *>(needleBytes.constData());
    const std::size_t size = std::size_t(needleBytes.size());
    if (size == 0)
        return true;
    for (std::size_t at = 0; at + size <= haystack.size();) {
        const std::uint8_t last
            = folded ? lowered(haystack[at + size - 1]) : haystack[at + size - 1];
        if (last == needle[size - 1]) {
            std::size_t i = 0;
            while (i + 1 < size
                   && (folded ? lowered(haystack[at + i]) : haystack[at + i]) == needle[i])
                ++i;
            if (i + 1 >= size)
                return true;
        }
        at += skip[last];
    }
    return false;
}

bool FrameMatcher::matches(const capture::FrameStore &store, capture::FrameId id,
                           std::vector<std::uint8_t> &scratch) const
{
    const std::optional<capture::FrameRecord> record = store.record(id);
    if (!record || !matchesHeader(*record))
        return false;
    if (m_filter.text.isEmpty())
        return true;
    if (!m_expression.isValid() && m_filter.regularExpression)
        return false;
    if (record->has(capture::FrameRecord::PayloadDropped)
        || !store.payloadPrefix(id, kSearchedBytes, scratch))
        return false;
    if (record->opcode == 0x2 && !m_hexNeedle.isEmpty()
        && contains(scratch, m_hexNeedle, m_hexSkip, false))
        return true;
    return matchesText(scratch);
}

} // namespace framescope::ui
