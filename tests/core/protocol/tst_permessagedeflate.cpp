// permessage-deflate (RFC 7692): the §7.2.3 examples, parameter negotiation as in Autobahn
// 13.x, round trips with every parameter set, limits and decompression bombs.

#include "testutil.h"

#include <QTest>
#include <protocol/messagedeflater.h>
#include <protocol/messageinflater.h>
#include <protocol/messagereader.h>
#include <protocol/messagewriter.h>
#include <protocol/permessagedeflate.h>
#include <zlib.h>

using namespace framescope::protocol;
using namespace testutil;

Q_DECLARE_METATYPE(testutil::Bytes)
Q_DECLARE_METATYPE(framescope::protocol::ProtocolError)

namespace {

DeflateParameters defaults()
{
    return {};
}

std::vector<ExtensionOffer> parse(std::string_view header)
{
    const ExtensionParseResult result = parseExtensionHeader(header);
    return result.extensions;
}

// A JSON-like corpus, as Autobahn 12.1/13.x use.
Bytes jsonMessage(std::size_t size, int seed)
{
    std::string text;
    int i = seed;
    while (text.size() < size) {
        text += R"({"id":)" + std::to_string(i) + R"(,"name":"sensor-)" + std::to_string(i % 17)
                + R"(","value":)" + std::to_string((i * 7919) % 1000) + R"(,"ok":true},)";
        ++i;
    }
    text.resize(size);
    return bytesOf(text);
}

} // namespace

class tst_PerMessageDeflate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfcExamples_data();
    void rfcExamples();
    void deflaterProducesRfcHello();
    void serverNegotiation_data();
    void serverNegotiation();
    void clientNegotiation_data();
    void clientNegotiation();
    void roundTripsWithEveryParameterSet_data();
    void roundTripsWithEveryParameterSet();
    void compressionBitRules();
    void invalidCompressedData();
    void invalidUtf8InsideCompressedText();
    void reportModeReportsCorruptDataOnceAndRecovers();
    void decompressionBombStopsAtTheLimit();
    void pastTheLimitTheSamePrefixHowEverChunked();
    void aClientWindowOf8SendsUncompressed();
};

void tst_PerMessageDeflate::rfcExamples_data()
{
    QTest::addColumn<Bytes>("wire");
    QTest::addColumn<QStringList>("messages");
    const QString hello = summary(1, bytesOf("Hello"));
    // RFC 7692 §7.2.3.
    QTest::newRow("7.2.3.1 one frame") << hex("c1 07 f2 48 cd c9 c9 07 00") << QStringList{hello};
    QTest::newRow("7.2.3.1 two fragments")
        << hex("41 03 f2 48 cd 80 04 c9 c9 07 00") << QStringList{hello};
    QTest::newRow("7.2.3.2 shared window")
        << hex("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00") << QStringList{hello, hello};
    QTest::newRow("7.2.3.3 stored block")
        << hex("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00") << QStringList{hello};
    QTest::newRow("7.2.3.4 BFINAL") << hex("c1 08 f3 48 cd c9 c9 07 00 00") << QStringList{hello};
    QTest::newRow("7.2.3.4 BFINAL, then the window is still shared")
        << hex("c1 08 f3 48 cd c9 c9 07 00 00 c1 05 f2 00 11 00 00") << QStringList{hello, hello};
    QTest::newRow("7.2.3.5 two blocks")
        << hex("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00") << QStringList{hello};
    QTest::newRow("7.2.3.6 empty") << hex("c1 01 00") << QStringList{summary(1, {})};
    QTest::newRow("uncompressed message in between")
        << hex("c1 07 f2 48 cd c9 c9 07 00 81 05 48 65 6c 6c 6f c1 05 f2 00 11 00 00")
        << QStringList{hello, hello, hello};
}

void tst_PerMessageDeflate::rfcExamples()
{
    QFETCH(Bytes, wire);
    QFETCH(QStringList, messages);
    const DeflateParameters parameters = defaults();
    ReaderOptions options;
    for (std::size_t chunk : {0, 1, 3}) {
        ReadResult result;
        readInto(result, options, wire, chunk, 0, &parameters);
        QCOMPARE(result.error, ProtocolError::None);
        QCOMPARE(messageSummaries(result.handler), messages);
    }
    // The same bytes without negotiation: RSV1 is a protocol error.
    ReadResult plain;
    readInto(plain, options, wire);
    QCOMPARE(plain.error, ProtocolError::ReservedBitsSet);
}

void tst_PerMessageDeflate::deflaterProducesRfcHello()
{
    MessageDeflater deflater;
    QVERIFY(deflater.isValid());
    Bytes out;
    QVERIFY(deflater.compress(bytesOf("Hello"), out));
    QCOMPARE(toHex(out), toHex(hex("f2 48 cd c9 c9 07 00")));
    // With context takeover the second "Hello" is a back-reference (§7.2.3.2).
    Bytes second;
    QVERIFY(deflater.compress(bytesOf("Hello"), second));
    QCOMPARE(toHex(second), toHex(hex("f2 00 11 00 00")));
    // Empty message: a single 00 byte (§7.2.3.6).
    MessageDeflater fresh;
    Bytes empty;
    QVERIFY(fresh.compress({}, empty));
    QCOMPARE(toHex(empty), toHex(hex("00")));
    // Found against python3-websockets: zlib emits nothing for a second sync flush in a row, so
    // empty messages after another message came out as zero bytes, which no inflater accepts.
    for (const Bytes &message : {Bytes{}, Bytes{}, bytesOf("x"), Bytes{}}) {
        Bytes compressed;
        QVERIFY(fresh.compress(message, compressed));
        QVERIFY(!compressed.empty());
    }
    MessageWriter writer(Role::Server);
    writer.enableDeflate(defaults());
    Bytes wire;
    for (const Bytes &message : {Bytes{}, Bytes{}, bytesOf("a"), Bytes{}, Bytes{}, bytesOf("b")})
        QVERIFY(writer.writeMessage(Opcode::Text, message, wire));
    const DeflateParameters parameters = defaults();
    ReaderOptions options;
    ReadResult result;
    readInto(result, options, wire, 0, 0, &parameters);
    QCOMPARE(result.error, ProtocolError::None);
    QCOMPARE(messageSummaries(result.handler),
             (QStringList{summary(1, {}), summary(1, {}), summary(1, bytesOf("a")), summary(1, {}),
                          summary(1, {}), summary(1, bytesOf("b"))}));
}

void tst_PerMessageDeflate::serverNegotiation_data()
{
    QTest::addColumn<QString>("offer");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("response");
    QTest::addColumn<int>("declined");
    // Autobahn 13.1-13.7 offers.
    QTest::newRow("13.1 default") << "permessage-deflate" << true << "permessage-deflate" << 0;
    QTest::newRow("13.2 no context takeover")
        << "permessage-deflate; client_no_context_takeover; server_no_context_takeover" << true
        << "permessage-deflate; server_no_context_takeover; client_no_context_takeover" << 0;
    QTest::newRow("13.3 window 9")
        << "permessage-deflate; client_max_window_bits=9; server_max_window_bits=9" << true
        << "permessage-deflate; server_max_window_bits=9" << 0;
    QTest::newRow("13.4 window 15")
        << "permessage-deflate; client_max_window_bits=15; server_max_window_bits=15" << true
        << "permessage-deflate; server_max_window_bits=15" << 0;
    QTest::newRow("13.5 NCT and 9")
        << "permessage-deflate; client_no_context_takeover; client_max_window_bits=9; "
           "server_no_context_takeover; server_max_window_bits=9"
        << true
        << "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
           "server_max_window_bits=9"
        << 0;
    QTest::newRow("13.7 fallback over an offer we cannot take")
        << "permessage-deflate; server_max_window_bits=8, permessage-deflate; "
           "client_max_window_bits, permessage-deflate"
        << true << "permessage-deflate" << 1;
    QTest::newRow("client_max_window_bits without value")
        << "permessage-deflate; client_max_window_bits" << true << "permessage-deflate" << 0;
    QTest::newRow("duplicate parameter declined")
        << "permessage-deflate; server_no_context_takeover; server_no_context_takeover" << false
        << "" << 1;
    QTest::newRow("unknown parameter declined") << "permessage-deflate; foo=1" << false << "" << 1;
    QTest::newRow("window 16 declined")
        << "permessage-deflate; server_max_window_bits=16" << false << "" << 1;
    QTest::newRow("window 7 declined")
        << "permessage-deflate; client_max_window_bits=7" << false << "" << 1;
    QTest::newRow("leading zero declined")
        << "permessage-deflate; server_max_window_bits=09" << false << "" << 1;
    QTest::newRow("value on a flag declined")
        << "permessage-deflate; server_no_context_takeover=1" << false << "" << 1;
    QTest::newRow("quoted value accepted")
        << "permessage-deflate; server_max_window_bits=\"10\"" << true
        << "permessage-deflate; server_max_window_bits=10" << 0;
    QTest::newRow("other extension only") << "x-webkit-deflate-frame" << false << "" << 0;
}

void tst_PerMessageDeflate::serverNegotiation()
{
    QFETCH(QString, offer);
    QFETCH(bool, accepted);
    QFETCH(QString, response);
    QFETCH(int, declined);
    const ExtensionParseResult parsed = parseExtensionHeader(offer.toStdString());
    QVERIFY(parsed.ok());
    const DeflateAcceptance acceptance = acceptDeflateOffers(parsed.extensions);
    QCOMPARE(acceptance.agreed.has_value(), accepted);
    QCOMPARE(int(acceptance.declined.size()), declined);
    if (accepted) {
        QCOMPARE(QString::fromStdString(formatExtensionHeader({*acceptance.response})), response);
        // Our own client accepts what our server answers.
        std::string error;
        const auto firstOffer = parseDeflateOffer(parsed.extensions.at(declined), error);
        QVERIFY(firstOffer);
        const DeflateNegotiation negotiation
            = checkDeflateResponse(*acceptance.response, *firstOffer);
        QVERIFY2(negotiation.agreed, negotiation.error.c_str());
        QCOMPARE(*negotiation.agreed, *acceptance.agreed);
    }
}

void tst_PerMessageDeflate::clientNegotiation_data()
{
    QTest::addColumn<QString>("offer");
    QTest::addColumn<QString>("response");
    QTest::addColumn<bool>("ok");
    QTest::newRow("plain") << "permessage-deflate"
                           << "permessage-deflate" << true;
    QTest::newRow("server may add server_no_context_takeover")
        << "permessage-deflate"
        << "permessage-deflate; server_no_context_takeover" << true;
    QTest::newRow("server may add client_no_context_takeover")
        << "permessage-deflate"
        << "permessage-deflate; client_no_context_takeover" << true;
    QTest::newRow("client_max_window_bits not offered")
        << "permessage-deflate"
        << "permessage-deflate; client_max_window_bits=10" << false;
    QTest::newRow("client_max_window_bits offered")
        << "permessage-deflate; client_max_window_bits"
        << "permessage-deflate; client_max_window_bits=10" << true;
    QTest::newRow("client_max_window_bits without value in response")
        << "permessage-deflate; client_max_window_bits"
        << "permessage-deflate; client_max_window_bits" << false;
    // RFC 7692 §7.1.2.2 allows 8; zlib cannot compress in a window that small, so the client
    // sends its messages uncompressed (which the extension allows) and still reads compressed.
    QTest::newRow("client_max_window_bits=8 is accepted")
        << "permessage-deflate; client_max_window_bits"
        << "permessage-deflate; client_max_window_bits=8" << true;
    QTest::newRow("server window larger than offered")
        << "permessage-deflate; server_max_window_bits=10"
        << "permessage-deflate; server_max_window_bits=12" << false;
    QTest::newRow("server window dropped") << "permessage-deflate; server_max_window_bits=10"
                                           << "permessage-deflate" << false;
    QTest::newRow("server window 8 can be read")
        << "permessage-deflate"
        << "permessage-deflate; server_max_window_bits=8" << true;
    QTest::newRow("server_no_context_takeover dropped")
        << "permessage-deflate; server_no_context_takeover"
        << "permessage-deflate" << false;
    QTest::newRow("duplicate")
        << "permessage-deflate"
        << "permessage-deflate; client_no_context_takeover; client_no_context_takeover" << false;
    QTest::newRow("unknown parameter") << "permessage-deflate"
                                       << "permessage-deflate; mystery" << false;
}

void tst_PerMessageDeflate::clientNegotiation()
{
    QFETCH(QString, offer);
    QFETCH(QString, response);
    QFETCH(bool, ok);
    std::string error;
    const auto parsedOffer = parseDeflateOffer(parse(offer.toStdString()).at(0), error);
    QVERIFY(parsedOffer);
    const DeflateNegotiation negotiation
        = checkDeflateResponse(parse(response.toStdString()).at(0), *parsedOffer);
    QCOMPARE(negotiation.agreed.has_value(), ok);
    QCOMPARE(negotiation.error.empty(), ok);
}

void tst_PerMessageDeflate::roundTripsWithEveryParameterSet_data()
{
    QTest::addColumn<QString>("offer");
    QTest::addColumn<int>("fragmentSize");
    const char *offers[] = {
        "permessage-deflate",
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits=9; server_max_window_bits=9",
        "permessage-deflate; client_max_window_bits=15; server_max_window_bits=15",
        "permessage-deflate; client_no_context_takeover; client_max_window_bits=9; "
        "server_no_context_takeover; server_max_window_bits=9",
        "permessage-deflate; client_no_context_takeover; client_max_window_bits=15; "
        "server_no_context_takeover; server_max_window_bits=15",
    };
    int set = 1;
    for (const char *offer : offers) {
        for (int fragment : {0, 256, 1024, 4096}) {
            const QByteArray name
                = "13." + QByteArray::number(set) + " fragments " + QByteArray::number(fragment);
            QTest::newRow(name.constData()) << QString::fromLatin1(offer) << fragment;
        }
        ++set;
    }
}

void tst_PerMessageDeflate::roundTripsWithEveryParameterSet()
{
    QFETCH(QString, offer);
    QFETCH(int, fragmentSize);
    const DeflateAcceptance acceptance = acceptDeflateOffers(parse(offer.toStdString()));
    QVERIFY(acceptance.agreed);
    const DeflateParameters agreed = *acceptance.agreed;

    // Both directions: the client writes masked and compressed, the server reads; and back.
    for (bool clientSends : {true, false}) {
        MessageWriter writer(clientSends ? Role::Client : Role::Server);
        writer.enableDeflate(agreed);
        ReaderOptions options;
        options.decoder.role = clientSends ? Role::Server : Role::Client;
        RecordingHandler handler;
        MessageReader reader(options, handler);
        reader.enableDeflate(agreed);
        std::vector<Bytes> sent;
        Bytes wire;
        for (std::size_t size : {16, 64, 256, 1024, 4096, 16384, 65536, 131072}) {
            for (int repeat = 0; repeat < 3; ++repeat) {
                sent.push_back(jsonMessage(size, repeat * 100));
                QVERIFY(writer.writeMessage(Opcode::Text, sent.back(), wire, fragmentSize));
            }
        }
        // Fed in odd chunks to cross frame and block boundaries.
        for (std::size_t i = 0; i < wire.size(); i += 1337)
            QCOMPARE(reader.feed(
                         std::span(wire).subspan(i, std::min<std::size_t>(1337, wire.size() - i))),
                     ProtocolError::None);
        QCOMPARE(handler.messages.size(), sent.size());
        for (std::size_t i = 0; i < sent.size(); ++i) {
            QVERIFY(handler.messages[i].compressed);
            QCOMPARE(handler.messages[i].data, sent[i]);
        }
        QVERIFY(wire.size() < 400 * 1024); // compression happened (about 1.1 MB of JSON)
    }
}

void tst_PerMessageDeflate::compressionBitRules()
{
    const DeflateParameters parameters = defaults();
    ReaderOptions options;
    // RSV1 on a continuation frame (RFC 7692 §6.1).
    ReadResult continuation;
    readInto(continuation, options, hex("41 03 f2 48 cd c0 04 c9 c9 07 00"), 0, 0, &parameters);
    QCOMPARE(continuation.error, ProtocolError::UnexpectedCompressedBit);
    QCOMPARE(closeCodeFor(continuation.error), std::uint16_t(1002));
    // RSV1 on a ping.
    ReadResult ping;
    readInto(ping, options, hex("c9 00"), 0, 0, &parameters);
    QCOMPARE(ping.error, ProtocolError::UnexpectedCompressedBit);
    // RSV2 stays reserved under permessage-deflate.
    ReadResult rsv2;
    readInto(rsv2, options, hex("a1 00"), 0, 0, &parameters);
    QCOMPARE(rsv2.error, ProtocolError::ReservedBitsSet);
    // A ping between compressed fragments is fine.
    ReadResult between;
    readInto(between, options, hex("41 03 f2 48 cd 89 00 80 04 c9 c9 07 00"), 0, 0, &parameters);
    QCOMPARE(between.error, ProtocolError::None);
    QCOMPARE(between.handler.messages.at(0).data, bytesOf("Hello"));
}

void tst_PerMessageDeflate::invalidCompressedData()
{
    const DeflateParameters parameters = defaults();
    ReaderOptions options;
    ReadResult result;
    // Block type 3 is reserved in DEFLATE.
    readInto(result, options, hex("c1 03 ff ff ff"), 0, 0, &parameters);
    QCOMPARE(result.error, ProtocolError::InvalidCompressedData);
    QCOMPARE(closeCodeFor(result.error), std::uint16_t(1007));
}

void tst_PerMessageDeflate::invalidUtf8InsideCompressedText()
{
    MessageWriter writer(Role::Server);
    writer.enableDeflate(defaults());
    Bytes text = filled(5000, 'a');
    text[4000] = 0xFF;
    Bytes wire;
    QVERIFY(writer.writeMessage(Opcode::Text, text, wire));
    const DeflateParameters parameters = defaults();
    ReaderOptions options;
    ReadResult result;
    readInto(result, options, wire, 0, 0, &parameters);
    QCOMPARE(result.error, ProtocolError::InvalidUtf8);
}

void tst_PerMessageDeflate::reportModeReportsCorruptDataOnceAndRecovers()
{
    // Found by fuzzing: corrupt DEFLATE data fed in pieces was reported once per piece, and the
    // broken stream spoiled the next message.
    const DeflateParameters parameters = defaults();
    ReaderOptions options;
    options.decoder.reportMode = true;
    options.assembler.reportMode = true;
    const Bytes wire = concat({hex("c1 06 ff ff ff ff ff ff"), hex("c1 07 f2 48 cd c9 c9 07 00")});
    for (std::size_t chunk : {0, 1, 2}) {
        ReadResult result;
        readInto(result, options, wire, chunk, 0, &parameters);
        QCOMPARE(result.error, ProtocolError::None);
        QCOMPARE(result.handler.violations,
                 std::vector<ProtocolError>{ProtocolError::InvalidCompressedData});
        QCOMPARE(result.handler.messages.size(), std::size_t(2));
        QCOMPARE(result.handler.messages.back().data, bytesOf("Hello"));
    }
}

void tst_PerMessageDeflate::decompressionBombStopsAtTheLimit()
{
    // 512 MiB of zeros compress to about 500 KiB.
    z_stream z{};
    QCOMPARE(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
    const Bytes zeros(1 << 20, 0);
    Bytes compressed(1 << 20);
    std::size_t used = 0;
    for (int i = 0; i < 512; ++i) {
        z.next_in = const_cast<Bytef *>(zeros.data());
        z.avail_in = uInt(zeros.size());
        do {
            if (compressed.size() - used < 65536)
                compressed.resize(compressed.size() * 2);
            z.next_out = compressed.data() + used;
            z.avail_out = uInt(compressed.size() - used);
            deflate(&z, i == 511 ? Z_SYNC_FLUSH : Z_NO_FLUSH);
            used = compressed.size() - z.avail_out;
        } while (z.avail_in > 0 || z.avail_out == 0);
    }
    deflateEnd(&z);
    compressed.resize(used - 4);
    QVERIFY(compressed.size() < 1024 * 1024);

    // A server frame of the bomb; a 1 MiB message limit.
    FrameHeader header;
    header.opcode = 2;
    header.rsv1 = true;
    header.payloadLength = compressed.size();
    Bytes wire;
    appendFrame(header, compressed, wire);
    const DeflateParameters parameters = defaults();
    ReaderOptions options;
    options.decoder.maxMessageSize = 1 << 20;
    options.assembler.maxMessageSize = 1 << 20;
    ReadResult result;
    readInto(result, options, wire, 0, 0, &parameters);
    QCOMPARE(result.error, ProtocolError::MessageTooBig);
    QCOMPARE(closeCodeFor(result.error), std::uint16_t(1009));
    // Nothing past the limit reached the handler.
    QVERIFY(result.handler.current.data.size() <= std::size_t(1 << 20));

    // The inflater alone: stops within one output chunk of the limit.
    MessageInflater inflater;
    std::uint64_t delivered = 0;
    const ProtocolError error
        = inflater.inflate(compressed, 1 << 20, [&](std::span<const std::uint8_t> data) {
              delivered += data.size();
              return ProtocolError::None;
          });
    QCOMPARE(error, ProtocolError::MessageTooBig);
    QVERIFY(delivered <= (1u << 20));
    QVERIFY(inflater.messageInflatedSize() <= (1u << 20) + MessageInflater::kChunkSize);
}

// Past the limit the first `limit` inflated bytes are handed on, then MessageTooBig, whether the
// compressed bytes come whole or a few at a time (found by fuzzing: whole input handed on
// nothing of the output chunk that crossed the limit, small pieces handed on what came before).
void tst_PerMessageDeflate::pastTheLimitTheSamePrefixHowEverChunked()
{
    Bytes message(10000);
    for (std::size_t i = 0; i < message.size(); ++i)
        message[i] = std::uint8_t(i * 7 + i / 13);
    MessageDeflater deflater;
    Bytes compressed;
    QVERIFY(deflater.compress(message, compressed));
    constexpr std::uint64_t kLimit = 4096;
    const Bytes expected(message.begin(), message.begin() + kLimit);
    for (const std::size_t piece : {compressed.size(), std::size_t{7}, std::size_t{1}}) {
        MessageInflater inflater;
        Bytes handed;
        ProtocolError error = ProtocolError::None;
        for (std::size_t at = 0; at < compressed.size() && error == ProtocolError::None;
             at += piece) {
            const std::size_t take = std::min(piece, compressed.size() - at);
            error = inflater.inflate(std::span(compressed).subspan(at, take), kLimit,
                                     [&](std::span<const std::uint8_t> data) {
                                         handed.insert(handed.end(), data.begin(), data.end());
                                         return ProtocolError::None;
                                     });
        }
        QCOMPARE(error, ProtocolError::MessageTooBig);
        QCOMPARE(handed, expected);
    }
}

// client_max_window_bits=8 agreed: the client's messages go uncompressed (RSV1 clear), which the
// server reads as plain messages; the server's, compressed, the client still reads.
void tst_PerMessageDeflate::aClientWindowOf8SendsUncompressed()
{
    DeflateParameters agreed;
    agreed.clientMaxWindowBits = 8;
    MessageWriter client(Role::Client);
    client.enableDeflate(agreed);
    QVERIFY(!client.isDeflateEnabled());
    Bytes wire;
    const Bytes text = jsonMessage(4096, 1);
    QVERIFY(client.writeMessage(Opcode::Text, text, wire));
    QCOMPARE(wire[0] & 0x40, 0); // RSV1 clear: not compressed
    ReaderOptions serverOptions;
    serverOptions.decoder.role = Role::Server;
    RecordingHandler atServer;
    MessageReader server(serverOptions, atServer);
    server.enableDeflate(agreed);
    QCOMPARE(server.feed(wire), ProtocolError::None);
    QCOMPARE(atServer.messages.size(), std::size_t(1));
    QVERIFY(!atServer.messages[0].compressed);
    QCOMPARE(atServer.messages[0].data, text);

    MessageWriter serverWriter(Role::Server);
    serverWriter.enableDeflate(agreed);
    Bytes back;
    QVERIFY(serverWriter.writeMessage(Opcode::Text, text, back));
    QCOMPARE(back[0] & 0x40, 0x40); // the server compresses with its own window
    ReaderOptions clientOptions;
    clientOptions.decoder.role = Role::Client;
    RecordingHandler atClient;
    MessageReader reader(clientOptions, atClient);
    reader.enableDeflate(agreed);
    QCOMPARE(reader.feed(back), ProtocolError::None);
    QCOMPARE(atClient.messages.size(), std::size_t(1));
    QCOMPARE(atClient.messages[0].data, text);
}

QTEST_GUILESS_MAIN(tst_PerMessageDeflate)
#include "tst_permessagedeflate.moc"
