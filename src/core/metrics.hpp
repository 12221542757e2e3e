#pragma once
// The values check reads from its two sources, as plain data.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace mm {

using TimePoint = std::chrono::system_clock::time_point;

// Where the run whose metrics count came from (DESIGN §3).
enum class RunSource {
  alias,        // registered model version under MODEL_PRODUCTION_ALIAS
  legacy_stage, // latest version in legacy stage "Production"
  latest_run,   // no production model: the most recent FINISHED run of the experiment
};

const char* to_string(RunSource source) noexcept;

// Metrics of the run that represents the specialist in production. A metric the run never
// logged is absent (std::nullopt), never 0.0: a missing metric is not a bad metric.
struct MlflowMetrics {
  std::optional<double> precision;
  std::optional<double> recall;
  std::optional<double> f1_score;
  std::optional<double> accuracy;
  std::string run_id;
  std::string experiment_id;
  RunSource source = RunSource::latest_run;
  std::string model_name;    // registered model, when source is alias or legacy_stage
  std::string model_version; // "" when source is latest_run
  std::optional<std::int64_t> run_end_time_ms;
};

// Statistics of the feedback window, computed by the database server (DESIGN §4).
// total_count counts only documents with a valid rating; invalid_count those excluded.
struct FeedbackStats {
  std::int64_t total_count = 0;
  std::int64_t positive_count = 0;
  std::int64_t negative_count = 0;
  std::int64_t neutral_count = 0;
  std::int64_t invalid_count = 0;
  double rating_sum = 0.0;
  int window_days = 30;
  // Documents of the specialist, of any age, whose submitted_at is missing or not a date (a
  // string written by a buggy producer, null, a number): no window can hold them, so they are
  // never counted anywhere else. Read only when the window holds no valid rating, which is when
  // they can make the feedback term silently unknown; nullopt when not read (or the read failed).
  std::optional<std::int64_t> undated_count;

  // The average rating, or nullopt when there is no valid feedback in the window: the feedback
  // term is then *unknown*, not 0.0 (DESIGN §4).
  std::optional<double> avg_rating() const {
    if (total_count <= 0) {
      return std::nullopt;
    }
    return rating_sum / static_cast<double>(total_count);
  }
};

} // namespace mm
