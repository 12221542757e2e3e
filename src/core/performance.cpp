#include "core/performance.hpp"

#include <cmath>

namespace mm {

const char* to_string(RunSource source) noexcept {
  switch (source) {
  case RunSource::alias:
    return "alias";
  case RunSource::legacy_stage:
    return "legacy_stage";
  case RunSource::latest_run:
    return "latest_run";
  }
  return "latest_run";
}

const char* to_string(Metric metric) noexcept {
  switch (metric) {
  case Metric::precision:
    return "precision";
  case Metric::recall:
    return "recall";
  case Metric::f1_score:
    return "f1_score";
  case Metric::feedback_avg:
    return "feedback_avg";
  case Metric::aggregate:
    return "aggregate_score";
  }
  return "unknown";
}

const char* to_string(DataGap gap) noexcept {
  switch (gap) {
  case DataGap::no_feedback_in_window:
    return "no_feedback_in_window";
  case DataGap::precision_missing:
    return "precision_missing";
  case DataGap::recall_missing:
    return "recall_missing";
  case DataGap::f1_derived:
    return "f1_derived_from_precision_recall";
  case DataGap::accuracy_missing:
    return "accuracy_missing";
  case DataGap::too_few_feedback_ratings:
    return "too_few_feedback_ratings";
  case DataGap::invalid_feedback_documents:
    return "invalid_feedback_documents";
  case DataGap::undated_feedback_documents:
    return "undated_feedback_documents";
  case DataGap::feedback_unavailable:
    return "feedback_unavailable";
  }
  return "unknown";
}

bool PerformanceReport::has_gap(DataGap gap) const {
  for (DataGap g : data_gaps) {
    if (g == gap) {
      return true;
    }
  }
  return false;
}

std::optional<double> effective_f1(const MlflowMetrics& m) {
  if (m.f1_score) {
    return m.f1_score;
  }
  if (m.precision && m.recall) {
    const double p = *m.precision;
    const double r = *m.recall;
    // F1 is the harmonic mean; with p = r = 0 it is 0 by convention (scikit-learn's default).
    return (p + r) > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
  }
  return std::nullopt;
}

double aggregate_score(double f1, std::optional<double> feedback_avg) {
  if (!feedback_avg) {
    // Unknown feedback must not count as 0.0 (that would declare degradation from silence):
    // the aggregate falls back to F1 alone (DESIGN §4).
    return f1;
  }
  return k_f1_weight * f1 + k_feedback_weight * *feedback_avg;
}

namespace {

// A breach is strictly below the threshold: the spec's table states the healthy range as "≥".
// The tolerance keeps a value that equals its threshold in decimal (0.7·0.65 + 0.3·0.65 = 0.65)
// healthy although binary floating point computes 0.6499999999999999.
constexpr double k_tolerance = 1e-9;

void check_threshold(std::vector<DegradationReason>& out, Metric metric, double value,
                     double threshold) {
  if (value < threshold - k_tolerance) {
    out.push_back({metric, value, threshold});
  }
}

} // namespace

PerformanceReport evaluate_performance(std::string specialist_type, TimePoint now,
                                       const MlflowMetrics& mlflow, const FeedbackStats& feedback,
                                       const Thresholds& thresholds, bool feedback_available) {
  PerformanceReport r;
  r.feedback_available = feedback_available;
  r.specialist_type = std::move(specialist_type);
  r.timestamp = now;
  r.mlflow = mlflow;
  r.feedback = feedback;
  r.thresholds = thresholds;
  r.f1_used = effective_f1(mlflow).value_or(0.0);

  const std::optional<double> observed_avg =
      feedback_available ? feedback.avg_rating() : std::nullopt;
  const bool enough_ratings = feedback.total_count >= thresholds.feedback_min_count;
  r.feedback_avg_used = enough_ratings ? observed_avg : std::nullopt;
  const std::optional<double>& feedback_avg = r.feedback_avg_used;
  r.aggregate_score = aggregate_score(r.f1_used, feedback_avg);
  r.aggregate_basis = feedback_avg ? AggregateBasis::f1_and_feedback : AggregateBasis::f1_only;

  if (mlflow.precision) {
    check_threshold(r.reasons, Metric::precision, *mlflow.precision, thresholds.precision);
  } else {
    r.data_gaps.push_back(DataGap::precision_missing);
  }
  if (mlflow.recall) {
    check_threshold(r.reasons, Metric::recall, *mlflow.recall, thresholds.recall);
  } else {
    r.data_gaps.push_back(DataGap::recall_missing);
  }
  if (!mlflow.f1_score) {
    r.data_gaps.push_back(DataGap::f1_derived);
  }
  check_threshold(r.reasons, Metric::f1_score, r.f1_used, thresholds.f1);
  if (!mlflow.accuracy) {
    r.data_gaps.push_back(DataGap::accuracy_missing);
  }
  if (feedback_avg) {
    check_threshold(r.reasons, Metric::feedback_avg, *feedback_avg, thresholds.feedback_avg);
  } else if (!feedback_available) {
    r.data_gaps.push_back(DataGap::feedback_unavailable);
  } else {
    r.data_gaps.push_back(observed_avg ? DataGap::too_few_feedback_ratings
                                       : DataGap::no_feedback_in_window);
  }
  if (feedback.invalid_count > 0) {
    r.data_gaps.push_back(DataGap::invalid_feedback_documents);
  }
  if (feedback.undated_count.value_or(0) > 0) {
    r.data_gaps.push_back(DataGap::undated_feedback_documents);
  }
  check_threshold(r.reasons, Metric::aggregate, r.aggregate_score, thresholds.aggregate);

  r.is_degraded = !r.reasons.empty();
  return r;
}

} // namespace mm
