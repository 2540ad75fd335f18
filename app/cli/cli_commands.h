#pragma once
// Internal to the CLI: the commands and the flags they share.

#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

class QApplication;

#include "cli_options.h"
#include "train/experiment.h"

namespace qkvapp {

// Flags that describe an experiment (shared by train and info).
const std::set<std::string>& experimentOptions();
// A preset (by file or by name: demo, char-lm, fashion-vit), the paper's setting (--paper) or
// the defaults, then the flags.
qkv::Experiment experimentFromOptions(const CliOptions& o);
// "--pos-bias" takes an optional mode: a bare one means "--pos-bias=absolute".
std::vector<std::string> withPosBiasMode(std::vector<std::string> args);
// Figures need a QApplication (QCustomPlot paints through QPixmap); the CLI makes one, offscreen,
// when there is none. Null when one exists.
std::unique_ptr<QApplication> ensureGuiApplication();
// The architecture a task implies (text: decoder, images: ViT, synthetic: encoder).
qkv::Architecture architectureForTask(qkv::TaskKind kind);

int trainCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int infoCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int figuresCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int evalCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int analyzeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int generateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int reproduceCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int convertCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int exportTorchCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace qkvapp
