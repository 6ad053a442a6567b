#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace framescope::protocol {

struct HttpHeader
{
    std::string name;
    std::string value;
    friend bool operator==(const HttpHeader &, const HttpHeader &) = default;
};

// A parsed request or response head (start line and header fields), in wire order.
struct HttpHead
{
    // Request: method, target, version. Response: version, status, reason.
    std::string method;
    std::string target;
    std::string version;
    int status = 0;
    std::string reason;
    std::vector<HttpHeader> headers;

    // The first field with this name (case-insensitive), or nullptr.
    const std::string *find(std::string_view name) const;
    // All values of a field joined with ", " (RFC 7230 §3.2.2), or nothing when absent.
    std::optional<std::string> joined(std::string_view name) const;
    std::size_t count(std::string_view name) const;
};

struct HttpHeadLimits
{
    std::size_t maxBytes = 16 * 1024; // the whole head, terminator included
    std::size_t maxHeaderLines = 100;
};

enum class HttpHeadError : std::uint8_t {
    None,
    TooLarge,       // no end of head within maxBytes
    TooManyHeaders, // more than maxHeaderLines header lines
    BadStartLine,
    BadHeaderLine, // no colon, whitespace before the colon, bad name, obsolete folding
};

std::string_view describe(HttpHeadError error);

// Incremental HTTP/1.1 head parser for the opening handshake, linear in the bytes fed. It keeps
// at most maxBytes, and reports how many bytes of each feed belonged to the head, so frames that
// arrive in the same segment as the head are not lost.
class HttpHeadParser
{
public:
    enum class Kind : std::uint8_t { Request, Response };
    enum class Status : std::uint8_t { NeedMore, Complete, Failed };

    explicit HttpHeadParser(Kind kind, const HttpHeadLimits &limits = {});

    // `consumed` is set to the bytes of `data` that belong to the head.
    Status feed(std::span<const std::uint8_t> data, std::size_t &consumed);

    Status status() const { return m_status; }
    HttpHeadError error() const { return m_error; }
    const HttpHead &head() const { return m_head; }
    // The head exactly as received (up to the limit), for the Handshake Doctor.
    const std::string &rawBytes() const { return m_raw; }

private:
    Status fail(HttpHeadError error);
    HttpHeadError parse();

    Kind m_kind;
    HttpHeadLimits m_limits;
    Status m_status = Status::NeedMore;
    HttpHeadError m_error = HttpHeadError::None;
    std::string m_raw;
    std::size_t m_lineStart = 0;
    std::size_t m_lines = 0;
    HttpHead m_head;
};

bool equalsIgnoringCase(std::string_view a, std::string_view b);

// Splits a comma-separated field value into trimmed, non-empty elements (RFC 7230 §7).
std::vector<std::string_view> splitCommaList(std::string_view value);

// True if the comma-separated list holds this token (case-insensitive).
bool listContainsToken(std::string_view value, std::string_view token);

} // namespace framescope::protocol
