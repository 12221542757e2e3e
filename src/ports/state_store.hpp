#pragma once
// Port: model-monitor's own durable state (MongoDB collection model_monitor_state, DESIGN §4):
// retrain records (cooldown), cumulative counters for Prometheus, and leases.

#include "core/metrics.hpp"
#include "core/result.hpp"

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
