#pragma once
// A read-only memory map of a whole file. Models far larger than the page cache stay cheap to
// open: pages are read when touched, and release() hands them back once their tensor is copied,
// so opening never holds the file and the model's weights in memory at once.

#include <cstdint>
#include <string>

namespace qkv {

class MappedFile {
public:
    explicit MappedFile(const std::string& path);  // throws IoError naming the file
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const unsigned char* data() const { return m_data; }
    uint64_t size() const { return m_size; }
    const std::string& path() const { return m_path; }

    // The pages of [offset, offset + length) will not be read again: they leave the resident
    // set (they are the file's, so nothing is lost; a later read maps them back in).
    void release(uint64_t offset, uint64_t length) const;

private:
    std::string m_path;
    const unsigned char* m_data = nullptr;
    uint64_t m_size = 0;
};

}  // namespace qkv
