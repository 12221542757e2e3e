#pragma once
// RunRegistry port over MLflow's REST API (/api/2.0/mlflow/..., MLflow 2.9+ and 3.x servers):
// the write side retraining needs — experiments, runs, registered models, versions, aliases.

#include "adapters/http/http_client.hpp"
#include "adapters/mlflow/mlflow_parse.hpp"
#include "adapters/mlflow/mlflow_rest.hpp"
#include "ports/run_registry.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace mm {

// How long register_version waits for a PENDING_REGISTRATION version to become READY. MLflow's
// Python client polls model-versions/get every 3 s for up to 300 s
// (AWAIT_MODEL_VERSION_CREATE_SLEEP_INTERVAL_SECONDS, mlflow/store/model_registry/
// abstract_store.py; DEFAULT_AWAIT_MAX_SLEEP_SECONDS, mlflow/tracking/_model_registry); we wait
// less, as a CronJob must end: an open-source server makes a version READY at once (verified on
// 3.17.2: model-versions/create answers status READY), only registries that copy artifacts
// (e.g. Databricks) keep it pending.
inline constexpr std::chrono::milliseconds k_ready_poll_interval{1000};
inline constexpr int k_ready_max_polls = 60;

// Behaviour per call (REST shapes: https://mlflow.org/docs/latest/api_reference/rest-api.html):
//  - ensure_experiment: GET experiments/get-by-name; on 404 RESOURCE_DOES_NOT_EXIST, POST
//    experiments/create {name}; on 400 RESOURCE_ALREADY_EXISTS (another process created it
//    meanwhile, or our own resent create did) GET again. A deleted experiment is a config error
//    (MLflow refuses runs in it: "must be in the 'active' state").
//  - create_run: POST runs/create {experiment_id, start_time: now ms, tags: [{key, value}]}, sent
//    as NOT idempotent: never resent once it may have reached the server (a resend would create
//    a second run); such a failure says so.
//  - get_run: GET runs/get → RunState (metrics sanitised as MlflowTracker's: latest value, only
//    finite and within [0, 1]; all tags). 404 → not_found.
//  - set_tags: POST runs/set-tag {run_id, key, value} per tag; terminate_run: POST runs/update
//    {run_id, status, end_time: now ms} (FINISHED, FAILED or KILLED only). Both idempotent.
//  - version_of_run: GET model-versions/search filter `name='<model>' and run_id='<run>'`, order
//    version_number DESC; the highest version, nullopt when none (MLflow answers {} then, also
//    for an unknown model). Names with quotes/backslashes are refused (config), not escaped.
//  - register_version: POST registered-models/create {name} (400 RESOURCE_ALREADY_EXISTS is
//    fine), then POST model-versions/create {name, source, run_id} (NOT idempotent); when that
//    fails after it may have reached the server, the run's version is looked up before failing,
//    so a version created by the lost request is found, not duplicated by a later retry. Then
//    waits for READY (see k_ready_*): FAILED_REGISTRATION → bad_response, still pending → timeout.
//  - version_by_alias: GET registered-models/alias; nullopt when the alias is not set (MLflow
//    answers 400 INVALID_PARAMETER_VALUE "Registered model alias X not found.") or the model does
//    not exist (404 RESOURCE_DOES_NOT_EXIST).
//  - set_alias: POST registered-models/alias {name, alias, version} (moves it; idempotent). An
//    alias MLflow reserves ("latest", "v<N>") is a config error naming MODEL_PRODUCTION_ALIAS.
//  - transition_to_production: POST model-versions/transition-stage {name, version,
//    stage: "Production", archive_existing_versions: true} (legacy stages, deprecated since
//    MLflow 2.9, still served by 3.17; idempotent).
// Errors map as mlflow_errors.hpp to_error; every message names the call and the redacted URL.
// Calls are serialised by a mutex (one HTTP connection).
class MlflowRunRegistry final : public RunRegistry {
public:
  MlflowRunRegistry(std::string tracking_uri, HttpOptions http, MlflowAuth auth,
                    RetryHooks hooks = {});

  Result<std::string> ensure_experiment(const std::string& name) override;
  Result<std::string> create_run(const std::string& experiment_id,
                                 const std::map<std::string, std::string>& tags) override;
  Result<RunState> get_run(const std::string& run_id) override;
  Status set_tags(const std::string& run_id,
                  const std::map<std::string, std::string>& tags) override;
  Status terminate_run(const std::string& run_id, RunStatus status) override;
  Result<std::optional<ModelVersionRef>> version_of_run(const std::string& model_name,
                                                        const std::string& run_id) override;
  Result<ModelVersionRef> register_version(const std::string& model_name, const std::string& run_id,
                                           const std::string& source) override;
  Result<std::optional<ModelVersionRef>> version_by_alias(const std::string& model_name,
                                                          const std::string& alias) override;
  Status set_alias(const std::string& model_name, const std::string& alias,
                   const std::string& version) override;
  Status transition_to_production(const std::string& model_name,
                                  const std::string& version) override;

  // Polling of register_version (tests shorten it; sleeps go through RetryHooks::sleep).
  void set_ready_wait(std::chrono::milliseconds interval, int max_polls);
  // Milliseconds since the epoch for start_time/end_time (default: the system clock).
  void set_clock(std::function<std::int64_t()> now_ms);

  const std::string& tracking_uri() const noexcept { return m_rest.base(); }

private:
  Result<std::optional<MlflowExperiment>> experiment_by_name(const std::string& name);
  Result<std::optional<ModelVersionRef>> find_version_of_run(const std::string& model_name,
                                                             const std::string& run_id);
  Status ensure_registered_model(const std::string& model_name);
  Result<MlflowModelVersion> create_version(const std::string& model_name,
                                            const std::string& run_id, const std::string& source);
  Result<ModelVersionRef> await_ready(MlflowModelVersion version);
  Status post_ok(std::string_view endpoint, std::string body);

  MlflowRest m_rest;
  std::function<void(std::chrono::milliseconds)> m_sleep;
  std::function<std::int64_t()> m_now_ms;
  std::chrono::milliseconds m_ready_interval = k_ready_poll_interval;
  int m_ready_max_polls = k_ready_max_polls;
  std::mutex m_mutex;
};

} // namespace mm
