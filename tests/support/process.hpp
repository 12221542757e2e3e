#pragma once
// Runs a program (the real model-monitor binary, promtool) and captures what it printed.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm::test {

struct ProcessResult {
  int exit_code = -1; // -1: killed by a signal or could not start
  std::string out;
  std::string err;
};

// env: variables to set (on top of the current environment); a nullopt value unsets it.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::optional<std::string>>& env = {});

// Environment variable that an integration test needs; FAILS the test (never skips) with a clear
// message when unset, as the services must be started by scripts/test.sh.
std::string require_service_env(const char* name);

} // namespace mm::test
