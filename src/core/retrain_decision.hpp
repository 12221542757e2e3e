#pragma once
// Whether a specialist is retrained now (spec "Auto-Retrain Flow", DESIGN §1). Pure.

#include "core/performance.hpp"

#include <optional>
#include <string>

namespace mm {

enum class RetrainVerdict {
  retrain,         // go on
  healthy,         // not degraded and not forced
  cooldown,        // degraded, but retrained less than RETRAINING_COOLDOWN_HOURS ago
  incomplete_data, // a data source failed: never retrain on partial information
  in_progress,     // another invocation holds the specialist's retrain lease: leave it alone
};

const char* to_string(RetrainVerdict v) noexcept;

struct RetrainDecision {
  RetrainVerdict verdict = RetrainVerdict::healthy;
  std::string trigger;     // "degradation" | "forced" (the metric label `reason`)
  std::string explanation; // one sentence for logs and the JSON output
  std::optional<TimePoint> cooldown_until;
};

struct RetrainInputs {
  const PerformanceReport* report = nullptr; // null when the check failed
  bool check_failed = false;                 // MLflow or feedback unavailable
  bool force = false;
  std::optional<TimePoint> last_retrain; // from model_monitor_state
  int cooldown_hours = 24;
  TimePoint now;
};

// --force ignores the thresholds and the cooldown (an operator asked for this retrain
// explicitly), but not incomplete data: with MLflow or MongoDB failing, the dataset would miss
// the feedback rows and the baseline would be unknown, so nobody gets a retrain on partial
// information, forced or not.
RetrainDecision decide_retrain(const RetrainInputs& in);

} // namespace mm
