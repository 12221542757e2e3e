// MlflowRunRegistry, model registry side: versions of a run, registration, aliases and the
// legacy Production stage (mlflow_run_registry.hpp says how each call behaves).

#include "adapters/http/url.hpp"
#include "adapters/mlflow/mlflow_convert.hpp"
#include "adapters/mlflow/mlflow_errors.hpp"
#include "adapters/mlflow/mlflow_run_registry.hpp"
#include "core/redact.hpp"

#include <nlohmann/json.hpp>

namespace mm {

namespace {

using Json = nlohmann::json;

// Legacy stage name (REST API "ModelVersionStage"; deprecated since MLflow 2.9).
constexpr std::string_view k_production_stage = "Production";
// ModelVersionStatus (REST API).
constexpr std::string_view k_status_ready = "READY";
constexpr std::string_view k_status_pending = "PENDING_REGISTRATION";

} // namespace

Result<std::optional<ModelVersionRef>>
MlflowRunRegistry::find_version_of_run(const std::string& model_name, const std::string& run_id) {
  auto filter = versions_of_run_filter(model_name, run_id);
  if (!filter) {
    return std::move(filter).error();
  }
  const std::string endpoint = "model-versions/search";
  auto r = m_rest.get(endpoint,
                      query_string({{"filter", *filter}, {"order_by", "version_number DESC"}}));
  if (!r) {
    return std::move(r).error();
  }
  if (!r->is_success()) {
    return call_error(*r, "GET", m_rest.api_url(endpoint));
  }
  auto versions = parse_model_versions(r->body);
  if (!versions) {
    return in_call(std::move(versions).error(), "GET", m_rest.api_url(endpoint));
  }
  // The server filters already; filter again so a server that ignored the filter cannot hand
  // us another run's version.
  std::vector<MlflowModelVersion> mine;
  for (auto& v : *versions) {
    if (v.name == model_name && v.run_id == run_id) {
      mine.push_back(std::move(v));
    }
  }
  const MlflowModelVersion* best = highest_version(mine);
  if (best == nullptr) {
    return std::optional<ModelVersionRef>();
  }
  return std::optional<ModelVersionRef>(version_ref_of(*best));
}

Result<std::optional<ModelVersionRef>>
MlflowRunRegistry::version_of_run(const std::string& model_name, const std::string& run_id) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  return find_version_of_run(model_name, run_id);
}

Status MlflowRunRegistry::ensure_registered_model(const std::string& model_name) {
  // Idempotent as sent: a resend that finds the model answers RESOURCE_ALREADY_EXISTS.
  const std::string endpoint = "registered-models/create";
  auto r = m_rest.post(endpoint, Json{{"name", model_name}}.dump(), /*idempotent=*/true);
  if (!r) {
    return std::move(r).error();
  }
  if (r->is_success() || parse_mlflow_error(*r).error_code == k_resource_already_exists) {
    return ok_status();
  }
  return call_error(*r, "POST", m_rest.api_url(endpoint));
}

Result<MlflowModelVersion> MlflowRunRegistry::create_version(const std::string& model_name,
                                                             const std::string& run_id,
                                                             const std::string& source) {
  const std::string endpoint = "model-versions/create";
  const Json body = {{"name", model_name}, {"source", source}, {"run_id", run_id}};
  // Not idempotent: each accepted create is a new version number.
  auto r = m_rest.post(endpoint, body.dump(), /*idempotent=*/false);
  if (r && !r->is_success()) {
    r = call_error(*r, "POST", m_rest.api_url(endpoint));
  }
  if (!r) {
    return std::move(r).error();
  }
  auto version = parse_model_version(r->body);
  if (!version) {
    return in_call(std::move(version).error(), "POST", m_rest.api_url(endpoint));
  }
  return version;
}

Result<ModelVersionRef> MlflowRunRegistry::await_ready(MlflowModelVersion version) {
  const std::string endpoint = "model-versions/get";
  const std::string which = "model '" + version.name + "' version " + version.version;
  for (int poll = 0;; ++poll) {
    if (version.status.empty() || version.status == k_status_ready) {
      return version_ref_of(version); // servers before status existed send none
    }
    if (version.status != k_status_pending) {
      return Error::bad_response(
          which + " at " + mask_uri_credentials(m_rest.base()) + " ended " + version.status +
          (version.status_message.empty() ? std::string() : ": " + version.status_message) +
          "; check the run's logged model and the artifact store");
    }
    if (poll >= m_ready_max_polls) {
      return Error::timeout(which + " at " + mask_uri_credentials(m_rest.base()) + " is still " +
                            version.status + " after " + std::to_string(poll) +
                            " polls; check the registry's artifact copy");
    }
    m_sleep(m_ready_interval);
    auto r =
        m_rest.get(endpoint, query_string({{"name", version.name}, {"version", version.version}}));
    if (!r) {
      return std::move(r).error();
    }
    if (!r->is_success()) {
      return call_error(*r, "GET", m_rest.api_url(endpoint));
    }
    auto polled = parse_model_version(r->body);
    if (!polled) {
      return in_call(std::move(polled).error(), "GET", m_rest.api_url(endpoint));
    }
    version = std::move(*polled);
  }
}

Result<ModelVersionRef> MlflowRunRegistry::register_version(const std::string& model_name,
                                                            const std::string& run_id,
                                                            const std::string& source) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  for (const auto& [value, what] : {std::pair{&model_name, "registered model name"},
                                    std::pair{&run_id, "run id"}, std::pair{&source, "source"}}) {
    if (auto ok = require_value(*value, what); !ok) {
      return std::move(ok).error();
    }
  }
  if (auto made = ensure_registered_model(model_name); !made) {
    return std::move(made).error();
  }
  auto created = create_version(model_name, run_id, source);
  if (!created) {
    Error e = std::move(created).error();
    if (!may_have_been_applied(e)) {
      return e;
    }
    // The create may have been applied although its answer was lost: a version of this run
    // now present is that one (never register twice).
    auto existing = find_version_of_run(model_name, run_id);
    if (existing && *existing) {
      return **existing;
    }
    e.message += "; model-versions/create is not resent once it may have reached the server "
                 "(a resend would register a second version)";
    return e;
  }
  return await_ready(std::move(*created));
}

Result<std::optional<ModelVersionRef>>
MlflowRunRegistry::version_by_alias(const std::string& model_name, const std::string& alias) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (auto ok = require_value(model_name, "registered model name"); !ok) {
    return std::move(ok).error();
  }
  if (auto ok = require_value(alias, "alias"); !ok) {
    return std::move(ok).error();
  }
  const std::string endpoint = "registered-models/alias";
  auto r = m_rest.get(endpoint, query_string({{"name", model_name}, {"alias", alias}}));
  if (!r) {
    return std::move(r).error();
  }
  if (!r->is_success()) {
    const MlflowApiError api = parse_mlflow_error(*r);
    if (is_missing_alias(api) || is_resource_not_found(api)) {
      return std::optional<ModelVersionRef>();
    }
    return call_error(*r, "GET", m_rest.api_url(endpoint));
  }
  auto version = parse_model_version(r->body);
  if (!version) {
    return in_call(std::move(version).error(), "GET", m_rest.api_url(endpoint));
  }
  return std::optional<ModelVersionRef>(version_ref_of(*version));
}

Status MlflowRunRegistry::set_alias(const std::string& model_name, const std::string& alias,
                                    const std::string& version) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  for (const auto& [value, what] : {std::pair{&model_name, "registered model name"},
                                    std::pair{&alias, "alias"}, std::pair{&version, "version"}}) {
    if (auto ok = require_value(*value, what); !ok) {
      return ok;
    }
  }
  const std::string endpoint = "registered-models/alias";
  const Json body = {{"name", model_name}, {"alias", alias}, {"version", version}};
  auto r = m_rest.post(endpoint, body.dump(), /*idempotent=*/true);
  if (!r) {
    return std::move(r).error();
  }
  if (r->is_success()) {
    return ok_status();
  }
  Error e = call_error(*r, "POST", m_rest.api_url(endpoint));
  // MLflow refuses reserved ("latest", "v<N>") or malformed alias names with 400
  // INVALID_PARAMETER_VALUE (mlflow/utils/validation.py _validate_model_alias_name*).
  if (r->status == 400 && parse_mlflow_error(*r).error_code == k_invalid_parameter_value) {
    e.kind = ErrorKind::config;
    e.message += "; check the alias name (MODEL_PRODUCTION_ALIAS)";
  }
  return e;
}

Status MlflowRunRegistry::transition_to_production(const std::string& model_name,
                                                   const std::string& version) {
  const std::lock_guard lock(m_mutex);
  if (m_rest.config_error()) {
    return *m_rest.config_error();
  }
  if (auto ok = require_value(model_name, "registered model name"); !ok) {
    return ok;
  }
  if (auto ok = require_value(version, "version"); !ok) {
    return ok;
  }
  // version is a string in the request: MLflow 3.17 refuses a JSON number ("Invalid value 2 for
  // parameter 'version' supplied").
  const Json body = {{"name", model_name},
                     {"version", version},
                     {"stage", k_production_stage},
                     {"archive_existing_versions", true}};
  return post_ok("model-versions/transition-stage", body.dump());
}

} // namespace mm
