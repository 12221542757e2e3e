#pragma once
// The check decision: aggregate score, degradation reasons and recommendations.
// Pure: every input is a parameter, including the time of the report.

#include "core/metrics.hpp"
#include "core/thresholds.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mm {

enum class Metric { precision, recall, f1_score, feedback_avg, aggregate };

const char* to_string(Metric metric) noexcept;

// One breached threshold: which metric, its value, its threshold.
struct DegradationReason {
  Metric metric;
  double value;
  double threshold;
};

// A data gap the operator must know about. It never counts as degradation by itself.
enum class DataGap {
  no_feedback_in_window,    // feedback term unknown; aggregate falls back to F1 alone
  too_few_feedback_ratings, // fewer than feedback_min_count: feedback term unknown, as above
  precision_missing,        // the run logged no "precision": its threshold is not evaluated
  recall_missing,
  f1_derived, // the run logged no "f1_score": derived from precision and recall
  accuracy_missing,
  invalid_feedback_documents, // some documents in the window had an unusable rating
  undated_feedback_documents, // documents without a date submitted_at: outside every window
  feedback_unavailable,       // the feedback store could not be read: feedback term unknown
};

const char* to_string(DataGap gap) noexcept;

// How the aggregate was computed.
enum class AggregateBasis {
  f1_and_feedback, // 0.7·f1 + 0.3·feedback_avg (spec)
  f1_only,         // no usable feedback in the window: aggregate = f1 (DESIGN §4)
};

struct PerformanceReport {
  std::string specialist_type;
  TimePoint timestamp;
  MlflowMetrics mlflow;
  FeedbackStats feedback;
  Thresholds thresholds;
  double f1_used = 0.0; // logged f1_score, or derived from precision/recall
  double aggregate_score = 0.0;
  AggregateBasis aggregate_basis = AggregateBasis::f1_and_feedback;
  // The feedback average the decision used: nullopt when unknown (empty window, too few ratings,
  // store unavailable). feedback.avg_rating() is what the window holds, used or not.
  std::optional<double> feedback_avg_used;
  bool is_degraded = false;
  std::vector<DegradationReason> reasons;
  std::vector<DataGap> data_gaps;
  bool feedback_available = true;

  bool has_gap(DataGap gap) const;
};

// F1 to use: the logged one, else the harmonic mean of precision and recall, else nullopt
// (the run cannot be scored).
std::optional<double> effective_f1(const MlflowMetrics& m);

// aggregate = 0.7·f1 + 0.3·feedback_avg; with unknown feedback, f1 alone.
double aggregate_score(double f1, std::optional<double> feedback_avg);

// Builds the report. Precondition: effective_f1(mlflow) has a value (the caller turns a run
// that cannot be scored into an error before this).
// feedback_available = false when the store could not be read: feedback is then unknown, like an
// empty window, but reported as unavailable.
PerformanceReport evaluate_performance(std::string specialist_type, TimePoint now,
                                       const MlflowMetrics& mlflow, const FeedbackStats& feedback,
                                       const Thresholds& thresholds,
                                       bool feedback_available = true);

} // namespace mm
