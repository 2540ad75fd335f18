#pragma once
// The tensors of a model's files, memory-mapped and indexed by name: one safetensors file, the
// shards of a Hugging Face index, or the arrays of a llama2.c checkpoint. Nothing is copied
// until a loader converts a tensor into the model's own parameter.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/mapped_file.h"
#include "io/safetensors.h"

namespace qkv {

struct SourceTensor {
    std::string name;
    TensorDType dtype = TensorDType::F32;
    std::string dtypeText;  // "F32", "BF16", "I64", ...
    std::vector<int64_t> shape;
    const MappedFile* file = nullptr;
    uint64_t offset = 0;  // in the file
    uint64_t bytes = 0;
    const unsigned char* data() const { return file->data() + offset; }
    int64_t elements() const;
};

class WeightFiles {
public:
    // Maps `path` and indexes its tensors; IoError for a damaged header or a name that another
    // file already holds.
    void addSafetensors(const std::string& path);
    // Indexes a tensor of a file mapped by the caller (llama2.c's headerless arrays); the range
    // must lie inside the file.
    void addTensor(std::shared_ptr<MappedFile> file, SourceTensor tensor);

    const SourceTensor* find(const std::string& name) const;  // null when absent
    const std::map<std::string, SourceTensor>& tensors() const { return m_tensors; }
    // The metadata of the first safetensors file.
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    // The float dtype most of the bytes are stored in ("BF16" for a bf16 checkpoint).
    std::string storedDType() const;
    uint64_t totalBytes() const;

private:
    std::vector<std::shared_ptr<MappedFile>> m_files;
    std::map<std::string, SourceTensor> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

}  // namespace qkv
