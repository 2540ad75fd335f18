#include "cli.h"

#include <QFileInfo>

#include <exception>
#include <map>

#include "cli_commands.h"
#include "common/errors.h"

namespace qkvapp {

namespace {
using Command = int (*)(const std::vector<std::string>&, std::ostream&, std::ostream&);

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> all = {
        {"train", trainCommand},     {"info", infoCommand},         {"eval", evalCommand},
        {"analyze", analyzeCommand}, {"generate", generateCommand}, {"figures", figuresCommand}};
    return all;
}

const char* const kUsage =
    "usage: qkvlab [COMMAND] [OPTIONS]\n"
    "\n"
    "With no command, opens the window; with run folders (qkvlab FOLDER...), opens them in it.\n"
    "\n"
    "commands:\n"
    "  train   train attention variants side by side, one run folder each\n"
    "  info    parameters, KV-cache size and FLOPs of any configuration or run\n"
    "  eval    validation metrics of run folders\n"
    "  analyze symmetry, subspace overlap and spectra of runs, as JSON and CSV\n"
    "  generate text from a decoder run, with the KV cache's bytes per token\n"
    "  figures the window's figures (PNG, PDF, SVG + CSV/JSON), headless\n"
    "\n"
    "'qkvlab COMMAND --help' describes a command.\n";

// LibTorch errors carry a multi-line trace; the CLI promises one line.
std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }
}  // namespace

bool isCliInvocation(const std::vector<std::string>& args) {
    // `qkvlab FOLDER...` opens the window on those run folders.
    if (!args.empty() && QFileInfo(QString::fromStdString(args[0])).isDir()) return false;
    return !args.empty() && (commands().count(args[0]) || args[0] == "--help" ||
                             args[0] == "-h" || args[0] == "help" || args[0] == "--version" ||
                             args[0].rfind("-", 0) != 0);
}

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        out << kUsage;
        return 0;
    }
    if (args[0] == "--version") {
        out << "qkvlab " << QKVLAB_VERSION << '\n';
        return 0;
    }
    auto it = commands().find(args[0]);
    if (it == commands().end()) {
        err << "qkvlab: unknown command '" << args[0]
            << "' (commands: train, info, eval, analyze, generate, figures)\n";
        return 2;
    }
    try {
        return it->second(std::vector<std::string>(args.begin() + 1, args.end()), out, err);
    } catch (const UsageError& e) {
        err << "qkvlab " << args[0] << ": " << e.what() << '\n';
    } catch (const qkv::Error& e) {
        err << "qkvlab " << args[0] << ": " << firstLine(e.what()) << '\n';
    } catch (const std::exception& e) {
        err << "qkvlab " << args[0] << ": internal error: " << firstLine(e.what()) << '\n';
        return 1;
    }
    return 2;
}

}  // namespace qkvapp
