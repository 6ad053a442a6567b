#pragma once

#include <QList>
#include <QString>
#include <QVariantMap>

namespace framescope::ui {

// A saved connection profile: a name, a URL and the Connection tab's values. Kept with QSettings.
// Unless its values say to keep secrets, it is saved without them (the URL's userinfo and token
// parameters, passwords, tokens and secret headers become "[redacted]"), and opening it says
// which to fill in.
struct Profile
{
    QString name;
    QString url;
    QVariantMap settings;

    // This profile as it may be saved: with or without its secrets, as its settings say.
    Profile forSaving() const;
    // Whether a secret was left out on saving.
    bool lacksSecrets() const;
};

// The saved profiles, by name.
QList<Profile> loadProfiles();
void saveProfiles(const QList<Profile> &profiles);

} // namespace framescope::ui
