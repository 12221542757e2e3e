#pragma once
// MlflowTracker::production_metrics_many: the production metrics of a whole fleet in a fixed
// number of requests (mlflow_fleet.cpp), and the pure decisions it makes from what the searches
// returned (here, tested on plain values). Internal to mm_mlflow.
//
// production_metrics asks 2 requests per specialist when it has an alias (registered-models/alias,
// runs/get) and more without; against MLflow's Python workers that is most of the time of a
// fleet check (~4 ms of server CPU each). For a fleet, these searches settle the usual case:
//   GET  registered-models/search  filter name LIKE          the models and their aliases
//   GET  model-versions/search     filter name LIKE          every version: run_id, stage
//   POST experiments/search        filter name LIKE          the specialists' experiment ids
//   POST runs/search               attributes.run_id IN (...) the production runs, with metrics
// (MLflow REST API; filters in MLflow's search syntax; each paged with page_token.) A lookup is
// settled only when the decision is the one production_metrics would make and its result is a
// usable one; anything else (no registered model, no production version, the special alias
// "latest", a run in another experiment, a run that is not FINISHED or cannot be scored) is left
// to production_metrics, so the reports and their errors are exactly those of the per-specialist
// path.

#include "adapters/mlflow/mlflow_parse.hpp"
#include "core/metrics.hpp"
#include "ports/tracker.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm {

// What the registry searches found for the fleet's models.
struct FleetRegistry {
  std::map<std::string, MlflowRegisteredModel> models;             // existing models, by name
  std::map<std::string, std::vector<MlflowModelVersion>> versions; // by model name
};

struct FleetChoice {
  MlflowModelVersion version;
  RunSource source = RunSource::alias;
};

// The production version production_metrics would read for `lookup` (mlflow_tracker.hpp): the
// version under the alias; when the model has no such alias, the highest version in legacy stage
// "Production". nullopt when the searches do not settle it: an unknown model, no production
// version (production_metrics then reads the experiment's latest run), the alias "latest" (the
// server resolves it, any case), an alias that matches only ignoring case (the database's
// collation decides), a version missing from the versions found or without run_id.
std::optional<FleetChoice> settled_production_version(const ProductionLookup& lookup,
                                                      const FleetRegistry& registry);

// The metrics production_metrics returns for `choice` when its run is `run` and nothing about it
// is wrong: FINISHED, with f1_score or both precision and recall usable. nullopt otherwise.
std::optional<MlflowMetrics> settled_metrics(const FleetChoice& choice, const MlflowRun& run);

// `attributes.run_id IN ('a','b')`; the ids are MLflow run ids ([0-9a-f]{32}, or any filter
// literal); nullopt when one cannot be a filter literal.
std::optional<std::string> run_ids_filter(const std::vector<std::string>& run_ids);

} // namespace mm
