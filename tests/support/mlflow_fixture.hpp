#pragma once
// Sets up MLflow state for integration tests through MLflow's REST API
// (https://mlflow.org/docs/latest/api_reference/rest-api.html), with libcurl directly:
// tests/support/*.cpp is built into every test program, only some of which link mm_mlflow, and
// preparing data without the code under test keeps a bug in it from hiding in the setup.
//
// Failures throw MlflowFixtureError; GoogleTest reports an exception escaping a test body or
// SetUp as a failure of that test, with the message (which names the call, the status and
// MLflow's answer). Use it from tests, not from static initialisers.
//
// Every name is made unique per fixture (a random suffix), so tests never collide, also across
// runs against the same long-lived server. What a fixture created is deleted when it is
// destroyed (registered models for good; experiments and runs are soft-deleted, as MLflow
// does), except after a failed test, when it is kept for inspection and its names printed.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mm::test {

// An environment variable an integration test needs. When unset the calling test FAILS (never
// skips) with a message saying how to start the services (same as require_service_env).
std::string require_env(const char* name);

class MlflowFixtureError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct MetricPoint {
  std::string key;
  nlohmann::json value; // a number, or "NaN" / "Infinity" as MLflow's JSON writes them
  std::int64_t step = 0;
  std::int64_t timestamp_ms = 0; // 0: the run's start time + 1
};

struct RawResponse {
  long status = 0;
  std::string body;
};

class MlflowFixture {
public:
  // MLFLOW_TRACKING_URI from the environment (require_env).
  MlflowFixture();
  explicit MlflowFixture(std::string tracking_uri);
  ~MlflowFixture();
  MlflowFixture(const MlflowFixture&) = delete;
  MlflowFixture& operator=(const MlflowFixture&) = delete;

  const std::string& tracking_uri() const { return m_uri; }
  // 8 lower-case hex digits, fixed for this fixture.
  const std::string& suffix() const { return m_suffix; }
  // A specialist type unique to this fixture: "<prefix><suffix>", valid per DESIGN §1.
  std::string unique_type(std::string_view prefix = "it") const;

  // experiments/get-by-name, else experiments/create; returns the experiment id.
  std::string get_or_create_experiment(const std::string& name);
  // runs/create with that start time; returns the run id. The run is RUNNING.
  std::string create_run(const std::string& experiment_id, std::int64_t start_time_ms);
  // runs/log-batch.
  void log_metrics(const std::string& run_id, const std::vector<MetricPoint>& metrics);
  // runs/update: FINISHED, FAILED, KILLED, RUNNING, SCHEDULED. end_time: start + 1000 ms by
  // default for a terminal status.
  void set_run_status(const std::string& run_id, std::string_view status,
                      std::optional<std::int64_t> end_time_ms = std::nullopt);
  // create_run + log_metrics + set_run_status in one go.
  std::string add_run(const std::string& experiment_id, std::int64_t start_time_ms,
                      std::string_view status, const std::vector<MetricPoint>& metrics);
  void delete_run(const std::string& run_id);

  void create_registered_model(const std::string& name);
  // model-versions/create with source = the run's artifact_uri + "/model"; returns the version.
  std::string create_model_version(const std::string& model, const std::string& run_id);
  void set_alias(const std::string& model, const std::string& alias, const std::string& version);
  void delete_alias(const std::string& model, const std::string& alias);
  // model-versions/transition-stage (legacy stages, deprecated since MLflow 2.9). false when the
  // server no longer serves it.
  bool transition_stage(const std::string& model, const std::string& version,
                        std::string_view stage, bool archive_existing_versions = false);
  void delete_registered_model(const std::string& name);
  void delete_experiment(const std::string& experiment_id);

  // Things the code under test created, to be cleaned up with the fixture's own.
  void adopt_experiment(const std::string& experiment_id);
  void adopt_run(const std::string& run_id);
  void adopt_registered_model(const std::string& name);

  // GET runs/get → the "run" object; GET model-versions/get → the "model_version" object.
  nlohmann::json get_run(const std::string& run_id);
  nlohmann::json get_model_version(const std::string& model, const std::string& version);

  // Any call: endpoint relative to /api/2.0/mlflow/ ("runs/get?run_id=..."), body JSON or empty.
  RawResponse call(std::string_view method, std::string_view endpoint,
                   const std::string& body = "");
  // The same, throwing unless the answer is 2xx; returns the parsed body.
  nlohmann::json call_ok(std::string_view method, std::string_view endpoint,
                         const nlohmann::json& body = nullptr);

private:
  void cleanup() noexcept;

  std::string m_uri;
  std::string m_suffix;
  std::vector<std::string> m_models;
  std::vector<std::string> m_experiments;
  std::vector<std::string> m_runs;
  std::vector<std::pair<std::string, std::int64_t>> m_run_start; // run id → start time
};

} // namespace mm::test
