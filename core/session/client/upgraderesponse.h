#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <memory>

namespace framescope::protocol {
class HttpHeadParser;
struct HttpHead;
} // namespace framescope::protocol

namespace framescope::session {

// The server's answer to the upgrade request, read as it arrives: the head (parsed in linear
// time, within the handshake limits), then, for an answer that is not the upgrade, its body up
// to a cap (a chunked one without its chunk sizes): an IIS error page says what went wrong.
class UpgradeResponse
{
public:
    static constexpr qsizetype kMaxBody = 64 * 1024;

    enum class Status {
        NeedMore,  // the head, or the body being collected, is not complete
        Head,      // the head is complete (what follows it is frames, or a body)
        Complete,  // the body being collected is complete (its length, or the cap)
        Malformed, // the head is not HTTP (said from its first bytes), or over the limits
    };

    UpgradeResponse();
    ~UpgradeResponse();
    UpgradeResponse(const UpgradeResponse &) = delete;
    UpgradeResponse &operator=(const UpgradeResponse &) = delete;

    // Feeds received bytes; `consumed` says how many of them it took (all while collecting).
    Status feed(QByteArrayView data, qsizetype &consumed);
    // From now on the bytes after the head are its body (Content-Length, else until the cap,
    // the end of the connection or a time limit).
    void collectBody();
    bool isCollectingBody() const { return m_collectingBody; }

    const protocol::HttpHead &head() const;
    // Why the head is Malformed.
    QString error() const;
    // The head as received, and the body so far; before the head is complete, what came of it.
    QByteArray bytes() const;

private:
    Status dechunk(QByteArrayView data);

    std::unique_ptr<protocol::HttpHeadParser> m_parser;
    QByteArray m_bytes;
    qsizetype m_headSize = 0;
    qsizetype m_bodyExpected = -1;
    bool m_collectingBody = false;
    bool m_notHttp = false; // the answer's first bytes are not "HTTP/"
    bool m_chunked = false;
    QByteArray m_chunkInput;   // chunked body bytes not yet taken apart
    qsizetype m_chunkLeft = 0; // data bytes of the current chunk still to come
    bool m_skipCrlf = false;   // the CRLF after a chunk's data
};

} // namespace framescope::session
