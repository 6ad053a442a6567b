#include "durablefile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

// Standard C and C++ only: fflush hands the data to the system, which is as far as the standard
// goes (a Windows build would add _commit for the disk).
namespace framescope::platform {

namespace {

std::FILE *stream(std::intptr_t handle)
{
    return reinterpret_cast<std::FILE *>(handle);
}

std::string failure(const char *what, const std::string &path)
{
    return std::string(what) + ' ' + path + ": " + std::strerror(errno);
}

} // namespace

DurableFile::~DurableFile()
{
    if (m_handle != -1)
        std::fclose(stream(m_handle));
}

std::string DurableFile::open(const std::string &path)
{
    if (m_handle != -1)
        close();
    m_path = path;
    std::FILE *file = std::fopen(path.c_str(), "wb");
    m_handle = file ? reinterpret_cast<std::intptr_t>(file) : -1;
    return file ? std::string() : failure("cannot create", path);
}

bool DurableFile::isOpen() const
{
    return m_handle != -1;
}

std::string DurableFile::append(std::string_view data, std::size_t *written)
{
    const std::size_t done = std::fwrite(data.data(), 1, data.size(), stream(m_handle));
    if (written)
        *written = done;
    return done == data.size() ? std::string() : failure("cannot write", m_path);
}

std::string DurableFile::sync()
{
    return std::fflush(stream(m_handle)) == 0 ? std::string() : failure("cannot flush", m_path);
}

std::string DurableFile::close()
{
    if (m_handle == -1)
        return {};
    const int result = std::fclose(stream(m_handle));
    m_handle = -1;
    return result == 0 ? std::string() : failure("cannot close", m_path);
}

std::string replaceFile(const std::string &from, const std::string &to)
{
    std::error_code error;
    std::filesystem::rename(from, to, error);
    if (error)
        return "cannot rename " + from + " to " + to + ": " + error.message();
    return {};
}

} // namespace framescope::platform
