#pragma once

#include <QByteArray>

namespace framescope::session {

// A large read buffer lent to one reader at a time on each thread: idle sessions and connections
// hold none, and a read can take much of what the socket holds (large reads make fewer window
// updates, which the receiving side pays for; a reader may read less). A reader that finds it
// lent out (a nested event loop inside another's read) gets `own` instead, sized alike.
class LentReadBuffer
{
public:
    static constexpr qsizetype kSize = qsizetype{2} << 20;

    explicit LentReadBuffer(QByteArray &own);
    ~LentReadBuffer();
    LentReadBuffer(const LentReadBuffer &) = delete;
    LentReadBuffer &operator=(const LentReadBuffer &) = delete;

    char *data() { return m_bytes.data(); }
    qsizetype size() const { return m_bytes.size(); }

private:
    QByteArray &m_bytes;
    bool m_lent = false;
};

} // namespace framescope::session
