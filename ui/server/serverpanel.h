#pragma once

#include <QWidget>
#include <session/server/serveroptions.h>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QLabel;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace framescope::session {
class SessionManager;
}

namespace framescope::ui {

// The built-in server's controls: start and stop, the port, TLS (a self-signed certificate, its
// fingerprint shown), behaviours for testing clients (echo, reply delay, fragmented replies,
// periodic pings, closing after N messages), how it answers upgrades (accepting, or refusing as
// IIS and http.sys do, requiring a subprotocol or Authorization), and its connections as they
// come and go. Its
// frame log is beside the client's in the main window.
class ServerPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ServerPanel(session::SessionManager &manager, QWidget *parent = nullptr);

    // The options as set here (loopback only, as the built-in server always is).
    session::LocalServerOptions options() const;
    // Starts the server with options(); empty, or why it did not start.
    QString start();
    void stop();
    // The server's state in words, and its connections shown.
    QString statusText() const;
    // Where the TLS certificate is kept (default: session::defaultCertificateDirectory()), and
    // its SHA-256 while the server runs with TLS.
    void setCertificateDirectory(const QString &directory);
    QString fingerprint() const { return m_fingerprint; }
    int connectionRows() const;

Q_SIGNALS:
    // The server started (its URLs) or stopped (none).
    void serverChanged();

private:
    void updateStatus();
    void updateConnection(quint64 id);

    session::SessionManager &m_manager;
    QLabel *m_status = nullptr;
    QPushButton *m_startStop = nullptr;
    QSpinBox *m_port = nullptr;
    QCheckBox *m_tls = nullptr;
    QCheckBox *m_echo = nullptr;
    QSpinBox *m_delay = nullptr;
    QSpinBox *m_fragment = nullptr;
    QSpinBox *m_pingInterval = nullptr;
    QSpinBox *m_closeAfter = nullptr;
    QComboBox *m_answer = nullptr;
    QLineEdit *m_requiredSubprotocol = nullptr;
    QCheckBox *m_requireAuthorization = nullptr;
    QCheckBox *m_echoHeaders = nullptr;
    QTreeWidget *m_connections = nullptr;
    QString m_certificateDirectory;
    QString m_fingerprint;
};

} // namespace framescope::ui
