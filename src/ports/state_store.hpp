#pragma once
// Port: model-monitor's own durable state (MongoDB collection model_monitor_state, DESIGN §4):
// retrain records (cooldown), cumulative counters for Prometheus, and leases.

#include "core/metrics.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm {

// One retrain of one specialist and how far it got.
struct RetrainRecord {
  std::string id; // idempotency key: "{type}:{trigger}:{UTC start}"
  std::string specialist_type;
  std::string trigger; // "degradation" | "forced"
  std::string state;   // decided | dataset | training | evaluating | promoted | rejected | failed
  TimePoint started_at;
  std::optional<TimePoint> finished_at;
  std::string run_id;
  std::string dataset_path;
  std::string error; // when failed
  std::optional<double> baseline_f1;
  std::optional<double> candidate_f1;
  // What a later invocation needs to resume the record after this process died (kill -9):
  std::string owner;             // the lease owner that wrote it
  std::string host;              // where its training process runs
  std::int64_t training_pid = 0; // the `mlflow run` process group, 0 before training
  // The production model the candidate is compared with, as it was when the retrain started
  // (after a half-done promotion the alias may already point at the candidate).
  std::string baseline_run_id;
  std::string baseline_version;
  std::optional<double> baseline_precision;
  std::optional<double> baseline_recall;
  std::string promoted_version;
  bool notified = false; // the outcome was sent to the notification channels
};

class StateStore {
public:
  virtual ~StateStore() = default;

  // Start time of the last retrain of the specialist that reached training (for the cooldown),
  // nullopt if none.
  virtual Result<std::optional<TimePoint>> last_retrain(const std::string& specialist_type) = 0;

  // Inserts or replaces the record with the same id.
  virtual Status save_retrain(const RetrainRecord& record) = 0;

  // Adds `delta` to a named counter with labels (e.g. auto_retrain_triggered_total
  // {reason=degradation,status=success}) and returns every counter of the specialist, so the
  // pushed values are cumulative across runs (DESIGN §6).
  virtual Status increment_counter(const std::string& specialist_type, const std::string& name,
                                   const std::map<std::string, std::string>& labels,
                                   double delta) = 0;

  struct Counter {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0.0;
  };
  virtual Result<std::vector<Counter>> counters(const std::string& specialist_type) = 0;

  // One counter's value for every specialist (labels summed): one read for a whole fleet.
  virtual Result<std::map<std::string, double>> counter_by_type(const std::string& name) = 0;
};

} // namespace mm
