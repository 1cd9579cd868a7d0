// wsload: the controller CLI. main() only wires the command line to the commands.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return wsload::controller::cli_main(argc, argv); }
