#include "readbuffer.h"

namespace framescope::session {

namespace {

struct ThreadReadBuffer
{
    QByteArray bytes;
    bool lent = false;
};

thread_local ThreadReadBuffer t_readBuffer;

QByteArray &sized(QByteArray &bytes)
{
    if (bytes.size() < LentReadBuffer::kSize)
        bytes.resize(LentReadBuffer::kSize);
    return bytes;
}

} // namespace

LentReadBuffer::LentReadBuffer(QByteArray &own)
    : m_bytes(sized(t_readBuffer.lent ? own : t_readBuffer.bytes))
    , m_lent(!t_readBuffer.lent)
{
    if (m_lent)
        t_readBuffer.lent = true;
}

LentReadBuffer::~LentReadBuffer()
{
    if (m_lent)
        t_readBuffer.lent = false;
    else
        m_bytes = QByteArray(); // the reader's own: not kept
}

} // namespace framescope::session
