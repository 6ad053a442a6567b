#pragma once

// Opens a ClientSession, sends one text message, waits for the echo and closes: the outcome
// the TLS and proxy tests compare.

#include <QTest>
#include <capture/framestore.h>
#include <session/client/clientsession.h>

struct EchoRoundTrip
{
    framescope::session::SessionError error = framescope::session::SessionError::None;
    QString errorString;
    QMap<QString, QString> tls;
};

inline EchoRoundTrip echoRoundTrip(const framescope::session::ClientOptions &options)
{
    using namespace framescope::session;
    framescope::capture::FrameStore store;
    ClientSession session(options, store);
    session.open();
    (void)QTest::qWaitFor(
        [&] {
            return session.state() == SessionState::Open || session.state() == SessionState::Closed;
        },
        10000);
    if (session.state() == SessionState::Open) {
        session.sendText("round trip");
        (void)QTest::qWaitFor([&] { return session.messagesReceived() == 1; }, 5000);
        if (session.messagesReceived() != 1)
            return {SessionError::LocalError, QStringLiteral("no echo"), session.handshake().tls};
        session.close();
        (void)QTest::qWaitFor([&] { return session.state() == SessionState::Closed; }, 5000);
    }
    return {session.error(), session.errorString(), session.handshake().tls};
}
