#pragma once

#include <QString>
#include <capture/framerecord.h>
#include <cstdint>
#include <vector>

namespace framescope::ui {

// A frame explained for the detail pane, as plain text in a fixed-width font: the header's bytes
// as they went on the wire with each field labelled (FIN, RSV1-3, opcode, MASK, which length
// encoding, the mask key), the payload masked as on the wire beside the unmasked bytes (hex
// dump), its text, a close frame's code and what it means, the times, and any violation in
// plain words. `payload` is the stored (unmasked) payload, or a page of it that starts at
// `payloadOffset`. `lineChars`: how many characters the pane shows in a line (0: no limit); the
// hex dump of an unmasked payload then has as many bytes a line as fit (16, 8 or 4).
QString describeFrame(const capture::FrameRecord &record, std::uint64_t id,
                      const std::vector<std::uint8_t> &payload, std::int64_t originNs,
                      std::uint64_t payloadOffset = 0, int lineChars = 0);

// The bytes a line of hexDump() that fit in `lineChars` characters: 16, 8 or 4 (4 when even
// that does not fit; 16 for 0, no limit).
int hexBytesPerLine(int lineChars);

// What a close code means (RFC 6455 §7.4.1, and the IANA registry's 1012-1014).
QString closeCodeMeaning(std::uint16_t code);

// 4 bytes per line (a column per mask key byte): offset, the unmasked bytes' hex and their
// printable ASCII, then the same bytes masked as on the wire.
QString maskedBesideUnmasked(const std::uint8_t *unmasked, const std::uint8_t *masked,
                             std::size_t size, std::uint64_t firstOffset = 0);

// `bytesPerLine` (16, 8 or 4) a line: offset (counted from `firstOffset`), hex (a gap after each
// 8), and the printable ASCII.
QString hexDump(const std::uint8_t *data, std::size_t size, std::uint64_t firstOffset = 0,
                int bytesPerLine = 16);

} // namespace framescope::ui
