#include "testutil.h"

#include <QTest>
#include <protocol/masking.h>
#include <protocol/messagewriter.h>
#include <set>

using namespace framescope::protocol;
using namespace testutil;

class tst_Masking : public QObject
{
    Q_OBJECT

private:
    void checkAgainstByteLoop();

private Q_SLOTS:
    void rfcExample();
    void matchesByteLoopAtEveryLengthAndPhase();
    void phaseCarriesAcrossChunks();
    void copyLeavesSourceIntact();
    void randomKeysDiffer();
    void writerUsesInjectedKeys();
    void writerFailsWithoutRandomness();
};

static Bytes byteLoop(Bytes data, MaskKey key, std::size_t phase)
{
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] ^= key[(i + phase) % 4];
    return data;
}

void tst_Masking::rfcExample()
{
    // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
    Bytes data = bytesOf("Hello");
    applyMask(data, {0x37, 0xfa, 0x21, 0x3d});
    QCOMPARE(data, hex("7f 9f 4d 51 58"));
}

void tst_Masking::matchesByteLoopAtEveryLengthAndPhase()
{
    const std::vector<const char *> names = availableMaskImplementations();
    QVERIFY(!names.empty());
    for (const char *name : names) {
        QVERIFY(selectMaskImplementation(name));
        QCOMPARE(maskImplementation(), name);
        checkAgainstByteLoop();
    }
    QVERIFY(selectMaskImplementation(names.front()));
    QVERIFY(!selectMaskImplementation("no-such-implementation"));
}

void tst_Masking::checkAgainstByteLoop()
{
    const MaskKey key{0x12, 0x34, 0x56, 0x78};
    Bytes source(1100);
    for (std::size_t i = 0; i < source.size(); ++i)
        source[i] = std::uint8_t(i * 31 + 7);
    for (std::size_t length = 0; length <= 300; ++length) {
        for (std::size_t offset = 0; offset < 5; ++offset) { // unaligned starts
            for (std::size_t phase = 0; phase < 4; ++phase) {
                Bytes data(source.begin() + offset, source.begin() + offset + length);
                const Bytes expected = byteLoop(data, key, phase);
                QCOMPARE(applyMask(data, key, phase), (phase + length) % 4);
                if (data != expected)
                    QFAIL(qPrintable(QStringLiteral("%3: length %1 phase %2")
                                         .arg(length)
                                         .arg(phase)
                                         .arg(QLatin1String(maskImplementation()))));
            }
        }
    }
    // Every destination alignment, so the aligned-store head is exercised.
    Bytes target(source.size() + 64);
    for (std::size_t align = 0; align < 32; ++align) {
        for (std::size_t length : {31, 32, 33, 200, 1000}) {
            const std::span<const std::uint8_t> src(source.data() + 1, length);
            copyMasked(target.data() + align, src, key, 1);
            const Bytes expected = byteLoop(Bytes(src.begin(), src.end()), key, 1);
            if (!std::equal(expected.begin(), expected.end(), target.begin() + align))
                QFAIL(qPrintable(QStringLiteral("%1: align %2 length %3")
                                     .arg(QLatin1String(maskImplementation()))
                                     .arg(align)
                                     .arg(length)));
        }
    }
    Bytes big(source.begin(), source.end());
    const Bytes expected = byteLoop(big, key, 3);
    applyMask(big, key, 3);
    QCOMPARE(big, expected);
}

void tst_Masking::phaseCarriesAcrossChunks()
{
    const MaskKey key{0xAA, 0x01, 0x80, 0x7F};
    const Bytes original = filled(517, 0x42);
    const Bytes expected = byteLoop(original, key, 0);
    for (std::size_t chunk : {1, 3, 5, 16, 33, 100}) {
        Bytes data = original;
        std::size_t phase = 0;
        for (std::size_t i = 0; i < data.size(); i += chunk) {
            const std::size_t n = std::min(chunk, data.size() - i);
            phase = applyMask(std::span(data).subspan(i, n), key, phase);
        }
        QCOMPARE(data, expected);
    }
}

void tst_Masking::copyLeavesSourceIntact()
{
    const Bytes source = filled(70, 0x11);
    Bytes target(70);
    copyMasked(target.data(), source, {1, 2, 3, 4}, 2);
    QCOMPARE(source, filled(70, 0x11));
    QCOMPARE(target, byteLoop(source, {1, 2, 3, 4}, 2));
}

void tst_Masking::randomKeysDiffer()
{
    MaskKeySource source = randomMaskKeySource();
    std::set<MaskKey> keys;
    for (int i = 0; i < 1000; ++i) {
        const auto key = source();
        QVERIFY(key.has_value());
        keys.insert(*key);
    }
    // 1000 draws from 2^32 keys: a collision is possible but very unlikely (p ~ 1e-4).
    QVERIFY(keys.size() >= 999);
}

void tst_Masking::writerUsesInjectedKeys()
{
    MessageWriter writer(Role::Client, [] {
        return std::optional<MaskKey>(MaskKey{0x37, 0xfa, 0x21, 0x3d});
    });
    Bytes out;
    QVERIFY(writer.writeMessage(Opcode::Text, bytesOf("Hello"), out));
    QCOMPARE(out, hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")); // RFC 6455 §5.7

    MessageWriter server(Role::Server, [] { return std::optional<MaskKey>(); });
    Bytes serverOut;
    QVERIFY(server.writeMessage(Opcode::Text, bytesOf("Hello"), serverOut));
    QCOMPARE(serverOut, hex("81 05 48 65 6c 6c 6f"));
}

void tst_Masking::writerFailsWithoutRandomness()
{
    MessageWriter writer(Role::Client, [] { return std::optional<MaskKey>(); });
    Bytes out = bytesOf("kept");
    QVERIFY(!writer.writeMessage(Opcode::Text, bytesOf("Hello"), out, 2));
    QCOMPARE(out, bytesOf("kept"));
}

QTEST_GUILESS_MAIN(tst_Masking)
#include "tst_masking.moc"
