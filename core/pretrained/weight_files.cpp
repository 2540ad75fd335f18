#include "pretrained/weight_files.h"

#include "common/errors.h"

namespace qkv {

int64_t SourceTensor::elements() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

void WeightFiles::addSafetensors(const std::string& path) {
    auto file = std::make_shared<MappedFile>(path);
    const SafetensorsHeader header = parseSafetensorsHeader(file->data(), file->size(), path);
    if (m_files.empty()) m_metadata = header.metadata;
    for (const TensorEntry& e : header.tensors) {
        SourceTensor t;
        t.name = e.name;
        t.dtype = e.dtype;
        t.dtypeText = e.dtypeText;
        t.shape = e.shape;
        t.file = file.get();
        t.offset = header.dataOffset + e.begin;
        t.bytes = e.end - e.begin;
        if (!m_tensors.emplace(t.name, t).second)
            throw IoError(path + ": tensor '" + t.name + "' is also in another file of the model");
    }
    m_files.push_back(std::move(file));
}

void WeightFiles::addTensor(std::shared_ptr<MappedFile> file, SourceTensor tensor) {
    if (tensor.offset > file->size() || tensor.bytes > file->size() - tensor.offset)
        throw IoError(file->path() + ": tensor '" + tensor.name +
                      "' runs past the end of the file");
    tensor.file = file.get();
    if (m_files.empty() || m_files.back() != file) m_files.push_back(file);
    m_tensors[tensor.name] = std::move(tensor);
}

const SourceTensor* WeightFiles::find(const std::string& name) const {
    auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second;
}

std::string WeightFiles::storedDType() const {
    std::map<std::string, uint64_t> bytes;
    for (const auto& [name, t] : m_tensors)
        if (t.dtype != TensorDType::Other) bytes[t.dtypeText] += t.bytes;
    std::string best = "F32";
    uint64_t most = 0;
    for (const auto& [type, n] : bytes)
        if (n > most) most = n, best = type;
    return best;
}

uint64_t WeightFiles::totalBytes() const {
    uint64_t n = 0;
    for (const auto& [name, t] : m_tensors) n += t.bytes;
    return n;
}

}  // namespace qkv
