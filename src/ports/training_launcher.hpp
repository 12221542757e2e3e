#pragma once
// Port: starts a training run of an MLflow Project and lets the pipeline stop it.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mm {

struct TrainingLaunch {
  std::string project_uri;   // RETRAINING_MLFLOW_PROJECT_URI
  std::string experiment_id; // the specialist's experiment
  std::string run_id;        // created beforehand via REST, so tags are set before training
  std::map<std::string, std::string> parameters; // -P name=value
  std::filesystem::path log_file;                // the process's stdout+stderr
  std::map<std::string, std::string> extra_env;  // e.g. MLFLOW_TRACKING_URI
  // Variables of ours the training must not see (model-monitor's own secrets: a team's
  // project has no business with the LLM keys, the webhook or the SMTP password).
  std::vector<std::string> withheld_env;
};

// A launched training process. Destroying it does not stop the process: call kill_tree().
class TrainingProcess {
public:
  virtual ~TrainingProcess() = default;
  // The exit code once it has ended (a signal death is 128 + signal), else nullopt. Never blocks.
  virtual std::optional<int> poll() = 0;
  // SIGTERM to the whole process group, SIGKILL after the grace period; waits for it.
  virtual void kill_tree() = 0;
  virtual int pid() const noexcept = 0;
};

class TrainingLauncher {
public:
  virtual ~TrainingLauncher() = default;
  virtual Result<std::unique_ptr<TrainingProcess>> launch(const TrainingLaunch& launch) = 0;

  // A training process launched earlier by another model-monitor process of this host that has
  // died since (kill -9): the handle watches and stops it, its poll() returning 0 once it is
  // gone (its exit code is its dead parent's to collect; the MLflow run status tells the
  // outcome). nullptr when no such process is alive: the training died with its parent.
  virtual std::unique_ptr<TrainingProcess> attach(std::int64_t pid) {
    (void)pid;
    return nullptr;
  }
};

} // namespace mm
