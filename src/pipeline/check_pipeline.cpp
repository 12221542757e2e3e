#include "pipeline/check_pipeline.hpp"

#include "core/check_metrics.hpp"
#include "core/specialist.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fmt/format.h>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace mm {

int CheckOutcome::exit_code() const {
  int code = k_exit_ok;
  if (report && report->is_degraded) {
    code = k_exit_degraded;
  }
  if (error) {
    code = std::max(code, exit_code_for(error->kind));
  }
  if (push_error) {
    code = std::max(code, exit_code_for(push_error->kind));
  }
  return code;
}

CheckPipeline::CheckPipeline(Tracker& tracker, FeedbackStore& feedback, MetricsSink* metrics,
                             Clock clock, CheckSettings settings, StateStore* state)
    : m_tracker(tracker), m_feedback(feedback), m_metrics(metrics), m_clock(std::move(clock)),
      m_settings(std::move(settings)), m_state(state) {}

void CheckPipeline::set_known_connection_errors(std::map<std::string, double> errors) {
  m_known_errors = std::move(errors);
  m_known_errors_valid = true;
}

namespace {

MetricFamily connection_errors_family(double value) {
  return {k_metric_mlflow_connection_errors,
          "MLflow requests of this specialist's checks that failed to connect or timed out, "
          "after retries",
          MetricType::counter,
          {Sample{{}, value, ""}}};
}

} // namespace

void CheckPipeline::record_connection_error(const std::string& type) {
  // The counter's truth is the state store (cumulative across CronJob runs, DESIGN §6); the push
  // is a POST so the gauges of the last good check stay in place.
  std::optional<double> value;
  if (m_state != nullptr) {
    (void)m_state->increment_counter(type, k_metric_mlflow_connection_errors, {}, 1.0);
    auto stored = m_state->counter_by_type(k_metric_mlflow_connection_errors);
    if (stored) {
      value = stored->count(type) > 0 ? stored->at(type) : 0.0;
    }
  }
  if (!value && (m_state == nullptr || m_known_errors_valid)) {
    value = m_known_errors[type] + 1.0;
  }
  if (value) {
    m_known_errors[type] = *value;
  }
  if (m_metrics != nullptr) {
    // Without the stored value (MongoDB down too) the counter is left as last pushed.
    std::vector<MetricFamily> families;
    if (value) {
      families.push_back(connection_errors_family(*value));
    }
    if (m_settings.mongo_breaker_state) {
      families.push_back(breaker_state_family(m_settings.mongo_breaker_state()));
    }
    if (!families.empty()) {
      (void)m_metrics->add_to_group(type, families);
    }
  }
}

ProductionLookup production_lookup(const CheckSettings& settings, const std::string& type) {
  return {model_name_for(settings.model_name_template, type), experiment_name_for(type),
          settings.production_alias, settings.runs_limit};
}

FeedbackQuery CheckPipeline::feedback_query(const std::string& type, TimePoint now) const {
  FeedbackQuery query;
  query.specialist_type = type;
  query.window_end = now;
  query.window_start = now - std::chrono::hours(24) * m_settings.feedback_window_days;
  query.positive_min = m_settings.feedback_positive_min;
  query.negative_max = m_settings.feedback_negative_max;
  query.window_days = m_settings.feedback_window_days;
  return query;
}

CheckOutcome CheckPipeline::check(const std::string& type) {
  return check(type, FeedbackFetch{}, m_clock());
}

CheckOutcome CheckPipeline::check(const std::string& type, const FeedbackFetch& fetch,
                                  TimePoint now, const MlflowMetrics* known) {
  const auto started = std::chrono::steady_clock::now();
  CheckOutcome out;
  out.specialist_type = type;
  auto finish = [&]() -> CheckOutcome {
    out.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return std::move(out);
  };

  if (!is_valid_specialist_type(type)) {
    out.error = Error::config(fmt::format(
        "invalid specialist type '{}': expected a name matching [a-z][a-z0-9_-]{{0,62}}", type));
    return finish();
  }

  const ProductionLookup lookup = production_lookup(m_settings, type);
  Result<MlflowMetrics> mlflow =
      known != nullptr ? Result<MlflowMetrics>(*known) : m_tracker.production_metrics(lookup);
  if (!mlflow) {
    out.error = std::move(mlflow).error();
    if (out.error->kind == ErrorKind::unavailable || out.error->kind == ErrorKind::timeout) {
      record_connection_error(type);
    }
    return finish();
  }
  if (!effective_f1(*mlflow)) {
    out.error = Error::bad_response(fmt::format(
        "run {} of '{}' has neither f1_score nor precision and recall: it cannot be scored; "
        "check that the training code logs these metrics",
        mlflow->run_id, lookup.experiment_name));
    return finish();
  }

  // Feedback is read only once MLflow has answered: a specialist without a model costs nothing
  // on the database.
  Result<FeedbackStats> stats =
      fetch ? fetch() : m_feedback.feedback_stats(feedback_query(type, now));
  FeedbackStats feedback;
  bool feedback_available = true;
  if (stats) {
    feedback = *stats;
  } else {
    // The MLflow side is still worth reporting; the error keeps the exit code honest.
    feedback_available = false;
    out.error = std::move(stats).error();
  }
  feedback.window_days = m_settings.feedback_window_days;

  out.report =
      evaluate_performance(type, now, *mlflow, feedback, m_settings.thresholds, feedback_available);

  if (m_metrics != nullptr) {
    std::vector<MetricFamily> families = check_metric_families(*out.report);
    if (m_settings.mongo_breaker_state) {
      families.push_back(breaker_state_family(m_settings.mongo_breaker_state()));
    }
    // The counter's stored value unknown (the state store unreadable): POST the gauges and leave
    // the counters pushed earlier in place; a PUT would drop them or push them lower.
    const bool counters_known = m_state == nullptr || m_known_errors_valid;
    if (counters_known) {
      families.push_back(connection_errors_family(m_known_errors[type]));
    }
    // The dead-man's switch advances only when the whole check of this specialist succeeded.
    if (!out.error) {
      families.push_back(last_success_family(now));
    }
    Status pushed = counters_known ? m_metrics->push_group(type, families)
                                   : m_metrics->add_to_group(type, families);
    if (!pushed) {
      out.push_error = std::move(pushed).error();
    }
  }
  return finish();
}

std::vector<CheckOutcome> check_all(const std::vector<std::string>& types, int concurrency,
                                    const CheckWorkerFactory& make_worker, FeedbackStore& feedback,
                                    const Clock& clock, const CheckSettings& settings,
                                    const std::function<void(const CheckOutcome&)>& on_done,
                                    StateStore* state) {
  std::vector<CheckOutcome> outcomes(types.size());
  std::atomic<size_t> next{0};
  std::mutex done_mutex;
  const size_t workers = std::max<size_t>(
      1, std::min<size_t>(static_cast<size_t>(std::max(concurrency, 1)), types.size()));

  // One batch of grouped aggregations for the whole fleet instead of a few queries per
  // specialist: on the database the cost no longer grows with the number of specialists.
  const TimePoint now = clock();
  std::vector<std::string> valid_types;
  for (const auto& t : types) {
    if (is_valid_specialist_type(t)) {
      valid_types.push_back(t);
    }
  }
  // For a fleet the batch runs on its own thread while the workers ask MLflow: a run costs
  // about the longer of the two, not their sum. Each worker waits for it only when it needs
  // feedback. One specialist reads it on the calling thread once MLflow has answered (deferred):
  // a few milliseconds of MLflow more on the wall clock, one thread and one MongoDB connection
  // fewer, and nothing read for a specialist without a model.
  using Batch = Result<std::map<std::string, FeedbackStats>>;
  const auto launch = valid_types.size() > 1 ? std::launch::async : std::launch::deferred;
  std::shared_future<Batch> batch =
      std::async(launch, [&]() -> Batch {
        if (valid_types.empty()) {
          return std::map<std::string, FeedbackStats>{};
        }
        FeedbackQuery query;
        query.window_end = now;
        query.window_start = now - std::chrono::hours(24) * settings.feedback_window_days;
        query.positive_min = settings.feedback_positive_min;
        query.negative_max = settings.feedback_negative_max;
        query.window_days = settings.feedback_window_days;
        return feedback.feedback_stats_many(valid_types, query);
      }).share();
  auto feedback_of = [&](const std::string& t) -> Result<FeedbackStats> {
    const Batch& b = batch.get();
    if (!b) {
      return b.error();
    }
    auto it = b->find(t);
    return it == b->end() ? FeedbackStats{} : it->second;
  };

  // MLflow for the whole fleet too, while the batch above runs: a few searches settle most
  // specialists (Tracker::production_metrics_many); the workers ask the tracker for the rest.
  // A fleet lookup that fails costs nothing but its time: every specialist is then asked alone,
  // which reports (and counts) the failure per specialist as before.
  std::map<std::string, MlflowMetrics> settled;
  if (valid_types.size() > 1) {
    Result<CheckWorker> fleet_worker = make_worker();
    if (fleet_worker && fleet_worker->tracker) {
      std::vector<ProductionLookup> lookups;
      for (const auto& t : valid_types) {
        lookups.push_back(production_lookup(settings, t));
      }
      auto found = fleet_worker->tracker->production_metrics_many(lookups);
      for (std::size_t i = 0; found && i < valid_types.size(); ++i) {
        const auto it = found->find(lookups[i].model_name);
        if (it != found->end()) {
          settled.emplace(valid_types[i], it->second);
        }
      }
    }
  }

  // The stored counters, once for the fleet; unreadable → the pipelines leave them unpushed.
  std::optional<std::map<std::string, double>> known_errors;
  if (state != nullptr) {
    auto stored = state->counter_by_type(k_metric_mlflow_connection_errors);
    if (stored) {
      known_errors = std::move(stored).value();
    }
  }

  auto work = [&]() {
    Result<CheckWorker> worker = make_worker();
    std::optional<CheckPipeline> pipeline;
    if (worker) {
      pipeline.emplace(*worker->tracker, feedback, worker->metrics.get(), clock, settings, state);
      if (known_errors) {
        pipeline->set_known_connection_errors(*known_errors);
      }
    }
    for (size_t i = next++; i < types.size(); i = next++) {
      if (pipeline) {
        const std::string& t = types[i];
        const auto known = settled.find(t);
        outcomes[i] = pipeline->check(
            t, [&feedback_of, &t] { return feedback_of(t); }, now,
            known == settled.end() ? nullptr : &known->second);
      } else {
        outcomes[i].specialist_type = types[i];
        outcomes[i].error = worker.error();
      }
      if (on_done) {
        std::lock_guard lock(done_mutex);
        on_done(outcomes[i]);
      }
    }
  };

  if (workers == 1) {
    work();
    return outcomes;
  }
  std::vector<std::jthread> threads;
  threads.reserve(workers);
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back(work);
  }
  threads.clear(); // joins
  return outcomes;
}

int worst_exit_code(const std::vector<CheckOutcome>& outcomes) {
  int worst = k_exit_ok;
  for (const auto& o : outcomes) {
    worst = std::max(worst, o.exit_code());
  }
  return worst;
}

} // namespace mm
