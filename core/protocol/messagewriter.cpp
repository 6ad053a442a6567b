#include "messagewriter.h"

#include "closeframe.h"

#include <algorithm>

namespace framescope::protocol {

bool appendFrame(const FrameHeader &header, std::span<const std::uint8_t> payload,
                 std::vector<std::uint8_t> &out)
{
    const std::size_t start = out.size();
    out.resize(start + encodedHeaderSize(header) + payload.size());
    const std::size_t headerSize = encodeHeader(header, {out.data() + start, kMaxHeaderSize});
    if (headerSize == 0) {
        out.resize(start);
        return false;
    }
    std::uint8_t *body = out.data() + start + headerSize;
    if (header.masked)
        copyMasked(body, payload, header.maskKey);
    else
        std::copy(payload.begin(), payload.end(), body);
    return true;
}

MessageWriter::MessageWriter(Role role, MaskKeySource maskKeys)
    : m_role(role)
    , m_maskKeys(std::move(maskKeys))
{}

MessageWriter::~MessageWriter() = default;

void MessageWriter::enableDeflate(const DeflateParameters &parameters)
{
    // We compress our own direction: a client with the client_* parameters.
    const bool client = m_role == Role::Client;
    const int windowBits = client ? parameters.clientMaxWindowBits : parameters.serverMaxWindowBits;
    // A window of 2^8 (RFC 7692 allows it) is one zlib cannot compress within (it makes 8 into 9,
    // and the peer could not read that): our messages go uncompressed, as the extension allows.
    if (windowBits < kMinWindowBits)
        return;
    m_deflater = std::make_unique<MessageDeflater>(windowBits,
                                                   client ? parameters.clientNoContextTakeover
                                                          : parameters.serverNoContextTakeover);
}

bool MessageWriter::writeFrame(FrameHeader header, std::span<const std::uint8_t> payload,
                               std::vector<std::uint8_t> &out)
{
    header.payloadLength = payload.size();
    header.masked = m_role == Role::Client;
    if (header.masked) {
        const auto key = m_maskKeys();
        if (!key)
            return false;
        header.maskKey = *key;
    }
    return appendFrame(header, payload, out);
}

bool MessageWriter::writeMessage(Opcode opcode, std::span<const std::uint8_t> payload,
                                 std::vector<std::uint8_t> &out, std::size_t fragmentSize,
                                 bool compress)
{
    const std::size_t start = out.size();
    const bool compressed = compress && m_deflater != nullptr;
    if (compressed) {
        m_compressed.clear();
        if (!m_deflater->compress(payload, m_compressed))
            return false;
        payload = m_compressed;
    }
    std::size_t offset = 0;
    bool first = true;
    do {
        const std::size_t take
            = fragmentSize == 0 ? payload.size() : std::min(fragmentSize, payload.size() - offset);
        FrameHeader header;
        header.opcode = static_cast<std::uint8_t>(first ? opcode : Opcode::Continuation);
        // RFC 7692 §6.1: RSV1 marks only the first frame of a compressed message.
        header.rsv1 = compressed && first;
        header.fin = offset + take == payload.size();
        if (!writeFrame(header, payload.subspan(offset, take), out)) {
            out.resize(start);
            return false;
        }
        offset += take;
        first = false;
    } while (offset < payload.size());
    return true;
}

bool MessageWriter::writeUnmaskedHeader(Opcode opcode, std::uint64_t payloadLength,
                                        std::vector<std::uint8_t> &out)
{
    if (m_role != Role::Server || m_deflater != nullptr)
        return false;
    FrameHeader header;
    header.opcode = static_cast<std::uint8_t>(opcode);
    header.payloadLength = payloadLength;
    const std::size_t start = out.size();
    out.resize(start + encodedHeaderSize(header));
    if (encodeHeader(header, {out.data() + start, out.size() - start}) == 0) {
        out.resize(start);
        return false;
    }
    return true;
}

bool MessageWriter::writeControl(Opcode opcode, std::span<const std::uint8_t> payload,
                                 std::vector<std::uint8_t> &out)
{
    if (!isControlOpcode(static_cast<std::uint8_t>(opcode)) || payload.size() > kMaxControlPayload)
        return false;
    FrameHeader header;
    header.opcode = static_cast<std::uint8_t>(opcode);
    return writeFrame(header, payload, out);
}

bool MessageWriter::writeClose(std::uint16_t code, std::string_view reason,
                               std::vector<std::uint8_t> &out)
{
    const auto payload = buildClosePayload(code, reason);
    return payload && writeControl(Opcode::Close, *payload, out);
}

} // namespace framescope::protocol
