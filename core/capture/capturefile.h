#pragma once

#include "captureevent.h"
#include "framerecord.h"
#include "framestore.h"
#include "redaction.h"

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <platform/durablefile.h>
#include <string>
#include <vector>

namespace framescope::capture {

// Capture files are JSON Lines, documented in docs/capture-format.md: a header line with the
// session, then one line per frame or event.
inline constexpr std::string_view kCaptureFormat = "framescope-capture";
inline constexpr int kCaptureVersion = 1;

struct SessionInfo
{
    std::string url;
    std::string tool; // "framescope 0.1.0"
    std::int64_t startedAtUnixMs = 0;
    std::string handshakeRequest;  // the request head as sent
    std::string handshakeResponse; // the response head as received (and a capped body)
    std::string subprotocol;
    std::string extensions;                     // the negotiated Sec-WebSocket-Extensions
    std::map<std::string, std::string> options; // connection options, as text
    std::map<std::string, std::string> tls;     // protocol, cipher, SANs, fingerprints ...
    // How long each phase of the connection took: "lookup", "connect", "tls", "upgrade" (only
    // those that took place).
    std::map<std::string, std::int64_t> phasesNs;
    // When the connection opened (the 101 arrived), on the clock of the frames' times; 0 when
    // unknown (server captures, older files).
    std::int64_t openedNs = 0;
    friend bool operator==(const SessionInfo &, const SessionInfo &) = default;
};

struct CapturedFrame
{
    FrameRecord record;
    std::vector<std::uint8_t> payload;
    bool payloadEvicted = false;
    std::uint64_t id = 0; // the frame's number in the file (gaps where frames were evicted)
    friend bool operator==(const CapturedFrame &, const CapturedFrame &) = default;
};

// ---- writing ----

// One line each; secrets in the session are redacted unless the options say to keep them.
std::string sessionLine(const SessionInfo &session, const RedactionOptions &redaction = {});
std::string frameLine(std::uint64_t id, const FrameRecord &record,
                      const std::vector<std::uint8_t> *payload);
std::string eventLine(const CaptureEvent &event);

// The whole capture: the header, then frames and events merged in time order.
void writeCapture(std::ostream &out, const SessionInfo &session, const FrameStore &store,
                  const std::vector<CaptureEvent> &events, const RedactionOptions &redaction = {});

// Writes `content` to a temporary file beside `path`, flushes it to disk, then renames it over
// `path`, so readers see the old file or the new one, never half of one. Empty string on
// success, else what went wrong.
std::string writeFileAtomically(const std::string &path, std::string_view content);

// ---- reading ----

struct CaptureReadResult
{
    SessionInfo session;
    std::vector<CapturedFrame> frames;
    std::vector<CaptureEvent> events;
    std::string error;      // the first problem, with its line number; what came before is kept
    bool truncated = false; // the last line was cut off (a crash while recording)
    bool ok() const { return error.empty(); }
};

CaptureReadResult readCapture(std::istream &in);
CaptureReadResult readCaptureFile(const std::string &path);

// Puts imported frames into a store (ids start at the store's end).
void importFrames(const std::vector<CapturedFrame> &frames, FrameStore &store);

// A recording in progress, journaled to `<path>.partial`: lines are buffered and written with an
// fdatasync at most every flush interval (1 s by default), so a crash loses at most that much.
// finish() renames the journal to the final path. readCapture() reads a journal left by a crash
// (its cut-off last line is reported as truncated).
//
// Lines go in in time order (the recorder waits a while to sort them), but on a machine too busy
// to keep up a line can come later than that: addLateLine() writes it where it comes (the
// journal has everything at once) and keeps a copy, and finish() puts each such line in its
// place in the final file (one pass over the journal, only when there were late lines).
class CaptureJournal
{
public:
    CaptureJournal() = default;
    ~CaptureJournal();
    CaptureJournal(const CaptureJournal &) = delete;
    CaptureJournal &operator=(const CaptureJournal &) = delete;

    static std::string partialPath(const std::string &path);

    // Empty string on success, else what went wrong.
    std::string open(const std::string &path, const SessionInfo &session,
                     const RedactionOptions &redaction = {},
                     std::int64_t flushIntervalNs = 1'000'000'000);
    void addFrame(std::uint64_t id, const FrameRecord &record,
                  const std::vector<std::uint8_t> *payload);
    void addEvent(const CaptureEvent &event);
    // A line made by frameLine() or eventLine(), without its newline.
    void addLine(std::string_view line);
    // A line whose time (a frame's endNs or an event's timeNs; at the same time, frames first)
    // is before that of lines already added.
    void addLateLine(std::string_view line, std::int64_t timeNs, bool event);
    // Late lines kept to be put in place (past kMaxLateBytes they stay where they came).
    std::size_t lateLines() const { return m_late.size(); }
    static constexpr std::size_t kMaxLateBytes = std::size_t{64} << 20;
    // Writes to disk when the last flush is flushInterval old (and syncs), or when a few MiB
    // wait (without a sync: memory stays bounded at any rate). Empty string, or what went wrong.
    std::string flushIfDue(std::int64_t nowNs);
    std::string finish();

private:
    struct LateLine
    {
        std::uint64_t index = 0; // its place in the journal: lines after the session line
        std::int64_t timeNs = 0;
        bool event = false;
        std::string text;
    };

    std::string flush(bool sync);
    std::string putLateLinesInPlace(const std::string &from, const std::string &to);

    std::string m_path;
    std::string m_buffer;
    platform::DurableFile m_file;
    std::int64_t m_flushIntervalNs = 1'000'000'000;
    std::int64_t m_lastFlushNs = 0;
    std::uint64_t m_lines = 0; // added after the session line
    std::vector<LateLine> m_late;
    std::size_t m_lateBytes = 0;
};

} // namespace framescope::capture
