#pragma once
// Port: the write side of the tracker and model registry that retraining needs (MLflow REST).

#include "core/metrics.hpp"
#include "core/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm {

enum class RunStatus { running, scheduled, finished, failed, killed };

// MLflow's RunStatus names (REST API "RunStatus").
inline const char* to_string(RunStatus s) noexcept {
  switch (s) {
  case RunStatus::running:
    return "RUNNING";
  case RunStatus::scheduled:
    return "SCHEDULED";
  case RunStatus::finished:
    return "FINISHED";
  case RunStatus::failed:
    return "FAILED";
  case RunStatus::killed:
    return "KILLED";
  }
  return "RUNNING";
}

struct RunState {
  std::string run_id;
  RunStatus status = RunStatus::running;
  std::optional<double> precision;
  std::optional<double> recall;
  std::optional<double> f1_score;
  std::optional<double> accuracy;
  std::map<std::string, std::string> tags;
};

struct ModelVersionRef {
  std::string model_name;
  std::string version;
  std::string run_id;
  std::string current_stage; // legacy stage, "None" when unused
  std::vector<std::string> aliases;
};

class RunRegistry {
public:
  virtual ~RunRegistry() = default;

  // experiments/get-by-name, creating the experiment when missing (a first retrain of a new
  // specialist needs one). Returns the experiment id.
  virtual Result<std::string> ensure_experiment(const std::string& name) = 0;

  // runs/create with start_time now and the tags; returns the run id. Not idempotent: never
  // retried after it may have reached the server.
  virtual Result<std::string> create_run(const std::string& experiment_id,
                                         const std::map<std::string, std::string>& tags) = 0;

  // runs/get: status, latest metrics, tags.
  virtual Result<RunState> get_run(const std::string& run_id) = 0;

  // runs/set-tag for each tag (idempotent).
  virtual Status set_tags(const std::string& run_id,
                          const std::map<std::string, std::string>& tags) = 0;

  // runs/update to a terminal status with end_time now (used to close a run we gave up on).
  virtual Status terminate_run(const std::string& run_id, RunStatus status) = 0;

  // model-versions/search filter run_id='...' on the model; nullopt when the run registered none.
  virtual Result<std::optional<ModelVersionRef>> version_of_run(const std::string& model_name,
                                                                const std::string& run_id) = 0;

  // registered-models/create when missing, then model-versions/create from the run's model.
  virtual Result<ModelVersionRef> register_version(const std::string& model_name,
                                                   const std::string& run_id,
                                                   const std::string& source) = 0;

  // registered-models/alias GET; nullopt when the alias is not set.
  virtual Result<std::optional<ModelVersionRef>> version_by_alias(const std::string& model_name,
                                                                  const std::string& alias) = 0;

  // registered-models/alias POST (moves the alias).
  virtual Status set_alias(const std::string& model_name, const std::string& alias,
                           const std::string& version) = 0;

  // model-versions/transition-stage with archive_existing_versions (legacy registries).
  virtual Status transition_to_production(const std::string& model_name,
                                          const std::string& version) = 0;
};

} // namespace mm
