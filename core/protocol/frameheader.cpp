#include "frameheader.h"

namespace framescope::protocol {

std::string opcodeName(std::uint8_t opcode)
{
    switch (opcode & 0x0F) {
    case 0x0:
        return "CONTINUATION";
    case 0x1:
        return "TEXT";
    case 0x2:
        return "BINARY";
    case 0x8:
        return "CLOSE";
    case 0x9:
        return "PING";
    case 0xA:
        return "PONG";
    default:
        return "RESERVED-" + std::to_string(opcode & 0x0F);
    }
}

std::string describeHeader(const FrameHeader &header)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text = header.fin ? "FIN " : "--- ";
    text += "RSV=";
    text += header.rsv1 ? '1' : '0';
    text += header.rsv2 ? '1' : '0';
    text += header.rsv3 ? '1' : '0';
    text += ' ';
    text += opcodeName(header.opcode);
    if (header.masked) {
        text += " MASK=";
        for (std::uint8_t byte : header.maskKey) {
            text += kHex[byte >> 4];
            text += kHex[byte & 0x0F];
        }
    }
    text += " LEN=" + std::to_string(header.payloadLength);
    if (effectiveLengthForm(header) != minimalLengthForm(header.payloadLength))
        text += " NON-MINIMAL";
    return text;
}

LengthForm minimalLengthForm(std::uint64_t payloadLength)
{
    if (payloadLength <= 125)
        return LengthForm::Short7;
    if (payloadLength <= 0xFFFF)
        return LengthForm::Extended16;
    return LengthForm::Extended64;
}

LengthForm effectiveLengthForm(const FrameHeader &header)
{
    return header.lengthForm == LengthForm::Minimal ? minimalLengthForm(header.payloadLength)
                                                    : header.lengthForm;
}

std::size_t encodedHeaderSize(const FrameHeader &header)
{
    std::size_t size = 2 + (header.masked ? 4 : 0);
    switch (effectiveLengthForm(header)) {
    case LengthForm::Extended16:
        size += 2;
        break;
    case LengthForm::Extended64:
        size += 8;
        break;
    default:
        break;
    }
    return size;
}

std::size_t encodeHeader(const FrameHeader &header, std::span<std::uint8_t> out)
{
    const LengthForm form = effectiveLengthForm(header);
    if ((form == LengthForm::Short7 && header.payloadLength > 125)
        || (form == LengthForm::Extended16 && header.payloadLength > 0xFFFF)) {
        return 0;
    }
    const std::size_t size = encodedHeaderSize(header);
    if (out.size() < size)
        return 0;

    out[0] = static_cast<std::uint8_t>((header.fin ? 0x80 : 0) | (header.rsv1 ? 0x40 : 0)
                                       | (header.rsv2 ? 0x20 : 0) | (header.rsv3 ? 0x10 : 0)
                                       | (header.opcode & 0x0F));
    const std::uint8_t maskBit = header.masked ? 0x80 : 0;
    std::size_t pos = 2;
    switch (form) {
    case LengthForm::Extended16:
        out[1] = maskBit | 126;
        out[pos++] = static_cast<std::uint8_t>(header.payloadLength >> 8);
        out[pos++] = static_cast<std::uint8_t>(header.payloadLength);
        break;
    case LengthForm::Extended64:
        out[1] = maskBit | 127;
        for (int shift = 56; shift >= 0; shift -= 8)
            out[pos++] = static_cast<std::uint8_t>(header.payloadLength >> shift);
        break;
    default:
        out[1] = static_cast<std::uint8_t>(maskBit | header.payloadLength);
        break;
    }
    if (header.masked) {
        for (std::uint8_t byte : header.maskKey)
            out[pos++] = byte;
    }
    return pos;
}

ViolationSet headerViolations(const FrameHeader &header, const HeaderRules &rules)
{
    ViolationSet violations;
    // RFC 6455 §5.2: RSV bits must be 0 unless a negotiated extension defines them.
    if ((header.rsv1 && !rules.rsv1Allowed) || (header.rsv2 && !rules.rsv2Allowed)
        || (header.rsv3 && !rules.rsv3Allowed)) {
        violations.add(ProtocolError::ReservedBitsSet);
    }
    // RFC 7692 §6.1: the compression bit only marks the first frame of a data message.
    if (header.rsv1 && rules.rsv1Allowed
        && (isControlOpcode(header.opcode) || (header.opcode & 0x0F) == 0)) {
        violations.add(ProtocolError::UnexpectedCompressedBit);
    }
    // RFC 6455 §5.2: unknown opcodes fail the connection.
    if (isReservedOpcode(header.opcode & 0x0F))
        violations.add(ProtocolError::ReservedOpcode);
    if (header.isControl()) {
        // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
        if (!header.fin)
            violations.add(ProtocolError::FragmentedControlFrame);
        if (header.payloadLength > kMaxControlPayload)
            violations.add(ProtocolError::ControlFrameTooLong);
    }
    // RFC 6455 §5.1: clients mask every frame, servers none.
    if (rules.sender == Role::Client && !header.masked)
        violations.add(ProtocolError::UnmaskedClientFrame);
    if (rules.sender == Role::Server && header.masked)
        violations.add(ProtocolError::MaskedServerFrame);
    // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
    if (header.payloadLength >> 63)
        violations.add(ProtocolError::LengthTopBitSet);
    if (rules.strictLengths
        && effectiveLengthForm(header) != minimalLengthForm(header.payloadLength))
        violations.add(ProtocolError::NonMinimalLength);
    if (header.payloadLength > rules.maxFramePayload)
        violations.add(ProtocolError::FrameTooBig);
    return violations;
}

} // namespace framescope::protocol
