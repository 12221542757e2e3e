#pragma once
// Port: the experiment tracker / model registry (MLflow).

#include "core/metrics.hpp"
#include "core/result.hpp"

#include <map>
#include <string>
#include <vector>

namespace mm {

struct ProductionLookup {
  std::string model_name;       // registered model name (MLFLOW_MODEL_NAME_TEMPLATE applied)
  std::string experiment_name;  // "{type}-specialist"
  std::string production_alias; // MODEL_PRODUCTION_ALIAS
  int runs_limit = 100;         // MLFLOW_RUNS_LIMIT
};

class Tracker {
public:
  virtual ~Tracker() = default;

  // The metrics of the run representing the specialist in production (DESIGN §3): the version
  // under the alias, else the latest legacy "Production" version, else the most recent FINISHED
  // run among the last runs_limit runs of the experiment.
  // Errors: not_found when there is neither a production model nor the experiment, or no FINISHED
  // run; unavailable / timeout / bad_response for the service.
  virtual Result<MlflowMetrics> production_metrics(const ProductionLookup& lookup) = 0;

  // For a fleet: what production_metrics would return for each lookup, found with a fixed
  // number of requests for the whole fleet where the tracker can, keyed by model_name. Holds only
  // the lookups settled that way with a usable result; every other lookup (and every one when
  // the whole call fails) is for production_metrics, which reports exactly what is wrong. The
  // default settles none.
  virtual Result<std::map<std::string, MlflowMetrics>>
  production_metrics_many(const std::vector<ProductionLookup>& lookups) {
    (void)lookups;
    return std::map<std::string, MlflowMetrics>{};
  }

  // Names of registered models whose name matches the template, with "{type}" extracted
  // (e.g. "technical" from "technical-specialist"). Used for fleet discovery.
  virtual Result<std::vector<std::string>>
  discover_specialists(const std::string& name_template) = 0;
};

} // namespace mm
