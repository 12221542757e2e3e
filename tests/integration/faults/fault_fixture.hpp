#pragma once
// What every fault test needs: a specialist of its own in the real MLflow, a database of its own
// in the real FerretDB (MongoTest), the environment of `check` and `retrain` against the real
// services of scripts/services.sh, the real binary run with a time limit, and readers of what
// the run left behind (the retrain ledger and counters in model_monitor_state, MLflow runs and
// aliases, files in DATA_DIR, the Pushgateway's series, the Slack stand-in's record).
// State is inspected directly (libmongoc, MLflow REST, files), never through the code under test.

#include "integration/faults/fault_proxy.hpp"
#include "support/mlflow_fixture.hpp"
#include "support/mongo_fixture.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mm::test {

using Json = nlohmann::json;
using Env = std::map<std::string, std::optional<std::string>>;

// The string a JSON value holds, or its dump ("null", ...) when it is not a string.
std::string str(const Json& value);

// Host and port of "scheme://[user[:pass]@]host:port[/...]" (the first host of a MongoDB URI).
std::pair<std::string, int> host_and_port(const std::string& uri);

struct TimedResult {
  ProcessResult process;
  std::chrono::milliseconds elapsed{0};
  int exit_code() const { return process.exit_code; }
  std::string all() const { return process.out + process.err; }
};

// The model_monitor_state records of one retrain (kind "retrain"), relaxed extended JSON.
struct LedgerRecord {
  Json doc;
  std::string state() const;
  std::string run_id() const; // "" when null or absent
  std::string error() const;
  bool finished() const; // finished_at set
};

class FaultTest : public MongoTest {
protected:
  void SetUp() override;
  void TearDown() override;

  // Experiment `{type}-specialist` with a FINISHED run of these metrics, registered model
  // `{type}-specialist` version 1 of that run under alias `production`.
  void production(double precision, double recall, double f1);
  // `n` feedback documents of m_type rated `rating`, submitted two hours ago.
  void feedback(int n, double rating);
  // 12 rated opinions with features (as tests/integration/retrain): rows for the dataset merge.
  void feedback_with_opinions();

  // check / retrain against the real services; `extra` overrides (nullopt unsets).
  Env check_env() const;
  Env retrain_env() const;
  // Runs the real binary with `args` under `timeout(1)`: a hang fails the test instead of
  // blocking CI. MM_FAULTS_SHOW=1 prints each run's command, exit code, stdout and stderr.
  TimedResult run_mm(const std::vector<std::string>& args, const Env& env,
                     std::chrono::seconds limit = std::chrono::seconds(180)) const;
  static Json json_of(const TimedResult& r);
  // `retrain --specialist-type m_type --output-format json` + flags.
  std::vector<std::string> retrain_args(std::vector<std::string> flags = {}) const;

  std::vector<LedgerRecord> ledger();
  // Value of a counter of m_type in model_monitor_state (0 when absent); labels must match.
  double stored_counter(const std::string& name, const std::map<std::string, std::string>& labels);
  // Lines of the Pushgateway's /metrics that belong to m_type's group.
  std::string pushed_series() const;
  std::size_t runs_in_experiment();
  std::vector<std::string> run_statuses();
  std::optional<std::string> alias_version(const std::string& alias);
  std::vector<std::filesystem::path> files_in_data_dir() const;

  // A proxy in front of one of the real services ("host:port" taken from its URL).
  static std::unique_ptr<FaultProxy> proxy_for(const std::string& url, FaultProxy::Protocol p);

  MlflowFixture m_mlflow;
  std::string m_type;
  std::string m_experiment;
  std::string m_baseline_run;
  std::string m_baseline_version;
  std::filesystem::path m_data_dir;
  std::string m_pushgateway, m_llm, m_slack, m_slack_record, m_smtp_host, m_smtp_port, m_venv;
};

} // namespace mm::test
