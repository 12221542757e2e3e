#pragma once
// Tracker port over MLflow's REST API (/api/2.0/mlflow/..., MLflow 2.9+ and 3.x servers).

#include "adapters/http/http_client.hpp"
#include "adapters/mlflow/mlflow_parse.hpp"
#include "adapters/mlflow/mlflow_rest.hpp"
#include "ports/tracker.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

// runs/search accepts max_results up to 50000 (SEARCH_MAX_RESULTS_THRESHOLD) and
// registered-models/search up to 1000 (SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD),
// mlflow/store/tracking/__init__.py, mlflow/store/model_registry/__init__.py.
inline constexpr int k_default_runs_page_size = 1000;
inline constexpr int k_registered_models_page_size = 1000;

// How production_metrics decides (DESIGN §3, ports/tracker.hpp):
//  1. GET registered-models/alias → the version under MODEL_PRODUCTION_ALIAS. A missing alias
//     (MLflow answers 400 "Registered model alias X not found.") falls through to 2; a missing
//     registered model (404 RESOURCE_DOES_NOT_EXIST, confirmed by registered-models/get) skips 2.
//  2. POST registered-models/get-latest-versions {stages: ["Production"]}: the legacy stage
//     (deprecated since MLflow 2.9, still served by 3.x); the highest version in it.
//  3. The version's run (GET runs/get) must be FINISHED; otherwise bad_response, as its metrics
//     are not final. A version without run_id (registered from a path) is bad_response too.
//  4. No production version: GET experiments/get-by-name, then POST runs/search ordered by
//     start_time DESC, page by page (page_token) until runs_limit runs were seen; the first
//     FINISHED one wins. No experiment → not_found; no FINISHED run → not_found.
// Metrics read: precision, recall, f1_score, accuracy, the latest value of each. A metric the
// run lacks, or whose value is not a finite number in [0, 1] (they are ratios by definition;
// MLflow stores +inf as 1.797e308), is absent (nullopt): bad data is never a score.
//
// Calls are serialised by a mutex (one HTTP connection); use one tracker per thread to run
// lookups in parallel.
class MlflowTracker final : public Tracker {
public:
  MlflowTracker(std::string tracking_uri, HttpOptions http, MlflowAuth auth, RetryHooks hooks = {});

  Result<MlflowMetrics> production_metrics(const ProductionLookup& lookup) override;
  // Four searches for the whole fleet, each paged (registered models, their versions, the
  // experiments, the runs: mlflow_fleet.hpp), instead of two or more requests per specialist.
  // Settles the lookups whose production version and run they decide as production_metrics
  // would and whose result is usable; leaves the others out.
  Result<std::map<std::string, MlflowMetrics>>
  production_metrics_many(const std::vector<ProductionLookup>& lookups) override;
  // Pages through registered-models/search (max_results 1000), pre-filtered on the server with
  // `name LIKE '<prefix>%<suffix>'`, and keeps the names core's type_from_model_name accepts.
  // The template must hold "{type}" exactly once (config error otherwise).
  Result<std::vector<std::string>> discover_specialists(const std::string& name_template) override;

  // Runs asked per runs/search page (clamped to [1, 50000]); tests force several pages.
  void set_runs_page_size(int size);

  const std::string& tracking_uri() const noexcept { return m_rest.base(); }

private:
  struct Found {
    MlflowModelVersion version;
    RunSource source;
  };

  Result<std::optional<Found>> find_production_version(const ProductionLookup& lookup);
  Result<bool> registered_model_exists(const std::string& name);
  Result<std::optional<Found>> latest_production_stage(const std::string& name);
  Result<MlflowMetrics> metrics_of_version(const Found& found);
  Result<MlflowMetrics> metrics_of_latest_run(const ProductionLookup& lookup);

  std::string api_url(std::string_view endpoint) const { return m_rest.api_url(endpoint); }
  Result<HttpResponse> get(std::string_view endpoint, std::string_view query);
  Result<HttpResponse> post(std::string_view endpoint, std::string body);

  int m_runs_page_size = k_default_runs_page_size;
  std::mutex m_mutex;
  MlflowRest m_rest;
};

} // namespace mm
