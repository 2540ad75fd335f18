#include "machine_load.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace trainbench {

std::string envOr(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return {};
}

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

namespace {

double ticksPerSecond() {
    return double(sysconf(_SC_CLK_TCK));
}

// CPU seconds the whole machine spent busy since boot (every state but idle and iowait).
double machineBusySeconds() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
}

// CPU seconds of one process (user + system), 0 when it is gone.
double processSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return 0;
    const size_t close = line.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::atof(field.c_str());
        if (i == 15) stime = std::atof(field.c_str());
    }
    return (utime + stime) / ticksPerSecond();
}

}  // namespace

OtherLoad::OtherLoad(pid_t child) : m_child(child) {
    reset();
}

void OtherLoad::reset() {
    m_t0 = Clock::now();
    m_busy0 = machineBusySeconds();
    m_own0 = ownSeconds();
}

double OtherLoad::share() const {
    const double wall = secondsSince(m_t0) * std::max(1u, std::thread::hardware_concurrency());
    if (wall <= 0) return 0;
    const double other = (machineBusySeconds() - m_busy0) - (ownSeconds() - m_own0);
    return std::clamp(other / wall, 0.0, 1.0);
}

double OtherLoad::ownSeconds() const {
    return processSeconds(getpid()) + (m_child > 0 ? processSeconds(m_child) : 0.0);
}

double waitForQuiet(double limit, pid_t child) {
    const auto t0 = Clock::now();
    while (secondsSince(t0) < limit) {
        OtherLoad load(child);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (load.share() < 0.10) break;
    }
    return secondsSince(t0);
}

}  // namespace trainbench
