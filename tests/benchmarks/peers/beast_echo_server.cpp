// Reference peer for bench_server: a Boost.Beast WebSocket echo on one thread (Debian's
// libboost-dev, header-only). Echoes every message as it came (text stays text). Prints
// "listening PORT" once ready.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <memory>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session>
{
public:
    explicit Session(tcp::socket socket)
        : m_ws(std::move(socket))
    {}

    void start()
    {
        beast::get_lowest_layer(m_ws).socket().set_option(tcp::no_delay(true));
        m_ws.read_message_max(64u << 20);
        m_ws.auto_fragment(false);
        m_ws.async_accept([self = shared_from_this()](beast::error_code error) {
            if (!error)
                self->read();
        });
    }

private:
    void read()
    {
        m_ws.async_read(
            m_buffer, [self = shared_from_this()](beast::error_code error, std::size_t) {
                if (error)
                    return;
                self->m_ws.text(self->m_ws.got_text());
                self->m_ws.async_write(self->m_buffer.data(),
                                       [self](beast::error_code writeError, std::size_t) {
                                           if (writeError)
                                               return;
                                           self->m_buffer.consume(self->m_buffer.size());
                                           self->read();
                                       });
            });
    }

    websocket::stream<beast::tcp_stream> m_ws;
    beast::flat_buffer m_buffer;
};

class Listener
{
public:
    explicit Listener(asio::io_context &context)
        : m_acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
    {
        m_acceptor.listen(4096);
    }
    unsigned short port() const { return m_acceptor.local_endpoint().port(); }
    void accept()
    {
        m_acceptor.async_accept([this](beast::error_code error, tcp::socket socket) {
            if (!error)
                std::make_shared<Session>(std::move(socket))->start();
            accept();
        });
    }

private:
    tcp::acceptor m_acceptor;
};

int main()
{
    asio::io_context context(1);
    Listener listener(context);
    listener.accept();
    std::printf("listening %u\n", unsigned(listener.port()));
    std::fflush(stdout);
    context.run();
    return 0;
}
