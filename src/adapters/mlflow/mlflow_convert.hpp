#pragma once
// Parsed MLflow values (mlflow_parse.hpp) → the ports' values, and the other way round for
// search filters. Pure functions, shared by MlflowTracker and MlflowRunRegistry.

#include "adapters/mlflow/mlflow_parse.hpp"
#include "core/result.hpp"
#include "ports/run_registry.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

// The latest value of a ratio metric (precision, recall, f1_score, accuracy) of the run, or
// nullopt when the run lacks it or its value is outside [0, 1] (bad data, e.g. MLflow's stored
// +inf 1.797e308); non-finite values were already left out by the parser (DESIGN §3).
std::optional<double> ratio_metric(const MlflowRun& run, const std::string& key);

// The metrics check reads from a run (precision, recall, f1_score, accuracy as ratio_metric),
// with its run id, experiment id and end time; source latest_run, no model.
MlflowMetrics metrics_of_run(const MlflowRun& run);

// The highest version of a list (versions are decimal strings: "10" > "9"); nullptr if empty.
const MlflowModelVersion* highest_version(const std::vector<MlflowModelVersion>& versions);

// MLflow's RunStatus name (REST API "RunStatus": RUNNING, SCHEDULED, FINISHED, FAILED, KILLED);
// nullopt for any other string. The inverse of to_string(RunStatus) (ports/run_registry.hpp).
std::optional<RunStatus> run_status_from_mlflow(std::string_view name);

// runs/get's Run → RunState: status (an unknown one is a bad_response), the four ratio metrics
// sanitised as ratio_metric, and every tag.
Result<RunState> run_state_of(const MlflowRun& run);

ModelVersionRef version_ref_of(const MlflowModelVersion& version);

// A config error naming `what` when `value` is empty (checked before any call).
Status require_value(std::string_view value, std::string_view what);

// A string literal for MLflow's search filter grammar ("Search model versions":
// `name='my-model'`): the value between single quotes. A value holding a quote, a backslash or a
// control character is refused (config error naming `what`), not escaped: MLflow parses filters
// with sqlparse, whose string-literal escapes ('' and \') differ between MLflow versions, and
// none of our names (DESIGN §1 types, MLflow run ids [A-Za-z0-9_-]) needs them.
Result<std::string> filter_literal(std::string_view value, std::string_view what);

// `<field> LIKE '<prefix>%<suffix>'` with the longest prefix and suffix every one of `values`
// shares (MLflow search syntax), e.g. `name LIKE 'fleet%-specialist'`: a server-side pre-filter
// that matches at least all of them ('_' and '%' in the values are wildcards there, so it may
// match more; callers keep the exact names); `<field> = '<value>'` when they are all equal; ""
// (no filter) when they share neither prefix nor suffix. nullopt when `values` is empty or a value
// cannot be a filter literal (empty, a quote, a backslash: filter_literal).
std::optional<std::string> like_covering(const std::vector<std::string>& values,
                                         std::string_view field);

// model-versions/search filter of a run's versions: `name='<model>' and run_id='<run id>'`.
Result<std::string> versions_of_run_filter(std::string_view model_name, std::string_view run_id);

} // namespace mm
