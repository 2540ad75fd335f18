#pragma once
// The qkvlab command line: train, info, eval (and more in later commands). The window and the
// CLI drive the same core calls.

#include <ostream>
#include <string>
#include <vector>

namespace qkvapp {

// True when the arguments ask for a command rather than the window.
bool isCliInvocation(const std::vector<std::string>& args);

// Runs one command; returns the process exit code: 0 success, 1 a run failed (e.g. diverged),
// 2 bad input (one line on `err`, never a trace).
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace qkvapp
