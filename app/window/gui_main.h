#pragma once

namespace qkvapp {

// Opens the main window on the demo workspace and runs the event loop.
int runGui(int argc, char** argv);

}  // namespace qkvapp
