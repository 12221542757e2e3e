// MlflowRunRegistry: experiments and runs (the model registry side is mlflow_registry_models.cpp).

#include "adapters/mlflow/mlflow_run_registry.hpp"

#include "adapters/http/url.hpp"
#include "adapters/mlflow/mlflow_convert.hpp"
#include "adapters/mlflow/mlflow_errors.hpp"
#include "core/redact.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <thread>

namespace mm {

namespace {

using Json = nlohmann::json;

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

MlflowRunRegistry::MlflowRunRegistry(std::string tracking_uri, HttpOptions http, MlflowAuth auth,
                                     RetryHooks hooks)
    : m_rest(std::move(tracking_uri), std::move(http), std::move(auth), hooks),
      m_sleep(hooks.sleep), m_now_ms(&system_now_ms) {
  if (!m_sleep) {
    m_sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
}

void MlflowRunRegistry::set_ready_wait(std::chrono::milliseconds interval, int max_polls) {
  const std::lock_guard lock(m_mutex);
  m_ready_interval = std::max(interval, std::chrono::milliseconds(0));
  m_ready_max_polls = std::max(max_polls, 0);
}

void MlflowRunRegistry::set_clock(std::function<std::int64_t()> now_ms) {
  const std::lock_guard lock(m_mutex);
  m_now_ms = now_ms ? std::move(now_ms) : std::function<std::int64_t()>(&system_now_ms);
}

Status MlflowRunRegistry::post_ok(std::string_view endpoint, std::string body) {
  auto r = m_rest.post(endpoint, std::move(body), /*idempotent=*/true);
  if (!r) {
    return std::move(r).error();
  }
  if (!r->is_success()) {
    return call_error(*r, "POST", m_rest.api_url(endpoint));
  }
  return ok_status();
}

// --- experiments ----------------------------------------------------------------------------

Result<std::optional<MlflowExperiment>>
MlflowRunRegistry::experiment_by_name(const std::string& name) {
  const std::string endpoint = "experiments/get-by-name";
  auto r = m_rest.get(endpoint, query_string({{"experiment_name", name}}));
  if (!r) {
    return std::move(r).error();
  }
  if (!r->is_success()) {
    if (is_resource_not_found(parse_mlflow_error(*r))) {
      return std::optional<MlflowExperiment>();
    }
    return call_error(*r, "GET", m_rest.api_url(endpoint));
  }
  auto experiment = parse_experiment(r->body);
  if (!experiment) {
    return in_call(std::move(experiment).error(), "GET", m_rest.api_url(endpoint));
  }
  if (experiment->lifecycle_stage == "deleted") {
    return Error::config("experiment '" + name + "' (id " + experiment->experiment_id + ") at " +
                         mask_uri_credentials(m_rest.base()) +
                         " is deleted, and MLflow creates no run in a deleted experiment: "
                         "restore it (mlflow experiments restore) or purge it (mlflow gc)");
  }
  return std::optional<MlflowExperiment>(std::move(*experiment));
}

Result<std::string> MlflowRunRegistry::ensure_experiment(const std::string& name) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (auto ok = require_value(name, "experiment name"); !ok) {
    return std::move(ok).error();
  }
  auto found = experiment_by_name(name);
  if (!found) {
    return std::move(found).error();
  }
  if (*found) {
    return (*found)->experiment_id;
  }
  // Sent as idempotent: should a resent create find the experiment made by the first attempt,
  // it answers RESOURCE_ALREADY_EXISTS, handled below like a concurrent creator.
  const std::string endpoint = "experiments/create";
  auto r = m_rest.post(endpoint, Json{{"name", name}}.dump(), /*idempotent=*/true);
  if (!r) {
    return std::move(r).error();
  }
  if (r->is_success()) {
    auto id = parse_created_experiment_id(r->body);
    if (!id) {
      return in_call(std::move(id).error(), "POST", m_rest.api_url(endpoint));
    }
    return id;
  }
  if (parse_mlflow_error(*r).error_code != k_resource_already_exists) {
    return call_error(*r, "POST", m_rest.api_url(endpoint));
  }
  auto again = experiment_by_name(name);
  if (!again) {
    return std::move(again).error();
  }
  if (!*again) {
    return Error::bad_response("POST " + mask_uri_credentials(m_rest.api_url(endpoint)) +
                               ": experiment '" + name +
                               "' already exists, yet experiments/get-by-name does not find it");
  }
  return (*again)->experiment_id;
}

// --- runs -----------------------------------------------------------------------------------

Result<std::string> MlflowRunRegistry::create_run(const std::string& experiment_id,
                                                  const std::map<std::string, std::string>& tags) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (auto ok = require_value(experiment_id, "experiment id"); !ok) {
    return std::move(ok).error();
  }
  Json tag_list = Json::array();
  for (const auto& [key, value] : tags) {
    tag_list.push_back({{"key", key}, {"value", value}});
  }
  const Json body = {
      {"experiment_id", experiment_id}, {"start_time", m_now_ms()}, {"tags", tag_list}};
  const std::string endpoint = "runs/create";
  // Not idempotent: a resent runs/create makes a second run (HttpClient resends it only when it
  // certainly never left).
  auto r = m_rest.post(endpoint, body.dump(), /*idempotent=*/false);
  if (r && !r->is_success()) {
    r = call_error(*r, "POST", m_rest.api_url(endpoint));
  }
  if (!r) {
    Error e = std::move(r).error();
    if (may_have_been_applied(e)) {
      e.message += "; runs/create is not resent once it may have reached the server (a resend "
                   "could create a second run): a RUNNING run may have been left in experiment " +
                   experiment_id;
    }
    return e;
  }
  auto run = parse_run(r->body);
  if (!run) {
    return in_call(std::move(run).error(), "POST", m_rest.api_url(endpoint));
  }
  return run->run_id;
}

Result<RunState> MlflowRunRegistry::get_run(const std::string& run_id) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (auto ok = require_value(run_id, "run id"); !ok) {
    return std::move(ok).error();
  }
  const std::string endpoint = "runs/get";
  auto r = m_rest.get(endpoint, query_string({{"run_id", run_id}}));
  if (!r) {
    return std::move(r).error();
  }
  if (!r->is_success()) {
    Error e = call_error(*r, "GET", m_rest.api_url(endpoint));
    if (e.kind == ErrorKind::not_found) {
      e.message = "run " + run_id + " not found: " + e.message;
    }
    return e;
  }
  auto run = parse_run(r->body);
  if (!run) {
    return in_call(std::move(run).error(), "GET", m_rest.api_url(endpoint));
  }
  auto state = run_state_of(*run);
  if (!state) {
    return in_call(std::move(state).error(), "GET", m_rest.api_url(endpoint));
  }
  return state;
}

Status MlflowRunRegistry::set_tags(const std::string& run_id,
                                   const std::map<std::string, std::string>& tags) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (auto ok = require_value(run_id, "run id"); !ok) {
    return ok;
  }
  for (const auto& [key, value] : tags) {
    Status st =
        post_ok("runs/set-tag", Json{{"run_id", run_id}, {"key", key}, {"value", value}}.dump());
    if (!st) {
      Error e = std::move(st).error();
      e.message = "setting tag '" + key + "' of run " + run_id + ": " + e.message;
      return e;
    }
  }
  return ok_status();
}

Status MlflowRunRegistry::terminate_run(const std::string& run_id, RunStatus status) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (auto ok = require_value(run_id, "run id"); !ok) {
    return ok;
  }
  if (status != RunStatus::finished && status != RunStatus::failed && status != RunStatus::killed) {
    return Error::internal(std::string("terminate_run needs a terminal status (FINISHED, FAILED, "
                                       "KILLED), not ") +
                           to_string(status));
  }
  const Json body = {{"run_id", run_id}, {"status", to_string(status)}, {"end_time", m_now_ms()}};
  Status st = post_ok("runs/update", body.dump());
  if (!st) {
    Error e = std::move(st).error();
    e.message = "terminating run " + run_id + " as " + to_string(status) + ": " + e.message;
    return e;
  }
  return ok_status();
}

} // namespace mm
