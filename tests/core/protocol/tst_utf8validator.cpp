// UTF-8 validation: the Autobahn 6.5-6.23 vectors (from Markus Kuhn's UTF-8 stress test, as
// described in ../shared/CONFORMANCE-FACTS.md), every split point, fail-fast positions, and a
// randomized comparison with a plain reference decoder.

#include "testutil.h"

#include <QRandomGenerator>
#include <QTest>
#include <protocol/utf8validator.h>

using namespace framescope::protocol;
using namespace testutil;

Q_DECLARE_METATYPE(testutil::Bytes)

namespace {

Bytes encode(char32_t cp)
{
    if (cp < 0x80)
        return {std::uint8_t(cp)};
    if (cp < 0x800)
        return {std::uint8_t(0xC0 | (cp >> 6)), std::uint8_t(0x80 | (cp & 0x3F))};
    if (cp < 0x10000)
        return {std::uint8_t(0xE0 | (cp >> 12)), std::uint8_t(0x80 | ((cp >> 6) & 0x3F)),
                std::uint8_t(0x80 | (cp & 0x3F))};
    return {std::uint8_t(0xF0 | (cp >> 18)), std::uint8_t(0x80 | ((cp >> 12) & 0x3F)),
            std::uint8_t(0x80 | ((cp >> 6) & 0x3F)), std::uint8_t(0x80 | (cp & 0x3F))};
}

// Reference written independently of the validator: decode code points the slow way.
// Returns the length of the longest prefix that could still be the start of valid UTF-8, so
// the first failing byte is at that index (or data.size() when no byte fails).
std::size_t referenceValidPrefix(const Bytes &data, bool &complete)
{
    std::size_t i = 0;
    complete = true;
    while (i < data.size()) {
        const std::uint8_t b = data[i];
        int need;
        char32_t cp;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            need = 1;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            need = 2;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            need = 3;
            cp = b & 0x07;
        } else {
            return i;
        }
        // After the lead and each continuation byte: can the sequence still become a valid
        // code point? The smallest and largest values reachable from here decide.
        const char32_t minForLength = need == 1 ? 0x80 : need == 2 ? 0x800 : 0x10000;
        std::size_t j = 0;
        for (;;) {
            const int left = need - int(j);
            const char32_t lo = cp << (6 * left);
            const char32_t hi = lo | ((char32_t(1) << (6 * left)) - 1);
            if (hi < minForLength || lo > 0x10FFFF || (lo >= 0xD800 && hi <= 0xDFFF))
                return i + j;
            if (j == std::size_t(need))
                break;
            ++j;
            if (i + j >= data.size()) {
                complete = false;
                return data.size();
            }
            if ((data[i + j] & 0xC0) != 0x80)
                return i + j;
            cp = (cp << 6) | (data[i + j] & 0x3F);
        }
        i += need + 1;
    }
    return data.size();
}

} // namespace

class tst_Utf8Validator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void autobahnVectors_data();
    void autobahnVectors();
    void failsAtTheFirstImpossibleByte_data() { autobahnVectors_data(); }
    void failsAtTheFirstImpossibleByte();
    void matchesReferenceOnRandomInput();
    void longTextSplitAnywhere();
};

void tst_Utf8Validator::autobahnVectors_data()
{
    QTest::addColumn<Bytes>("text");
    QTest::addColumn<bool>("valid");

    auto add = [](const char *name, const Bytes &text, bool valid) {
        QTest::newRow(name) << text << valid;
    };
    const Bytes kosme = hex("ce ba e1 bd b9 cf 83 ce bc ce b5");
    // 6.5 valid sequences.
    add("6.5.1 U+0024", hex("24"), true);
    add("6.5.2 U+00A2", hex("c2 a2"), true);
    add("6.5.3 U+20AC", hex("e2 82 ac"), true);
    add("6.5.4 U+24B62", hex("f0 a4 ad a2"), true);
    add("6.5.5 kosme", kosme, true);
    // 6.6 every prefix of kosme: valid only on code point boundaries.
    for (std::size_t n = 1; n <= kosme.size(); ++n) {
        const bool boundary = n == 2 || n == 5 || n == 7 || n == 9 || n == 11;
        const QByteArray name = "6.6 prefix " + QByteArray::number(qulonglong(n));
        QTest::newRow(name.constData()) << Bytes(kosme.begin(), kosme.begin() + n) << boundary;
    }
    // 6.7 first sequence of each length.
    add("6.7.1 U+0000", hex("00"), true);
    add("6.7.2 U+0080", hex("c2 80"), true);
    add("6.7.3 U+0800", hex("e0 a0 80"), true);
    add("6.7.4 U+10000", hex("f0 90 80 80"), true);
    // 6.8 five- and six-byte forms.
    add("6.8.1 5 bytes", hex("f8 88 80 80 80"), false);
    add("6.8.2 6 bytes", hex("fc 84 80 80 80 80"), false);
    // 6.9 last sequence of each length.
    add("6.9.1 U+007F", hex("7f"), true);
    add("6.9.2 U+07FF", hex("df bf"), true);
    add("6.9.3 U+FFFF", hex("ef bf bf"), true);
    add("6.9.4 U+10FFFF", hex("f4 8f bf bf"), true);
    // 6.10 above U+10FFFF.
    add("6.10.1 U+1FFFFF", hex("f7 bf bf bf"), false);
    add("6.10.2 5-byte max", hex("fb bf bf bf bf"), false);
    add("6.10.3 6-byte max", hex("fd bf bf bf bf bf"), false);
    // 6.11 boundary conditions.
    add("6.11.1 U+D7FF", hex("ed 9f bf"), true);
    add("6.11.2 U+E000", hex("ee 80 80"), true);
    add("6.11.3 U+FFFD", hex("ef bf bd"), true);
    add("6.11.4 U+10FFFF", hex("f4 8f bf bf"), true);
    add("6.11.5 U+110000", hex("f4 90 80 80"), false);
    // 6.12 unexpected continuation bytes.
    add("6.12.1", hex("80"), false);
    add("6.12.2", hex("bf"), false);
    add("6.12.3", hex("80 bf"), false);
    add("6.12.4", hex("80 bf 80"), false);
    add("6.12.5", hex("80 bf 80 bf"), false);
    add("6.12.6", hex("80 bf 80 bf 80"), false);
    add("6.12.7", hex("80 bf 80 bf 80 bf"), false);
    Bytes allContinuations;
    for (int b = 0x80; b <= 0xBF; ++b)
        allContinuations.push_back(std::uint8_t(b));
    add("6.12.8 all 64", allContinuations, false);
    // 6.13 lonely start bytes, each followed by a space.
    auto lonely = [](int from, int to) {
        Bytes out;
        for (int b = from; b <= to; ++b) {
            out.push_back(std::uint8_t(b));
            out.push_back(0x20);
        }
        return out;
    };
    add("6.13.1 C0-DF", lonely(0xC0, 0xDF), false);
    add("6.13.2 E0-EF", lonely(0xE0, 0xEF), false);
    add("6.13.3 F0-F7", lonely(0xF0, 0xF7), false);
    add("6.13.4 F8-FB", lonely(0xF8, 0xFB), false);
    add("6.13.5 FC-FD", lonely(0xFC, 0xFD), false);
    // 6.14 last continuation byte missing; 6.15 all of them concatenated.
    const char *missing[] = {"c0", "e0 80", "f0 80 80", "f8 80 80 80", "fc 80 80 80 80",
                             "df", "ef bf", "f7 bf bf", "fb bf bf bf", "fd bf bf bf bf"};
    Bytes concatenated;
    for (const char *m : missing) {
        const QByteArray name = QByteArray("6.14 ") + m;
        QTest::newRow(name.constData()) << hex(m) << false;
        const Bytes part = hex(m);
        concatenated.insert(concatenated.end(), part.begin(), part.end());
    }
    add("6.15.1 concatenated", concatenated, false);
    // 6.16 impossible bytes.
    add("6.16.1 fe", hex("fe"), false);
    add("6.16.2 ff", hex("ff"), false);
    add("6.16.3 fe fe ff ff", hex("fe fe ff ff"), false);
    // 6.17-6.19 overlong forms.
    for (const char *overlong :
         {"c0 af", "e0 80 af", "f0 80 80 af", "f8 80 80 80 af", "fc 80 80 80 80 af", "c1 bf",
          "e0 9f bf", "f0 8f bf bf", "f8 87 bf bf bf", "fc 83 bf bf bf bf", "c0 80", "e0 80 80",
          "f0 80 80 80", "f8 80 80 80 80", "fc 80 80 80 80 80"}) {
        const QByteArray name = QByteArray("6.17-6.19 overlong ") + overlong;
        QTest::newRow(name.constData()) << hex(overlong) << false;
    }
    // 6.20 single and 6.21 paired UTF-16 surrogates.
    for (const char *surrogate :
         {"ed a0 80", "ed ad bf", "ed ae 80", "ed af bf", "ed b0 80", "ed be 80", "ed bf bf",
          "ed a0 80 ed b0 80", "ed a0 80 ed bf bf", "ed ad bf ed b0 80", "ed ad bf ed bf bf",
          "ed ae 80 ed b0 80", "ed ae 80 ed bf bf", "ed af bf ed b0 80", "ed af bf ed bf bf"}) {
        const QByteArray name = QByteArray("6.20-6.21 surrogate ") + surrogate;
        QTest::newRow(name.constData()) << hex(surrogate) << false;
    }
    // 6.22 noncharacters are valid UTF-8: U+FFFE, U+FFFF and U+nFFFE, U+nFFFF for n = 1..16.
    for (char32_t plane = 0; plane <= 0x10; ++plane) {
        for (char32_t low : {0xFFFEu, 0xFFFFu}) {
            const char32_t cp = (plane << 16) | low;
            const QByteArray name = "6.22 U+" + QByteArray::number(uint(cp), 16).toUpper();
            QTest::newRow(name.constData()) << encode(cp) << true;
        }
    }
    // 6.23 specials.
    for (char32_t cp = 0xFFF9; cp <= 0xFFFF; ++cp) {
        const QByteArray name = "6.23 U+" + QByteArray::number(uint(cp), 16).toUpper();
        QTest::newRow(name.constData()) << encode(cp) << true;
    }
}

void tst_Utf8Validator::autobahnVectors()
{
    QFETCH(Bytes, text);
    QFETCH(bool, valid);
    QCOMPARE(isValidUtf8(text), valid);
    // Every split point.
    for (std::size_t split = 0; split <= text.size(); ++split) {
        Utf8Validator validator;
        const bool ok = validator.feed(std::span(text).first(split))
                        && validator.feed(std::span(text).subspan(split)) && validator.isComplete();
        QCOMPARE(ok, valid);
    }
    // Inside longer ASCII runs, so the 16-byte fast path meets the sequence at every alignment.
    for (std::size_t pad = 0; pad < 20; ++pad) {
        Bytes padded(pad, 'a');
        padded.insert(padded.end(), text.begin(), text.end());
        padded.insert(padded.end(), 17, 'z');
        QCOMPARE(isValidUtf8(padded), valid);
    }
}

void tst_Utf8Validator::failsAtTheFirstImpossibleByte()
{
    QFETCH(Bytes, text);
    bool complete = true;
    const std::size_t expectedFailure = referenceValidPrefix(text, complete);
    Utf8Validator validator;
    std::size_t failedAt = text.size();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!validator.feed(std::span(text).subspan(i, 1))) {
            failedAt = i;
            break;
        }
    }
    QCOMPARE(failedAt, expectedFailure);
    if (failedAt == text.size())
        QCOMPARE(validator.isComplete(), complete);
}

void tst_Utf8Validator::matchesReferenceOnRandomInput()
{
    QRandomGenerator random(20261125);
    // Bytes drawn mostly from the interesting ranges: ASCII, continuations, lead bytes.
    const std::uint8_t palette[] = {0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC2, 0xDF,
                                    0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xC0, 0xFF};
    for (int round = 0; round < 20000; ++round) {
        Bytes text(random.bounded(1, 24));
        for (auto &byte : text)
            byte = random.bounded(4) == 0 ? std::uint8_t(random.bounded(256))
                                          : palette[random.bounded(int(std::size(palette)))];
        bool complete = true;
        const std::size_t failure = referenceValidPrefix(text, complete);
        const bool expected = failure == text.size() && complete;
        if (isValidUtf8(text) != expected)
            QFAIL(qPrintable(QStringLiteral("mismatch on %1").arg(toHex(text))));
        const std::size_t split = random.bounded(int(text.size()) + 1);
        Utf8Validator validator;
        const bool ok = validator.feed(std::span(text).first(split))
                        && validator.feed(std::span(text).subspan(split)) && validator.isComplete();
        if (ok != expected)
            QFAIL(qPrintable(QStringLiteral("split mismatch on %1").arg(toHex(text))));
    }
}

void tst_Utf8Validator::longTextSplitAnywhere()
{
    // Mixed scripts, long enough for the fast paths, fed in every chunk size up to 40.
    const std::string sample
        = "Grüße, Framescope! Ελληνικά κόσμε 日本語のテキスト 🙂🚀 end.";
    std::string longText;
    for (int i = 0; i < 50; ++i)
        longText += sample;
    const Bytes text = bytesOf(longText);
    for (std::size_t chunk = 1; chunk <= 40; ++chunk) {
        Utf8Validator validator;
        bool ok = true;
        for (std::size_t i = 0; i < text.size() && ok; i += chunk)
            ok = validator.feed(std::span(text).subspan(i, std::min(chunk, text.size() - i)));
        QVERIFY(ok);
        QVERIFY(validator.isComplete());
    }
    Bytes broken = text;
    broken[broken.size() / 2 + 1] = 0xFF;
    QVERIFY(!isValidUtf8(broken));
}

QTEST_GUILESS_MAIN(tst_Utf8Validator)
#include "tst_utf8validator.moc"
