#pragma once

// Opens a ClientSession, sends one text message, waits for the echo and closes: the outcome
// the TLS and proxy tests compare, with what the Handshake Doctor says of it.

#include <QTest>
#include <capture/framestore.h>
#include <session/client/clientsession.h>
#include <session/diagnosis/handshakedoctor.h>

struct EchoRoundTrip
{
    framescope::session::SessionError error = framescope::session::SessionError::None;
    QString errorString;
    QMap<QString, QString> tls;
    QList<framescope::session::Finding> findings;

    const framescope::session::Finding *finding(const QString &id) const
    {
        for (const framescope::session::Finding &finding : findings) {
            if (finding.id == id)
                return &finding;
        }
        return nullptr;
    }
    // Whether any finding's title, detail or fix says this.
    bool advises(const QString &text) const
    {
        for (const framescope::session::Finding &finding : findings) {
            if ((finding.title + finding.detail + finding.fix).contains(text))
                return true;
        }
        return false;
    }
    QString describeFindings() const
    {
        QStringList lines{errorString};
        for (const framescope::session::Finding &finding : findings)
            lines << finding.id + QStringLiteral(": ") + finding.title + QStringLiteral(" | ")
                         + finding.detail + QStringLiteral(" | ") + finding.fix;
        return lines.join(QLatin1Char('\n'));
    }
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
            return {
                SessionError::LocalError, QStringLiteral("no echo"), session.handshake().tls, {}};
        session.close();
        (void)QTest::qWaitFor([&] { return session.state() == SessionState::Closed; }, 5000);
    }
    return {session.error(), session.errorString(), session.handshake().tls,
            HandshakeDoctor::examine(HandshakeDoctor::inputFor(session.snapshot()))};
}
