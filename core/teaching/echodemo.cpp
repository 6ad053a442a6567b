#include "echodemo.h"

#include <protocol/closeframe.h>
#include <protocol/handshake.h>
#include <protocol/masking.h>
#include <protocol/messagereader.h>
#include <protocol/messagewriter.h>

namespace framescope::teaching {

using namespace protocol;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytesOf(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

// Collects what one endpoint receives.
class Inbox : public MessageHandler
{
public:
    struct Received
    {
        Opcode opcode;
        Bytes data;
    };

    void messageStarted(Opcode opcode, bool) override { m_current = {opcode, {}}; }
    void messageData(std::span<const std::uint8_t> data) override
    {
        m_current.data.insert(m_current.data.end(), data.begin(), data.end());
    }
    void messageFinished() override { messages.push_back(std::move(m_current)); }
    void controlFrameReceived(Opcode opcode, std::span<const std::uint8_t> payload) override
    {
        controls.push_back({opcode, Bytes(payload.begin(), payload.end())});
    }

    std::vector<Received> messages;
    std::vector<Received> controls;

private:
    Received m_current{Opcode::Text, {}};
};

class Conversation
{
public:
    explicit Conversation(EchoDemoResult &result)
        : m_result(result)
    {}

    // Records every frame in `wire` as one step each, unmasked for display.
    void recordFrames(const Bytes &wire, bool fromClient)
    {
        DecoderOptions options;
        options.role = fromClient ? Role::Server : Role::Client;
        options.rsv1Negotiated = m_result.deflate.has_value();
        FrameDecoder decoder(options);
        std::span<const std::uint8_t> input(wire);
        std::size_t frameStart = 0;
        std::size_t position = 0;
        for (;;) {
            const DecodeEvent event = decoder.next(input);
            input = input.subspan(event.consumed);
            position += event.consumed;
            if (event.type == DecodeEventType::FrameHeader) {
                EchoDemoStep step;
                step.kind = EchoDemoStep::Kind::Frame;
                step.fromClient = fromClient;
                step.frame = decoder.frame();
                m_result.steps.push_back(std::move(step));
            } else if (event.type == DecodeEventType::Payload) {
                Bytes &payload = m_result.steps.back().payload;
                const std::size_t at = payload.size();
                payload.resize(at + event.payload.size());
                const FrameHeader &header = decoder.frame().header;
                if (header.masked)
                    copyMasked(payload.data() + at, event.payload, header.maskKey,
                               event.payloadOffset);
                else
                    std::copy(event.payload.begin(), event.payload.end(), payload.begin() + at);
            } else if (event.type == DecodeEventType::FrameEnd) {
                m_result.steps.back().wire.assign(wire.begin() + frameStart,
                                                  wire.begin() + position);
                frameStart = position;
            } else {
                break;
            }
        }
    }

    void note(std::string text)
    {
        EchoDemoStep step;
        step.kind = EchoDemoStep::Kind::Note;
        step.text = std::move(text);
        m_result.steps.push_back(std::move(step));
    }

    void message(bool fromClient, std::string text)
    {
        EchoDemoStep step;
        step.kind = EchoDemoStep::Kind::Message;
        step.fromClient = fromClient;
        step.text = std::move(text);
        m_result.steps.push_back(std::move(step));
    }

private:
    EchoDemoResult &m_result;
};

std::string describeReceived(const Inbox::Received &received)
{
    if (received.opcode == Opcode::Text)
        return "text \"" + std::string(received.data.begin(), received.data.end()) + "\"";
    return "binary, " + std::to_string(received.data.size()) + " bytes";
}

} // namespace

EchoDemoResult runEchoDemo(const EchoDemoOptions &options)
{
    EchoDemoResult result;
    Conversation conversation(result);

    // Opening handshake (RFC 6455 §4).
    ClientRequest request;
    request.host = "localhost";
    request.resource = "/echo";
    const auto key = generateClientKey();
    if (!key) {
        result.error = "no random bytes for the Sec-WebSocket-Key";
        return result;
    }
    request.key = *key;
    std::optional<DeflateOffer> offer;
    if (options.offerDeflate) {
        offer = DeflateOffer{false, false, std::nullopt, true, std::nullopt};
        request.extensions.push_back(toExtension(*offer));
    }
    const std::string requestBytes = buildClientRequest(request);
    result.steps.push_back({EchoDemoStep::Kind::HandshakeRequest, true, requestBytes, {}, {}, {}});

    HttpHeadParser requestParser(HttpHeadParser::Kind::Request);
    std::size_t consumed = 0;
    requestParser.feed(
        {reinterpret_cast<const std::uint8_t *>(requestBytes.data()), requestBytes.size()},
        consumed);
    const ServerHandshakeResult serverCheck = checkClientRequest(requestParser.head());
    if (!serverCheck.ok()) {
        result.error = "server refused the handshake: " + std::string(describe(serverCheck.error));
        return result;
    }
    const DeflateAcceptance acceptance = acceptDeflateOffers(serverCheck.extensions);
    const std::string responseBytes = buildAcceptResponse(
        serverCheck.key, {},
        acceptance.response ? formatExtensionHeader({*acceptance.response}) : "");
    result.steps.push_back(
        {EchoDemoStep::Kind::HandshakeResponse, false, responseBytes, {}, {}, {}});

    HttpHeadParser responseParser(HttpHeadParser::Kind::Response);
    responseParser.feed(
        {reinterpret_cast<const std::uint8_t *>(responseBytes.data()), responseBytes.size()},
        consumed);
    const ClientHandshakeResult clientCheck
        = checkServerResponse(responseParser.head(), request, offer);
    if (!clientCheck.ok()) {
        result.error = "client refused the response: " + std::string(describe(clientCheck.error));
        return result;
    }
    result.deflate = clientCheck.deflate;
    conversation.note(result.deflate ? "permessage-deflate negotiated"
                                     : "no extensions negotiated");

    // Both endpoints.
    MessageWriter clientWriter(Role::Client);
    MessageWriter serverWriter(Role::Server);
    Inbox clientInbox;
    Inbox serverInbox;
    ReaderOptions clientOptions;
    clientOptions.decoder.role = Role::Client;
    ReaderOptions serverOptions;
    serverOptions.decoder.role = Role::Server;
    MessageReader clientReader(clientOptions, clientInbox);
    MessageReader serverReader(serverOptions, serverInbox);
    if (result.deflate) {
        clientWriter.enableDeflate(*result.deflate);
        serverWriter.enableDeflate(*result.deflate);
        clientReader.enableDeflate(*result.deflate);
        serverReader.enableDeflate(*result.deflate);
    }

    // Sends `wire` from one side to the other, recording its frames.
    auto deliver = [&](const Bytes &wire, bool fromClient) -> bool {
        conversation.recordFrames(wire, fromClient);
        MessageReader &reader = fromClient ? serverReader : clientReader;
        if (reader.feed(wire) != ProtocolError::None) {
            result.error = std::string(fromClient ? "server" : "client")
                           + " rejected a frame: " + std::string(describe(reader.error()));
            return false;
        }
        return true;
    };

    // Each message goes out, the server echoes it byte for byte, and the client checks it.
    std::vector<std::pair<Opcode, Bytes>> outgoing;
    for (const std::string &text : options.textMessages)
        outgoing.emplace_back(Opcode::Text, bytesOf(text));
    for (const Bytes &binary : options.binaryMessages)
        outgoing.emplace_back(Opcode::Binary, binary);

    for (const auto &[opcode, payload] : outgoing) {
        Bytes wire;
        if (!clientWriter.writeMessage(opcode, payload, wire, options.fragmentSize)) {
            result.error = "client could not write a message";
            return result;
        }
        if (!deliver(wire, true))
            return result;
        const Inbox::Received &atServer = serverInbox.messages.back();
        conversation.message(false, "server received " + describeReceived(atServer));

        Bytes echo;
        if (!serverWriter.writeMessage(atServer.opcode, atServer.data, echo,
                                       options.fragmentSize)) {
            result.error = "server could not write the echo";
            return result;
        }
        if (!deliver(echo, false))
            return result;
        const Inbox::Received &atClient = clientInbox.messages.back();
        conversation.message(true, "client received " + describeReceived(atClient));
        if (atClient.opcode != opcode || atClient.data != payload) {
            result.error = "echo differs from what was sent";
            return result;
        }
        ++result.messagesEchoed;
    }

    // Ping and pong (RFC 6455 §5.5.2, §5.5.3).
    Bytes ping;
    clientWriter.writeControl(Opcode::Ping, bytesOf(options.pingPayload), ping);
    if (!deliver(ping, true))
        return result;
    Bytes pong;
    serverWriter.writeControl(Opcode::Pong, serverInbox.controls.back().data, pong);
    if (!deliver(pong, false))
        return result;
    if (clientInbox.controls.empty()
        || clientInbox.controls.back().data != bytesOf(options.pingPayload)) {
        result.error = "pong payload differs from the ping";
        return result;
    }

    // Closing handshake (RFC 6455 §5.5.1): the server answers with the same code.
    Bytes close;
    if (!clientWriter.writeClose(options.closeCode, options.closeReason, close)) {
        result.error = "close code " + std::to_string(options.closeCode) + " may not be sent";
        return result;
    }
    if (!deliver(close, true))
        return result;
    ClosePayload received;
    parseClosePayload(serverInbox.controls.back().data, received);
    Bytes closeReply;
    serverWriter.writeClose(received.code.value_or(CloseCode::Normal), {}, closeReply);
    if (!deliver(closeReply, false))
        return result;
    result.closedCleanly = serverReader.isCloseReceived() && clientReader.isCloseReceived();
    conversation.note(result.closedCleanly ? "closing handshake complete" : "close incomplete");
    if (!result.closedCleanly)
        result.error = "the closing handshake did not complete";
    return result;
}

} // namespace framescope::teaching
