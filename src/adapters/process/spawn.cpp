#include "adapters/process/spawn.hpp"

#include <fcntl.h>
#include <spawn.h>

#include <algorithm>

extern char** environ; // NOLINT(readability-redundant-declaration): POSIX

namespace mm::process {
namespace {

// The two attribute objects posix_spawn takes, initialised and destroyed together.
struct SpawnResources {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  SpawnResources() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnResources() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnResources(const SpawnResources&) = delete;
  SpawnResources& operator=(const SpawnResources&) = delete;
};

// posix_spawn wants mutable char* arrays ending in null; the strings stay owned by `strings`.
std::vector<char*> c_array(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

} // namespace

Spawned spawn_in_own_group(const SpawnSpec& spec) {
  if (spec.argv.empty()) {
    return {0, EINVAL};
  }
  std::vector<std::string> args = spec.argv;
  std::vector<std::string> env = spec.env;
  std::vector<char*> argv = c_array(args);
  std::vector<char*> envp = c_array(env);

  SpawnResources res;
  posix_spawn_file_actions_addopen(&res.actions, 0, "/dev/null", O_RDONLY, 0);
  const std::string log_path = spec.log_file.string();
  const int mode = spec.append_to_log ? O_APPEND : O_TRUNC;
  posix_spawn_file_actions_addopen(&res.actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | mode,
                                   0640);
  posix_spawn_file_actions_adddup2(&res.actions, 1, 2);
  // Process group 0: a new group whose id is the child's pid.
  posix_spawnattr_setflags(&res.attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&res.attr, 0);

  Spawned out;
  out.error = posix_spawnp(&out.pid, argv[0], &res.actions, &res.attr, argv.data(), envp.data());
  return out;
}

std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra,
                                          const std::vector<std::string>& withheld) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string name(entry.substr(0, entry.find('=')));
    if (extra.count(name) > 0 ||
        std::find(withheld.begin(), withheld.end(), name) != withheld.end()) {
      continue;
    }
    out.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) {
    out.push_back(name + "=" + value);
  }
  return out;
}

} // namespace mm::process
