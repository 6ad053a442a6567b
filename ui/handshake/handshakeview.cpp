#include "handshakeview.h"

#include <QFontDatabase>
#include <QPlainTextEdit>
#include <QVBoxLayout>
#include <capture/redaction.h>
#include <session/diagnosis/handshakedoctor.h>
#include <session/frontend/frameformatter.h>

namespace framescope::ui {

QString describeHandshake(const session::ClientSnapshot &snapshot)
{
    const session::HandshakeRecord &h = snapshot.handshake;
    QStringList out;
    session::HandshakeDoctor::Input input = session::HandshakeDoctor::inputFor(snapshot);
    input.audience = session::HandshakeDoctor::Audience::Desktop; // names the window's controls
    const QList<session::Finding> findings = session::HandshakeDoctor::examine(input);
    if (findings.isEmpty() && h.status == 101) {
        out << QStringLiteral("Upgraded: 101 Switching Protocols");
    } else {
        for (const session::Finding &finding : findings) {
            out << QStringLiteral("%1: %2").arg(session::describe(finding.severity).toUpper(),
                                                finding.title);
            if (!finding.detail.isEmpty())
                out << QStringLiteral("    seen: %1").arg(session::printable(finding.detail));
            if (!finding.fix.isEmpty())
                out << QStringLiteral("    try:  %1").arg(finding.fix);
        }
    }
    // The phases that happened, in milliseconds.
    QStringList phases;
    const std::pair<const char *, std::int64_t> timed[] = {{"lookup", h.lookupNs},
                                                           {"connect", h.connectNs},
                                                           {"TLS", h.tlsNs},
                                                           {"upgrade", h.upgradeNs}};
    for (const auto &[name, ns] : timed)
        if (ns > 0)
            phases << QStringLiteral("%1 %2")
                          .arg(QLatin1String(name))
                          .arg(double(ns) / 1e6, 0, 'f', 2);
    out << QString()
        << QStringLiteral("Phases (ms): %1")
               .arg(phases.isEmpty() ? QStringLiteral("none completed")
                                     : phases.join(QStringLiteral(", ")));
    if (!h.local.isEmpty())
        out << QStringLiteral("TCP: from %1 to %2%3")
                   .arg(h.local, h.peer,
                        h.proxy.isEmpty() ? QString() : QStringLiteral(" (the proxy)"));
    if (!h.proxy.isEmpty())
        out << QStringLiteral("Proxy: %1").arg(h.proxy);
    for (const QString &step : h.redirects)
        out << QStringLiteral("Redirect: %1").arg(step);
    if (!h.subprotocol.isEmpty())
        out << QStringLiteral("Subprotocol: %1").arg(QString::fromUtf8(h.subprotocol));
    if (!h.extensions.isEmpty())
        out << QStringLiteral("Extensions: %1").arg(QString::fromUtf8(h.extensions));
    for (auto it = h.tls.cbegin(); it != h.tls.cend(); ++it)
        out << QStringLiteral("TLS %1: %2").arg(it.key(), it.value());
    const auto head = [](const QByteArray &bytes) {
        return session::printable(
            QString::fromStdString(capture::redactHttpHead(bytes.toStdString())), true);
    };
    out << QString() << QStringLiteral("Request:")
        << (h.request.isEmpty() ? QStringLiteral("(not sent)") : head(h.request));
    out << QStringLiteral("Response:")
        << (h.response.isEmpty() ? QStringLiteral("(none)") : head(h.response));
    return out.join(QLatin1Char('\n'));
}

QString describeCapturedHandshake(const capture::SessionInfo &session,
                                  const std::vector<capture::CaptureEvent> &events)
{
    QStringList out;
    out << QStringLiteral("From a capture of %1 (%2)")
               .arg(session::printable(QString::fromStdString(session.url)),
                    QString::fromStdString(session.tool));
    for (const capture::CaptureEvent &event : events)
        if (event.kind == capture::EventKind::Diagnosis)
            out << QStringLiteral("%1: %2").arg(
                session::printable(QString::fromStdString(event.reason)),
                session::printable(QString::fromStdString(event.detail)));
    QStringList phases;
    for (const auto &[name, ns] : session.phasesNs)
        phases << QStringLiteral("%1 %2")
                      .arg(QString::fromStdString(name))
                      .arg(double(ns) / 1e6, 0, 'f', 2);
    out << QString()
        << QStringLiteral("Phases (ms): %1")
               .arg(phases.isEmpty() ? QStringLiteral("none recorded")
                                     : phases.join(QStringLiteral(", ")));
    if (!session.subprotocol.empty())
        out << QStringLiteral("Subprotocol: %1").arg(QString::fromStdString(session.subprotocol));
    if (!session.extensions.empty())
        out << QStringLiteral("Extensions: %1").arg(QString::fromStdString(session.extensions));
    for (const auto &[key, value] : session.tls)
        out << QStringLiteral("TLS %1: %2")
                   .arg(QString::fromStdString(key), QString::fromStdString(value));
    // As the file holds them (redacted when it was written).
    const auto head = [](const std::string &text) {
        return session::printable(QString::fromStdString(text), true);
    };
    // A server's capture holds no handshake of its own: each connection's, as its events hold
    // them (the client's address, the request it read, the answer it gave).
    bool perConnection = false;
    if (session.handshakeRequest.empty()) {
        for (const capture::CaptureEvent &event : events) {
            const QString connection = QString::number(event.connection);
            switch (event.kind) {
            case capture::EventKind::HandshakeRequest:
                perConnection = true;
                out << QString()
                    << QStringLiteral("Connection %1%2, request:")
                           .arg(connection, event.reason.empty()
                                                ? QString()
                                                : QStringLiteral(" from ")
                                                      + session::printable(
                                                          QString::fromStdString(event.reason)))
                    << head(event.detail);
                break;
            case capture::EventKind::HandshakeResponse:
            case capture::EventKind::HandshakeRefused:
                perConnection = true;
                out << QStringLiteral("Connection %1, %2:")
                           .arg(connection, event.kind == capture::EventKind::HandshakeRefused
                                                ? QStringLiteral("refused with")
                                                : QStringLiteral("answered"))
                    << head(event.detail);
                break;
            default:
                break;
            }
        }
    }
    if (!perConnection) {
        out << QString() << QStringLiteral("Request:")
            << (session.handshakeRequest.empty() ? QStringLiteral("(not sent)")
                                                 : head(session.handshakeRequest));
        out << QStringLiteral("Response:")
            << (session.handshakeResponse.empty() ? QStringLiteral("(none)")
                                                  : head(session.handshakeResponse));
    }
    return out.join(QLatin1Char('\n'));
}

HandshakeView::HandshakeView(QWidget *parent)
    : QWidget(parent)
    , m_text(new QPlainTextEdit)
{
    m_text->setReadOnly(true);
    m_text->setAccessibleName(tr("Handshake"));
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_text->setPlaceholderText(tr("The opening handshake and what the Doctor says of it"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text);
}

void HandshakeView::show(const session::ClientSnapshot &snapshot)
{
    m_text->setPlainText(describeHandshake(snapshot));
}

void HandshakeView::showCaptured(const capture::SessionInfo &session,
                                 const std::vector<capture::CaptureEvent> &events)
{
    m_text->setPlainText(describeCapturedHandshake(session, events));
}

void HandshakeView::clear()
{
    m_text->clear();
}

QString HandshakeView::text() const
{
    return m_text->toPlainText();
}

} // namespace framescope::ui
