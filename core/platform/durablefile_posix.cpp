#include "durablefile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace framescope::platform {

namespace {

std::string failure(const char *what, const std::string &path)
{
    return std::string(what) + ' ' + path + ": " + std::strerror(errno);
}

} // namespace

DurableFile::~DurableFile()
{
    if (m_handle >= 0)
        ::close(int(m_handle));
}

std::string DurableFile::open(const std::string &path)
{
    if (m_handle >= 0)
        close();
    m_path = path;
    m_handle = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return m_handle < 0 ? failure("cannot create", path) : std::string();
}

bool DurableFile::isOpen() const
{
    return m_handle >= 0;
}

std::string DurableFile::append(std::string_view data, std::size_t *written)
{
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(int(m_handle), data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (written)
                *written = done;
            return failure("cannot write", m_path);
        }
        done += std::size_t(n);
    }
    if (written)
        *written = done;
    return {};
}

std::string DurableFile::sync()
{
    return ::fdatasync(int(m_handle)) == 0 ? std::string() : failure("cannot flush", m_path);
}

std::string DurableFile::close()
{
    if (m_handle < 0)
        return {};
    const int result = ::close(int(m_handle));
    m_handle = -1;
    return result == 0 ? std::string() : failure("cannot close", m_path);
}

std::string replaceFile(const std::string &from, const std::string &to)
{
    if (::rename(from.c_str(), to.c_str()) != 0)
        return "cannot rename " + from + " to " + to + ": " + std::strerror(errno);
    return {};
}

} // namespace framescope::platform
