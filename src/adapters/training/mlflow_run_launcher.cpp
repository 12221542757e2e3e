#include "adapters/training/mlflow_run_launcher.hpp"

#include "adapters/process/spawn.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mm {

std::vector<std::string> mlflow_run_command(const std::string& mlflow_cli,
                                            const TrainingLaunch& launch) {
  // `mlflow run --run-id` resumes the run we created (with its tags) instead of a new one; with
  // --env-manager local the project runs in this environment (no conda/virtualenv download).
  std::vector<std::string> cmd = {mlflow_cli,           "run",      launch.project_uri,
                                  "--env-manager",      "local",    "--experiment-id",
                                  launch.experiment_id, "--run-id", launch.run_id};
  for (const auto& [name, value] : launch.parameters) {
    cmd.emplace_back("-P");
    cmd.push_back(name + "=" + value);
  }
  return cmd;
}

namespace {

class ChildProcess : public TrainingProcess {
public:
  ChildProcess(pid_t pid, std::chrono::milliseconds grace) : m_pid(pid), m_grace(grace) {}
  ~ChildProcess() override {
    // Reap if it already ended, so no zombie is left; a running child is the caller's to stop.
    (void)poll();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  std::optional<int> poll() override {
    if (m_exit) {
      return m_exit;
    }
    int status = 0;
    const pid_t r = waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid) {
      m_exit = decode(status);
    } else if (r < 0 && errno == ECHILD) {
      m_exit = 128; // already reaped elsewhere: unknown outcome, treat as failure
    }
    return m_exit;
  }

  void kill_tree() override {
    if (poll()) {
      // The leader ended, but a grandchild may still hold the group: signal it anyway.
      ::kill(-m_pid, SIGKILL);
      return;
    }
    ::kill(-m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + m_grace;
    while (std::chrono::steady_clock::now() < deadline) {
      if (poll()) {
        ::kill(-m_pid, SIGKILL); // stragglers of the group
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-m_pid, SIGKILL);
    int status = 0;
    if (waitpid(m_pid, &status, 0) == m_pid) {
      m_exit = decode(status);
    }
  }

  int pid() const noexcept override { return m_pid; }

private:
  static int decode(int status) {
    if (WIFEXITED(status)) {
      return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
      return 128 + WTERMSIG(status);
    }
    return 128;
  }

  pid_t m_pid;
  std::chrono::milliseconds m_grace;
  std::optional<int> m_exit;
};

// Whether a process of group `pgid` still runs. Zombies do not count: the group's processes
// are no longer our children, so whether they get reaped (and kill(-pgid, 0) fails) depends on
// the init of the machine or container; /proc tells "ended" either way.
bool group_has_live_member(pid_t pgid) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
      continue;
    }
    std::istringstream fields(stat.substr(close + 1));
    char state = '?';
    long ppid = 0;
    long pgrp = 0;
    if (fields >> state >> ppid >> pgrp && pgrp == pgid && state != 'Z' && state != 'X') {
      return true;
    }
  }
  return false;
}

// A training process group left by a model-monitor that died (see TrainingLauncher::attach).
// Not our child: it is watched through its process group (pgid = the `mlflow run` pid, as
// launched with POSIX_SPAWN_SETPGROUP), which lives as long as any of its processes does.
class AdoptedProcessGroup : public TrainingProcess {
public:
  AdoptedProcessGroup(pid_t pgid, std::chrono::milliseconds grace) : m_pgid(pgid), m_grace(grace) {}

  std::optional<int> poll() override {
    if (!group_has_live_member(m_pgid)) {
      return 0;
    }
    return std::nullopt;
  }

  void kill_tree() override {
    ::kill(-m_pgid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + m_grace;
    while (std::chrono::steady_clock::now() < deadline) {
      if (poll()) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-m_pgid, SIGKILL);
  }

  int pid() const noexcept override { return m_pgid; }

private:
  pid_t m_pgid;
  std::chrono::milliseconds m_grace;
};

// Whether process group `pgid` still exists and, when its leader is alive, the leader is an
// `mlflow` command (a recycled pid belongs to some other program).
bool is_training_group(pid_t pgid) {
  if (pgid <= 1 || !group_has_live_member(pgid)) {
    return false;
  }
  const int fd = ::open(fmt::format("/proc/{}/cmdline", pgid).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return true; // the leader is gone, the rest of its group still runs
  }
  std::string cmdline(4096, '\0');
  const ssize_t n = ::read(fd, cmdline.data(), cmdline.size());
  ::close(fd);
  cmdline.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  if (cmdline.empty()) {
    return true; // a zombie leader: the live members found above are the training
  }
  return cmdline.find("mlflow") != std::string::npos && ::getpgid(pgid) == pgid;
}

} // namespace

MlflowRunLauncher::MlflowRunLauncher(std::string mlflow_cli, std::chrono::milliseconds kill_grace)
    : m_mlflow_cli(std::move(mlflow_cli)), m_kill_grace(kill_grace) {}

Result<std::unique_ptr<TrainingProcess>> MlflowRunLauncher::launch(const TrainingLaunch& launch) {
  // Environment: ours without the withheld variables, with the launch's additions overriding.
  const process::Spawned child = process::spawn_in_own_group(
      {mlflow_run_command(m_mlflow_cli, launch),
       process::environment_with(launch.extra_env, launch.withheld_env), launch.log_file,
       /*append_to_log=*/true});
  if (child.error != 0) {
    return Error::config(fmt::format("cannot start '{}': {}; install MLflow (scripts/setup.sh) or "
                                     "set MLFLOW_CLI to the mlflow executable",
                                     m_mlflow_cli, std::strerror(child.error)));
  }
  return std::unique_ptr<TrainingProcess>(std::make_unique<ChildProcess>(child.pid, m_kill_grace));
}

std::unique_ptr<TrainingProcess> MlflowRunLauncher::attach(std::int64_t pid) {
  const auto pgid = static_cast<pid_t>(pid);
  if (static_cast<std::int64_t>(pgid) != pid || !is_training_group(pgid)) {
    return nullptr;
  }
  return std::make_unique<AdoptedProcessGroup>(pgid, m_kill_grace);
}

} // namespace mm
