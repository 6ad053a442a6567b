#include "serverpanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <session/frontend/sessionmanager.h>
#include <session/server/servercertificate.h>

namespace framescope::ui {

namespace {

QSpinBox *spinBox(int maximum, const QString &suffix, const QString &off, const QString &name)
{
    auto *box = new QSpinBox;
    box->setRange(0, maximum);
    box->setSuffix(suffix);
    box->setSpecialValueText(off);
    box->setAccessibleName(name);
    return box;
}

enum ConnectionColumn { IdColumn, PeerColumn, StateColumn, StatusColumn };

} // namespace

ServerPanel::ServerPanel(session::SessionManager &manager, QWidget *parent)
    : QWidget(parent)
    , m_manager(manager)
{
    m_status = new QLabel;
    m_status->setAccessibleName(tr("Server state"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_startStop = new QPushButton(tr("Start"));
    m_port = spinBox(65535, QString(), tr("any free port"), tr("Server port"));
    m_tls = new QCheckBox(tr("TLS (wss://, a self-signed certificate)"));
    m_echo = new QCheckBox(tr("Echo messages"));
    m_echo->setChecked(true);
    m_delay = spinBox(60'000, tr(" ms"), tr("no delay"), tr("Reply delay"));
    m_fragment = spinBox(1 << 24, tr(" bytes"), tr("whole message"), tr("Fragment replies"));
    m_pingInterval = spinBox(3'600'000, tr(" ms"), tr("no pings"), tr("Server ping interval"));
    m_closeAfter = spinBox(1'000'000, tr(" messages"), tr("never"), tr("Close after"));

    // How it answers upgrades: accept, or as IIS and http.sys refuse them (for the Doctor).
    m_answer = new QComboBox;
    m_answer->setAccessibleName(tr("Upgrade answer"));
    m_answer->addItem(tr("101, accepted"), QString());
    const std::pair<const char *, const char *> emulations[]
        = {{"iis-101-no-accept",
            "IIS without its WebSocket feature: 101 without Sec-WebSocket-Accept"},
           {"iis-400", "http.sys 400: a badly formed request"},
           {"iis-401", "IIS 401.2: Windows authentication (Negotiate, NTLM)"},
           {"iis-403", "IIS 403: origin not allowed"},
           {"iis-404", "IIS 404: no application at this path"},
           {"iis-500", "IIS 500.19: invalid web.config"},
           {"iis-503", "http.sys 503: the application pool is stopped"}};
    for (const auto &[name, meaning] : emulations)
        if (session::iisEmulationNames().contains(QLatin1String(name)))
            m_answer->addItem(tr(meaning), QString::fromLatin1(name));
    m_requiredSubprotocol = new QLineEdit;
    m_requiredSubprotocol->setAccessibleName(tr("Required subprotocol"));
    m_requiredSubprotocol->setPlaceholderText(tr("none required"));
    m_requiredSubprotocol->setToolTip(
        tr("Refuse (400) clients that do not offer this subprotocol"));
    m_requireAuthorization = new QCheckBox(tr("Require Authorization (401 without)"));
    m_echoHeaders = new QCheckBox(tr("Send the request's headers first"));
    m_echoHeaders->setToolTip(tr("The request head as the first message, secrets redacted: what "
                                 "the client really sent"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_startStop);
    top->addWidget(m_status, 1);
    auto *form = new QFormLayout;
    auto *listen = new QHBoxLayout;
    listen->addWidget(m_port);
    listen->addWidget(m_tls);
    listen->addStretch();
    form->addRow(tr("Port on 127.0.0.1 / ::1:"), listen);
    auto *replies = new QHBoxLayout;
    replies->addWidget(m_echo);
    replies->addWidget(new QLabel(tr("delayed by")));
    replies->addWidget(m_delay);
    replies->addWidget(new QLabel(tr("frame size")));
    replies->addWidget(m_fragment);
    replies->addStretch();
    form->addRow(tr("Replies:"), replies);
    auto *timers = new QHBoxLayout;
    timers->addWidget(new QLabel(tr("ping every")));
    timers->addWidget(m_pingInterval);
    timers->addWidget(new QLabel(tr("close after")));
    timers->addWidget(m_closeAfter);
    timers->addStretch();
    form->addRow(tr("Behaviour:"), timers);
    form->addRow(tr("Upgrades:"), m_answer);
    auto *requirements = new QHBoxLayout;
    requirements->addWidget(new QLabel(tr("require subprotocol")));
    requirements->addWidget(m_requiredSubprotocol, 1);
    requirements->addWidget(m_requireAuthorization);
    requirements->addWidget(m_echoHeaders);
    form->addRow(QString(), requirements);
    m_connections = new QTreeWidget;
    m_connections->setAccessibleName(tr("Server connections"));
    m_connections->setHeaderLabels({tr("No."), tr("Client"), tr("State"), tr("Answer")});
    m_connections->setRootIsDecorated(false);
    m_connections->header()->setStretchLastSection(true);
    // Each column as wide as what it holds at most: a client's address and port whole.
    const QFontMetrics metrics = m_connections->fontMetrics();
    const int padding = 3 * metrics.averageCharWidth();
    int column = 0;
    for (const QString &widest :
         {QStringLiteral("000000"), QStringLiteral("[::ffff:255.255.255.255]:65535"),
          QStringLiteral("handshaking")})
        m_connections->header()->resizeSection(column++,
                                               metrics.horizontalAdvance(widest) + padding);
    // At least four rows: the panel scrolls rather than squeeze the list to its header.
    m_connections->setMinimumHeight(m_connections->header()->sizeHint().height()
                                    + 4 * (m_connections->fontMetrics().height() + 6));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(form);
    layout->addWidget(m_connections, 1);

    connect(m_startStop, &QPushButton::clicked, this, [this] {
        if (m_manager.isServerRunning())
            stop();
        else
            start();
    });
    connect(&m_manager, &session::SessionManager::serverConnectionChanged, this,
            [this](quint64 id, session::SessionState) { updateConnection(id); });
    connect(&m_manager, &session::SessionManager::serverConnectionDropped, this,
            [this](const QString &peer, const QString &reason) {
                auto *item = new QTreeWidgetItem(m_connections);
                item->setText(IdColumn, QStringLiteral("–"));
                item->setText(PeerColumn, peer);
                item->setText(StateColumn, tr("dropped"));
                item->setText(StatusColumn, reason);
            });
    updateStatus();
}

session::LocalServerOptions ServerPanel::options() const
{
    session::LocalServerOptions options; // loopback only
    options.port = quint16(m_port->value());
    options.tls = m_tls->isChecked();
    options.behaviour.echo = m_echo->isChecked();
    options.behaviour.replyDelayMs = m_delay->value();
    options.behaviour.fragmentSize = std::size_t(m_fragment->value());
    options.behaviour.pingIntervalMs = m_pingInterval->value();
    options.behaviour.closeAfterMessages = m_closeAfter->value();
    options.behaviour.refuse = session::iisEmulation(m_answer->currentData().toString());
    options.behaviour.requiredSubprotocol = m_requiredSubprotocol->text().trimmed().toUtf8();
    options.behaviour.requireAuthorization = m_requireAuthorization->isChecked();
    options.behaviour.echoRequestHeaders = m_echoHeaders->isChecked();
    return options;
}

QString ServerPanel::start()
{
    if (m_manager.isServerRunning())
        return {};
    session::LocalServerOptions chosen = options();
    m_fingerprint.clear();
    if (chosen.tls) {
        // The self-signed certificate kept for the built-in server (made on first use).
        const session::ServerCertificateResult loaded = session::loadOrCreateServerCertificate(
            m_certificateDirectory.isEmpty() ? session::defaultCertificateDirectory()
                                             : m_certificateDirectory);
        if (!loaded.certificate) {
            const QString error = tr("no certificate for TLS: %1").arg(loaded.error);
            m_status->setText(tr("Did not start: %1").arg(error));
            return error;
        }
        chosen.certificate = loaded.certificate->certificate;
        chosen.key = loaded.certificate->key;
        m_fingerprint = loaded.certificate->sha256Fingerprint();
    }
    const QString error = m_manager.startServer(chosen);
    m_connections->clear();
    updateStatus();
    if (error.isEmpty())
        Q_EMIT serverChanged();
    else
        m_status->setText(tr("Did not start: %1").arg(error));
    return error;
}

void ServerPanel::stop()
{
    m_manager.stopServer(1000);
    updateStatus();
    Q_EMIT serverChanged();
}

void ServerPanel::updateStatus()
{
    const bool running = m_manager.isServerRunning();
    m_startStop->setText(running ? tr("Stop") : tr("Start"));
    for (QWidget *setting :
         {static_cast<QWidget *>(m_port), static_cast<QWidget *>(m_tls),
          static_cast<QWidget *>(m_echo), static_cast<QWidget *>(m_delay),
          static_cast<QWidget *>(m_fragment), static_cast<QWidget *>(m_pingInterval),
          static_cast<QWidget *>(m_closeAfter), static_cast<QWidget *>(m_answer),
          static_cast<QWidget *>(m_requiredSubprotocol),
          static_cast<QWidget *>(m_requireAuthorization), static_cast<QWidget *>(m_echoHeaders)})
        setting->setEnabled(!running); // they apply when it starts
    if (!running) {
        m_status->setText(tr("Stopped"));
        return;
    }
    QString text = tr("Running on %1").arg(m_manager.serverUrls().join(QStringLiteral(", ")));
    if (!m_fingerprint.isEmpty()) // for clients to pin (the Connection tab's TLS pin)
        text += tr("\nCertificate SHA-256 %1").arg(m_fingerprint);
    for (const QString &warning : m_manager.serverWarnings())
        text += QStringLiteral("\n") + warning;
    m_status->setText(text);
}

void ServerPanel::updateConnection(quint64 id)
{
    const std::optional<session::ServerConnectionInfo> info = m_manager.serverConnection(id);
    if (!info)
        return;
    QTreeWidgetItem *item = nullptr;
    for (int i = 0; i < m_connections->topLevelItemCount() && !item; ++i)
        if (m_connections->topLevelItem(i)->data(IdColumn, Qt::UserRole).toULongLong() == id)
            item = m_connections->topLevelItem(i);
    if (!item) {
        item = new QTreeWidgetItem(m_connections);
        item->setData(IdColumn, Qt::UserRole, QVariant::fromValue(id));
        item->setText(IdColumn, QString::number(id));
    }
    item->setText(PeerColumn, info->peer);
    item->setText(StateColumn, session::describe(info->state));
    QString answer = info->status == 0 ? QString() : QString::number(info->status);
    if (info->state == session::SessionState::Closed && info->close.codeSent)
        answer += tr(", closed with %1").arg(*info->close.codeSent);
    item->setText(StatusColumn, answer);
}

void ServerPanel::setCertificateDirectory(const QString &directory)
{
    m_certificateDirectory = directory;
}

QString ServerPanel::statusText() const
{
    return m_status->text();
}

int ServerPanel::connectionRows() const
{
    return m_connections->topLevelItemCount();
}

} // namespace framescope::ui
