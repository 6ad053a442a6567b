#pragma once

#include "comparison.h"
#include "messageassembler.h"
#include "recording.h"

#include <QObject>
#include <QTimer>
#include <capture/framestore.h>
#include <memory>
#include <scripting/scriptresult.h>
#include <session/client/clientoptions.h>
#include <session/client/sessionerror.h>

namespace framescope::session {
class SessionManager;
}

namespace framescope::replay {

struct ReplayOptions
{
    enum class Mode {
        FrameExact, // every frame the client sent, as recorded (a HAR file has messages only)
        Messages,   // the client's messages, framed normally
    };
    // Where to and how (TLS, timeouts). The recording's headers, subprotocols and
    // permessage-deflate are added; a header given here replaces the recorded one of that name,
    // and subprotocols given here replace the recorded ones.
    session::ClientOptions connection;
    Mode mode = Mode::FrameExact;
    bool keepMaskKeys = false; // frame-exact: the recorded mask keys instead of fresh ones
    double speed = 1.0;        // 2: twice as fast; 0: as fast as possible
    QList<IgnoreRule> rules;
    // After the last send: how long the replies still expected may take (from the last one).
    int replyWaitMs = 5000;
    // A reply later than recorded (scaled by speed) by more than this fails; 0: timing is not
    // compared (nor at speed 0).
    int timingToleranceMs = 1000;
};

// A URL a replay can go to: ws:// or wss:// with a host.
bool isReplayUrl(const QUrl &url);

// One received message compared with the recording.
struct Comparison
{
    int index = 0; // among the server's messages, from 0
    bool passed = false;
    QString expected; // the recorded message in a few words, or "not in the recording"
    QString message;  // the difference, or why none came
    // "message 3: {\"op\":\"order\"...}"
    QString name() const { return QStringLiteral("message %1: %2").arg(index + 1).arg(expected); }
};

// Replays a recording against a server through the SessionManager, on the thread it lives on
// (its timers pace the sends): the client's frames or messages at their recorded times
// (scaled), then compares each message received with the recording's, in order, and ends
// the connection as the recording did. Each compared message is a check in result().
class Replayer : public QObject
{
    Q_OBJECT

public:
    Replayer(session::SessionManager &manager, Recording recording, ReplayOptions options,
             QObject *parent = nullptr);
    ~Replayer() override;

    void start();
    // Ends the replay now (the connection is closed without waiting).
    void stop();

    quint64 sessionId() const { return m_id; }
    bool isRunning() const { return m_running; }
    const Recording &recording() const { return m_recording; }
    // How it went: one check per message the recording received (and one per message it did
    // not), and an error when it could not connect or send everything.
    const scripting::ScriptResult &result() const { return m_result; }
    // How the replay departed from what was asked (a mode that could not be kept, a header the
    // recording redacted), in words.
    const QStringList &notes() const { return m_notes; }
    // How the session ended, when it ended in error (could not connect, a failed upgrade).
    session::SessionError sessionError() const { return m_sessionError; }

Q_SIGNALS:
    void opened(quint64 sessionId);
    void compared(const framescope::replay::Comparison &comparison);
    void finished();

private:
    struct Item
    {
        enum class Kind { Frame, Message, Close } kind = Kind::Frame;
        std::size_t index = 0; // into the recording's frames or messages
        std::int64_t atNs = 0;
    };

    void planItems();
    session::ClientOptions connectionOptions();
    void sendDue();
    bool send(const Item &item);
    void readReceived();
    std::optional<QString> compare(const RecordedMessage &expected,
                                   const RecordedMessage &actual) const;
    void addComparison(Comparison comparison);
    void afterActivity();
    // How many messages the recording had received by `atNs`.
    int repliesBefore(std::int64_t atNs) const;
    QString serverClose() const;
    void finish(const QString &error);

    session::SessionManager &m_manager;
    Recording m_recording;
    ReplayOptions m_options;
    QStringList m_notes;
    std::vector<Item> m_items;
    std::size_t m_nextItem = 0;
    quint64 m_id = 0;
    std::shared_ptr<capture::FrameStore> m_store;
    std::uint64_t m_nextFrame = 0;
    MessageAssembler m_fromServer; // the messages received, from their frames
    int m_received = 0;
    bool m_running = false;
    bool m_opened = false;
    bool m_closing = false;
    bool m_waitedInVain = false; // the replies expected did not come within replyWaitMs
    session::SessionError m_sessionError = session::SessionError::None;
    bool m_holdingClose = false; // the client's close waits for the replies before it
    bool m_closeReleased = false;
    std::int64_t m_openedNs = 0;
    QTimer m_sendTimer;
    QTimer m_waitTimer;
    scripting::ScriptResult m_result;
};

} // namespace framescope::replay

Q_DECLARE_METATYPE(framescope::replay::Comparison)
