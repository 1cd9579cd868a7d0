#pragma once

namespace wsload::controller {

// Parses the command line, installs the SIGINT/SIGTERM handlers and runs the chosen command.
// Returns the process exit code; never throws.
int cli_main(int argc, char** argv);

}  // namespace wsload::controller
