// What the GUI tests share: reading a log cell, finding a control by its accessible name (as a
// screen reader does), and screenshots for a person to look at.
#pragma once

#include <QAbstractButton>
#include <QAction>
#include <QCoreApplication>
#include <QGroupBox>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QMultiMap>
#include <QSize>
#include <QString>
#include <QTabBar>
#include <QTabWidget>
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

// The tab widget whose first tab reads `text` ("Co&mposer": the panel below the log).
inline QTabWidget *tabsStartingWith(QWidget &window, const QString &text)
{
    for (QTabWidget *tabs : window.findChildren<QTabWidget *>())
        if (tabs->count() > 0 && tabs->tabText(0) == text)
            return tabs;
    return nullptr;
}

// The action of `widget` (its context menu's, a line edit's buttons) with this text, or nullptr.
inline QAction *actionOf(QWidget &widget, const QString &text)
{
    for (QAction *action : widget.actions())
        if (action->text() == text)
            return action;
    return nullptr;
}

// The letter after a single '&' in a control's text: its Alt key ("&&" is a literal '&').
inline QChar mnemonicOf(const QString &text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != QLatin1Char('&'))
            continue;
        if (text[i + 1] == QLatin1Char('&')) {
            ++i;
            continue;
        }
        return text[i + 1].toLower();
    }
    return {};
}

// Who answers each Alt+letter now: the menu bar's menus, and the buttons, group boxes, labels
// with a buddy and tabs that are shown (disabled ones too: they are enabled later, in place).
inline QMultiMap<QChar, QString> altKeyOwners(QMainWindow &window)
{
    QMultiMap<QChar, QString> owners;
    const auto add = [&](const QString &text, const QString &what) {
        if (const QChar key = mnemonicOf(text); !key.isNull())
            owners.insert(key, what + QLatin1String(" \"") + QString(text).remove(QLatin1Char('&'))
                                   + QLatin1Char('"'));
    };
    for (QAction *menu : window.menuBar()->actions())
        if (menu->isVisible())
            add(menu->text(), QStringLiteral("menu"));
    for (QWidget *widget : window.findChildren<QWidget *>()) {
        if (!widget->isVisible())
            continue;
        if (auto *button = qobject_cast<QAbstractButton *>(widget))
            add(button->text(), QStringLiteral("button"));
        else if (auto *box = qobject_cast<QGroupBox *>(widget))
            add(box->title(), QStringLiteral("group"));
        else if (auto *label = qobject_cast<QLabel *>(widget); label && label->buddy())
            add(label->text(), QStringLiteral("label"));
        else if (auto *bar = qobject_cast<QTabBar *>(widget))
            for (int i = 0; i < bar->count(); ++i)
                if (bar->isTabVisible(i))
                    add(bar->tabText(i), QStringLiteral("tab"));
    }
    return owners;
}

} // namespace framescope::ui
