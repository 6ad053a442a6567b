#include "upgraderesponse.h"

#include <QList>
#include <algorithm>
#include <protocol/httphead.h>
#include <session/engine/framecapture.h>
#include <string_view>

namespace framescope::session {

namespace {

// RFC 9112 §2.3: a status line starts with "HTTP/" (case-sensitive). Known from the first five
// bytes, so that an answer in another protocol (a TLS alert, an SSH banner) is said at once, not
// after the handshake time limit; empty lines before it are let through, as the parser does.
bool couldBeHttp(const std::string &received)
{
    constexpr std::string_view kStart = "HTTP/";
    const std::size_t start = received.find_first_not_of("\r\n");
    if (start == std::string::npos)
        return true;
    const std::string_view first = std::string_view(received).substr(
        start, std::min(kStart.size(), received.size() - start));
    return kStart.starts_with(first);
}

} // namespace

UpgradeResponse::UpgradeResponse()
    : m_parser(std::make_unique<protocol::HttpHeadParser>(protocol::HttpHeadParser::Kind::Response))
{}

UpgradeResponse::~UpgradeResponse() = default;

UpgradeResponse::Status UpgradeResponse::feed(QByteArrayView data, qsizetype &consumed)
{
    if (m_collectingBody && m_chunked) {
        consumed = data.size();
        return dechunk(data);
    }
    if (m_collectingBody) {
        consumed = data.size();
        const qsizetype room = kMaxBody - (m_bytes.size() - m_headSize);
        m_bytes += data.first(std::min(std::max<qsizetype>(room, 0), data.size()));
        const qsizetype body = m_bytes.size() - m_headSize;
        return (m_bodyExpected >= 0 && body >= m_bodyExpected) || body >= kMaxBody
                   ? Status::Complete
                   : Status::NeedMore;
    }
    std::size_t taken = 0;
    const auto status = m_parser->feed(byteSpan(data), taken);
    consumed = qsizetype(taken);
    if (status == protocol::HttpHeadParser::Status::NeedMore) {
        if (couldBeHttp(m_parser->rawBytes()))
            return Status::NeedMore;
        m_notHttp = true;
        m_bytes = QByteArray::fromStdString(m_parser->rawBytes());
        return Status::Malformed;
    }
    m_bytes = QByteArray::fromStdString(m_parser->rawBytes());
    m_headSize = m_bytes.size();
    return status == protocol::HttpHeadParser::Status::Failed ? Status::Malformed : Status::Head;
}

void UpgradeResponse::collectBody()
{
    m_collectingBody = true;
    const std::string *length = m_parser->head().find("Content-Length");
    m_bodyExpected = length ? QByteArray::fromStdString(*length).toLongLong() : -1;
    // RFC 9112 §7.1: a chunked body is kept as its data, without the chunk sizes.
    const std::string *encoding = m_parser->head().find("Transfer-Encoding");
    m_chunked
        = encoding && QByteArray::fromStdString(*encoding).trimmed().toLower().endsWith("chunked");
}

// RFC 9112 §7.1: chunk-size [extensions] CRLF, data CRLF, ..., 0 CRLF, trailers, CRLF. The data
// is kept (up to the cap); what is not chunked as it should be ends the body with what came.
UpgradeResponse::Status UpgradeResponse::dechunk(QByteArrayView data)
{
    m_chunkInput += data.toByteArray();
    for (;;) {
        if (m_chunkLeft > 0) {
            const qsizetype take = std::min<qsizetype>(m_chunkLeft, m_chunkInput.size());
            const qsizetype room = std::max<qsizetype>(0, kMaxBody - (m_bytes.size() - m_headSize));
            m_bytes += m_chunkInput.first(std::min(take, room));
            m_chunkInput.remove(0, take);
            m_chunkLeft -= take;
            if (m_bytes.size() - m_headSize >= kMaxBody)
                return Status::Complete;
            if (m_chunkLeft > 0)
                return Status::NeedMore;
            m_skipCrlf = true;
        }
        if (m_skipCrlf) {
            if (m_chunkInput.size() < 2)
                return Status::NeedMore;
            m_chunkInput.remove(0, 2);
            m_skipCrlf = false;
        }
        const qsizetype lineEnd = m_chunkInput.indexOf("\r\n");
        if (lineEnd < 0)
            return m_chunkInput.size() > 1024 ? Status::Complete : Status::NeedMore;
        bool ok = false;
        const qsizetype size
            = m_chunkInput.left(lineEnd).split(';').constFirst().trimmed().toLongLong(&ok, 16);
        m_chunkInput.remove(0, lineEnd + 2);
        if (!ok || size < 0 || size == 0)
            return Status::Complete; // the last chunk (trailers are not kept), or not chunked
        m_chunkLeft = size;
    }
}

const protocol::HttpHead &UpgradeResponse::head() const
{
    return m_parser->head();
}

QByteArray UpgradeResponse::bytes() const
{
    if (m_headSize == 0 && m_bytes.isEmpty())
        return QByteArray::fromStdString(m_parser->rawBytes());
    return m_bytes;
}

QString UpgradeResponse::error() const
{
    if (m_notHttp)
        return QStringLiteral("the answer is not HTTP: it starts with ")
               + QString::fromLatin1(m_bytes.left(8).toHex(' '));
    const std::string_view text = protocol::describe(m_parser->error());
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace framescope::session
