#pragma once
// The Prometheus metrics `check` owns (DESIGN §6), built from a report.

#include "core/metric_family.hpp"
#include "core/performance.hpp"

#include <vector>

namespace mm {

inline constexpr const char* k_metric_mlflow_connection_errors =
    "neural_hive_mlflow_connection_errors_total";

// Gauges of one specialist's check. The specialist_type label is the push group's, so it is not
// repeated here. A metric with no value (unknown feedback, a metric the run never logged) is
// left out rather than pushed as 0, so alerts on it stay silent instead of firing falsely.
std::vector<MetricFamily> check_metric_families(const PerformanceReport& report);

// neural_hive_mongodb_circuit_breaker_state{state}: one series per state, 1 for the current one
// (DESIGN §6), so `== 1` selects the state and the series never disappear.
MetricFamily breaker_state_family(const char* current_state);

// neural_hive_monitor_last_success_timestamp_seconds: the dead-man's switch.
MetricFamily last_success_family(TimePoint now);

} // namespace mm
