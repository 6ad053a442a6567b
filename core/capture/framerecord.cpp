#include "framerecord.h"

namespace framescope::capture {

protocol::FrameHeader FrameRecord::header() const
{
    protocol::FrameHeader h;
    h.fin = has(Fin);
    h.rsv1 = has(Rsv1);
    h.rsv2 = has(Rsv2);
    h.rsv3 = has(Rsv3);
    h.opcode = opcode;
    h.masked = has(Masked);
    h.maskKey = maskKey;
    h.payloadLength = payloadLength;
    h.lengthForm = lengthForm;
    return h;
}

FrameRecord FrameRecord::fromHeader(const protocol::FrameHeader &header, std::uint8_t headerSize,
                                    Direction direction)
{
    FrameRecord record;
    record.set(Fin, header.fin);
    record.set(Rsv1, header.rsv1);
    record.set(Rsv2, header.rsv2);
    record.set(Rsv3, header.rsv3);
    record.set(Masked, header.masked);
    record.set(Sent, direction == Direction::Sent);
    record.opcode = header.opcode & 0x0F;
    record.maskKey = header.maskKey;
    record.payloadLength = header.payloadLength;
    record.headerSize = headerSize;
    record.lengthForm = protocol::effectiveLengthForm(header);
    return record;
}

} // namespace framescope::capture
