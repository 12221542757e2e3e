// libFuzzer target: MLflow REST answers (adapters/mlflow). Every input is given to every parser
// of mlflow_parse.hpp (runs/get, runs/search, registered-models/alias and model-versions/get,
// model-versions/search and get-latest-versions, experiments/get-by-name and create,
// registered-models/search), to the conversions of mlflow_convert.hpp that the tracker and the
// run registry apply to what was parsed, and, as an error body, to mlflow_errors.hpp.
// Seeds: tests/fuzz/corpus/fuzz_mlflow_json (shapes of the REST API reference and of MLflow 3.17
// answers). See docs/fuzzing.md.

#include "adapters/mlflow/mlflow_convert.hpp"
#include "adapters/mlflow/mlflow_errors.hpp"
#include "adapters/mlflow/mlflow_parse.hpp"
#include "core/specialist.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace mm {
namespace {

// What the tracker and the run registry rely on in a parsed run (mlflow_parse.hpp).
void check_run(const MlflowRun& run) {
  MM_FUZZ_CHECK(!run.run_id.empty(), "run without an id");
  MM_FUZZ_CHECK(!run.experiment_id.empty(), run.run_id);
  MM_FUZZ_CHECK(!run.status.empty(), run.run_id);
  std::set<std::string> unusable;
  for (const auto& key : run.unusable_metrics) {
    MM_FUZZ_CHECK(unusable.insert(key).second, "unusable metric listed twice: " + key);
    MM_FUZZ_CHECK(run.metrics.count(key) == 0, "metric both usable and unusable: " + key);
  }
  for (const auto& [key, value] : run.metrics) {
    MM_FUZZ_CHECK(std::isfinite(value), "non-finite metric kept: " + key);
  }
  // runs/get → RunState (MlflowRunRegistry): an unknown status is a bad_response, the ratio
  // metrics are in [0, 1] or absent, never a made-up 0.
  auto state = run_state_of(run);
  const auto status = run_status_from_mlflow(run.status);
  MM_FUZZ_CHECK(state.ok() == status.has_value(), run.status);
  if (!state) {
    MM_FUZZ_CHECK_ERROR(state.error(), ErrorKind::bad_response);
    return;
  }
  MM_FUZZ_CHECK(state->run_id == run.run_id, run.run_id);
  for (const auto& [key, value] :
       {std::pair{"precision", state->precision}, std::pair{"recall", state->recall},
        std::pair{"f1_score", state->f1_score}, std::pair{"accuracy", state->accuracy}}) {
    const auto it = run.metrics.find(key);
    if (value) {
      MM_FUZZ_CHECK(*value >= 0.0 && *value <= 1.0, key);
      MM_FUZZ_CHECK(it != run.metrics.end() && it->second == *value, key);
    } else {
      MM_FUZZ_CHECK(it == run.metrics.end() || !(it->second >= 0.0 && it->second <= 1.0), key);
    }
  }
}

void check_version(const MlflowModelVersion& v) {
  MM_FUZZ_CHECK(!v.name.empty(), "model version without a name");
  MM_FUZZ_CHECK(!v.version.empty(), v.name);
  const ModelVersionRef ref = version_ref_of(v);
  MM_FUZZ_CHECK(!ref.current_stage.empty(), v.name);
  // The run registry looks a run's versions up with a search filter built from these names:
  // either refused (config) or a literal without quotes, backslashes or control characters.
  auto filter = versions_of_run_filter(v.name, v.run_id);
  if (!filter) {
    MM_FUZZ_CHECK_ERROR(filter.error(), ErrorKind::config);
  } else {
    const std::string inside = *filter;
    MM_FUZZ_CHECK(std::count(inside.begin(), inside.end(), '\'') == 4, inside);
    MM_FUZZ_CHECK(inside.find('\\') == std::string::npos, inside);
    MM_FUZZ_CHECK(fuzz::is_one_printable_line(inside), inside);
  }
}

// Discovery (mlflow_discovery.cpp) maps registered model names back to specialist types.
void check_model_name(const std::string& name) {
  for (const std::string_view tmpl : {"{type}-specialist", "{type}-evaluator", "ml.{type}"}) {
    if (auto type = type_from_model_name(tmpl, name)) {
      MM_FUZZ_CHECK(is_valid_specialist_type(*type), *type);
      MM_FUZZ_CHECK(model_name_for(tmpl, *type) == name, name);
    }
  }
}

template <typename T> void expect_bad_response(const Result<T>& r) {
  if (!r) {
    MM_FUZZ_CHECK_ERROR(r.error(), ErrorKind::bad_response);
  }
}

// An answer with a non-2xx status: the error body is MLflow's {"error_code", "message"}, or
// anything a proxy sends. The status is taken from the input's length, so every status class
// is reached without a byte of the body being spent on it.
void check_error_body(std::string_view body) {
  static constexpr std::array<long, 12> k_statuses = {301, 400, 401, 403, 404, 408,
                                                      409, 429, 500, 502, 503, 504};
  HttpResponse response;
  response.status = k_statuses[body.size() % k_statuses.size()];
  response.body = std::string(body);
  response.headers.emplace_back("location", std::string(body.substr(0, 64)));
  const MlflowApiError api = parse_mlflow_error(response);
  MM_FUZZ_CHECK(api.http_status == response.status, "status");
  MM_FUZZ_CHECK(api.message.find_first_of("\r\n") == std::string::npos, api.message);
  MM_FUZZ_CHECK(api.message.size() <= 503, api.message);
  const Error e = call_error(response, "GET", "http://user:s3cr3t-pw@mlflow:5000/api/2.0/x");
  // The tracking URI's password never shows (unless the server itself echoed it in the body).
  if (body.find("s3cr3t-pw") == std::string_view::npos) {
    MM_FUZZ_CHECK(e.message.find("s3cr3t-pw") == std::string::npos, e.message);
  }
  const long s = response.status;
  ErrorKind expected = ErrorKind::bad_response;
  if ((s >= 300 && s < 400) || s == 401 || s == 403) {
    expected = ErrorKind::config;
  } else if (s == 404) {
    expected = is_resource_not_found(api) ? ErrorKind::not_found : ErrorKind::config;
  } else if (s == 429 || s >= 500) {
    expected = ErrorKind::unavailable;
  }
  MM_FUZZ_CHECK_ERROR(e, expected);
  (void)is_missing_alias(api);
}

} // namespace
} // namespace mm

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mm;
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  if (auto run = parse_run(body)) {
    check_run(*run);
  } else {
    expect_bad_response(run);
  }
  if (auto page = parse_search_runs_page(body)) {
    for (const auto& run : page->runs) {
      check_run(run);
    }
  } else {
    expect_bad_response(page);
  }
  if (auto v = parse_model_version(body)) {
    check_version(*v);
  } else {
    expect_bad_response(v);
  }
  if (auto versions = parse_model_versions(body)) {
    for (const auto& v : *versions) {
      check_version(v);
    }
    const MlflowModelVersion* best = highest_version(*versions);
    MM_FUZZ_CHECK((best == nullptr) == versions->empty(), "highest_version");
    if (best != nullptr) {
      for (const auto& v : *versions) {
        // decimal strings: longer is higher, then lexicographic
        MM_FUZZ_CHECK(v.version.size() < best->version.size() ||
                          (v.version.size() == best->version.size() && v.version <= best->version),
                      v.version + " > " + best->version);
      }
    }
  } else {
    expect_bad_response(versions);
  }
  if (auto exp = parse_experiment(body)) {
    MM_FUZZ_CHECK(!exp->experiment_id.empty() && !exp->name.empty(), exp->name);
  } else {
    expect_bad_response(exp);
  }
  if (auto id = parse_created_experiment_id(body)) {
    MM_FUZZ_CHECK(!id->empty(), "empty experiment id");
  } else {
    expect_bad_response(id);
  }
  if (auto models = parse_registered_models_page(body)) {
    for (const auto& name : models->names) {
      MM_FUZZ_CHECK(!name.empty(), "registered model without a name");
      check_model_name(name);
    }
  } else {
    expect_bad_response(models);
  }
  check_error_body(body);
  return 0;
}
