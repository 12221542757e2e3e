// MlflowTracker::discover_specialists: fleet discovery from the model registry.

#include "adapters/http/url.hpp"
#include "adapters/mlflow/mlflow_errors.hpp"
#include "adapters/mlflow/mlflow_tracker.hpp"
#include "core/redact.hpp"
#include "core/specialist.hpp"

#include <set>

namespace mm {

namespace {

constexpr std::string_view k_placeholder = "{type}";
// Bounds the paging loop whatever the server answers: 10000 pages of 1000 models.
constexpr int k_max_pages = 10000;

// `name LIKE '<prefix>%<suffix>'` (MLflow search syntax, "Search registered models"): only a
// pre-filter, as '_' is a wildcard there; the exact match is type_from_model_name's. Empty when
// the template would need quoting or matches everything anyway.
std::string like_filter(std::string_view name_template) {
  const auto at = name_template.find(k_placeholder);
  const std::string_view prefix = name_template.substr(0, at);
  const std::string_view suffix = name_template.substr(at + k_placeholder.size());
  if ((prefix.empty() && suffix.empty()) ||
      name_template.find_first_of("'\"\\%") != std::string_view::npos) {
    return {};
  }
  return "name LIKE '" + std::string(prefix) + "%" + std::string(suffix) + "'";
}

} // namespace

Result<std::vector<std::string>>
MlflowTracker::discover_specialists(const std::string& name_template) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  const auto at = name_template.find(k_placeholder);
  if (at == std::string::npos ||
      name_template.find(k_placeholder, at + k_placeholder.size()) != std::string::npos) {
    return Error::config("MLFLOW_MODEL_NAME_TEMPLATE '" + name_template +
                         "' must contain {type} exactly once (e.g. {type}-specialist)");
  }
  const std::string filter = like_filter(name_template);
  const std::string endpoint = "registered-models/search";
  std::set<std::string> types;
  std::string token;
  for (int page_no = 0; page_no < k_max_pages; ++page_no) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"max_results", std::to_string(k_registered_models_page_size)}};
    if (!filter.empty()) {
      params.emplace_back("filter", filter);
    }
    if (!token.empty()) {
      params.emplace_back("page_token", token);
    }
    auto r = get(endpoint, query_string(params));
    if (!r) {
      return std::move(r).error();
    }
    if (!r->is_success()) {
      return to_error(parse_mlflow_error(*r), "GET " + mask_uri_credentials(api_url(endpoint)),
                      r->header("location").value_or(""));
    }
    auto page = parse_registered_models_page(r->body);
    if (!page) {
      Error e = std::move(page).error();
      e.message = "GET " + mask_uri_credentials(api_url(endpoint)) + ": " + e.message;
      return e;
    }
    for (const auto& name : page->names) {
      if (auto type = type_from_model_name(name_template, name)) {
        types.insert(std::move(*type));
      }
    }
    if (page->next_page_token.empty()) {
      return std::vector<std::string>(types.begin(), types.end());
    }
    if (page->next_page_token == token) {
      return Error::bad_response("GET " + mask_uri_credentials(api_url(endpoint)) +
                                 ": the same next_page_token came back twice");
    }
    token = std::move(page->next_page_token);
  }
  return Error::bad_response("GET " + mask_uri_credentials(api_url(endpoint)) + ": more than " +
                             std::to_string(k_max_pages) + " pages of registered models");
}

} // namespace mm
