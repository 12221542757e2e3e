#include "support/mlflow_fixture.hpp"

#include "support/process.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>

namespace mm::test {

namespace {

struct CurlDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string random_suffix() {
  std::random_device rd;
  std::mt19937_64 rng(rd() ^ static_cast<std::uint64_t>(
                                 std::chrono::steady_clock::now().time_since_epoch().count()));
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out.push_back(k_hex[rng() % 16]);
  }
  return out;
}

std::string trimmed_uri(std::string uri) {
  while (!uri.empty() && uri.back() == '/') {
    uri.pop_back();
  }
  return uri;
}

} // namespace

std::string require_env(const char* name) {
  return require_service_env(name);
}

MlflowFixture::MlflowFixture() : MlflowFixture(require_env("MLFLOW_TRACKING_URI")) {}

MlflowFixture::MlflowFixture(std::string tracking_uri)
    : m_uri(trimmed_uri(std::move(tracking_uri))), m_suffix(random_suffix()) {
  static const CURLcode k_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)k_init;
}

MlflowFixture::~MlflowFixture() {
  cleanup();
}

std::string MlflowFixture::unique_type(std::string_view prefix) const {
  return std::string(prefix) + m_suffix;
}

RawResponse MlflowFixture::call(std::string_view method, std::string_view endpoint,
                                const std::string& body) {
  const std::string url = m_uri + "/api/2.0/mlflow/" + std::string(endpoint);
  const std::unique_ptr<CURL, CurlDeleter> h(curl_easy_init());
  if (!h) {
    throw MlflowFixtureError("curl_easy_init failed");
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  RawResponse out;
  const std::string m(method);
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_CUSTOMREQUEST, m.c_str());
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, static_cast<void*>(&out.body));
  if (m != "GET") {
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(h.get());
  if (rc != CURLE_OK) {
    throw MlflowFixtureError("MLflow fixture: " + m + " " + url +
                             " failed: " + curl_easy_strerror(rc) +
                             " (is the MLflow server of MLFLOW_TRACKING_URI running?)");
  }
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

nlohmann::json MlflowFixture::call_ok(std::string_view method, std::string_view endpoint,
                                      const nlohmann::json& body) {
  const RawResponse r = call(method, endpoint, body.is_null() ? std::string() : body.dump());
  if (r.status < 200 || r.status >= 300) {
    throw MlflowFixtureError("MLflow fixture: " + std::string(method) + " " +
                             std::string(endpoint) + " → HTTP " + std::to_string(r.status) + ": " +
                             r.body);
  }
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_discarded()) {
    throw MlflowFixtureError("MLflow fixture: " + std::string(endpoint) +
                             " answered non-JSON: " + r.body.substr(0, 200));
  }
  return doc;
}

std::string MlflowFixture::get_or_create_experiment(const std::string& name) {
  std::string query = "experiments/get-by-name?experiment_name=";
  // Names here are ours: [A-Za-z0-9_-], nothing to escape.
  const RawResponse found = call("GET", query + name);
  if (found.status == 200) {
    return nlohmann::json::parse(found.body).at("experiment").at("experiment_id");
  }
  const auto created = call_ok("POST", "experiments/create", {{"name", name}});
  std::string id = created.at("experiment_id");
  m_experiments.push_back(id);
  return id;
}

std::string MlflowFixture::create_run(const std::string& experiment_id,
                                      std::int64_t start_time_ms) {
  const auto created = call_ok("POST", "runs/create",
                               {{"experiment_id", experiment_id}, {"start_time", start_time_ms}});
  std::string id = created.at("run").at("info").at("run_id");
  m_runs.push_back(id);
  m_run_start.emplace_back(id, start_time_ms);
  return id;
}

void MlflowFixture::log_metrics(const std::string& run_id,
                                const std::vector<MetricPoint>& metrics) {
  std::int64_t start = 0;
  for (const auto& [id, t] : m_run_start) {
    if (id == run_id) {
      start = t;
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : metrics) {
    list.push_back({{"key", m.key},
                    {"value", m.value},
                    {"step", m.step},
                    {"timestamp", m.timestamp_ms != 0 ? m.timestamp_ms : start + 1}});
  }
  call_ok("POST", "runs/log-batch", {{"run_id", run_id}, {"metrics", list}});
}

void MlflowFixture::set_run_status(const std::string& run_id, std::string_view status,
                                   std::optional<std::int64_t> end_time_ms) {
  nlohmann::json body = {{"run_id", run_id}, {"status", status}};
  const bool terminal = status == "FINISHED" || status == "FAILED" || status == "KILLED";
  if (!end_time_ms && terminal) {
    for (const auto& [id, t] : m_run_start) {
      if (id == run_id) {
        end_time_ms = t + 1000;
      }
    }
  }
  if (end_time_ms) {
    body["end_time"] = *end_time_ms;
  }
  call_ok("POST", "runs/update", body);
}

std::string MlflowFixture::add_run(const std::string& experiment_id, std::int64_t start_time_ms,
                                   std::string_view status,
                                   const std::vector<MetricPoint>& metrics) {
  std::string id = create_run(experiment_id, start_time_ms);
  if (!metrics.empty()) {
    log_metrics(id, metrics);
  }
  if (status != "RUNNING") {
    set_run_status(id, status);
  }
  return id;
}

void MlflowFixture::delete_run(const std::string& run_id) {
  call_ok("POST", "runs/delete", {{"run_id", run_id}});
}

void MlflowFixture::create_registered_model(const std::string& name) {
  call_ok("POST", "registered-models/create", {{"name", name}});
  m_models.push_back(name);
}

std::string MlflowFixture::create_model_version(const std::string& model,
                                                const std::string& run_id) {
  const auto run = call_ok("GET", "runs/get?run_id=" + run_id);
  const std::string artifact_uri = run.at("run").at("info").at("artifact_uri");
  const auto created =
      call_ok("POST", "model-versions/create",
              {{"name", model}, {"source", artifact_uri + "/model"}, {"run_id", run_id}});
  return created.at("model_version").at("version");
}

void MlflowFixture::set_alias(const std::string& model, const std::string& alias,
                              const std::string& version) {
  call_ok("POST", "registered-models/alias",
          {{"name", model}, {"alias", alias}, {"version", version}});
}

void MlflowFixture::delete_alias(const std::string& model, const std::string& alias) {
  call_ok("DELETE", "registered-models/alias", {{"name", model}, {"alias", alias}});
}

bool MlflowFixture::transition_stage(const std::string& model, const std::string& version,
                                     std::string_view stage, bool archive_existing_versions) {
  const nlohmann::json body = {{"name", model},
                               {"version", version},
                               {"stage", stage},
                               {"archive_existing_versions", archive_existing_versions}};
  const RawResponse r = call("POST", "model-versions/transition-stage", body.dump());
  if (r.status >= 200 && r.status < 300) {
    return true;
  }
  if (r.status == 404 && r.body.find("RESOURCE_DOES_NOT_EXIST") == std::string::npos) {
    return false; // the endpoint itself is gone
  }
  throw MlflowFixtureError("MLflow fixture: transition-stage → HTTP " + std::to_string(r.status) +
                           ": " + r.body);
}

void MlflowFixture::delete_registered_model(const std::string& name) {
  call_ok("DELETE", "registered-models/delete", {{"name", name}});
}

void MlflowFixture::delete_experiment(const std::string& experiment_id) {
  call_ok("POST", "experiments/delete", {{"experiment_id", experiment_id}});
}

void MlflowFixture::adopt_experiment(const std::string& experiment_id) {
  m_experiments.push_back(experiment_id);
}

void MlflowFixture::adopt_run(const std::string& run_id) {
  m_runs.push_back(run_id);
}

void MlflowFixture::adopt_registered_model(const std::string& name) {
  m_models.push_back(name);
}

nlohmann::json MlflowFixture::get_run(const std::string& run_id) {
  // Run ids are [A-Za-z0-9_-] (MLflow's _RUN_ID_REGEX): nothing to escape.
  return call_ok("GET", "runs/get?run_id=" + run_id).at("run");
}

nlohmann::json MlflowFixture::get_model_version(const std::string& model,
                                                const std::string& version) {
  // Model names here are ours ([a-z0-9-]): nothing to escape.
  return call_ok("GET", "model-versions/get?name=" + model + "&version=" + version)
      .at("model_version");
}

void MlflowFixture::cleanup() noexcept {
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr,
                 "[mlflow fixture] test failed: keeping its MLflow state at %s (names end in "
                 "%s)\n",
                 m_uri.c_str(), m_suffix.c_str());
    return;
  }
  // Models first (their versions point at runs), then runs, then experiments.
  try {
    for (const auto& name : m_models) {
      (void)call("DELETE", "registered-models/delete", nlohmann::json{{"name", name}}.dump());
    }
    for (const auto& id : m_runs) {
      (void)call("POST", "runs/delete", nlohmann::json{{"run_id", id}}.dump());
    }
    for (const auto& id : m_experiments) {
      (void)call("POST", "experiments/delete", nlohmann::json{{"experiment_id", id}}.dump());
    }
  } catch (const MlflowFixtureError& e) {
    // Cleanup is best effort: the names are unique, leftovers harm no other test.
    std::fprintf(stderr, "[mlflow fixture] cleanup failed: %s\n", e.what());
  }
}

} // namespace mm::test
