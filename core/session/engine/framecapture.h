#pragma once

#include <QByteArrayView>
#include <capture/framestore.h>
#include <memory>
#include <optional>
#include <protocol/messagehandler.h>
#include <protocol/messagereader.h>
#include <vector>

namespace framescope::session {

// Turns what a MessageReader decodes into capture records: one record per frame with its header
// fields, timestamps and violations, the payload unmasked (and inflated when compressed). A
// listener hears about messages and control frames after they are in the capture, so a
// reaction (a pong, an echo) is captured after what caused it.
//
// A frame arriving over several reads stays open in the store, its payload written in place,
// until another frame must begin meanwhile (ours, or another connection's): then it moves to a
// buffer of its own and goes in whole at its end.
class FrameCapture : public protocol::MessageHandler, private capture::FrameStore::Holder
{
public:
    class Listener
    {
    public:
        virtual ~Listener() = default;
        virtual void frameCaptured() {}
        virtual void messageStarted(protocol::Opcode) {}
        virtual void messageData(std::span<const std::uint8_t>) {}
        virtual void messageFinished() {}
        virtual void controlFrame(protocol::Opcode, std::span<const std::uint8_t>) {}
    };

    FrameCapture(capture::FrameStore &store, capture::Direction direction, Listener &listener);
    ~FrameCapture();
    FrameCapture(const FrameCapture &) = delete;
    FrameCapture &operator=(const FrameCapture &) = delete;

    // Timestamps for the frames decoded from the bytes being fed now: received frames start
    // and complete with the read that brought them, sent ones when queued and written.
    void setTimes(std::int64_t startNs, std::int64_t endNs);
    // The connection number every frame from now on is recorded with.
    void setConnection(std::uint32_t connection) { m_connection = connection; }
    // The frame stored last (valid once one was).
    capture::FrameId lastFrame() const { return m_lastFrame; }

    // The reader failed inside a frame: record the frame as far as it came, with the violation,
    // so the capture shows which frame broke the rules.
    void failFrame(protocol::ProtocolError error);
    // The connection ended inside a frame: keep what arrived (its stored length is then shorter
    // than the declared one).
    void finishIncomplete();

    void frameStarted(const protocol::DecodedFrame &frame) override;
    void messageStarted(protocol::Opcode opcode, bool compressed) override;
    void messageData(std::span<const std::uint8_t> data) override;
    std::span<std::uint8_t> payloadTarget(std::size_t size) override;
    void messageFinished() override;
    void controlFrameReceived(protocol::Opcode opcode,
                              std::span<const std::uint8_t> payload) override;
    void violationFound(protocol::ProtocolError error) override;
    void frameFinished() override;

private:
    void begin();
    void yieldFrame() override;
    void storePayload(std::span<const std::uint8_t> data);
    void finishInStore();

    capture::FrameStore &m_store;
    capture::Direction m_direction;
    Listener &m_listener;
    capture::FrameRecord m_record;
    std::uint32_t m_connection = 0;
    capture::FrameId m_lastFrame;
    bool m_begun = false;     // the frame is open in the store
    bool m_buffering = false; // the frame's payload so far is in m_buffer
    std::vector<std::uint8_t> m_buffer;
    std::span<std::uint8_t> m_target; // room in the store handed to the reader, not yet filled
    bool m_open = false;              // between frameStarted and frameFinished
    bool m_messageCompressed = false;
    bool m_messageFinished = false;
    std::int64_t m_startNs = 0;
    std::int64_t m_endNs = 0;
    std::optional<std::pair<protocol::Opcode, std::vector<std::uint8_t>>> m_pendingControl;
};

// A reader for the frames we send ourselves, decoded again for the capture: report mode and no
// limits, so anything we send, broken on purpose or not, is recorded with its violations.
std::unique_ptr<protocol::MessageReader>
makeSentFrameReader(protocol::Role sender, FrameCapture &capture,
                    const std::optional<protocol::DeflateParameters> &deflate);

inline std::span<const std::uint8_t> byteSpan(QByteArrayView view)
{
    return {reinterpret_cast<const std::uint8_t *>(view.data()),
            static_cast<std::size_t>(view.size())};
}

inline QByteArrayView bytesView(std::span<const std::uint8_t> bytes)
{
    return {reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())};
}

} // namespace framescope::session
