#include <map>
#include <string>

#include "fuzz_registry.h"
#include "fuzz_target.h"

namespace qkv::fuzz {

std::map<std::string, TargetFunction>& targets() {
    static std::map<std::string, TargetFunction> all;
    return all;
}

int registerTarget(const char* name, TargetFunction run) {
    targets()[name] = run;
    return 0;
}

}  // namespace qkv::fuzz
