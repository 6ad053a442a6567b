#!/usr/bin/env bash
# Screenshots of the desktop application's main views for the README (docs/screenshots), at
# 1280x800 and 1920x1080, light and dark: the GUI tests drive the real windows on Xvfb (an X
# server without a screen) and save what they show. Run as root or with sudo for apt-get.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
scripts/framescope.sh deps
if ! command -v xvfb-run >/dev/null 2>&1; then
    sudo_or_root=""
    [ "$(id -u)" -eq 0 ] || sudo_or_root=sudo
    $sudo_or_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends xvfb xauth
fi
cmake --preset dev >/dev/null
cmake --build --preset dev --target tst_mainwindow tst_sessions tst_replaypanel
mkdir -p docs/screenshots
for test in tst_mainwindow tst_sessions tst_replaypanel; do
    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \
        FRAMESCOPE_SCREENSHOTS="$here/docs/screenshots" "./build/dev/tests/ui/$test"
done
ls docs/screenshots
