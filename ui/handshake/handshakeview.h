#pragma once

#include <QWidget>
#include <capture/capturefile.h>
#include <session/client/clientsnapshot.h>

class QPlainTextEdit;

namespace framescope::ui {

// The Handshake tab: the Handshake Doctor's findings first (severity, what was seen, what to
// try), then the phase timings and the request and response heads as they crossed the wire
// (credentials redacted, as in captures). Shown for the session's last snapshot.
class HandshakeView : public QWidget
{
    Q_OBJECT

public:
    explicit HandshakeView(QWidget *parent = nullptr);

    void show(const session::ClientSnapshot &snapshot);
    // A capture opened from a file: its session line and the Doctor's findings it holds.
    void showCaptured(const capture::SessionInfo &session,
                      const std::vector<capture::CaptureEvent> &events);
    void clear();
    QString text() const;

private:
    QPlainTextEdit *m_text = nullptr;
};

// The same as text, for the view and its tests.
QString describeHandshake(const session::ClientSnapshot &snapshot);
QString describeCapturedHandshake(const capture::SessionInfo &session,
                                  const std::vector<capture::CaptureEvent> &events);

} // namespace framescope::ui
