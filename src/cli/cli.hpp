#pragma once
// The command line: parses, loads the configuration, calls a command, renders, maps errors to
// exit codes (DESIGN §1). Output streams are parameters so tests can drive it in-process.

#include <cstdio>
#include <string>
#include <vector>

namespace mm {

int run_cli(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);

} // namespace mm
