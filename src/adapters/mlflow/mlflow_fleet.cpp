// MlflowTracker::production_metrics_many and the decisions of mlflow_fleet.hpp.

#include "adapters/mlflow/mlflow_fleet.hpp"

#include "adapters/http/url.hpp"
#include "adapters/mlflow/mlflow_convert.hpp"
#include "adapters/mlflow/mlflow_errors.hpp"
#include "adapters/mlflow/mlflow_tracker.hpp"
#include "core/redact.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

namespace mm {

namespace {

constexpr std::string_view k_latest_alias = "latest"; // resolved by the server, any case
// Page sizes: model-versions/search's default (SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT, at most
// 200,000); experiments/search pages of 1,000 like registered models.
constexpr int k_model_versions_page_size = 10000;
constexpr int k_experiments_page_size = 1000;
// At most this many run ids in one runs/search filter and this many experiment ids in one
// request: ~35 KB of filter, and well within SQLite's 32,766 bound variables per statement.
constexpr std::size_t k_ids_per_search = 1000;
// Bounds every paging loop whatever the server answers.
constexpr int k_max_pages = 10000;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const MlflowModelVersion* find_version(const std::vector<MlflowModelVersion>& versions,
                                       const std::string& number) {
  for (const auto& v : versions) {
    if (v.version == number) {
      return &v;
    }
  }
  return nullptr;
}

std::optional<FleetChoice> usable(const MlflowModelVersion* v, RunSource source) {
  if (v == nullptr || v->run_id.empty()) {
    return std::nullopt;
  }
  return FleetChoice{*v, source};
}

using PageRequest = std::function<Result<HttpResponse>(const std::string& page_token)>;
// Reads one page's body; returns its next_page_token ("" on the last page).
using PageReader = std::function<Result<std::string>(const std::string& body)>;

// Every page of a paged search (`method` `url`, for messages), from the first to the last.
Status each_page(std::string_view method, const std::string& url, const PageRequest& request,
                 const PageReader& read) {
  std::string token;
  for (int page = 0; page < k_max_pages; ++page) {
    auto r = request(token);
    if (!r) {
      return std::move(r).error();
    }
    if (!r->is_success()) {
      return call_error(*r, method, url);
    }
    auto next = read(r->body);
    if (!next) {
      return in_call(std::move(next).error(), method, url);
    }
    if (next->empty()) {
      return ok_status();
    }
    if (*next == token) {
      return Error::bad_response(std::string(method) + " " + mask_uri_credentials(url) +
                                 ": the same next_page_token came back twice");
    }
    token = std::move(next).value();
  }
  return Error::bad_response(std::string(method) + " " + mask_uri_credentials(url) +
                             ": more than " + std::to_string(k_max_pages) + " pages");
}

} // namespace

std::optional<FleetChoice> settled_production_version(const ProductionLookup& lookup,
                                                      const FleetRegistry& registry) {
  const auto model = registry.models.find(lookup.model_name);
  if (model == registry.models.end()) {
    return std::nullopt;
  }
  static const std::vector<MlflowModelVersion> none;
  const auto listed = registry.versions.find(lookup.model_name);
  const std::vector<MlflowModelVersion>& versions =
      listed == registry.versions.end() ? none : listed->second;
  const std::string& alias = lookup.production_alias;
  if (!alias.empty()) {
    if (lower(alias) == k_latest_alias) {
      return std::nullopt;
    }
    if (const auto it = model->second.aliases.find(alias); it != model->second.aliases.end()) {
      return usable(find_version(versions, it->second), RunSource::alias);
    }
    for (const auto& [name, version] : model->second.aliases) {
      if (lower(name) == lower(alias)) {
        return std::nullopt;
      }
    }
  }
  // No alias: registered-models/get-latest-versions {stages: ["Production"]} gives the highest
  // version in that stage (deleted versions excluded, as model-versions/search excludes them).
  std::vector<MlflowModelVersion> production;
  for (const auto& v : versions) {
    if (lower(v.current_stage) == "production") {
      production.push_back(v);
    }
  }
  return usable(highest_version(production), RunSource::legacy_stage);
}

std::optional<MlflowMetrics> settled_metrics(const FleetChoice& choice, const MlflowRun& run) {
  if (run.run_id != choice.version.run_id || run.status != k_run_status_finished) {
    return std::nullopt;
  }
  MlflowMetrics m = metrics_of_run(run);
  if (!m.f1_score && !(m.precision && m.recall)) {
    return std::nullopt; // production_metrics says which values are wrong, or check does
  }
  m.source = choice.source;
  m.model_name = choice.version.name;
  m.model_version = choice.version.version;
  return m;
}

std::optional<std::string> run_ids_filter(const std::vector<std::string>& run_ids) {
  std::string filter = "attributes.run_id IN (";
  for (std::size_t i = 0; i < run_ids.size(); ++i) {
    auto literal = filter_literal(run_ids[i], "run id");
    if (!literal) {
      return std::nullopt;
    }
    filter += (i == 0 ? "" : ",") + *literal;
  }
  return filter + ")";
}

Result<std::map<std::string, MlflowMetrics>>
MlflowTracker::production_metrics_many(const std::vector<ProductionLookup>& lookups) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  std::map<std::string, MlflowMetrics> out;
  std::set<std::string> wanted;
  for (const auto& l : lookups) {
    if (!l.model_name.empty()) {
      wanted.insert(l.model_name);
    }
  }
  const std::vector<std::string> names(wanted.begin(), wanted.end());
  const auto model_filter = like_covering(names, "name");
  if (names.empty() || !model_filter) {
    return out; // nothing to pre-filter on: production_metrics for each
  }

  // 1. The models and their aliases, then every version of them.
  FleetRegistry registry;
  const std::string models_endpoint = "registered-models/search";
  Status read = each_page(
      "GET", api_url(models_endpoint),
      [&](const std::string& token) {
        std::vector<std::pair<std::string, std::string>> params = {
            {"max_results", std::to_string(k_registered_models_page_size)}};
        if (!model_filter->empty()) {
          params.emplace_back("filter", *model_filter);
        }
        if (!token.empty()) {
          params.emplace_back("page_token", token);
        }
        return get(models_endpoint, query_string(params));
      },
      [&](const std::string& body) -> Result<std::string> {
        auto page = parse_registered_models_page(body);
        if (!page) {
          return std::move(page).error();
        }
        for (auto& model : page->models) {
          if (wanted.count(model.name) > 0) {
            registry.models[model.name] = std::move(model);
          }
        }
        return std::move(page->next_page_token);
      });
  if (!read) {
    return read.error();
  }
  const std::string versions_endpoint = "model-versions/search";
  read = each_page(
      "GET", api_url(versions_endpoint),
      [&](const std::string& token) {
        std::vector<std::pair<std::string, std::string>> params = {
            {"max_results", std::to_string(k_model_versions_page_size)}};
        if (!model_filter->empty()) {
          params.emplace_back("filter", *model_filter);
        }
        if (!token.empty()) {
          params.emplace_back("page_token", token);
        }
        return get(versions_endpoint, query_string(params));
      },
      [&](const std::string& body) -> Result<std::string> {
        auto page = parse_model_versions_page(body);
        if (!page) {
          return std::move(page).error();
        }
        for (auto& v : page->versions) {
          if (registry.models.count(v.name) > 0) {
            registry.versions[v.name].push_back(std::move(v));
          }
        }
        return std::move(page->next_page_token);
      });
  if (!read) {
    return read.error();
  }

  std::map<std::string, FleetChoice> choices; // by model name
  std::set<std::string> experiment_names;
  for (const auto& l : lookups) {
    if (auto choice = settled_production_version(l, registry)) {
      choices.emplace(l.model_name, std::move(*choice));
      experiment_names.insert(l.experiment_name);
    }
  }
  if (choices.empty()) {
    return out;
  }

  // 2. The experiments of the specialists (runs/search needs experiment ids), then the runs.
  //    A production run logged in another experiment is not found here: production_metrics
  //    reads it by id.
  const auto experiment_filter = like_covering(
      std::vector<std::string>(experiment_names.begin(), experiment_names.end()), "name");
  if (!experiment_filter) {
    return out;
  }
  std::vector<std::string> experiment_ids;
  const std::string experiments_endpoint = "experiments/search";
  read = each_page(
      "POST", api_url(experiments_endpoint),
      [&](const std::string& token) {
        nlohmann::json body = {{"max_results", k_experiments_page_size}, {"view_type", "ALL"}};
        if (!experiment_filter->empty()) {
          body["filter"] = *experiment_filter;
        }
        if (!token.empty()) {
          body["page_token"] = token;
        }
        return post(experiments_endpoint, body.dump());
      },
      [&](const std::string& body) -> Result<std::string> {
        auto page = parse_search_experiments_page(body);
        if (!page) {
          return std::move(page).error();
        }
        for (const auto& e : page->experiments) {
          if (experiment_names.count(e.name) > 0) {
            experiment_ids.push_back(e.experiment_id);
          }
        }
        return std::move(page->next_page_token);
      });
  if (!read) {
    return read.error();
  }
  if (experiment_ids.empty()) {
    return out;
  }

  std::vector<std::string> run_ids;
  for (const auto& [name, choice] : choices) {
    run_ids.push_back(choice.version.run_id);
  }
  std::sort(run_ids.begin(), run_ids.end());
  run_ids.erase(std::unique(run_ids.begin(), run_ids.end()), run_ids.end());
  std::map<std::string, MlflowRun> runs;
  const std::string runs_endpoint = "runs/search";
  for (std::size_t r = 0; r < run_ids.size(); r += k_ids_per_search) {
    const std::vector<std::string> chunk(
        run_ids.begin() + static_cast<std::ptrdiff_t>(r),
        run_ids.begin() +
            static_cast<std::ptrdiff_t>(std::min(run_ids.size(), r + k_ids_per_search)));
    const auto filter = run_ids_filter(chunk);
    if (!filter) {
      continue; // an id that cannot be a literal: production_metrics reads it by id
    }
    for (std::size_t e = 0; e < experiment_ids.size(); e += k_ids_per_search) {
      const std::vector<std::string> experiments(
          experiment_ids.begin() + static_cast<std::ptrdiff_t>(e),
          experiment_ids.begin() +
              static_cast<std::ptrdiff_t>(std::min(experiment_ids.size(), e + k_ids_per_search)));
      read = each_page(
          "POST", api_url(runs_endpoint),
          [&](const std::string& token) {
            // ALL: runs/get, which production_metrics uses, also returns deleted runs.
            nlohmann::json body = {{"experiment_ids", experiments},
                                   {"filter", *filter},
                                   {"max_results", k_ids_per_search},
                                   {"run_view_type", "ALL"}};
            if (!token.empty()) {
              body["page_token"] = token;
            }
            return post(runs_endpoint, body.dump());
          },
          [&](const std::string& body) -> Result<std::string> {
            auto page = parse_search_runs_page(body);
            if (!page) {
              return std::move(page).error();
            }
            for (auto& run : page->runs) {
              std::string id = run.run_id;
              runs.emplace(std::move(id), std::move(run));
            }
            return std::move(page->next_page_token);
          });
      if (!read) {
        return read.error();
      }
    }
  }

  for (const auto& [name, choice] : choices) {
    const auto run = runs.find(choice.version.run_id);
    if (run == runs.end()) {
      continue;
    }
    if (auto m = settled_metrics(choice, run->second)) {
      out.emplace(name, std::move(*m));
    }
  }
  return out;
}

} // namespace mm
