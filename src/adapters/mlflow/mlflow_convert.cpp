#include "adapters/mlflow/mlflow_convert.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace mm {

std::optional<double> ratio_metric(const MlflowRun& run, const std::string& key) {
  const auto it = run.metrics.find(key);
  if (it == run.metrics.end() || !(it->second >= 0.0 && it->second <= 1.0)) {
    return std::nullopt;
  }
  return it->second;
}

MlflowMetrics metrics_of_run(const MlflowRun& run) {
  MlflowMetrics m;
  m.precision = ratio_metric(run, "precision");
  m.recall = ratio_metric(run, "recall");
  m.f1_score = ratio_metric(run, "f1_score");
  m.accuracy = ratio_metric(run, "accuracy");
  m.run_id = run.run_id;
  m.experiment_id = run.experiment_id;
  m.run_end_time_ms = run.end_time_ms;
  return m;
}

const MlflowModelVersion* highest_version(const std::vector<MlflowModelVersion>& versions) {
  const auto higher = [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a > b;
  };
  const MlflowModelVersion* best = nullptr;
  for (const auto& v : versions) {
    if (best == nullptr || higher(v.version, best->version)) {
      best = &v;
    }
  }
  return best;
}

std::optional<RunStatus> run_status_from_mlflow(std::string_view name) {
  static constexpr std::array k_all = {RunStatus::running, RunStatus::scheduled,
                                       RunStatus::finished, RunStatus::failed, RunStatus::killed};
  for (const RunStatus s : k_all) {
    if (name == to_string(s)) {
      return s;
    }
  }
  return std::nullopt;
}

Result<RunState> run_state_of(const MlflowRun& run) {
  const auto status = run_status_from_mlflow(run.status);
  if (!status) {
    return Error::bad_response("run " + run.run_id + " has status '" + run.status +
                               "', not one of MLflow's RUNNING, SCHEDULED, FINISHED, FAILED, "
                               "KILLED");
  }
  RunState state;
  state.run_id = run.run_id;
  state.status = *status;
  state.precision = ratio_metric(run, "precision");
  state.recall = ratio_metric(run, "recall");
  state.f1_score = ratio_metric(run, "f1_score");
  state.accuracy = ratio_metric(run, "accuracy");
  state.tags = run.tags;
  return state;
}

ModelVersionRef version_ref_of(const MlflowModelVersion& version) {
  return {version.name, version.version, version.run_id,
          version.current_stage.empty() ? "None" : version.current_stage, version.aliases};
}

Status require_value(std::string_view value, std::string_view what) {
  if (value.empty()) {
    return Error::config(std::string(what) + " is empty");
  }
  return ok_status();
}

Result<std::string> filter_literal(std::string_view value, std::string_view what) {
  if (auto ok = require_value(value, what); !ok) {
    return std::move(ok).error();
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\' || u < 0x20 || u == 0x7f) {
      return Error::config(std::string(what) + " '" + std::string(value) +
                           "' holds a quote, a backslash or a control character, which cannot "
                           "be put safely in an MLflow search filter");
    }
  }
  return "'" + std::string(value) + "'";
}

Result<std::string> versions_of_run_filter(std::string_view model_name, std::string_view run_id) {
  auto name = filter_literal(model_name, "registered model name");
  if (!name) {
    return std::move(name).error();
  }
  auto run = filter_literal(run_id, "run id");
  if (!run) {
    return std::move(run).error();
  }
  return "name=" + *name + " and run_id=" + *run;
}

std::optional<std::string> like_covering(const std::vector<std::string>& values,
                                         std::string_view field) {
  if (values.empty()) {
    return std::nullopt;
  }
  std::string_view prefix = values.front();
  std::string_view suffix = values.front();
  std::size_t shortest = values.front().size();
  bool all_equal = true;
  for (const std::string& v : values) {
    if (!filter_literal(v, field)) {
      return std::nullopt;
    }
    all_equal = all_equal && v == values.front();
    shortest = std::min(shortest, v.size());
    std::size_t p = 0;
    while (p < prefix.size() && p < v.size() && prefix[p] == v[p]) {
      ++p;
    }
    prefix = prefix.substr(0, p);
    std::size_t s = 0;
    while (s < suffix.size() && s < v.size() &&
           suffix[suffix.size() - 1 - s] == v[v.size() - 1 - s]) {
      ++s;
    }
    suffix = suffix.substr(suffix.size() - s);
  }
  if (all_equal) {
    return std::string(field) + " = '" + values.front() + "'";
  }
  // "ab" and "abab" share prefix "ab" and suffix "ab", but "ab%ab" does not match "ab": the two
  // must fit in the shortest value.
  if (prefix.size() + suffix.size() > shortest) {
    suffix = suffix.substr(suffix.size() - (shortest - prefix.size()));
  }
  if (prefix.empty() && suffix.empty()) {
    return std::string(); // '%': no filter
  }
  return std::string(field) + " LIKE '" + std::string(prefix) + "%" + std::string(suffix) + "'";
}

} // namespace mm
