#include "upgraderesponse.h"

#include <protocol/httphead.h>
#include <session/engine/framecapture.h>

namespace framescope::session {

UpgradeResponse::UpgradeResponse()
    : m_parser(std::make_unique<protocol::HttpHeadParser>(protocol::HttpHeadParser::Kind::Response))
{}

UpgradeResponse::~UpgradeResponse() = default;

UpgradeResponse::Status UpgradeResponse::feed(QByteArrayView data, qsizetype &consumed)
{
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
    if (status == protocol::HttpHeadParser::Status::NeedMore)
        return Status::NeedMore;
    m_bytes = QByteArray::fromStdString(m_parser->rawBytes());
    m_headSize = m_bytes.size();
    return status == protocol::HttpHeadParser::Status::Failed ? Status::Malformed : Status::Head;
}

void UpgradeResponse::collectBody()
{
    m_collectingBody = true;
    const std::string *length = m_parser->head().find("Content-Length");
    m_bodyExpected = length ? QByteArray::fromStdString(*length).toLongLong() : -1;
}

const protocol::HttpHead &UpgradeResponse::head() const
{
    return m_parser->head();
}

QString UpgradeResponse::error() const
{
    const std::string_view text = protocol::describe(m_parser->error());
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace framescope::session
