#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace framescope::session {

// A SHA-256 certificate fingerprint as the built-in server prints it and a client pins it:
// "AB:CD:..." (32 bytes in upper-case hex, colon-separated).
QString fingerprintText(const QByteArray &sha256);
// The 32 bytes of a fingerprint given as "AB:CD:..." or as plain hex; nothing when it is not one.
std::optional<QByteArray> parseFingerprint(const QString &text);

} // namespace framescope::session
