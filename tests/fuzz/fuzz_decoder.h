#pragma once

// The decoder pipeline (frame decoder, unmasking, assembler, inflater) in one role. The first
// input byte picks options (report mode, strict lengths, deflate, small limits) and the chunking.

#include "fuzzutil.h"

#include <array>
#include <protocol/messagereader.h>
#include <string>

namespace fuzzdecoder {

using namespace framescope::protocol;

class Recorder : public MessageHandler
{
public:
    void frameStarted(const DecodedFrame &frame) override
    {
        log += 'F';
        log += char('a' + (frame.header.opcode & 0x0F));
    }
    void messageStarted(Opcode, bool compressed) override
    {
        log += compressed ? 'Z' : 'M';
        size = 0;
        pending = 0;
    }
    void messageData(std::span<const std::uint8_t> data) override
    {
        size += data.size();
        for (std::uint8_t byte : data)
            pending = pending * 31 + byte;
    }
    // Only completed messages count: how much of a failing message was handed out before the
    // violation depends on the chunking.
    void messageFinished() override
    {
        log += "E" + std::to_string(size) + ";";
        digest = digest * 1000003 + pending;
    }
    void controlFrameReceived(Opcode opcode, std::span<const std::uint8_t> payload) override
    {
        fuzzutil::check(payload.size() <= 125, "control payload over 125 bytes");
        log += 'C';
        log += char('a' + int(opcode));
        log += std::to_string(payload.size());
    }
    void violationFound(ProtocolError error) override
    {
        log += 'V';
        log += char('a' + int(error));
    }

    std::string log;
    std::uint64_t size = 0;
    std::uint64_t pending = 0;
    std::uint64_t digest = 0;
};

// Offers room for unmasking in place (MessageHandler::payloadTarget), 13 bytes at a time, as the
// capture store does: the split run takes this path, the whole run the reader's own buffer.
class RoomRecorder : public Recorder
{
public:
    std::span<std::uint8_t> payloadTarget(std::size_t wanted) override
    {
        return {m_room.data(), std::min<std::size_t>(wanted, m_room.size())};
    }

private:
    std::array<std::uint8_t, 13> m_room{};
};

inline int run(Role role, const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    const std::uint8_t flags = data[0];
    const std::span<const std::uint8_t> wire(data + 1, size - 1);

    ReaderOptions options;
    options.decoder.role = role;
    options.decoder.reportMode = options.assembler.reportMode = flags & 1;
    options.decoder.strictLengths = flags & 2;
    if (flags & 8) {
        options.decoder.maxMessageSize = options.assembler.maxMessageSize = 4096;
        options.decoder.maxFramePayload = 2048;
        options.assembler.maxFragments = 8;
    }
    DeflateParameters deflate;
    deflate.serverNoContextTakeover = deflate.clientNoContextTakeover = flags & 16;

    Recorder whole;
    MessageReader wholeReader(options, whole);
    if (flags & 4)
        wholeReader.enableDeflate(deflate);
    const ProtocolError wholeError = wholeReader.feed(wire);

    RoomRecorder split;
    MessageReader splitReader(options, split);
    if (flags & 4)
        splitReader.enableDeflate(deflate);
    for (auto chunk : fuzzutil::chunks(wire, std::uint8_t(flags >> 5)))
        splitReader.feed(chunk);

    if (std::getenv("FRAMESCOPE_FUZZ_VERBOSE")) {
        std::fprintf(stderr, "whole: %s (error %d)\nsplit: %s (error %d)\n", whole.log.c_str(),
                     int(wholeError), split.log.c_str(), int(splitReader.error()));
    }
    fuzzutil::check(splitReader.error() == wholeError, "split and whole errors differ");
    fuzzutil::check(split.log == whole.log, "split and whole event logs differ");
    fuzzutil::check(split.digest == whole.digest, "split and whole payloads differ");
    if (wholeError != ProtocolError::None) {
        const std::uint16_t code = closeCodeFor(wholeError);
        fuzzutil::check(code == 1002 || code == 1007 || code == 1009, "unexpected close code");
    }
    return 0;
}

} // namespace fuzzdecoder
