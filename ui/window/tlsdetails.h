#pragma once

#include <QDialog>
#include <QIcon>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

class QFormLayout;
class QPushButton;

namespace framescope::ui {

// The TLS details a connection recorded (protocol, cipher, certificate names, chain, expiry,
// fingerprint, pin, errors and overrides), as labelled rows in reading order.
QList<QPair<QString, QString>> describeTls(const QMap<QString, QString> &details);

// Whether the connection is trusted as TLS should be: verified (or pinned), no override.
bool tlsVerified(const QMap<QString, QString> &details);
// The certificate was the pinned one (a pin trusts it whatever its chain says).
bool tlsPinMatched(const QMap<QString, QString> &details);

// A padlock drawn at each size a toolbar asks for, closed or open, in `color`.
QIcon padlockIcon(bool closed, const QColor &color);

// The padlock's window: the rows above, and "Pin This Certificate" to trust exactly this
// certificate on the next connection (its SHA-256 goes to the Connection tab).
class TlsDetailsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit TlsDetailsDialog(QWidget *parent = nullptr);
    void show(const QString &url, const QMap<QString, QString> &details);
    QString text() const; // what it shows, as lines "Label: value"

Q_SIGNALS:
    void pinRequested(const QString &sha256);

private:
    QFormLayout *m_rows = nullptr;
    QPushButton *m_pin = nullptr;
    QString m_sha256;
    QString m_text;
};

} // namespace framescope::ui
