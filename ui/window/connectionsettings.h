#pragma once

#include <QVariantMap>
#include <QWidget>
#include <optional>
#include <session/client/clientoptions.h>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace framescope::ui {

class HeadersTable;

// What the next connection sends and how it behaves: extra headers, subprotocols, Origin,
// Basic or Bearer credentials, cookies, permessage-deflate and its offer's parameters, the
// message size limit, timeouts, keep-alive pings and automatic pongs, redirects and
// reconnecting, a proxy, and TLS (CA file, client certificate PEM or PKCS#12, the key's
// password, a pinned certificate, the accept-invalid override for this session). Secrets go to disk
// (a saved profile) only when "Keep secrets" is ticked.
class ConnectionSettings : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionSettings(QWidget *parent = nullptr);

    // The options for `url` as set here, or nothing and why (a header line that is not
    // "Name: value", a subprotocol that is not a token, ...).
    std::optional<session::ClientOptions> optionsFor(const QUrl &url, QString *error) const;

    // What the form holds, by name (for a session in the sidebar and a saved profile), and back.
    // The accept-invalid override is for one session: not among the values.
    QVariantMap values() const;
    void setValues(const QVariantMap &values);
    // Pins the certificate with this SHA-256 (hex, colons allowed) for the next connection.
    void setPin(const QString &sha256);
    // The values with the password, the token, the key's password, the proxy's userinfo and the
    // values of secret headers (capture::isSecretHeader) replaced by "[redacted]", unless they
    // say to keep secrets.
    static QVariantMap forSaving(const QVariantMap &values);
    static bool keepsSecrets(const QVariantMap &values);
    // Whether values hold a secret replaced on saving, to be filled in again.
    static bool lacksSecrets(const QVariantMap &values);

private:
    HeadersTable *m_headers = nullptr;
    QLineEdit *m_subprotocols = nullptr;
    QLineEdit *m_origin = nullptr;
    QComboBox *m_auth = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_secret = nullptr;
    QLineEdit *m_cookies = nullptr;
    QCheckBox *m_deflate = nullptr;
    QCheckBox *m_serverNoTakeover = nullptr;
    QCheckBox *m_clientNoTakeover = nullptr;
    QSpinBox *m_serverWindowBits = nullptr;
    QSpinBox *m_clientWindowBits = nullptr;
    QSpinBox *m_maxMessageMiB = nullptr;
    QSpinBox *m_connectTimeout = nullptr;
    QSpinBox *m_tlsTimeout = nullptr;
    QSpinBox *m_handshakeTimeout = nullptr;
    QSpinBox *m_closeTimeout = nullptr;
    QLineEdit *m_pin = nullptr;
    QCheckBox *m_autoPong = nullptr;
    QSpinBox *m_pingInterval = nullptr;
    QCheckBox *m_redirects = nullptr;
    QCheckBox *m_reconnect = nullptr;
    QLineEdit *m_proxy = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_certificate = nullptr;
    QLineEdit *m_key = nullptr;
    QLineEdit *m_keyPassword = nullptr;
    QCheckBox *m_acceptInvalid = nullptr;
    QCheckBox *m_keepSecrets = nullptr;
};

} // namespace framescope::ui
