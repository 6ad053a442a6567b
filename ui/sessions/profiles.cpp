#include "profiles.h"

#include "window/connectionsettings.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <capture/redaction.h>

namespace framescope::ui {

namespace {

const QString kGroup = QStringLiteral("profiles");

} // namespace

Profile Profile::forSaving() const
{
    Profile saved = *this;
    saved.settings = ConnectionSettings::forSaving(settings);
    if (!ConnectionSettings::keepsSecrets(settings))
        saved.url = QString::fromStdString(capture::redactUrl(url.toStdString()));
    return saved;
}

bool Profile::lacksSecrets() const
{
    return url.contains(QString::fromLatin1(capture::kRedacted))
           || ConnectionSettings::lacksSecrets(settings);
}

QList<Profile> loadProfiles()
{
    QSettings store;
    QList<Profile> profiles;
    const int count = store.beginReadArray(kGroup);
    for (int i = 0; i < count; ++i) {
        store.setArrayIndex(i);
        Profile profile{
            store.value(QStringLiteral("name")).toString(),
            store.value(QStringLiteral("url")).toString(),
            QJsonDocument::fromJson(store.value(QStringLiteral("settings")).toString().toUtf8())
                .object()
                .toVariantMap()};
        if (!profile.name.isEmpty()) // a damaged entry is skipped, not shown nameless
            profiles.append(std::move(profile));
    }
    store.endArray();
    return profiles;
}

void saveProfiles(const QList<Profile> &profiles)
{
    QSettings store;
    store.remove(kGroup);
    store.beginWriteArray(kGroup, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const Profile saved = profiles[i].forSaving();
        store.setArrayIndex(i);
        store.setValue(QStringLiteral("name"), saved.name);
        store.setValue(QStringLiteral("url"), saved.url);
        // As JSON text: readable in the settings file, the same on every platform.
        store.setValue(QStringLiteral("settings"),
                       QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(saved.settings))
                                             .toJson(QJsonDocument::Compact)));
    }
    store.endArray();
}

} // namespace framescope::ui
