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

void FrameRecord::setHeader(const protocol::FrameHeader &header, std::uint8_t sizeOfHeader,
                            Direction direction)
{
    flags = static_cast<std::uint8_t>((header.fin ? Fin : 0) | (header.rsv1 ? Rsv1 : 0)
                                      | (header.rsv2 ? Rsv2 : 0) | (header.rsv3 ? Rsv3 : 0)
                                      | (header.masked ? Masked : 0)
                                      | (direction == Direction::Sent ? Sent : 0));
    opcode = header.opcode & 0x0F;
    maskKey = header.maskKey;
    payloadLength = header.payloadLength;
    headerSize = sizeOfHeader;
    lengthForm = protocol::effectiveLengthForm(header);
}

} // namespace framescope::capture
