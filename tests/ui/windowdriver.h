// What the GUI tests share: reading a log cell, finding a control by its accessible name (as a
// screen reader does), and screenshots for a person to look at.
#pragma once

#include <QCoreApplication>
#include <QSize>
#include <QString>
#include <QTest>
#include <QWidget>
#include <log/framelogmodel.h>
#include <window/theme.h>

namespace framescope::ui {

inline QString cell(const FrameLogModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

// For a person to look at (FRAMESCOPE_SCREENSHOTS=DIR, scripts/screenshots.sh): the window at
// 1280x800 and at 1920x1080, as NAME-WxH.png; then back to its size.
inline bool shoot(QWidget &window, const QString &dir, const QString &name)
{
    const QSize was = window.size();
    for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
        window.resize(size);
        QCoreApplication::processEvents();
        if (!window.grab().save(QStringLiteral("%1/%2-%3x%4.png")
                                    .arg(dir, name)
                                    .arg(size.width())
                                    .arg(size.height())))
            return false;
    }
    window.resize(was);
    return true;
}

// The window in the dark theme, shot as `name`, then in the theme `after` again.
template<typename Window>
bool shootDark(Window &window, const QString &dir, const QString &name, Theme after)
{
    window.setTheme(Theme::Dark);
    const bool dark = QTest::qWaitFor(
        [&] { return window.palette().color(QPalette::Window).lightness() < 128; }, 5000);
    const bool shot = dark && shoot(window, dir, name);
    window.setTheme(after);
    return shot;
}

// A control as a screen reader finds it: by its accessible name.
template<typename Widget>
Widget *named(QWidget &window, const QString &name)
{
    for (Widget *widget : window.findChildren<Widget *>())
        if (widget->accessibleName() == name)
            return widget;
    return nullptr;
}

} // namespace framescope::ui
