#pragma once
// MLflow REST responses → plain values. Pure functions (no I/O), one per response shape of
// https://mlflow.org/docs/latest/api_reference/rest-api.html, tested on literal bodies.
//
// Lenient where MLflow itself varies, strict where a wrong value would mislead:
//   - int64 fields (start_time, timestamp, step) are JSON numbers on the MLflow server, but
//     proto3's canonical JSON writes int64 as strings: both are accepted;
//   - ids (experiment_id, version) may be strings or integers;
//   - empty repeated fields are omitted by MLflow ({} for no runs): absent = empty;
//   - a metric whose latest value is not a finite number (MLflow writes NaN as "NaN"; a string
//     such as "0.8", null, a boolean, an object) is *unusable*: it is left out of `metrics` and
//     its key listed in `unusable_metrics`, so one bad metric does not hide the others and a
//     missing metric is never read as 0 (DESIGN §3, core/metrics.hpp). Range checks (ratios in
//     [0, 1]) are the tracker's: here 1e300 is a number like any other;
//   - a body that is not JSON (including a number beyond double's range, which nlohmann::json
//     rejects), or whose required fields are missing or of the wrong type, is a bad_response
//     naming the field.

#include "core/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

inline constexpr std::string_view k_run_status_finished = "FINISHED";

// Run (REST "Run": RunInfo + RunData).
struct MlflowRun {
  std::string run_id;
  std::string experiment_id;
  std::string status;          // RUNNING, SCHEDULED, FINISHED, FAILED, KILLED
  std::string lifecycle_stage; // active, deleted
  std::optional<std::int64_t> start_time_ms;
  std::optional<std::int64_t> end_time_ms;
  std::map<std::string, double> metrics;     // latest value of each metric, finite only
  std::vector<std::string> unusable_metrics; // keys whose latest value was not a finite number
  std::map<std::string, std::string> tags;   // RunData.tags (system tags "mlflow.*" included)
};

// ModelVersion.
struct MlflowModelVersion {
  std::string name;
  std::string version;       // "1", "2", ... (a string in the API)
  std::string run_id;        // empty when registered from a path rather than a run
  std::string current_stage; // None, Staging, Production, Archived (legacy stages)
  std::string status;        // READY, PENDING_REGISTRATION, FAILED_REGISTRATION
  std::string source;
  std::vector<std::string> aliases;
  std::string status_message; // why a registration failed, when the server says
};

// Experiment.
struct MlflowExperiment {
  std::string experiment_id;
  std::string name;
  std::string lifecycle_stage; // active, deleted
};

struct MlflowModelVersionsPage {
  std::vector<MlflowModelVersion> versions;
  std::string next_page_token; // empty on the last page
};

struct MlflowExperimentsPage {
  std::vector<MlflowExperiment> experiments;
  std::string next_page_token; // empty on the last page
};

struct MlflowRunsPage {
  std::vector<MlflowRun> runs;
  std::string next_page_token; // empty on the last page
};

// RegisteredModel: its name and aliases (RegisteredModelAlias: alias → version).
struct MlflowRegisteredModel {
  std::string name;
  std::map<std::string, std::string> aliases; // alias → version ("1", "2", ...)
};

struct MlflowRegisteredModelsPage {
  std::vector<std::string> names;
  std::vector<MlflowRegisteredModel> models; // the same models, with their aliases
  std::string next_page_token;
};

// GET runs/get, POST runs/create → {"run": Run}
Result<MlflowRun> parse_run(std::string_view body);
// GET registered-models/alias, GET model-versions/get, POST model-versions/create →
// {"model_version": ModelVersion}
Result<MlflowModelVersion> parse_model_version(std::string_view body);
// POST registered-models/get-latest-versions, GET model-versions/search →
// {"model_versions": [ModelVersion]} (the key absent when none matched)
Result<std::vector<MlflowModelVersion>> parse_model_versions(std::string_view body);
// GET model-versions/search → {"model_versions": [...], "next_page_token": "..."}
Result<MlflowModelVersionsPage> parse_model_versions_page(std::string_view body);
// GET experiments/get-by-name → {"experiment": Experiment}
Result<MlflowExperiment> parse_experiment(std::string_view body);
// POST experiments/search → {"experiments": [Experiment], "next_page_token": "..."}
Result<MlflowExperimentsPage> parse_search_experiments_page(std::string_view body);
// POST experiments/create → {"experiment_id": "79"}
Result<std::string> parse_created_experiment_id(std::string_view body);
// POST runs/search → {"runs": [Run], "next_page_token": "..."}
Result<MlflowRunsPage> parse_search_runs_page(std::string_view body);
// GET registered-models/search → {"registered_models": [RegisteredModel], "next_page_token"};
// RegisteredModel.aliases: [{"alias": "production", "version": "3"}] (absent when none)
Result<MlflowRegisteredModelsPage> parse_registered_models_page(std::string_view body);

} // namespace mm
