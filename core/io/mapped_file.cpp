#include "io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/errors.h"

namespace qkv {

MappedFile::MappedFile(const std::string& path) : m_path(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError("cannot open '" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw IoError("'" + path + "' is not a regular file");
    }
    m_size = uint64_t(st.st_size);
    if (m_size > 0) {
        void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw IoError("cannot map '" + path + "' into memory: " + std::strerror(err));
        }
        m_data = static_cast<const unsigned char*>(p);
    }
    ::close(fd);  // the mapping keeps the file open
}

MappedFile::~MappedFile() {
    if (m_data) ::munmap(const_cast<unsigned char*>(m_data), m_size);
}

void MappedFile::release(uint64_t offset, uint64_t length) const {
    if (!m_data || offset >= m_size) return;
    const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
    // Only whole pages inside the range: a page shared with the next tensor stays mapped.
    const uint64_t begin = (offset + page - 1) / page * page;
    const uint64_t end = std::min(offset + length, m_size) / page * page;
    if (end > begin)
        ::madvise(const_cast<unsigned char*>(m_data) + begin, end - begin, MADV_DONTNEED);
}

}  // namespace qkv
