#pragma once
// Starting a child program the way our long-running children need it (the training's
// `mlflow run`, a team's DATASET_GENERATOR_COMMAND): in a process group of its own, so that
// kill(-pid, ...) reaches it and everything it starts; stdin from /dev/null; stdout and stderr
// into one log file, for the operator to read when it fails.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace mm::process {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it holds a '/'
  std::vector<std::string> env;   // the child's whole environment, "NAME=value" entries
  std::filesystem::path log_file; // created 0640 when missing
  bool append_to_log = false;     // else the log is truncated first
};

// The child's pid (its process group id too), or the error posix_spawnp returned (an errno
// value: ENOENT for a program that does not exist, ...).
struct Spawned {
  pid_t pid = 0;
  int error = 0;
};

Spawned spawn_in_own_group(const SpawnSpec& spec);

// This process's environment without the `withheld` names, then `extra` (which overrides a
// name already there).
std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra,
                                          const std::vector<std::string>& withheld = {});

} // namespace mm::process
