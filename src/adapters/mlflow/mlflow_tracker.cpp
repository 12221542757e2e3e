#include "adapters/mlflow/mlflow_tracker.hpp"

#include "adapters/http/url.hpp"
#include "adapters/mlflow/mlflow_convert.hpp"
#include "adapters/mlflow/mlflow_errors.hpp"
#include "core/redact.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace mm {

namespace {

constexpr std::string_view k_legacy_production_stage = "Production";
constexpr int k_max_search_results = 50000; // SEARCH_MAX_RESULTS_THRESHOLD

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A run whose F1 cannot be had (neither f1_score nor precision and recall usable) because it
// logged them as NaN, Infinity, text or outside [0, 1] (a percentage): say which values are
// wrong, instead of letting the run pass for one that logged nothing.
Status check_scorable(const MlflowRun& run, const MlflowMetrics& m, const std::string& which,
                      const std::string& base) {
  if (m.f1_score || (m.precision && m.recall)) {
    return ok_status();
  }
  std::string wrong;
  for (const char* key : {"f1_score", "precision", "recall"}) {
    std::string what;
    if (std::find(run.unusable_metrics.begin(), run.unusable_metrics.end(), key) !=
        run.unusable_metrics.end()) {
      what = "not a finite number (NaN, Infinity or text)";
    } else if (const auto it = run.metrics.find(key);
               it != run.metrics.end() && !(it->second >= 0.0 && it->second <= 1.0)) {
      what = fmt::format("{} (outside [0, 1])", it->second);
    }
    if (!what.empty()) {
      wrong += (wrong.empty() ? "" : ", ") + std::string(key) + " = " + what;
    }
  }
  if (wrong.empty()) {
    return ok_status(); // nothing logged at all: the check says so
  }
  return Error::bad_response("run " + run.run_id + " of " + which + " at " +
                             mask_uri_credentials(base) + " cannot be scored: " + wrong +
                             "; metrics must be finite numbers in [0, 1]: check how the training "
                             "code computes and logs them");
}

} // namespace

MlflowTracker::MlflowTracker(std::string tracking_uri, HttpOptions http, MlflowAuth auth,
                             RetryHooks hooks)
    : m_rest(std::move(tracking_uri), std::move(http), std::move(auth), std::move(hooks)) {}

void MlflowTracker::set_runs_page_size(int size) {
  m_runs_page_size = std::clamp(size, 1, k_max_search_results);
}

Result<HttpResponse> MlflowTracker::get(std::string_view endpoint, std::string_view query) {
  return m_rest.get(endpoint, query);
}

// Every POST we send reads (searches, get-latest-versions): idempotent, safe to resend.
Result<HttpResponse> MlflowTracker::post(std::string_view endpoint, std::string body) {
  return m_rest.post(endpoint, std::move(body), true);
}

Result<bool> MlflowTracker::registered_model_exists(const std::string& name) {
  const std::string endpoint = "registered-models/get";
  auto r = get(endpoint, query_string({{"name", name}}));
  if (!r) {
    return std::move(r).error();
  }
  if (r->is_success()) {
    return true;
  }
  const MlflowApiError api = parse_mlflow_error(*r);
  if (api.http_status == 404 && api.error_code == k_resource_does_not_exist) {
    return false;
  }
  return call_error(*r, "GET", api_url(endpoint));
}

Result<std::optional<MlflowTracker::Found>>
MlflowTracker::latest_production_stage(const std::string& name) {
  const std::string endpoint = "registered-models/get-latest-versions";
  const nlohmann::json body = {{"name", name}, {"stages", {k_legacy_production_stage}}};
  auto r = post(endpoint, body.dump());
  if (!r) {
    return std::move(r).error();
  }
  if (!r->is_success()) {
    const MlflowApiError api = parse_mlflow_error(*r);
    if (api.http_status == 404 && api.error_code == k_resource_does_not_exist) {
      return std::optional<Found>();
    }
    return call_error(*r, "POST", api_url(endpoint));
  }
  auto versions = parse_model_versions(r->body);
  if (!versions) {
    return in_call(std::move(versions).error(), "POST", api_url(endpoint));
  }
  // The server filters by stage already; filter again so a server that ignores `stages`
  // cannot make a Staging version the production one.
  std::vector<MlflowModelVersion> production;
  for (auto& v : *versions) {
    if (lower(v.current_stage) == lower(k_legacy_production_stage)) {
      production.push_back(std::move(v));
    }
  }
  const MlflowModelVersion* best = highest_version(production);
  if (best == nullptr) {
    return std::optional<Found>();
  }
  return std::optional<Found>(Found{*best, RunSource::legacy_stage});
}

Result<std::optional<MlflowTracker::Found>>
MlflowTracker::find_production_version(const ProductionLookup& lookup) {
  if (!lookup.production_alias.empty()) {
    const std::string endpoint = "registered-models/alias";
    auto r = get(endpoint,
                 query_string({{"name", lookup.model_name}, {"alias", lookup.production_alias}}));
    if (!r) {
      return std::move(r).error();
    }
    if (r->is_success()) {
      auto version = parse_model_version(r->body);
      if (!version) {
        return in_call(std::move(version).error(), "GET", api_url(endpoint));
      }
      return std::optional<Found>(Found{std::move(*version), RunSource::alias});
    }
    const MlflowApiError api = parse_mlflow_error(*r);
    if (api.http_status == 404 && api.error_code == k_resource_does_not_exist) {
      // Either the model or (on some servers) the alias is missing: ask which.
      auto exists = registered_model_exists(lookup.model_name);
      if (!exists) {
        return std::move(exists).error();
      }
      if (!*exists) {
        return std::optional<Found>(); // no registered model: no legacy stage either
      }
    } else if (api.http_status == 404 && api.error_code.empty()) {
      // No alias endpoint (servers before MLflow 2.3): only the legacy stage can tell.
    } else if (!is_missing_alias(api)) {
      return call_error(*r, "GET", api_url(endpoint));
    }
  }
  return latest_production_stage(lookup.model_name);
}

Result<MlflowMetrics> MlflowTracker::metrics_of_version(const Found& found) {
  const MlflowModelVersion& v = found.version;
  const std::string which =
      "model '" + v.name + "' version " + v.version + " (" + to_string(found.source) + ")";
  if (v.run_id.empty()) {
    return Error::bad_response(which + " at " + mask_uri_credentials(m_rest.base()) +
                               " has no run_id: it was registered from a path, not from a "
                               "training run, so it has no metrics to read");
  }
  const std::string endpoint = "runs/get";
  auto r = get(endpoint, query_string({{"run_id", v.run_id}}));
  if (!r) {
    return std::move(r).error();
  }
  if (!r->is_success()) {
    Error e = call_error(*r, "GET", api_url(endpoint));
    if (e.kind == ErrorKind::not_found) {
      e.message = "run " + v.run_id + " of " + which + " not found (deleted?): " + e.message;
    }
    return e;
  }
  auto run = parse_run(r->body);
  if (!run) {
    return in_call(std::move(run).error(), "GET", api_url(endpoint));
  }
  if (run->status != k_run_status_finished) {
    return Error::bad_response("run " + run->run_id + " of " + which + " at " +
                               mask_uri_credentials(m_rest.base()) + " is " + run->status +
                               ", not FINISHED: only finished runs are metric sources "
                               "(DESIGN §3); check the production model's registration");
  }
  MlflowMetrics m = metrics_of_run(*run);
  if (Status scorable = check_scorable(*run, m, which, m_rest.base()); !scorable) {
    return std::move(scorable).error();
  }
  m.source = found.source;
  m.model_name = v.name;
  m.model_version = v.version;
  return m;
}

Result<MlflowMetrics> MlflowTracker::metrics_of_latest_run(const ProductionLookup& lookup) {
  const std::string exp_endpoint = "experiments/get-by-name";
  auto r = get(exp_endpoint, query_string({{"experiment_name", lookup.experiment_name}}));
  if (!r) {
    return std::move(r).error();
  }
  const std::string not_found_hint = "experiment '" + lookup.experiment_name + "' not found at " +
                                     mask_uri_credentials(m_rest.base()) +
                                     "; check SPECIALIST_TYPES / MLFLOW_TRACKING_URI";
  if (!r->is_success()) {
    Error e = call_error(*r, "GET", api_url(exp_endpoint));
    if (e.kind == ErrorKind::not_found) {
      e.message = not_found_hint + " (and no production version of registered model '" +
                  lookup.model_name + "'): " + e.message;
    }
    return e;
  }
  auto experiment = parse_experiment(r->body);
  if (!experiment) {
    return in_call(std::move(experiment).error(), "GET", api_url(exp_endpoint));
  }
  if (experiment->lifecycle_stage == "deleted") {
    return Error::not_found(not_found_hint + " (it is deleted; restore it or create it anew)");
  }

  const std::string search_endpoint = "runs/search";
  int seen = 0;
  std::string token;
  while (seen < lookup.runs_limit) {
    nlohmann::json body = {{"experiment_ids", {experiment->experiment_id}},
                           {"max_results", std::min(m_runs_page_size, lookup.runs_limit - seen)},
                           {"order_by", {"attributes.start_time DESC"}},
                           {"run_view_type", "ACTIVE_ONLY"}};
    if (!token.empty()) {
      body["page_token"] = token;
    }
    auto page_response = post(search_endpoint, body.dump());
    if (!page_response) {
      return std::move(page_response).error();
    }
    if (!page_response->is_success()) {
      return call_error(*page_response, "POST", api_url(search_endpoint));
    }
    auto page = parse_search_runs_page(page_response->body);
    if (!page) {
      return in_call(std::move(page).error(), "POST", api_url(search_endpoint));
    }
    for (const MlflowRun& run : page->runs) {
      if (seen >= lookup.runs_limit) {
        break;
      }
      ++seen;
      if (run.status == k_run_status_finished) {
        MlflowMetrics m = metrics_of_run(run);
        if (Status scorable = check_scorable(run, m, "experiment '" + lookup.experiment_name + "'",
                                             m_rest.base());
            !scorable) {
          return std::move(scorable).error();
        }
        m.source = RunSource::latest_run;
        return m;
      }
    }
    if (page->runs.empty() || page->next_page_token.empty()) {
      break;
    }
    if (page->next_page_token == token) { // a server bug would loop forever
      return Error::bad_response("POST " + mask_uri_credentials(api_url(search_endpoint)) +
                                 ": the same next_page_token came back twice");
    }
    token = std::move(page->next_page_token);
  }
  return Error::not_found(
      "no FINISHED run among the last " + std::to_string(seen) + " runs (MLFLOW_RUNS_LIMIT " +
      std::to_string(lookup.runs_limit) + ") of experiment '" + lookup.experiment_name + "' (id " +
      experiment->experiment_id + ") at " + mask_uri_credentials(m_rest.base()) +
      ", and no production version of registered model '" + lookup.model_name + "'");
}

Result<MlflowMetrics> MlflowTracker::production_metrics(const ProductionLookup& lookup) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (lookup.model_name.empty() || lookup.experiment_name.empty() || lookup.runs_limit < 1) {
    return Error::config("MLflow lookup needs a model name, an experiment name and "
                         "MLFLOW_RUNS_LIMIT >= 1");
  }
  auto found = find_production_version(lookup);
  if (!found) {
    return std::move(found).error();
  }
  if (*found) {
    return metrics_of_version(**found);
  }
  return metrics_of_latest_run(lookup);
}

} // namespace mm
