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
        {"analyze", analyzeCommand}, {"generate", generateCommand}, {"figures", figuresCommand},
        {"convert", convertCommand}, {"reproduce", reproduceCommand},
        {"export-torch", exportTorchCommand}};
    return all;
}

const char* const kUsage =
    "usage: qkvlab [COMMAND] [OPTIONS]\n"
    "\n"
    "With no command, opens the window; with models (qkvlab MODEL...), opens them in it.\n"
    "A MODEL is a QKV Lab run folder, a Hugging Face folder (GPT-2, Llama) or a llama2.c .bin.\n"
    "\n"
    "commands:\n"
    "  train    train attention variants side by side, one run folder each\n"
    "  info     format, parameters, KV-cache size and FLOPs of any configuration or model\n"
    "  eval     validation metrics of runs, or a language model's perplexity on a text\n"
    "  analyze  symmetry, subspace overlap and spectra of models, as JSON and CSV\n"
    "  generate text from a language model, with the KV cache's bytes per token\n"
    "  figures  the window's figures (PNG, PDF, SVG + CSV/JSON), headless\n"
    "  convert  a Hugging Face or llama2.c model as a QKV Lab run folder\n"
    "  reproduce a published table: the runs it needs, measured over seeds, with verdicts\n"
    "  export-torch  an experiment for PyTorch distributed (torchrun), to watch live here\n"
    "\n"
    "'qkvlab COMMAND --help' describes a command; 'qkvlab --version' prints the version.\n";

std::string commandList() {
    std::string list;
    for (const auto& [name, command] : commands()) list += (list.empty() ? "" : ", ") + name;
    return list;
}

// LibTorch errors carry a multi-line trace; the CLI promises one line.
std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }
}  // namespace

bool isCliInvocation(const std::vector<std::string>& args) {
    if (args.empty()) return false;
    const std::string& first = args[0];
    // A known command always wins, even over a folder of the same name.
    if (commands().count(first) || first == "help") return true;
    // --options and -h/-v are the CLI's; other single-dash words are Qt's (-platform, -style).
    if (first.rfind("--", 0) == 0 || first == "-h" || first == "-v" || first == "-V") return true;
    if (first.rfind("-", 0) == 0) return false;
    // `qkvlab MODEL...` opens the window on models that exist; anything else is a mistyped command.
    return !QFileInfo::exists(QString::fromStdString(first));
}

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        out << kUsage;
        return 0;
    }
    if (args[0] == "--version" || args[0] == "-v" || args[0] == "-V") {
        out << "qkvlab " << QKVLAB_VERSION << '\n';
        return 0;
    }
    auto it = commands().find(args[0]);
    if (it == commands().end()) {
        if (args[0].rfind("-", 0) == 0)
            err << "qkvlab: unknown option '" << args[0] << "' (try --help or --version)\n";
        else
            err << "qkvlab: unknown command '" << args[0] << "' (commands: " << commandList()
                << "; or a model folder or file that exists)\n";
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
