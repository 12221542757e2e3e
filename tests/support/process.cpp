#include "support/process.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ; // NOLINT

namespace mm::test {

namespace {

// argv and envp for posix_spawn, owning the strings their pointers point into.
class SpawnArguments {
public:
  SpawnArguments(const std::vector<std::string>& argv, const EnvChanges& env) : m_args(argv) {
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string kv(*e);
      const auto eq = kv.find('=');
      if (eq != std::string::npos) {
        merged[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    }
    for (const auto& [k, v] : env) {
      if (v) {
        merged[k] = *v;
      } else {
        merged.erase(k);
      }
    }
    for (const auto& [k, v] : merged) {
      m_env.push_back(k + "=" + v);
    }
    for (auto& s : m_env) {
      m_envp.push_back(s.data());
    }
    m_envp.push_back(nullptr);
    for (auto& a : m_args) {
      m_argp.push_back(a.data());
    }
    m_argp.push_back(nullptr);
  }
  SpawnArguments(const SpawnArguments&) = delete;
  SpawnArguments& operator=(const SpawnArguments&) = delete;

  const char* program() const { return m_argp.front(); }
  char* const* argv() const { return m_argp.data(); }
  char* const* envp() const { return m_envp.data(); }

private:
  std::vector<std::string> m_args;
  std::vector<std::string> m_env;
  std::vector<char*> m_argp;
  std::vector<char*> m_envp;
};

} // namespace

pid_t spawn_logged(const std::vector<std::string>& argv, const EnvChanges& env,
                   const std::filesystem::path& log, std::string* error) {
  const SpawnArguments spawn_args(argv, env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, spawn_args.program(), &actions, nullptr, spawn_args.argv(),
                              spawn_args.envp());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    if (error != nullptr) {
      *error = std::strerror(rc);
    }
    return -1;
  }
  return pid;
}

ProcessResult run_process(const std::vector<std::string>& argv, const EnvChanges& env) {
  ProcessResult result;
  const SpawnArguments spawn_args(argv, env);

  std::array<int, 2> out_pipe{};
  std::array<int, 2> err_pipe{};
  if (pipe(out_pipe.data()) != 0 || pipe(err_pipe.data()) != 0) {
    result.err = "pipe failed";
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, spawn_args.program(), &actions, nullptr, spawn_args.argv(),
                              spawn_args.envp());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = std::string("spawn failed: ") + std::strerror(rc);
    return result;
  }
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_fds = 2;
  std::array<char, 65536> buf{};
  while (open_fds > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      const ssize_t n = read(fds[i].fd, buf.data(), buf.size());
      if (n > 0) {
        sinks[i]->append(buf.data(), static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string require_service_env(const char* name) {
  const char* v = std::getenv(name); // NOLINT(concurrency-mt-unsafe)
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name
                  << " is not set: integration tests need the real local services; run "
                     "scripts/test.sh (or eval \"$(scripts/services.sh env)\" after "
                     "scripts/services.sh start)";
    return "http://127.0.0.1:1";
  }
  return v;
}

} // namespace mm::test
