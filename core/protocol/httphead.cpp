#include "httphead.h"

#include "extensionheader.h"

#include <charconv>

namespace framescope::protocol {

namespace {

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool isHttpVersion(std::string_view text)
{
    return text.size() == 8 && text.substr(0, 5) == "HTTP/" && text[5] >= '0' && text[5] <= '9'
           && text[6] == '.' && text[7] >= '0' && text[7] <= '9';
}

} // namespace

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

std::vector<std::string_view> splitCommaList(std::string_view value)
{
    std::vector<std::string_view> items;
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        const std::string_view item = trim(value.substr(0, comma));
        if (!item.empty())
            items.push_back(item);
        if (comma == std::string_view::npos)
            break;
        value.remove_prefix(comma + 1);
    }
    return items;
}

bool listContainsToken(std::string_view value, std::string_view token)
{
    for (std::string_view item : splitCommaList(value)) {
        if (equalsIgnoringCase(item, token))
            return true;
    }
    return false;
}

const std::string *HttpHead::find(std::string_view name) const
{
    for (const HttpHeader &header : headers) {
        if (equalsIgnoringCase(header.name, name))
            return &header.value;
    }
    return nullptr;
}

std::optional<std::string> HttpHead::joined(std::string_view name) const
{
    std::optional<std::string> result;
    for (const HttpHeader &header : headers) {
        if (!equalsIgnoringCase(header.name, name))
            continue;
        if (result)
            *result += ", ";
        else
            result.emplace();
        *result += header.value;
    }
    return result;
}

std::size_t HttpHead::count(std::string_view name) const
{
    std::size_t n = 0;
    for (const HttpHeader &header : headers)
        n += equalsIgnoringCase(header.name, name) ? 1 : 0;
    return n;
}

std::string_view describe(HttpHeadError error)
{
    switch (error) {
    case HttpHeadError::None:
        return "no error";
    case HttpHeadError::TooLarge:
        return "HTTP head larger than the limit";
    case HttpHeadError::TooManyHeaders:
        return "more header lines than the limit";
    case HttpHeadError::BadStartLine:
        return "malformed HTTP start line";
    case HttpHeadError::BadHeaderLine:
        return "malformed HTTP header line";
    }
    return "unknown error";
}

HttpHeadParser::HttpHeadParser(Kind kind, const HttpHeadLimits &limits)
    : m_kind(kind)
    , m_limits(limits)
{}

HttpHeadParser::Status HttpHeadParser::fail(HttpHeadError error)
{
    m_error = error;
    m_status = Status::Failed;
    return m_status;
}

HttpHeadParser::Status HttpHeadParser::feed(std::span<const std::uint8_t> data,
                                            std::size_t &consumed)
{
    consumed = 0;
    if (m_status != Status::NeedMore)
        return m_status;
    // Scan each byte once: the head ends at the first empty line (CRLF CRLF, or bare LF LF).
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (m_raw.size() >= m_limits.maxBytes) {
            consumed = i;
            return fail(HttpHeadError::TooLarge);
        }
        const char c = static_cast<char>(data[i]);
        m_raw.push_back(c);
        if (c != '\n')
            continue;
        std::size_t lineEnd = m_raw.size() - 1;
        if (lineEnd > m_lineStart && m_raw[lineEnd - 1] == '\r')
            --lineEnd;
        const bool emptyLine = lineEnd == m_lineStart;
        m_lineStart = m_raw.size();
        if (!emptyLine) {
            // The start line plus at most maxHeaderLines header lines.
            if (++m_lines > m_limits.maxHeaderLines + 1) {
                consumed = i + 1;
                return fail(HttpHeadError::TooManyHeaders);
            }
            continue;
        }
        consumed = i + 1;
        if (m_lines == 0) // RFC 7230 §3.5: empty lines before the start line are ignored
            continue;
        const HttpHeadError error = parse();
        if (error != HttpHeadError::None)
            return fail(error);
        m_status = Status::Complete;
        return m_status;
    }
    consumed = data.size();
    return m_status;
}

HttpHeadError HttpHeadParser::parse()
{
    std::string_view rest(m_raw);
    std::vector<std::string_view> lines;
    while (!rest.empty()) {
        const std::size_t newline = rest.find('\n');
        std::string_view line = rest.substr(0, newline);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (!line.empty())
            lines.push_back(line);
        if (newline == std::string_view::npos)
            break;
        rest.remove_prefix(newline + 1);
    }
    if (lines.empty())
        return HttpHeadError::BadStartLine;

    const std::string_view start = lines.front();
    const std::size_t space1 = start.find(' ');
    if (space1 == std::string_view::npos)
        return HttpHeadError::BadStartLine;
    const std::size_t space2 = start.find(' ', space1 + 1);
    if (m_kind == Kind::Response) {
        // status-line = HTTP-version SP status-code SP reason-phrase
        const std::string_view version = start.substr(0, space1);
        const std::string_view code
            = start.substr(space1 + 1, space2 == std::string_view::npos ? std::string_view::npos
                                                                        : space2 - space1 - 1);
        if (!isHttpVersion(version) || code.size() != 3)
            return HttpHeadError::BadStartLine;
        int status = 0;
        const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
        if (ec != std::errc{} || end != code.data() + code.size() || status < 100)
            return HttpHeadError::BadStartLine;
        m_head.version = version;
        m_head.status = status;
        if (space2 != std::string_view::npos)
            m_head.reason = start.substr(space2 + 1);
    } else {
        // request-line = method SP request-target SP HTTP-version
        if (space2 == std::string_view::npos)
            return HttpHeadError::BadStartLine;
        const std::string_view method = start.substr(0, space1);
        const std::string_view target = start.substr(space1 + 1, space2 - space1 - 1);
        const std::string_view version = start.substr(space2 + 1);
        if (!isToken(method) || target.empty() || target.find(' ') != std::string_view::npos
            || !isHttpVersion(version)) {
            return HttpHeadError::BadStartLine;
        }
        m_head.method = method;
        m_head.target = target;
        m_head.version = version;
    }

    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        // RFC 7230 §3.2.4: obsolete line folding is rejected; no whitespace before the colon.
        if (line.front() == ' ' || line.front() == '\t')
            return HttpHeadError::BadHeaderLine;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !isToken(line.substr(0, colon)))
            return HttpHeadError::BadHeaderLine;
        m_head.headers.push_back(
            {std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
    }
    return HttpHeadError::None;
}

} // namespace framescope::protocol
