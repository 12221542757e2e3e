#include "app/check_command.hpp"

#include "adapters/mongo/mongo_feedback_store.hpp"
#include "adapters/mongo/mongo_pool.hpp"
#include "adapters/mongo/mongo_state_store.hpp"
#include "adapters/pushgateway/pushgateway_sink.hpp"
#include "adapters/pushgateway/pushgateway_status.hpp"
#include "app/command_support.hpp"
#include "app/wiring.hpp"
#include "core/redact.hpp"
#include "core/specialist.hpp"
#include "pipeline/mongo_breaker.hpp"

#include <chrono>
#include <fmt/format.h>

namespace mm {

void warn_if_pushes_are_costly(const std::string& push_url, std::size_t groups, Logger& log) {
  if (groups < k_costly_consistency_check_groups) {
    return; // a small fleet: not worth a request
  }
  HttpOptions options = pushgateway_http_options();
  options.total_timeout_ms = 3000;
  auto status = read_pushgateway_status(push_url, options);
  if (!status) {
    log.info("pushgateway_status_unreadable",
             {{"pushgateway", mask_uri_credentials(push_url)}, {"error", status.error().message}});
    return;
  }
  if (consistency_check_is_costly(groups, *status)) {
    log.warn("pushgateway_consistency_check_costly",
             {{"pushgateway", mask_uri_credentials(push_url)},
              {"groups", static_cast<long long>(groups)},
              {"advice", "this Pushgateway checks every push against every group it holds, so "
                         "this run's pushes cost it CPU growing with the square of the fleet "
                         "(~25 s at 1,000 specialists on 2 cores) and the run waits for them; "
                         "run it with --push.disable-consistency-check (docs/operations.md, "
                         "\"Large fleets\")"}});
  }
}

Result<CheckRun> run_check(const Config& config, const CheckRequest& request, Logger& log) {
  const bool all = request.specialist_type == "all";
  if (!all && !is_valid_specialist_type(request.specialist_type)) {
    return Error::config(fmt::format("invalid --specialist-type '{}': expected 'all' or a name "
                                     "matching [a-z][a-z0-9_-]{{0,62}}",
                                     request.specialist_type));
  }
  const std::string push_url =
      request.export_url.empty() ? config.pushgateway_url : request.export_url;
  if (!push_url.empty() && !(push_url.starts_with("http://") || push_url.starts_with("https://"))) {
    return Error::config(fmt::format("invalid --export-metrics '{}': expected an http:// or "
                                     "https:// URL of a Pushgateway",
                                     mask_uri_credentials(push_url)));
  }
  const int concurrency =
      request.concurrency > 0 ? request.concurrency : config.monitor_concurrency;

  std::vector<std::string> types;
  if (!all) {
    types.push_back(request.specialist_type);
  } else if (request.discover) {
    auto tracker = make_tracker(config);
    auto found = tracker->discover_specialists(config.model_name_template);
    if (!found) {
      return std::move(found).error();
    }
    types = std::move(found).value();
    log.info("specialists_discovered", {{"count", static_cast<long long>(types.size())},
                                        {"template", config.model_name_template}});
    if (types.empty()) {
      return Error::not_found(fmt::format(
          "no registered model matches MLFLOW_MODEL_NAME_TEMPLATE='{}' at {}; register the "
          "specialists' models or use SPECIALIST_TYPES without --discover",
          config.model_name_template, mask_uri_credentials(config.mlflow_tracking_uri)));
    }
  } else {
    types = config.specialist_types;
  }

  const MongoDriverLogScope mongo_log(log);

  MongoPoolOptions pool_options = mongo_pool_options(config);
  pool_options.max_pool_size = static_cast<std::uint32_t>(std::max(concurrency, 1));
  auto pool = MongoPool::create(config.mongodb_uri, pool_options);
  if (!pool) {
    return std::move(pool).error();
  }
  MongoFeedbackStore mongo_feedback(**pool, config.mongodb_database, config.feedback_collection,
                                    mongo_query_timeout(config));
  BreakerGuard breaker(CircuitBreaker(3, std::chrono::seconds(30)),
                       [] { return std::chrono::system_clock::now(); });
  GuardedFeedbackStore feedback(mongo_feedback, breaker);

  log.info("check_started",
           {{"specialists", static_cast<long long>(types.size())},
            {"concurrency", static_cast<long long>(concurrency)},
            {"mlflow", mask_uri_credentials(config.mlflow_tracking_uri)},
            {"mongodb", (*pool)->masked_uri()},
            {"pushgateway", push_url.empty() ? std::string("-") : mask_uri_credentials(push_url)}});

  if (!push_url.empty()) {
    warn_if_pushes_are_costly(push_url, types.size(), log);
  }

  CheckWorkerFactory factory = [&]() -> Result<CheckWorker> {
    CheckWorker w;
    w.tracker = make_tracker(config);
    if (!push_url.empty()) {
      w.metrics = std::make_unique<PushgatewaySink>(push_url, pushgateway_http_options());
    }
    return w;
  };
  Clock clock = [] { return std::chrono::system_clock::now(); };

  auto on_done = [&](const CheckOutcome& o) {
    if (o.report) {
      log.info("specialist_checked", {{"specialist_type", o.specialist_type},
                                      {"aggregate_score", o.report->aggregate_score},
                                      {"is_degraded", o.report->is_degraded},
                                      {"run_id", o.report->mlflow.run_id},
                                      {"duration_ms", o.duration_ms}});
    }
    if (o.error) {
      log.error(o.report ? "feedback_unavailable" : "specialist_check_failed",
                {{"specialist_type", o.specialist_type},
                 {"error_kind", to_string(o.error->kind)},
                 {"error", o.error->message}});
    }
    if (o.push_error) {
      log.error("metrics_push_failed",
                {{"specialist_type", o.specialist_type}, {"error", o.push_error->message}});
    }
  };

  CheckRun run;
  run.single = !all;
  CheckSettings settings = check_settings_from(config);
  settings.mongo_breaker_state = [&breaker] { return to_string(breaker.state()); };
  // Our own state (cumulative counters) lives beside the feedback; a check writes to it only to
  // count MLflow connection failures.
  MongoStateStore mongo_state(**pool, config.mongodb_database,
                              MongoStateStore::k_default_collection, mongo_query_timeout(config));
  GuardedStateStore state(mongo_state, breaker);
  run.outcomes = check_all(types, concurrency, factory, feedback, clock, settings, on_done,
                           push_url.empty() ? nullptr : &state);
  run.exit_code = worst_exit_code(run.outcomes);
  log.info("check_finished", {{"specialists", static_cast<long long>(run.outcomes.size())},
                              {"exit_code", static_cast<long long>(run.exit_code)}});
  return run;
}

} // namespace mm
