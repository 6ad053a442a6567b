#include "connectionsettings.h"

#include "headerstable.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QUrl>
#include <capture/redaction.h>

namespace framescope::ui {

namespace {

enum Auth { NoAuth, BasicAuth, BearerAuth };

// RFC 9110 §5.6.2: a header name and a subprotocol (RFC 6455 §4.1) are tokens.
bool isToken(const QString &text)
{
    static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    return token.match(text).hasMatch();
}

} // namespace

ConnectionSettings::ConnectionSettings(QWidget *parent)
    : QWidget(parent)
{
    m_headers = new HeadersTable;
    m_subprotocols = new QLineEdit;
    m_subprotocols->setAccessibleName(tr("Subprotocols"));
    m_subprotocols->setPlaceholderText(tr("e.g. json, mqtt (offered in this order)"));
    m_origin = new QLineEdit;
    m_origin->setAccessibleName(tr("Origin"));
    m_origin->setPlaceholderText(tr("e.g. https://example.com (none sent when empty)"));
    m_auth = new QComboBox;
    m_auth->setAccessibleName(tr("Authorization"));
    m_auth->addItems({tr("None"), tr("Basic"), tr("Bearer token")});
    m_user = new QLineEdit;
    m_user->setAccessibleName(tr("User"));
    m_user->setPlaceholderText(tr("user"));
    m_secret = new QLineEdit;
    m_secret->setAccessibleName(tr("Password or token"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setPlaceholderText(tr("password or token"));
    auto *auth = new QHBoxLayout;
    auth->addWidget(m_auth);
    auth->addWidget(m_user);
    auth->addWidget(m_secret, 1);

    m_cookies = new QLineEdit;
    m_cookies->setAccessibleName(tr("Cookies"));
    m_cookies->setPlaceholderText(tr("name=value; other=value (sent as a Cookie header)"));

    m_deflate = new QCheckBox(tr("Offer permessage-deflate"));
    m_serverNoTakeover = new QCheckBox(tr("server_no_context_takeover"));
    m_clientNoTakeover = new QCheckBox(tr("client_no_context_takeover"));
    auto windowBits = [](const QString &name) {
        auto *bits = new QSpinBox;
        bits->setAccessibleName(name);
        bits->setRange(7, 15); // 7 stands for "not offered"
        bits->setSpecialValueText(name == tr("client_max_window_bits")
                                      ? tr("%1 (no value)").arg(name)
                                      : tr("%1 not offered").arg(name));
        bits->setPrefix(name + QLatin1Char('='));
        return bits;
    };
    m_serverWindowBits = windowBits(tr("server_max_window_bits"));
    m_clientWindowBits = windowBits(tr("client_max_window_bits"));
    // Two rows: in one the form would be wider than the pane at 1280 pixels.
    auto *deflate = new QHBoxLayout;
    for (QWidget *widget :
         std::initializer_list<QWidget *>{m_deflate, m_serverNoTakeover, m_clientNoTakeover})
        deflate->addWidget(widget);
    deflate->addStretch();
    auto *windowBitsRow = new QHBoxLayout;
    windowBitsRow->addWidget(m_serverWindowBits);
    windowBitsRow->addWidget(m_clientWindowBits);
    windowBitsRow->addStretch();
    auto deflateChanged = [this] {
        for (QWidget *widget : std::initializer_list<QWidget *>{
                 m_serverNoTakeover, m_clientNoTakeover, m_serverWindowBits, m_clientWindowBits})
            widget->setEnabled(m_deflate->isChecked());
    };
    connect(m_deflate, &QCheckBox::toggled, this, deflateChanged);

    // Limits and timeouts (0: none).
    m_maxMessageMiB = new QSpinBox;
    m_maxMessageMiB->setAccessibleName(tr("Largest message"));
    m_maxMessageMiB->setRange(1, 4096);
    m_maxMessageMiB->setValue(64);
    m_maxMessageMiB->setSuffix(tr(" MiB"));
    m_maxMessageMiB->setToolTip(tr("A larger message or frame from the server is refused with "
                                   "1009 (message too big)"));
    auto timeout = [](const QString &name, int ms) {
        auto *spin = new QSpinBox;
        spin->setAccessibleName(tr("%1 timeout").arg(name));
        spin->setRange(0, 600'000);
        spin->setSingleStep(1000);
        spin->setValue(ms);
        spin->setPrefix(name + QLatin1Char(' '));
        spin->setSuffix(tr(" ms"));
        spin->setSpecialValueText(tr("%1: none").arg(name));
        return spin;
    };
    const session::ClientOptions defaults;
    m_connectTimeout = timeout(tr("connect"), defaults.connectTimeoutMs);
    m_tlsTimeout = timeout(tr("TLS"), defaults.tlsTimeoutMs);
    m_handshakeTimeout = timeout(tr("upgrade"), defaults.handshakeTimeoutMs);
    m_closeTimeout = timeout(tr("close"), defaults.closeTimeoutMs);
    auto *limits = new QHBoxLayout;
    limits->addWidget(m_maxMessageMiB);
    limits->addSpacing(12);
    limits->addWidget(new QLabel(tr("Timeouts:")));
    for (QSpinBox *spin : {m_connectTimeout, m_tlsTimeout, m_handshakeTimeout, m_closeTimeout})
        limits->addWidget(spin);
    limits->addStretch();
    m_pin = new QLineEdit;
    m_pin->setAccessibleName(tr("Pinned certificate"));
    m_pin->setPlaceholderText(tr("SHA-256 of the one certificate to trust, hex (as the built-in "
                                 "server shows it); any other fails"));
    m_autoPong = new QCheckBox(tr("Answer pings automatically"));
    m_autoPong->setChecked(true);
    m_pingInterval = new QSpinBox;
    m_pingInterval->setAccessibleName(tr("Keep-alive ping interval"));
    m_pingInterval->setRange(0, 3'600'000);
    m_pingInterval->setSuffix(tr(" ms"));
    m_pingInterval->setSpecialValueText(tr("no keep-alive pings"));
    m_redirects = new QCheckBox(tr("Follow redirects"));
    m_reconnect = new QCheckBox(tr("Reconnect when dropped"));
    auto *behaviour = new QHBoxLayout;
    for (QWidget *widget : {static_cast<QWidget *>(m_autoPong), static_cast<QWidget *>(m_redirects),
                            static_cast<QWidget *>(m_reconnect)})
        behaviour->addWidget(widget);
    behaviour->addStretch();

    m_proxy = new QLineEdit;
    m_proxy->setAccessibleName(tr("Proxy"));
    m_proxy->setPlaceholderText(tr("http://[user:password@]host:port"));
    m_caFile = new QLineEdit;
    m_caFile->setAccessibleName(tr("CA file"));
    m_caFile->setPlaceholderText(tr("extra trusted CA certificates, PEM"));
    m_certificate = new QLineEdit;
    m_certificate->setAccessibleName(tr("Client certificate"));
    m_certificate->setPlaceholderText(tr("PEM, or PKCS#12 (.p12 / .pfx)"));
    m_key = new QLineEdit;
    m_key->setAccessibleName(tr("Client key"));
    m_key->setPlaceholderText(tr("PEM, unless in the PKCS#12 file"));
    m_keyPassword = new QLineEdit;
    m_keyPassword->setAccessibleName(tr("Key password"));
    m_keyPassword->setEchoMode(QLineEdit::Password);
    m_acceptInvalid = new QCheckBox(tr("Accept an invalid certificate (this session only; "
                                       "recorded in the capture)"));
    m_keepSecrets = new QCheckBox(tr("Keep secrets in saved profiles (passwords, tokens, secret "
                                     "headers; stored unencrypted)"));
    auto *certificate = new QHBoxLayout;
    certificate->addWidget(m_certificate, 2);
    certificate->addWidget(m_key, 2);
    certificate->addWidget(m_keyPassword, 1);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Headers:"), m_headers);
    form->addRow(tr("Subprotocols:"), m_subprotocols);
    form->addRow(tr("Origin:"), m_origin);
    form->addRow(tr("Authorization:"), auth);
    form->addRow(tr("Cookies:"), m_cookies);
    form->addRow(tr("Compression:"), deflate);
    form->addRow(tr("Window bits:"), windowBitsRow);
    form->addRow(tr("Largest message:"), limits);
    form->addRow(tr("Keep-alive:"), m_pingInterval);
    form->addRow(QString(), behaviour);
    form->addRow(tr("Proxy:"), m_proxy);
    form->addRow(tr("TLS CA file:"), m_caFile);
    form->addRow(tr("Client certificate:"), certificate);
    form->addRow(tr("TLS pin:"), m_pin);
    form->addRow(QString(), m_acceptInvalid);
    form->addRow(QString(), m_keepSecrets);

    auto authChanged = [this] {
        m_user->setEnabled(m_auth->currentIndex() == BasicAuth);
        m_secret->setEnabled(m_auth->currentIndex() != NoAuth);
    };
    connect(m_auth, &QComboBox::currentIndexChanged, this, authChanged);
    authChanged();
    deflateChanged();
}

std::optional<session::ClientOptions> ConnectionSettings::optionsFor(const QUrl &url,
                                                                     QString *error) const
{
    auto fail = [error](const QString &why) -> std::optional<session::ClientOptions> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    session::ClientOptions options;
    options.url = url;
    // Row by row: a value cannot bring a header of its own through a line break.
    const QList<QPair<QString, QString>> headers = m_headers->headers();
    for (int i = 0; i < headers.size(); ++i) {
        const auto &[name, value] = headers[i];
        if (!isToken(name))
            return fail(tr("Header %1: \"%2\" is not a header name (a token: letters, digits, "
                           "!#$%&'*+-.^_`|~)")
                            .arg(i + 1)
                            .arg(name));
        if (const std::optional<QString> problem
            = session::headerProblem(name.toUtf8(), value.toUtf8()))
            return fail(tr("Header %1: %2").arg(i + 1).arg(*problem));
        options.headers.append({name.toUtf8(), value.toUtf8()});
    }
    for (const QString &part : m_subprotocols->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString subprotocol = part.trimmed();
        if (!isToken(subprotocol))
            return fail(tr("\"%1\" is not a subprotocol name (a token: letters, digits, "
                           "!#$%&'*+-.^_`|~)")
                            .arg(subprotocol));
        options.subprotocols.append(subprotocol.toUtf8());
    }
    options.origin = m_origin->text().trimmed().toUtf8();
    switch (m_auth->currentIndex()) {
    case BasicAuth:
        options.basicAuth = QPair<QString, QString>(m_user->text(), m_secret->text());
        break;
    case BearerAuth:
        if (m_secret->text().isEmpty())
            return fail(tr("A bearer token is needed"));
        options.bearerToken = m_secret->text().toUtf8();
        break;
    default:
        break;
    }
    for (const QString &part : m_cookies->text().split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QString cookie = part.trimmed();
        const qsizetype equals = cookie.indexOf(QLatin1Char('='));
        const QString name = cookie.left(equals).trimmed();
        if (cookie.isEmpty())
            continue;
        if (equals <= 0 || !isToken(name))
            return fail(tr("Cookie \"%1\" is not name=value").arg(cookie));
        options.cookies.append({name.toUtf8(), cookie.mid(equals + 1).trimmed().toUtf8()});
    }
    options.offerDeflate = m_deflate->isChecked();
    options.deflateOffer.serverNoContextTakeover = m_serverNoTakeover->isChecked();
    options.deflateOffer.clientNoContextTakeover = m_clientNoTakeover->isChecked();
    if (m_serverWindowBits->value() >= 8)
        options.deflateOffer.serverMaxWindowBits = m_serverWindowBits->value();
    if (m_clientWindowBits->value() >= 8)
        options.deflateOffer.clientMaxWindowBitsValue = m_clientWindowBits->value();
    options.maxMessageSize = std::uint64_t(m_maxMessageMiB->value()) << 20;
    options.maxFrameSize = options.maxMessageSize;
    options.connectTimeoutMs = m_connectTimeout->value();
    options.tlsTimeoutMs = m_tlsTimeout->value();
    options.handshakeTimeoutMs = m_handshakeTimeout->value();
    options.closeTimeoutMs = m_closeTimeout->value();
    if (QString pin = m_pin->text(); !pin.trimmed().isEmpty()) {
        pin.remove(QRegularExpression(QStringLiteral("[\\s:]")));
        static const QRegularExpression sha256(QStringLiteral("^[0-9A-Fa-f]{64}$"));
        if (!sha256.match(pin).hasMatch())
            return fail(tr("The pin is not a SHA-256 fingerprint: 64 hex digits, colons allowed"));
        options.pinnedSha256 = QByteArray::fromHex(pin.toLatin1());
    }
    options.autoPong = m_autoPong->isChecked();
    options.pingIntervalMs = m_pingInterval->value();
    options.followRedirects = m_redirects->isChecked();
    options.reconnect.enabled = m_reconnect->isChecked();
    options.proxy = m_proxy->text().trimmed();
    options.caFile = m_caFile->text().trimmed();
    options.certificateFile = m_certificate->text().trimmed();
    options.keyFile = m_key->text().trimmed();
    options.keyPassword = m_keyPassword->text().toUtf8();
    options.acceptInvalidCertificate = m_acceptInvalid->isChecked();
    return options;
}

namespace {

const QString kRedactedText = QString::fromLatin1(capture::kRedacted);

// Names of the values, as kept in a profile.
const QString kHeaders = QStringLiteral("headers");
const QString kSubprotocols = QStringLiteral("subprotocols");
const QString kOrigin = QStringLiteral("origin");
const QString kAuth = QStringLiteral("auth");
const QString kUser = QStringLiteral("user");
const QString kSecret = QStringLiteral("secret");
const QString kDeflate = QStringLiteral("deflate");
const QString kAutoPong = QStringLiteral("autoPong");
const QString kPingInterval = QStringLiteral("pingIntervalMs");
const QString kRedirects = QStringLiteral("followRedirects");
const QString kReconnect = QStringLiteral("reconnect");
const QString kProxy = QStringLiteral("proxy");
const QString kCaFile = QStringLiteral("caFile");
const QString kCertificate = QStringLiteral("certificate");
const QString kKey = QStringLiteral("key");
const QString kKeyPassword = QStringLiteral("keyPassword");
const QString kKeepSecrets = QStringLiteral("keepSecrets");
const QString kCookies = QStringLiteral("cookies");
const QString kServerNoTakeover = QStringLiteral("serverNoContextTakeover");
const QString kClientNoTakeover = QStringLiteral("clientNoContextTakeover");
const QString kServerWindowBits = QStringLiteral("serverMaxWindowBits");
const QString kClientWindowBits = QStringLiteral("clientMaxWindowBits");
const QString kMaxMessageMiB = QStringLiteral("maxMessageMiB");
const QString kConnectTimeout = QStringLiteral("connectTimeoutMs");
const QString kTlsTimeout = QStringLiteral("tlsTimeoutMs");
const QString kHandshakeTimeout = QStringLiteral("handshakeTimeoutMs");
const QString kCloseTimeout = QStringLiteral("closeTimeoutMs");
const QString kPin = QStringLiteral("pinnedSha256");

const QStringList kAuthNames
    = {QStringLiteral("none"), QStringLiteral("basic"), QStringLiteral("bearer")};

} // namespace

QVariantMap ConnectionSettings::values() const
{
    // A user or secret left in the form after choosing no authorization is not a value.
    const bool basic = m_auth->currentIndex() == BasicAuth;
    const bool anyAuth = m_auth->currentIndex() != NoAuth;
    return {{kHeaders, m_headers->toPlainText()},
            {kSubprotocols, m_subprotocols->text()},
            {kOrigin, m_origin->text()},
            {kAuth, kAuthNames.value(m_auth->currentIndex())},
            {kUser, basic ? m_user->text() : QString()},
            {kSecret, anyAuth ? m_secret->text() : QString()},
            {kDeflate, m_deflate->isChecked()},
            {kAutoPong, m_autoPong->isChecked()},
            {kPingInterval, m_pingInterval->value()},
            {kRedirects, m_redirects->isChecked()},
            {kReconnect, m_reconnect->isChecked()},
            {kProxy, m_proxy->text()},
            {kCaFile, m_caFile->text()},
            {kCertificate, m_certificate->text()},
            {kKey, m_key->text()},
            {kKeyPassword, m_keyPassword->text()},
            {kKeepSecrets, m_keepSecrets->isChecked()},
            {kCookies, m_cookies->text()},
            {kServerNoTakeover, m_serverNoTakeover->isChecked()},
            {kClientNoTakeover, m_clientNoTakeover->isChecked()},
            {kServerWindowBits, m_serverWindowBits->value()},
            {kClientWindowBits, m_clientWindowBits->value()},
            {kMaxMessageMiB, m_maxMessageMiB->value()},
            {kConnectTimeout, m_connectTimeout->value()},
            {kTlsTimeout, m_tlsTimeout->value()},
            {kHandshakeTimeout, m_handshakeTimeout->value()},
            {kCloseTimeout, m_closeTimeout->value()},
            {kPin, m_pin->text()}};
}

void ConnectionSettings::setValues(const QVariantMap &values)
{
    // Missing values (a profile from an older version) take the form's defaults.
    m_headers->setPlainText(values.value(kHeaders).toString());
    m_subprotocols->setText(values.value(kSubprotocols).toString());
    m_origin->setText(values.value(kOrigin).toString());
    m_auth->setCurrentIndex(std::max(0, int(kAuthNames.indexOf(values.value(kAuth).toString()))));
    m_user->setText(values.value(kUser).toString());
    m_secret->setText(values.value(kSecret).toString());
    m_deflate->setChecked(values.value(kDeflate, false).toBool());
    m_autoPong->setChecked(values.value(kAutoPong, true).toBool());
    m_pingInterval->setValue(values.value(kPingInterval, 0).toInt());
    m_redirects->setChecked(values.value(kRedirects, false).toBool());
    m_reconnect->setChecked(values.value(kReconnect, false).toBool());
    m_proxy->setText(values.value(kProxy).toString());
    m_caFile->setText(values.value(kCaFile).toString());
    m_certificate->setText(values.value(kCertificate).toString());
    m_key->setText(values.value(kKey).toString());
    m_keyPassword->setText(values.value(kKeyPassword).toString());
    m_keepSecrets->setChecked(values.value(kKeepSecrets, false).toBool());
    const session::ClientOptions defaults;
    m_cookies->setText(values.value(kCookies).toString());
    m_serverNoTakeover->setChecked(values.value(kServerNoTakeover, false).toBool());
    m_clientNoTakeover->setChecked(values.value(kClientNoTakeover, false).toBool());
    m_serverWindowBits->setValue(values.value(kServerWindowBits, 7).toInt());
    m_clientWindowBits->setValue(values.value(kClientWindowBits, 7).toInt());
    m_maxMessageMiB->setValue(
        values.value(kMaxMessageMiB, int(defaults.maxMessageSize >> 20)).toInt());
    m_connectTimeout->setValue(values.value(kConnectTimeout, defaults.connectTimeoutMs).toInt());
    m_tlsTimeout->setValue(values.value(kTlsTimeout, defaults.tlsTimeoutMs).toInt());
    m_handshakeTimeout->setValue(
        values.value(kHandshakeTimeout, defaults.handshakeTimeoutMs).toInt());
    m_closeTimeout->setValue(values.value(kCloseTimeout, defaults.closeTimeoutMs).toInt());
    m_pin->setText(values.value(kPin).toString());
    m_acceptInvalid->setChecked(false);
}

QVariantMap ConnectionSettings::forSaving(const QVariantMap &values)
{
    if (keepsSecrets(values))
        return values;
    QVariantMap saved = values;
    for (const QString &name : {kSecret, kKeyPassword, kCookies})
        if (!saved.value(name).toString().isEmpty())
            saved[name] = kRedactedText;
    if (const QString proxy = saved.value(kProxy).toString(); !proxy.isEmpty())
        saved[kProxy] = QString::fromStdString(capture::redactUrl(proxy.toStdString()));
    QStringList lines = saved.value(kHeaders).toString().split(QLatin1Char('\n'));
    for (QString &line : lines) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon > 0 && capture::isSecretHeader(line.left(colon).trimmed().toStdString()))
            line = line.left(colon + 1) + QLatin1Char(' ') + kRedactedText;
    }
    saved[kHeaders] = lines.join(QLatin1Char('\n'));
    return saved;
}

void ConnectionSettings::setPin(const QString &sha256)
{
    m_pin->setText(sha256);
}

bool ConnectionSettings::keepsSecrets(const QVariantMap &values)
{
    return values.value(kKeepSecrets).toBool();
}

bool ConnectionSettings::lacksSecrets(const QVariantMap &values)
{
    for (const QString &name : {kSecret, kKeyPassword, kProxy, kHeaders, kCookies})
        if (values.value(name).toString().contains(kRedactedText))
            return true;
    return false;
}

} // namespace framescope::ui
