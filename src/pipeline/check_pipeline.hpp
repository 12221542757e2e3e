#pragma once
// `check`: for each specialist, read MLflow and feedback, decide, push metrics.
// Written against ports only; the app wires real adapters.

#include "core/performance.hpp"
#include "core/result.hpp"
#include "ports/feedback_store.hpp"
#include "ports/metrics_sink.hpp"
#include "ports/state_store.hpp"
#include "ports/tracker.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mm {

struct CheckSettings {
  Thresholds thresholds;
  int feedback_window_days = 30;
  double feedback_positive_min = 0.6;
  double feedback_negative_max = 0.4;
  std::string production_alias = "production";
  std::string model_name_template = "{type}-specialist";
  int runs_limit = 100;
  // The MongoDB circuit breaker's current state, pushed with the metrics; empty: not exported.
  std::function<const char*()> mongo_breaker_state;
};

// What the tracker is asked for a specialist: model and experiment names, alias, runs limit.
ProductionLookup production_lookup(const CheckSettings& settings,
                                   const std::string& specialist_type);

// What happened to one specialist. A report may exist together with an error: when feedback was
// unavailable the MLflow side is still reported; when the push failed the report is complete.
struct CheckOutcome {
  std::string specialist_type;
  std::optional<PerformanceReport> report;
  std::optional<Error> error;      // the data source error that prevented or limited the report
  std::optional<Error> push_error; // metrics could not be pushed
  double duration_ms = 0.0;

  int exit_code() const;
};

using Clock = std::function<TimePoint()>;

class CheckPipeline {
public:
  // metrics may be null: no push. state may be null: MLflow connection errors are not counted.
  CheckPipeline(Tracker& tracker, FeedbackStore& feedback, MetricsSink* metrics, Clock clock,
                CheckSettings settings, StateStore* state = nullptr);

  // neural_hive_mlflow_connection_errors_total per specialist as stored, read once per run, so a
  // successful push carries the cumulative value without a read per specialist.
  void set_known_connection_errors(std::map<std::string, double> errors);

  CheckOutcome check(const std::string& specialist_type);

  // With the feedback statistics coming from `fetch` (check_all: the fleet's batch, which may
  // still be running while MLflow answers) at time `now`; an empty `fetch` reads the
  // specialist's own statistics. `fetch` is called only once MLflow has answered.
  // `known`: the specialist's MLflow metrics when the fleet's lookup already settled them
  // (Tracker::production_metrics_many); null asks the tracker.
  using FeedbackFetch = std::function<Result<FeedbackStats>()>;
  CheckOutcome check(const std::string& specialist_type, const FeedbackFetch& fetch, TimePoint now,
                     const MlflowMetrics* known = nullptr);

  // The feedback query of a window ending at `now`, for one specialist (or, with an empty type,
  // for a batch).
  FeedbackQuery feedback_query(const std::string& specialist_type, TimePoint now) const;

private:
  void record_connection_error(const std::string& type);

  Tracker& m_tracker;
  FeedbackStore& m_feedback;
  MetricsSink* m_metrics;
  Clock m_clock;
  CheckSettings m_settings;
  StateStore* m_state;
  std::map<std::string, double> m_known_errors;
  // Whether m_known_errors holds the stored values: when the state store could not be read the
  // counter is not pushed at all (a lower value would read as a counter reset in Prometheus).
  bool m_known_errors_valid = false;
};

// The adapters one worker thread owns: HTTP clients are not thread-safe, so each worker gets its
// own Tracker and MetricsSink; the FeedbackStore is shared (it sits on a thread-safe pool).
struct CheckWorker {
  std::unique_ptr<Tracker> tracker;
  std::unique_ptr<MetricsSink> metrics; // may be null
};
using CheckWorkerFactory = std::function<Result<CheckWorker>()>;

// Checks every type with at most `concurrency` at once. Outcomes come back in the order of
// `types`. One specialist's failure never stops the others. `on_done` (optional) is called
// from worker threads as each finishes, serialised.
// With more than one type, the database and the tracker are asked for the whole fleet first
// (FeedbackStore::feedback_stats_many, Tracker::production_metrics_many on a tracker of its own,
// at the same time); what the tracker did not settle is asked specialist by specialist.
std::vector<CheckOutcome> check_all(const std::vector<std::string>& types, int concurrency,
                                    const CheckWorkerFactory& make_worker, FeedbackStore& feedback,
                                    const Clock& clock, const CheckSettings& settings,
                                    const std::function<void(const CheckOutcome&)>& on_done = {},
                                    StateStore* state = nullptr);

// The worst exit code of a set of outcomes (DESIGN §1): 4 > 3 > 2 > 1 > 0.
int worst_exit_code(const std::vector<CheckOutcome>& outcomes);

} // namespace mm
