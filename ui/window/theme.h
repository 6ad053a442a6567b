#pragma once

#include <QColor>
#include <QString>

namespace framescope::ui {

// The application's colours: as the desktop has them, or Framescope's own light or dark
// palette (on the Fusion style, which follows a palette everywhere).
enum class Theme { System, Light, Dark };

void applyTheme(Theme theme);
// The theme's name as kept in the settings ("system", "light", "dark"), and back.
QString themeName(Theme theme);
Theme themeNamed(const QString &name);
// Whether text is drawn light on dark now: views pick their accent colours by it.
bool isDarkPalette();
// The accents for a problem (red) and a success (green): lighter shades on a dark palette, so
// that they read on either.
QColor problemColor();
QColor successColor();

} // namespace framescope::ui
