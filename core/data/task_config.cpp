#include "data/task_config.h"

namespace qkv {

namespace {
struct TaskInfo {
    TaskKind kind;
    const char* id;
};
const TaskInfo kTasks[] = {
    {TaskKind::Copy, "copy"},     {TaskKind::Reverse, "reverse"}, {TaskKind::Sort, "sort"},
    {TaskKind::Swap, "swap"},     {TaskKind::Sub, "sub"},         {TaskKind::Follow, "follow"},
    {TaskKind::Images, "fashion-mnist"}, {TaskKind::Text, "text"},
};
}  // namespace

std::string taskId(TaskKind k) {
    for (const auto& t : kTasks)
        if (t.kind == k) return t.id;
    return "copy";
}

std::optional<TaskKind> parseTask(const std::string& id) {
    for (const auto& t : kTasks)
        if (id == t.id) return t.kind;
    if (id == "images" || id == "mnist") return TaskKind::Images;
    return std::nullopt;
}

const std::vector<TaskKind>& syntheticTasks() {
    static const std::vector<TaskKind> all = {TaskKind::Copy, TaskKind::Reverse, TaskKind::Sort,
                                              TaskKind::Swap, TaskKind::Sub,     TaskKind::Follow};
    return all;
}

bool isSynthetic(TaskKind k) { return k != TaskKind::Images && k != TaskKind::Text; }

std::string defaultDataPath(TaskKind k) {
    if (k == TaskKind::Images) return "/usr/share/datasets/fashion-mnist";
    if (k == TaskKind::Text) return "/usr/share/games/fortunes";
    return {};
}

}  // namespace qkv
