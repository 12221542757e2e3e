#include "core/check_metrics.hpp"

#include <chrono>
#include <string_view>

namespace mm {

namespace {

MetricFamily gauge(std::string name, std::string help, double value) {
  return {std::move(name), std::move(help), MetricType::gauge, {Sample{{}, value, ""}}};
}

} // namespace

std::vector<MetricFamily> check_metric_families(const PerformanceReport& r) {
  std::vector<MetricFamily> out;
  out.push_back(gauge("neural_hive_model_performance_score",
                      "Aggregate performance score (0.7*F1 + 0.3*feedback average)",
                      r.aggregate_score));
  out.push_back(gauge("neural_hive_model_degradation_detected",
                      "1 if the specialist's model is degraded, 0 if OK",
                      r.is_degraded ? 1.0 : 0.0));
  if (r.mlflow.precision) {
    out.push_back(gauge("neural_hive_mlflow_model_precision", "Precision of the production model",
                        *r.mlflow.precision));
  }
  if (r.mlflow.recall) {
    out.push_back(gauge("neural_hive_mlflow_model_recall", "Recall of the production model",
                        *r.mlflow.recall));
  }
  out.push_back(
      gauge("neural_hive_mlflow_model_f1", "F1 score of the production model", r.f1_used));
  // The average the decision used: absent when unknown or from too few ratings, so the
  // feedback alert agrees with the check (count_current still shows how many there were).
  if (const auto& avg = r.feedback_avg_used) {
    out.push_back(gauge("neural_hive_feedback_avg_rating",
                        "Average human rating in the feedback window", *avg));
  }
  if (r.feedback_available) {
    out.push_back(gauge("neural_hive_feedback_count_current",
                        "Valid feedback documents in the feedback window",
                        static_cast<double>(r.feedback.total_count)));
  }
  return out;
}

MetricFamily breaker_state_family(const char* current_state) {
  MetricFamily f{"neural_hive_mongodb_circuit_breaker_state",
                 "State of the MongoDB circuit breaker: 1 for the current state",
                 MetricType::gauge,
                 {}};
  for (const char* s : {"closed", "open", "half_open"}) {
    f.samples.push_back({{{"state", s}}, std::string_view(s) == current_state ? 1.0 : 0.0, ""});
  }
  return f;
}

MetricFamily last_success_family(TimePoint now) {
  const double seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  return gauge("neural_hive_monitor_last_success_timestamp_seconds",
               "Unix time of the last monitor run that completed for this specialist", seconds);
}

} // namespace mm
