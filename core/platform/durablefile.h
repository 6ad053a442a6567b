#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace framescope::platform {

// A file written by appending, whose data can be forced to stable storage: what a recording's
// journal and an atomic save need. Errors come back as text (empty: success). POSIX with
// fdatasync on Linux; elsewhere C stdio with a flush (durablefile_portable.cpp).
class DurableFile
{
public:
    DurableFile() = default;
    ~DurableFile();
    DurableFile(const DurableFile &) = delete;
    DurableFile &operator=(const DurableFile &) = delete;

    // Creates the file, or empties it.
    std::string open(const std::string &path);
    bool isOpen() const;
    // On an error, `written` says how much went in before it.
    std::string append(std::string_view data, std::size_t *written = nullptr);
    // What was appended, on the disk (not just in the system's cache).
    std::string sync();
    std::string close();

private:
    std::string m_path;
    // The open file: a descriptor (POSIX) or a FILE * (the portable build); -1 when none.
    std::intptr_t m_handle = -1;
};

// Renames `from` over `to` (replacing it in one step where the system can).
std::string replaceFile(const std::string &from, const std::string &to);

} // namespace framescope::platform
