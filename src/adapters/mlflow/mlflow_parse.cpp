#include "adapters/mlflow/mlflow_parse.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <tuple>

namespace mm {

namespace {

using Json = nlohmann::json;

Error malformed(std::string_view path, std::string_view problem) {
  return Error::bad_response("malformed MLflow response: '" + std::string(path) + "' " +
                             std::string(problem));
}

std::string join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

// Parses without exceptions: a body that is not JSON is a bad_response, not a throw.
Result<Json> parse_object(std::string_view body) {
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Error::bad_response("malformed MLflow response: not JSON (starts with '" +
                               std::string(body.substr(0, 60)) + "')");
  }
  if (!doc.is_object()) {
    return malformed("(body)", "is not a JSON object");
  }
  return doc;
}

const Json* member(const Json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

Result<const Json*> required_object(const Json& object, std::string_view key,
                                    std::string_view path) {
  const Json* v = member(object, key);
  if (v == nullptr) {
    return malformed(join(path, key), "is missing");
  }
  if (!v->is_object()) {
    return malformed(join(path, key), "is not an object");
  }
  return v;
}

// An array member that MLflow omits when empty: absent → nullptr.
Result<const Json*> optional_array(const Json& object, std::string_view key,
                                   std::string_view path) {
  const Json* v = member(object, key);
  if (v != nullptr && !v->is_array()) {
    return malformed(join(path, key), "is not an array");
  }
  return v;
}

Result<std::string> optional_string(const Json& object, std::string_view key,
                                    std::string_view path) {
  const Json* v = member(object, key);
  if (v == nullptr) {
    return std::string();
  }
  if (!v->is_string()) {
    return malformed(join(path, key), "is not a string");
  }
  return v->get<std::string>();
}

Result<std::string> required_string(const Json& object, std::string_view key,
                                    std::string_view path) {
  auto s = optional_string(object, key, path);
  if (s && s->empty()) {
    return malformed(join(path, key), "is missing or empty");
  }
  return s;
}

// Ids are strings in MLflow's API ("experiment_id": "1"); accept integers as well.
Result<std::string> required_id(const Json& object, std::string_view key, std::string_view path) {
  const Json* v = member(object, key);
  if (v != nullptr && (v->is_number_integer() || v->is_number_unsigned())) {
    return v->dump();
  }
  return required_string(object, key, path);
}

// int64 as a JSON integer, or as a decimal string (proto3 canonical JSON).
Result<std::optional<std::int64_t>> optional_int64(const Json& object, std::string_view key,
                                                   std::string_view path) {
  const Json* v = member(object, key);
  if (v == nullptr) {
    return std::optional<std::int64_t>();
  }
  if (v->is_number_integer()) {
    return std::optional<std::int64_t>(v->get<std::int64_t>());
  }
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return malformed(join(path, key), "is out of the int64 range");
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(u));
  }
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    std::size_t used = 0;
    long long parsed = 0;
    const bool digits = !s.empty() && s.find_first_not_of("-0123456789") == std::string::npos;
    if (digits) {
      try {
        parsed = std::stoll(s, &used);
      } catch (const std::exception&) { // out_of_range, invalid_argument: reported below
        used = 0;
      }
    }
    if (used == 0 || used != s.size()) {
      return malformed(join(path, key), "is not an integer");
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(parsed));
  }
  return malformed(join(path, key), "is not an integer");
}

// A metric value we can use: a finite JSON number. "NaN" (how MLflow writes NaN), strings,
// booleans and numbers that overflowed to infinity are not.
std::optional<double> finite_value(const Json* v) {
  if (v == nullptr || !v->is_number()) {
    return std::nullopt;
  }
  const double d = v->get<double>();
  if (!std::isfinite(d)) {
    return std::nullopt;
  }
  return d;
}

struct LatestMetric {
  std::int64_t step = 0;
  std::int64_t timestamp = 0;
  std::optional<double> value;
};

// RunData.metrics holds the latest value of each key; should a server list a key twice, the
// latest is MLflow's own order: highest step, then timestamp (mlflow/store/.../latest_metrics).
Status parse_metrics(const Json& data, std::string_view path, MlflowRun& run) {
  auto metrics = optional_array(data, "metrics", path);
  if (!metrics) {
    return std::move(metrics).error();
  }
  if (*metrics == nullptr) {
    return ok_status();
  }
  std::map<std::string, LatestMetric> latest;
  std::size_t index = 0;
  for (const Json& m : **metrics) {
    const std::string item = join(path, "metrics[" + std::to_string(index++) + "]");
    if (!m.is_object()) {
      return malformed(item, "is not an object");
    }
    auto key = required_string(m, "key", item);
    auto step = optional_int64(m, "step", item);
    auto timestamp = optional_int64(m, "timestamp", item);
    if (!key || !step || !timestamp) {
      return !key ? std::move(key).error()
                  : (!step ? std::move(step).error() : std::move(timestamp).error());
    }
    LatestMetric candidate{step->value_or(0), timestamp->value_or(0),
                           finite_value(member(m, "value"))};
    auto [it, inserted] = latest.try_emplace(*key, candidate);
    if (!inserted && std::tie(candidate.step, candidate.timestamp) >=
                         std::tie(it->second.step, it->second.timestamp)) {
      it->second = candidate;
    }
  }
  for (const auto& [key, metric] : latest) {
    if (metric.value) {
      run.metrics.emplace(key, *metric.value);
    } else {
      run.unusable_metrics.push_back(key);
    }
  }
  return ok_status();
}

// RunData.tags: [{"key": "...", "value": "..."}]. proto3 JSON may omit an empty value.
Status parse_tags(const Json& data, std::string_view path, MlflowRun& run) {
  auto tags = optional_array(data, "tags", path);
  if (!tags) {
    return std::move(tags).error();
  }
  if (*tags == nullptr) {
    return ok_status();
  }
  std::size_t index = 0;
  for (const Json& t : **tags) {
    const std::string item = join(path, "tags[" + std::to_string(index++) + "]");
    if (!t.is_object()) {
      return malformed(item, "is not an object");
    }
    auto key = required_string(t, "key", item);
    auto value = optional_string(t, "value", item);
    if (!key || !value) {
      return !key ? std::move(key).error() : std::move(value).error();
    }
    run.tags[std::move(*key)] = std::move(*value);
  }
  return ok_status();
}

Result<MlflowRun> parse_run_object(const Json& json, std::string_view path) {
  if (!json.is_object()) {
    return malformed(path, "is not an object");
  }
  auto info_member = required_object(json, "info", path);
  if (!info_member) {
    return std::move(info_member).error();
  }
  const Json& info = **info_member;
  const std::string info_path = join(path, "info");
  MlflowRun run;
  // run_uuid is the deprecated name of run_id; old servers send only it.
  auto run_id = optional_string(info, "run_id", info_path);
  if (run_id && run_id->empty()) {
    run_id = required_string(info, "run_uuid", info_path);
  }
  auto experiment_id = required_id(info, "experiment_id", info_path);
  auto status = required_string(info, "status", info_path);
  auto stage = optional_string(info, "lifecycle_stage", info_path);
  auto start = optional_int64(info, "start_time", info_path);
  auto end = optional_int64(info, "end_time", info_path);
  for (const Error* e :
       {!run_id ? &run_id.error() : nullptr, !experiment_id ? &experiment_id.error() : nullptr,
        !status ? &status.error() : nullptr, !stage ? &stage.error() : nullptr,
        !start ? &start.error() : nullptr, !end ? &end.error() : nullptr}) {
    if (e != nullptr) {
      return *e;
    }
  }
  run.run_id = std::move(*run_id);
  run.experiment_id = std::move(*experiment_id);
  run.status = std::move(*status);
  run.lifecycle_stage = std::move(*stage);
  run.start_time_ms = *start;
  run.end_time_ms = *end;

  if (const Json* data = member(json, "data")) {
    if (!data->is_object()) {
      return malformed(join(path, "data"), "is not an object");
    }
    if (auto st = parse_metrics(*data, join(path, "data"), run); !st) {
      return std::move(st).error();
    }
    if (auto st = parse_tags(*data, join(path, "data"), run); !st) {
      return std::move(st).error();
    }
  }
  return run;
}

Result<MlflowModelVersion> parse_model_version_object(const Json& json, std::string_view path) {
  if (!json.is_object()) {
    return malformed(path, "is not an object");
  }
  auto name = required_string(json, "name", path);
  auto version = required_id(json, "version", path);
  auto run_id = optional_string(json, "run_id", path);
  auto stage = optional_string(json, "current_stage", path);
  auto status = optional_string(json, "status", path);
  auto source = optional_string(json, "source", path);
  auto status_message = optional_string(json, "status_message", path);
  for (const Error* e : {!name ? &name.error() : nullptr, !version ? &version.error() : nullptr,
                         !run_id ? &run_id.error() : nullptr, !stage ? &stage.error() : nullptr,
                         !status ? &status.error() : nullptr, !source ? &source.error() : nullptr,
                         !status_message ? &status_message.error() : nullptr}) {
    if (e != nullptr) {
      return *e;
    }
  }
  MlflowModelVersion mv{std::move(*name),
                        std::move(*version),
                        std::move(*run_id),
                        std::move(*stage),
                        std::move(*status),
                        std::move(*source),
                        {},
                        std::move(*status_message)};
  auto aliases = optional_array(json, "aliases", path);
  if (!aliases) {
    return std::move(aliases).error();
  }
  if (*aliases != nullptr) {
    for (const Json& a : **aliases) {
      if (!a.is_string()) {
        return malformed(join(path, "aliases"), "holds a non-string");
      }
      mv.aliases.push_back(a.get<std::string>());
    }
  }
  return mv;
}

Result<std::string> next_page_token(const Json& doc) {
  return optional_string(doc, "next_page_token", "");
}

// nlohmann throws only on misuse we guard against; should one slip through, it is still a
// malformed response, never an exception leaving the module.
template <typename F> auto guarded(F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const nlohmann::json::exception& e) {
    return Error::bad_response(std::string("malformed MLflow response: ") + e.what());
  }
}

} // namespace

Result<MlflowRun> parse_run(std::string_view body) {
  return guarded([&]() -> Result<MlflowRun> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    auto run = required_object(*doc, "run", "");
    if (!run) {
      return std::move(run).error();
    }
    return parse_run_object(**run, "run");
  });
}

Result<MlflowModelVersion> parse_model_version(std::string_view body) {
  return guarded([&]() -> Result<MlflowModelVersion> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    auto mv = required_object(*doc, "model_version", "");
    if (!mv) {
      return std::move(mv).error();
    }
    return parse_model_version_object(**mv, "model_version");
  });
}

namespace {

// {"model_versions": [ModelVersion]} (the key absent when none matched).
Result<std::vector<MlflowModelVersion>> versions_in(const Json& doc) {
  auto list = optional_array(doc, "model_versions", "");
  if (!list) {
    return std::move(list).error();
  }
  std::vector<MlflowModelVersion> out;
  if (*list == nullptr) {
    return out;
  }
  std::size_t index = 0;
  for (const Json& item : **list) {
    auto mv = parse_model_version_object(item, "model_versions[" + std::to_string(index++) + "]");
    if (!mv) {
      return std::move(mv).error();
    }
    out.push_back(std::move(*mv));
  }
  return out;
}

} // namespace

Result<std::vector<MlflowModelVersion>> parse_model_versions(std::string_view body) {
  return guarded([&]() -> Result<std::vector<MlflowModelVersion>> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    return versions_in(*doc);
  });
}

Result<MlflowModelVersionsPage> parse_model_versions_page(std::string_view body) {
  return guarded([&]() -> Result<MlflowModelVersionsPage> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    auto token = next_page_token(*doc);
    if (!token) {
      return std::move(token).error();
    }
    auto versions = versions_in(*doc);
    if (!versions) {
      return std::move(versions).error();
    }
    return MlflowModelVersionsPage{std::move(*versions), std::move(*token)};
  });
}

namespace {

Result<MlflowExperiment> parse_experiment_object(const Json& exp, const std::string& path) {
  if (!exp.is_object()) {
    return malformed(path, "is not an object");
  }
  auto id = required_id(exp, "experiment_id", path);
  auto name = required_string(exp, "name", path);
  auto stage = optional_string(exp, "lifecycle_stage", path);
  for (const Error* e : {!id ? &id.error() : nullptr, !name ? &name.error() : nullptr,
                         !stage ? &stage.error() : nullptr}) {
    if (e != nullptr) {
      return *e;
    }
  }
  return MlflowExperiment{std::move(*id), std::move(*name), std::move(*stage)};
}

} // namespace

Result<MlflowExperiment> parse_experiment(std::string_view body) {
  return guarded([&]() -> Result<MlflowExperiment> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    auto exp = required_object(*doc, "experiment", "");
    if (!exp) {
      return std::move(exp).error();
    }
    return parse_experiment_object(**exp, "experiment");
  });
}

Result<MlflowExperimentsPage> parse_search_experiments_page(std::string_view body) {
  return guarded([&]() -> Result<MlflowExperimentsPage> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    auto list = optional_array(*doc, "experiments", "");
    auto token = next_page_token(*doc);
    if (!list) {
      return std::move(list).error();
    }
    if (!token) {
      return std::move(token).error();
    }
    MlflowExperimentsPage page;
    page.next_page_token = std::move(*token);
    if (*list == nullptr) {
      return page;
    }
    std::size_t index = 0;
    for (const Json& item : **list) {
      auto exp = parse_experiment_object(item, "experiments[" + std::to_string(index++) + "]");
      if (!exp) {
        return std::move(exp).error();
      }
      page.experiments.push_back(std::move(*exp));
    }
    return page;
  });
}

Result<std::string> parse_created_experiment_id(std::string_view body) {
  return guarded([&]() -> Result<std::string> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    return required_id(*doc, "experiment_id", "");
  });
}

Result<MlflowRunsPage> parse_search_runs_page(std::string_view body) {
  return guarded([&]() -> Result<MlflowRunsPage> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    auto list = optional_array(*doc, "runs", "");
    auto token = next_page_token(*doc);
    if (!list) {
      return std::move(list).error();
    }
    if (!token) {
      return std::move(token).error();
    }
    MlflowRunsPage page;
    page.next_page_token = std::move(*token);
    if (*list == nullptr) {
      return page;
    }
    std::size_t index = 0;
    for (const Json& item : **list) {
      auto run = parse_run_object(item, "runs[" + std::to_string(index++) + "]");
      if (!run) {
        return std::move(run).error();
      }
      page.runs.push_back(std::move(*run));
    }
    return page;
  });
}

Result<MlflowRegisteredModelsPage> parse_registered_models_page(std::string_view body) {
  return guarded([&]() -> Result<MlflowRegisteredModelsPage> {
    auto doc = parse_object(body);
    if (!doc) {
      return std::move(doc).error();
    }
    auto list = optional_array(*doc, "registered_models", "");
    auto token = next_page_token(*doc);
    if (!list) {
      return std::move(list).error();
    }
    if (!token) {
      return std::move(token).error();
    }
    MlflowRegisteredModelsPage page;
    page.next_page_token = std::move(*token);
    if (*list == nullptr) {
      return page;
    }
    std::size_t index = 0;
    for (const Json& item : **list) {
      const std::string path = "registered_models[" + std::to_string(index++) + "]";
      if (!item.is_object()) {
        return malformed(path, "is not an object");
      }
      auto name = required_string(item, "name", path);
      if (!name) {
        return std::move(name).error();
      }
      MlflowRegisteredModel model{*name, {}};
      auto aliases = optional_array(item, "aliases", path);
      if (!aliases) {
        return std::move(aliases).error();
      }
      if (*aliases != nullptr) {
        std::size_t a = 0;
        for (const Json& alias : **aliases) {
          const std::string alias_path = join(path, "aliases[" + std::to_string(a++) + "]");
          if (!alias.is_object()) {
            return malformed(alias_path, "is not an object");
          }
          auto alias_name = required_string(alias, "alias", alias_path);
          if (!alias_name) {
            return std::move(alias_name).error();
          }
          auto version = required_id(alias, "version", alias_path);
          if (!version) {
            return std::move(version).error();
          }
          model.aliases[*alias_name] = *version;
        }
      }
      page.names.push_back(std::move(*name));
      page.models.push_back(std::move(model));
    }
    return page;
  });
}

} // namespace mm
