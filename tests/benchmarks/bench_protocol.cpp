// Protocol codec benchmark. Every line compares our code with a reference measured in the same
// run on the same bytes, and prints the ratio; the goals come from the protocol issue. Times are
// the best of several repetitions, so a busy machine skews both sides alike as far as possible.
// Not a test: it never fails, it reports.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <protocol/framedecoder.h>
#include <protocol/masking.h>
#include <protocol/messagedeflater.h>
#include <protocol/messageinflater.h>
#include <protocol/messagewriter.h>
#include <protocol/utf8validator.h>
#include <string>
#include <vector>
#include <zlib.h>

using namespace framescope::protocol;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

namespace {

volatile std::uint64_t g_sink; // keeps results alive so nothing is optimised away

double bestSeconds(int repetitions, const std::function<void()> &work)
{
    double best = 1e30;
    for (int i = 0; i < repetitions; ++i) {
        const auto start = Clock::now();
        work();
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        best = std::min(best, seconds);
    }
    return best;
}

// "higher is better" lines print throughput and ours/reference; "lower is better" lines print
// time per item and ours/reference as overhead.
void report(const std::string &name, double ours, double reference, const char *unit, double ratio,
            const std::string &goal, bool met)
{
    std::printf("%-44s ours %10.1f %-6s ref %10.1f %-6s ratio %6.2fx  goal %-8s %s\n", name.c_str(),
                ours, unit, reference, unit, ratio, goal.c_str(),
                goal.empty() ? "" : (met ? "met" : "NOT MET"));
}

// ---- decode + unmask against memcpy -----------------------------------------------------------

void benchDecode(std::size_t payloadSize)
{
    // About 64 MiB of masked client frames, decoded by a server into one destination buffer:
    // the data path of a received frame (header parsed once, payload unmasked while copied).
    const std::size_t frames = std::max<std::size_t>(4, (64u << 20) / (payloadSize + 14));
    Bytes payload(payloadSize);
    for (std::size_t i = 0; i < payloadSize; ++i)
        payload[i] = std::uint8_t(i * 13);
    MessageWriter writer(Role::Client);
    Bytes wire;
    wire.reserve(frames * (payloadSize + 14));
    for (std::size_t i = 0; i < frames; ++i)
        writer.writeMessage(Opcode::Binary, payload, wire);
    Bytes destination(frames * payloadSize);

    DecoderOptions options;
    options.role = Role::Server;
    const double ours = bestSeconds(5, [&] {
        FrameDecoder decoder(options);
        std::span<const std::uint8_t> input(wire);
        std::uint8_t *out = destination.data();
        for (;;) {
            const DecodeEvent event = decoder.next(input);
            input = input.subspan(event.consumed);
            if (event.type == DecodeEventType::Payload) {
                copyMasked(out, event.payload, decoder.frame().header.maskKey, event.payloadOffset);
                out += event.payload.size();
            } else if (event.type == DecodeEventType::NeedMoreData
                       || event.type == DecodeEventType::Error) {
                break;
            }
        }
        g_sink = g_sink + out[-1];
    });
    const double reference = bestSeconds(5, [&] {
        std::memcpy(destination.data(), wire.data(), destination.size());
        g_sink = g_sink + destination.back();
    });
    const double megabytes = double(wire.size()) / (1 << 20);
    const double ratio = reference / ours;
    const bool hasGoal = payloadSize >= 16 * 1024;
    report("decode+unmask " + std::to_string(payloadSize) + " B frames vs memcpy", megabytes / ours,
           megabytes / reference, "MiB/s", ratio, hasGoal ? ">=0.5x" : "", ratio >= 0.5);
}

// ---- unmask against a byte-at-a-time loop -----------------------------------------------------

// What Qt 6's QWebSocketProtocol::mask does: one byte at a time, with an int index taken
// modulo 4 and a 64-bit count going down.
__attribute__((noinline)) void maskByteLoop(std::uint8_t *data, std::uint64_t size,
                                            const MaskKey &key)
{
    int i = 0;
    while (size-- > 0)
        *data++ ^= key[i++ % 4];
}

void benchUnmask(std::size_t size)
{
    Bytes data(size, 0x5A);
    const MaskKey key{0x12, 0x34, 0x56, 0x78};
    const int rounds = int(std::max<std::size_t>(1, (256u << 20) / size));
    const double ours = bestSeconds(5, [&] {
        for (int r = 0; r < rounds; ++r)
            applyMask(data, key, std::size_t(r) & 3);
        g_sink = g_sink + data[0];
    });
    const double reference = bestSeconds(5, [&] {
        for (int r = 0; r < rounds; ++r)
            maskByteLoop(data.data(), data.size(), key);
        g_sink = g_sink + data[0];
    });
    const double megabytes = double(size) * rounds / (1 << 20);
    report(std::string("unmask ") + std::to_string(size) + " B (" + maskImplementation()
               + ") vs byte loop",
           megabytes / ours, megabytes / reference, "MiB/s", reference / ours, ">=20x",
           reference / ours >= 20);
}

// ---- UTF-8 validation against a byte-at-a-time validator --------------------------------------

// A conventional per-byte state machine (RFC 3629 §4 ranges), the usual straightforward validator.
__attribute__((noinline)) bool validateByteLoop(const std::uint8_t *p, std::size_t size)
{
    int need = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xBF;
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint8_t b = p[i];
        if (need == 0) {
            if (b < 0x80)
                continue;
            if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                lo = b == 0xE0 ? 0xA0 : 0x80;
                hi = b == 0xED ? 0x9F : 0xBF;
                continue;
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                lo = b == 0xF0 ? 0x90 : 0x80;
                hi = b == 0xF4 ? 0x8F : 0xBF;
                continue;
            } else {
                return false;
            }
            lo = 0x80;
            hi = 0xBF;
            continue;
        }
        if (b < lo || b > hi)
            return false;
        lo = 0x80;
        hi = 0xBF;
        --need;
    }
    return need == 0;
}

void benchUtf8(const char *name, const std::string &sample, double goal)
{
    std::string text;
    while (text.size() < (1u << 20))
        text += sample;
    const auto *bytes = reinterpret_cast<const std::uint8_t *>(text.data());
    const int rounds = 64;
    bool ok = true;
    const double ours = bestSeconds(5, [&] {
        for (int r = 0; r < rounds; ++r)
            ok = isValidUtf8({bytes, text.size()}) && ok;
    });
    bool refOk = true;
    const double reference = bestSeconds(5, [&] {
        for (int r = 0; r < rounds; ++r)
            refOk = validateByteLoop(bytes, text.size()) && refOk;
    });
    if (!ok || !refOk)
        std::printf("warning: sample %s did not validate\n", name);
    const double megabytes = double(text.size()) * rounds / (1 << 20);
    const std::string goalText = goal > 0 ? ">=" + std::to_string(int(goal)) + "x" : "";
    report(std::string("utf8 ") + name + " vs byte-at-a-time", megabytes / ours,
           megabytes / reference, "MiB/s", reference / ours, goalText, reference / ours >= goal);
}

// ---- permessage-deflate against bare zlib -----------------------------------------------------

std::vector<Bytes> jsonMessages(std::size_t size, int count)
{
    std::vector<Bytes> messages;
    for (int m = 0; m < count; ++m) {
        std::string text;
        int i = m * 37;
        while (text.size() < size) {
            text += R"({"id":)" + std::to_string(i) + R"(,"user":"user-)" + std::to_string(i % 97)
                    + R"(","event":"update","value":)" + std::to_string((i * 7919) % 100000) + "},";
            ++i;
        }
        text.resize(size);
        messages.emplace_back(text.begin(), text.end());
    }
    return messages;
}

void benchDeflate(std::size_t size)
{
    const int count = size <= 256 ? 20000 : 2000;
    const std::vector<Bytes> messages = jsonMessages(size, count);

    // Bare zlib: the same calls a careful hand-written loop makes (sync flush, tail removed).
    Bytes scratch(size * 2 + 64);
    std::vector<Bytes> compressed(messages.size());
    const double reference = bestSeconds(5, [&] {
        z_stream z{};
        deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
        for (std::size_t i = 0; i < messages.size(); ++i) {
            z.next_in = const_cast<Bytef *>(messages[i].data());
            z.avail_in = uInt(messages[i].size());
            z.next_out = scratch.data();
            z.avail_out = uInt(scratch.size());
            deflate(&z, Z_SYNC_FLUSH);
            compressed[i].assign(scratch.data(),
                                 scratch.data() + (scratch.size() - z.avail_out - 4));
        }
        deflateEnd(&z);
    });
    std::vector<Bytes> ourCompressed(messages.size());
    const double ours = bestSeconds(5, [&] {
        MessageDeflater deflater;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            ourCompressed[i].clear();
            deflater.compress(messages[i], ourCompressed[i]);
        }
    });
    if (ourCompressed != compressed)
        std::printf("warning: deflate output differs from bare zlib\n");
    report("deflate " + std::to_string(size) + " B JSON per message vs zlib", ours / count * 1e6,
           reference / count * 1e6, "us", ours / reference, "<=1.1x", ours / reference <= 1.1);

    // Inflate: bare zlib with the 00 00 ff ff tail appended by hand.
    static const std::uint8_t tail[4] = {0, 0, 0xFF, 0xFF};
    Bytes out(size + 1024);
    const double inflateReference = bestSeconds(5, [&] {
        z_stream z{};
        inflateInit2(&z, -15);
        std::uint64_t total = 0;
        for (const Bytes &message : compressed) {
            for (int part = 0; part < 2; ++part) {
                z.next_in = const_cast<Bytef *>(part == 0 ? message.data() : tail);
                z.avail_in = uInt(part == 0 ? message.size() : 4);
                z.next_out = out.data();
                z.avail_out = uInt(out.size());
                inflate(&z, Z_SYNC_FLUSH);
                total += out.size() - z.avail_out;
            }
        }
        inflateEnd(&z);
        g_sink = g_sink + total;
    });
    const double inflateOurs = bestSeconds(5, [&] {
        MessageInflater inflater;
        std::uint64_t total = 0;
        auto sink = [&total](std::span<const std::uint8_t> data) {
            total += data.size();
            return ProtocolError::None;
        };
        for (const Bytes &message : compressed) {
            inflater.inflate(message, 64u << 20, sink);
            inflater.finishMessage(64u << 20, sink);
        }
        g_sink = g_sink + total;
    });
    report("inflate " + std::to_string(size) + " B JSON per message vs zlib",
           inflateOurs / count * 1e6, inflateReference / count * 1e6, "us",
           inflateOurs / inflateReference, "<=1.1x", inflateOurs / inflateReference <= 1.1);
}

} // namespace

int main(int argc, char **argv)
{
    // An optional argument picks one group: decode, unmask, utf8 or deflate.
    const std::string only = argc > 1 ? argv[1] : "";
    auto wanted = [&only](const char *group) {
        return only.empty() || only == group;
    };
    std::printf("Framescope protocol benchmark (mask implementation: %s)\n", maskImplementation());
    std::printf("Throughput lines: ratio = ours / reference speed. Time lines: ratio = ours / "
                "reference time.\n\n");
    if (wanted("decode")) {
        for (std::size_t size :
             {std::size_t(20), std::size_t(1024), std::size_t(16 * 1024), std::size_t(1 << 20)})
            benchDecode(size);
    }
    if (wanted("unmask")) {
        for (std::size_t size : {std::size_t(1024), std::size_t(16 * 1024), std::size_t(1 << 20)})
            benchUnmask(size);
    }
    if (wanted("utf8")) {
        benchUtf8("ASCII",
                  "The quick brown fox jumps over the lazy dog. {\"id\": 42, \"ok\": true}\n", 5);
        benchUtf8("mixed Latin", "Grüße aus Köln! Ça va très bien, señor. Smørrebrød på Østerbro. ",
                  0);
        benchUtf8("CJK", "日本語のテキストと中文文本以及한국어 텍스트を検証します。", 2);
        benchUtf8("emoji", "🙂🚀🎉👍🏽🔥💡🌍🧪", 0);
    }
    if (wanted("deflate")) {
        benchDeflate(256);
        benchDeflate(16 * 1024);
    }
    return 0;
}
