#include "tlsdetails.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QVBoxLayout>

namespace framescope::ui {

QList<QPair<QString, QString>> describeTls(const QMap<QString, QString> &details)
{
    QList<QPair<QString, QString>> rows;
    auto add = [&](const QString &label, const QString &key) {
        if (const QString value = details.value(key); !value.isEmpty())
            rows.append({label, value});
    };
    add(TlsDetailsDialog::tr("Protocol"), QStringLiteral("protocol"));
    add(TlsDetailsDialog::tr("Cipher"), QStringLiteral("cipher"));
    add(TlsDetailsDialog::tr("Certificate for"), QStringLiteral("subject"));
    add(TlsDetailsDialog::tr("Names"), QStringLiteral("subjectAltNames"));
    add(TlsDetailsDialog::tr("Chain"), QStringLiteral("chain"));
    if (const QString expires = details.value(QStringLiteral("expires")); !expires.isEmpty()) {
        const QDateTime at = QDateTime::fromString(expires, Qt::ISODate);
        const qint64 days = at.isValid() ? QDateTime::currentDateTimeUtc().daysTo(at) : 0;
        rows.append({TlsDetailsDialog::tr("Expires"),
                     !at.isValid() ? expires
                     : days < 0
                         ? TlsDetailsDialog::tr("%1 (expired %2 days ago)").arg(expires).arg(-days)
                         : TlsDetailsDialog::tr("%1 (in %2 days)").arg(expires).arg(days)});
    }
    add(TlsDetailsDialog::tr("SHA-256"), QStringLiteral("sha256"));
    add(TlsDetailsDialog::tr("Pinned"), QStringLiteral("pinned"));
    add(TlsDetailsDialog::tr("Client certificate"), QStringLiteral("clientCertificate"));
    add(TlsDetailsDialog::tr("Errors"), QStringLiteral("errors"));
    add(TlsDetailsDialog::tr("Override"), QStringLiteral("override"));
    add(TlsDetailsDialog::tr("Alert"), QStringLiteral("alert"));
    return rows;
}

bool tlsPinMatched(const QMap<QString, QString> &details)
{
    return details.value(QStringLiteral("pinned")).startsWith(QStringLiteral("matched"));
}

bool tlsVerified(const QMap<QString, QString> &details)
{
    if (tlsPinMatched(details))
        return true;
    return !details.isEmpty() && !details.contains(QStringLiteral("override"))
           && !details.contains(QStringLiteral("errors"))
           && !details.value(QStringLiteral("protocol")).isEmpty();
}

QIcon padlockIcon(bool closed, const QColor &color)
{
    QIcon icon;
    for (const int size : {16, 24, 32, 48, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal unit = size / 16.0;
        // The shackle: an arch above the body, lifted and to the side when open.
        QPen pen(color, 1.6 * unit, Qt::SolidLine, Qt::RoundCap);
        painter.setPen(pen);
        const qreal lift = closed ? 0 : 2.5 * unit;
        QPainterPath shackle;
        shackle.moveTo(4.5 * unit, 7.5 * unit - (closed ? 0 : lift));
        shackle.lineTo(4.5 * unit, 5.0 * unit - lift);
        shackle.arcTo(QRectF(4.5 * unit, 1.5 * unit - lift, 7 * unit, 7 * unit), 180, -180);
        shackle.lineTo(11.5 * unit, 7.5 * unit - (closed ? 0 : 2 * lift));
        painter.drawPath(shackle);
        // The body.
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawRoundedRect(QRectF(2.5 * unit, 7 * unit, 11 * unit, 8 * unit), 1.5 * unit,
                                1.5 * unit);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

TlsDetailsDialog::TlsDetailsDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("TLS Details – Framescope"));
    m_rows = new QFormLayout;
    m_pin = new QPushButton(tr("&Pin This Certificate"));
    m_pin->setToolTip(tr("Trust exactly this certificate on the next connection (its SHA-256 "
                         "goes to the Connection tab); any other then fails"));
    connect(m_pin, &QPushButton::clicked, this, [this] { Q_EMIT pinRequested(m_sha256); });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_pin, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_rows);
    layout->addStretch();
    layout->addWidget(buttons);
    resize(640, 360);
}

void TlsDetailsDialog::show(const QString &url, const QMap<QString, QString> &details)
{
    while (m_rows->rowCount() > 0)
        m_rows->removeRow(0);
    QStringList lines;
    auto addRow = [&](const QString &label, const QString &value) {
        auto *text = new QLabel(value.toHtmlEscaped());
        text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        text->setWordWrap(true);
        text->setAccessibleName(label);
        m_rows->addRow(label + QLatin1Char(':'), text);
        lines << QStringLiteral("%1: %2").arg(label, value);
    };
    addRow(tr("URL"), url);
    // Trusted for the pin alone, the chain's errors are still listed below: say which it is.
    const bool pinned = tlsPinMatched(details);
    if (details.value(QStringLiteral("protocol")).isEmpty())
        addRow(tr("TLS"), tr("no details yet (not connected, or not over TLS)"));
    else if (!tlsVerified(details))
        addRow(tr("Verified"), tr("no"));
    else if (pinned && details.contains(QStringLiteral("errors")))
        addRow(tr("Verified"), tr("yes, by the pin alone (its chain is not trusted: see Errors)"));
    else if (pinned)
        addRow(tr("Verified"), tr("yes, and the certificate is the pinned one"));
    else
        addRow(tr("Verified"), tr("yes"));
    for (const auto &[label, value] : describeTls(details))
        addRow(label, value);
    m_sha256 = details.value(QStringLiteral("sha256"));
    m_pin->setText(pinned ? tr("Pinned") : tr("&Pin This Certificate"));
    m_pin->setEnabled(!pinned && !m_sha256.isEmpty());
    m_text = lines.join(QLatin1Char('\n'));
    QDialog::show();
    raise();
}

QString TlsDetailsDialog::text() const
{
    return m_text;
}

} // namespace framescope::ui
