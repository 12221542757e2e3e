#pragma once
// Runs a program (the real model-monitor binary, promtool) and captures what it printed.

#include <sys/types.h>

#include <filesystem>
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

// Variables to set on top of the current environment; a nullopt value unsets one.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

ProcessResult run_process(const std::vector<std::string>& argv, const EnvChanges& env = {});

// Starts argv[0] (looked up in PATH) in the background with the current environment changed by
// `env`: stdin from /dev/null, stdout and stderr into `log` (created or truncated). Returns the
// pid, or -1 with posix_spawn's reason in *error. The caller waits for (or kills) the child.
pid_t spawn_logged(const std::vector<std::string>& argv, const EnvChanges& env,
                   const std::filesystem::path& log, std::string* error = nullptr);

// Environment variable that an integration test needs; FAILS the test (never skips) with a clear
// message when unset, as the services must be started by scripts/test.sh.
std::string require_service_env(const char* name);

} // namespace mm::test
