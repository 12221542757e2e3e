#pragma once
// The Prometheus metrics `retrain` owns (DESIGN §6). Counters are cumulative across CronJob runs:
// their values come from model_monitor_state, never from process memory. Pure.

#include "core/metric_family.hpp"
#include "core/metrics.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm {

inline constexpr const char* k_metric_retrain_triggered =
    "neural_hive_auto_retrain_triggered_total";
inline constexpr const char* k_metric_retrain_success = "neural_hive_auto_retrain_success_total";
inline constexpr const char* k_metric_retrain_duration =
    "neural_hive_auto_retrain_duration_seconds";
inline constexpr const char* k_metric_generation_duration =
    "neural_hive_dataset_generation_duration_seconds";
inline constexpr const char* k_metric_generation_errors =
    "neural_hive_dataset_generation_errors_total";
inline constexpr const char* k_metric_last_trigger =
    "neural_hive_retraining_last_trigger_timestamp";

// Upper bounds of the dataset generation histogram, seconds (DATASET_GENERATION_TIMEOUT is 1800
// by default, so the buckets resolve the range up to and past it).
const std::vector<double>& generation_duration_buckets();

struct CounterValue {
  std::string name; // full series name, e.g. ..._bucket / ..._sum / ..._count for the histogram
  std::map<std::string, std::string> labels;
  double value = 0.0;
};

// The counter increments that record one dataset generation of `seconds` in the histogram.
std::vector<CounterValue> generation_histogram_increments(double seconds);

// Families from the stored counters plus the last values of the gauges.
std::vector<MetricFamily> retrain_metric_families(const std::vector<CounterValue>& counters,
                                                  std::optional<TimePoint> last_trigger,
                                                  std::optional<double> last_duration_seconds);

} // namespace mm
