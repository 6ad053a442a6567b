#include "certificatefingerprint.h"

namespace framescope::session {

QString fingerprintText(const QByteArray &sha256)
{
    return QString::fromLatin1(sha256.toHex(':').toUpper());
}

std::optional<QByteArray> parseFingerprint(const QString &text)
{
    QByteArray hex = text.toLatin1();
    hex.replace(':', QByteArray());
    const QByteArray bytes = QByteArray::fromHex(hex);
    // fromHex() skips what is not hex: only a text that was all hex converts back to itself.
    if (bytes.size() != 32 || bytes.toHex().compare(hex, Qt::CaseInsensitive) != 0)
        return std::nullopt;
    return bytes;
}

} // namespace framescope::session
