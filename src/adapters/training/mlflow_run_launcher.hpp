#pragma once
// TrainingLauncher that runs `mlflow run <project> --env-manager local --run-id <id> ...` as a
// child process in its own process group, so a timeout can stop the whole tree (mlflow run
// starts a Python training process of its own).

#include "ports/training_launcher.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace mm {

// The command line, pure (for tests and the dry-run plan).
std::vector<std::string> mlflow_run_command(const std::string& mlflow_cli,
                                            const TrainingLaunch& launch);

class MlflowRunLauncher : public TrainingLauncher {
public:
  // mlflow_cli: the `mlflow` executable (PATH lookup when it has no '/').
  explicit MlflowRunLauncher(std::string mlflow_cli,
                             std::chrono::milliseconds kill_grace = std::chrono::seconds(10));

  Result<std::unique_ptr<TrainingProcess>> launch(const TrainingLaunch& launch) override;
  std::unique_ptr<TrainingProcess> attach(std::int64_t pid) override;

private:
  std::string m_mlflow_cli;
  std::chrono::milliseconds m_kill_grace;
};

} // namespace mm
