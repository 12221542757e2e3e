// MlflowTracker against a fake MLflow server on 127.0.0.1: the REST shapes are MLflow 3.17's
// (see test_mlflow_parse.cpp), the state is a few maps, so every branch of DESIGN §3 can be
// driven without the real server (tests/integration/mlflow does that against the real one).

#include "adapters/mlflow/mlflow_tracker.hpp"
#include "unit/http/local_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>

namespace mm {
namespace {

using nlohmann::json;

struct FakeRun {
  std::string id;
  std::string experiment_id;
  std::string status = "FINISHED";
  std::int64_t start_time = 0;
  json metrics = json::array();
};

struct FakeVersion {
  std::string version;
  std::string run_id;
  std::string stage = "None";
};

struct FakeModel {
  std::vector<FakeVersion> versions;
  std::map<std::string, std::string> aliases; // alias → version
};

class FakeMlflow {
public:
  FakeMlflow() {
    auto& s = m_server.server();
    s.Get("/api/2.0/mlflow/registered-models/alias", [this](const auto& q, auto& r) {
      handle(q, r, [this](const auto& req, auto& res) { alias(req, res); });
    });
    s.Get("/api/2.0/mlflow/registered-models/get", [this](const auto& q, auto& r) {
      handle(q, r, [this](const auto& req, auto& res) { model_get(req, res); });
    });
    s.Post("/api/2.0/mlflow/registered-models/get-latest-versions", [this](const auto& q, auto& r) {
      handle(q, r, [this](const auto& req, auto& res) { latest_versions(req, res); });
    });
    s.Get("/api/2.0/mlflow/runs/get", [this](const auto& q, auto& r) {
      handle(q, r, [this](const auto& req, auto& res) { run_get(req, res); });
    });
    s.Get("/api/2.0/mlflow/experiments/get-by-name", [this](const auto& q, auto& r) {
      handle(q, r, [this](const auto& req, auto& res) { experiment(req, res); });
    });
    s.Post("/api/2.0/mlflow/runs/search", [this](const auto& q, auto& r) {
      handle(q, r, [this](const auto& req, auto& res) { search_runs(req, res); });
    });
    s.Get("/api/2.0/mlflow/registered-models/search", [this](const auto& q, auto& r) {
      handle(q, r, [this](const auto& req, auto& res) { search_models(req, res); });
    });
  }

  std::string url() const { return m_server.url(); }

  // State (set before the tracker calls).
  std::map<std::string, FakeModel> models;
  std::map<std::string, std::string> experiments; // name → id
  std::vector<FakeRun> runs;
  std::vector<std::string> model_names; // registered-models/search, beyond `models`
  int models_page_size = 1000;
  // Overrides: path → (status, body), answered instead of the fake's logic.
  std::map<std::string, std::pair<int, std::string>> canned;
  bool alias_endpoint_missing = false; // a server before MLflow 2.3
  bool repeat_page_token = false;

  // What was asked.
  std::vector<std::string> calls;
  std::vector<std::string> authorizations;
  std::vector<json> search_bodies;
  std::vector<std::string> model_filters;

  int count(const std::string& path) const {
    return static_cast<int>(std::count(calls.begin(), calls.end(), path));
  }

private:
  template <typename F> void handle(const httplib::Request& req, httplib::Response& res, F body) {
    const std::string path = req.path.substr(std::string("/api/2.0/mlflow/").size());
    {
      const std::lock_guard lock(m_mutex);
      calls.push_back(path);
      authorizations.push_back(req.get_header_value("Authorization"));
    }
    if (const auto it = canned.find(path); it != canned.end()) {
      res.status = it->second.first;
      res.set_content(it->second.second, "application/json");
      return;
    }
    body(req, res);
  }

  static void error(httplib::Response& res, int status, const std::string& code,
                    const std::string& message) {
    res.status = status;
    res.set_content(json{{"error_code", code}, {"message", message}}.dump(), "application/json");
  }

  json version_json(const std::string& name, const FakeVersion& v) const {
    json j = {{"name", name},      {"version", v.version}, {"current_stage", v.stage},
              {"status", "READY"}, {"source", "/tmp/x"},   {"creation_timestamp", 1}};
    if (!v.run_id.empty()) {
      j["run_id"] = v.run_id;
    }
    return j;
  }

  json run_json(const FakeRun& r) const {
    json j = {{"info",
               {{"run_uuid", r.id},
                {"run_id", r.id},
                {"experiment_id", r.experiment_id},
                {"status", r.status},
                {"start_time", r.start_time},
                {"lifecycle_stage", "active"}}},
              {"data", json::object()}};
    if (r.status == "FINISHED") {
      j["info"]["end_time"] = r.start_time + 1000;
    }
    if (!r.metrics.empty()) {
      j["data"]["metrics"] = r.metrics;
    }
    return j;
  }

  void alias(const httplib::Request& req, httplib::Response& res) {
    if (alias_endpoint_missing) {
      res.status = 404;
      res.set_content("<!doctype html><title>404 Not Found</title>", "text/html");
      return;
    }
    const auto name = req.get_param_value("name");
    const auto alias_name = req.get_param_value("alias");
    const auto m = models.find(name);
    if (m == models.end()) {
      return error(res, 404, "RESOURCE_DOES_NOT_EXIST",
                   "Registered Model with name=" + name + " not found");
    }
    const auto a = m->second.aliases.find(alias_name);
    if (a == m->second.aliases.end()) {
      return error(res, 400, "INVALID_PARAMETER_VALUE",
                   "Registered model alias " + alias_name + " not found.");
    }
    for (const auto& v : m->second.versions) {
      if (v.version == a->second) {
        res.set_content(json{{"model_version", version_json(name, v)}}.dump(), "application/json");
        return;
      }
    }
  }

  void model_get(const httplib::Request& req, httplib::Response& res) {
    const auto name = req.get_param_value("name");
    if (models.count(name) == 0) {
      return error(res, 404, "RESOURCE_DOES_NOT_EXIST",
                   "Registered Model with name=" + name + " not found");
    }
    res.set_content(json{{"registered_model", {{"name", name}}}}.dump(), "application/json");
  }

  void latest_versions(const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body);
    const auto name = body.at("name").get<std::string>();
    const auto m = models.find(name);
    if (m == models.end()) {
      return error(res, 404, "RESOURCE_DOES_NOT_EXIST",
                   "Registered Model with name=" + name + " not found");
    }
    json list = json::array();
    for (const auto& v : m->second.versions) {
      if (v.stage == "Production") {
        list.push_back(version_json(name, v));
      }
    }
    json out = json::object();
    if (!list.empty()) {
      out["model_versions"] = list;
    }
    res.set_content(out.dump(), "application/json");
  }

  void run_get(const httplib::Request& req, httplib::Response& res) {
    const auto id = req.get_param_value("run_id");
    for (const auto& r : runs) {
      if (r.id == id) {
        res.set_content(json{{"run", run_json(r)}}.dump(), "application/json");
        return;
      }
    }
    error(res, 404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + id + " not found");
  }

  void experiment(const httplib::Request& req, httplib::Response& res) {
    const auto name = req.get_param_value("experiment_name");
    const auto e = experiments.find(name);
    if (e == experiments.end()) {
      return error(res, 404, "RESOURCE_DOES_NOT_EXIST",
                   "Could not find experiment with name '" + name + "'");
    }
    res.set_content(
        json{{"experiment",
              {{"experiment_id", e->second}, {"name", name}, {"lifecycle_stage", "active"}}}}
            .dump(),
        "application/json");
  }

  void search_runs(const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body);
    {
      const std::lock_guard lock(m_mutex);
      search_bodies.push_back(body);
    }
    const auto exp = body.at("experiment_ids").at(0).get<std::string>();
    std::vector<FakeRun> selected;
    std::copy_if(runs.begin(), runs.end(), std::back_inserter(selected),
                 [&](const FakeRun& r) { return r.experiment_id == exp; });
    std::stable_sort(selected.begin(), selected.end(),
                     [](const auto& a, const auto& b) { return a.start_time > b.start_time; });
    const std::size_t offset =
        body.contains("page_token") ? std::stoul(body["page_token"].get<std::string>()) : 0;
    const auto max = body.at("max_results").get<std::size_t>();
    json list = json::array();
    for (std::size_t i = offset; i < selected.size() && i < offset + max; ++i) {
      list.push_back(run_json(selected[i]));
    }
    json out = json::object();
    if (!list.empty()) {
      out["runs"] = list;
    }
    if (offset + max < selected.size()) {
      out["next_page_token"] = repeat_page_token ? "0" : std::to_string(offset + max);
    }
    res.set_content(out.dump(), "application/json");
  }

  void search_models(const httplib::Request& req, httplib::Response& res) {
    {
      const std::lock_guard lock(m_mutex);
      model_filters.push_back(req.get_param_value("filter"));
    }
    std::vector<std::string> names = model_names;
    for (const auto& [name, model] : models) {
      names.push_back(name);
    }
    const std::size_t offset =
        req.has_param("page_token") ? std::stoul(req.get_param_value("page_token")) : 0;
    const auto max = static_cast<std::size_t>(models_page_size);
    json list = json::array();
    for (std::size_t i = offset; i < names.size() && i < offset + max; ++i) {
      list.push_back({{"name", names[i]}});
    }
    json out = {{"registered_models", list}};
    if (offset + max < names.size()) {
      out["next_page_token"] = std::to_string(offset + max);
    }
    res.set_content(out.dump(), "application/json");
  }

  test::LocalServer m_server;
  std::mutex m_mutex;
};

json metrics(std::initializer_list<std::pair<const char*, json>> values) {
  json list = json::array();
  for (const auto& [key, value] : values) {
    list.push_back({{"key", key}, {"value", value}, {"timestamp", 1}, {"step", 0}});
  }
  return list;
}

HttpOptions quick() {
  HttpOptions o;
  o.max_retries = 2;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 5000;
  return o;
}

RetryHooks no_sleep() {
  return {[](Millis) {}, [] { return 0.0; }};
}

const ProductionLookup k_lookup{"technical-specialist", "technical-specialist", "production", 100};

class TrackerTest : public ::testing::Test {
protected:
  FakeMlflow fake;
  MlflowTracker tracker{fake.url(), quick(), MlflowAuth{"tok-123", "", ""}, no_sleep()};

  void add_experiment_runs() {
    fake.experiments["technical-specialist"] = "7";
    fake.runs.push_back({"old-finished", "7", "FINISHED", 1000,
                         metrics({{"precision", 0.5}, {"recall", 0.5}, {"f1_score", 0.5}})});
    fake.runs.push_back(
        {"new-finished", "7", "FINISHED", 2000,
         metrics({{"precision", 0.81}, {"recall", 0.72}, {"f1_score", 0.76}, {"accuracy", 0.9}})});
  }
  void add_model(const std::string& stage, const std::string& alias) {
    FakeModel m;
    m.versions.push_back({"1", "old-finished", "Archived"});
    m.versions.push_back({"2", "new-finished", stage});
    if (!alias.empty()) {
      m.aliases[alias] = "2";
    }
    fake.models["technical-specialist"] = m;
  }
};

TEST_F(TrackerTest, AliasPath) {
  add_experiment_runs();
  add_model("None", "production");
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, RunSource::alias);
  EXPECT_EQ(r->run_id, "new-finished");
  EXPECT_EQ(r->experiment_id, "7");
  EXPECT_EQ(r->model_name, "technical-specialist");
  EXPECT_EQ(r->model_version, "2");
  EXPECT_EQ(r->precision, 0.81);
  EXPECT_EQ(r->recall, 0.72);
  EXPECT_EQ(r->f1_score, 0.76);
  EXPECT_EQ(r->accuracy, 0.9);
  EXPECT_EQ(r->run_end_time_ms, 3000);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"registered-models/alias", "runs/get"}));
  for (const auto& a : fake.authorizations) {
    EXPECT_EQ(a, "Bearer tok-123");
  }
}

TEST_F(TrackerTest, LegacyStageWhenTheAliasIsMissing) {
  add_experiment_runs();
  add_model("Production", "");
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, RunSource::legacy_stage);
  EXPECT_EQ(r->model_version, "2");
  EXPECT_EQ(r->run_id, "new-finished");
  EXPECT_EQ(fake.count("registered-models/get-latest-versions"), 1);
}

TEST_F(TrackerTest, HighestProductionVersionWins) {
  add_experiment_runs();
  FakeModel m;
  m.versions = {{"9", "old-finished", "Production"}, {"10", "new-finished", "Production"}};
  fake.models["technical-specialist"] = m;
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model_version, "10"); // numerically, not "9" > "10" as text
}

TEST_F(TrackerTest, LegacyStageOnServersWithoutTheAliasEndpoint) {
  add_experiment_runs();
  add_model("Production", "");
  fake.alias_endpoint_missing = true;
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, RunSource::legacy_stage);
}

TEST_F(TrackerTest, EmptyAliasSettingGoesStraightToTheStage) {
  add_experiment_runs();
  add_model("Production", "production");
  ProductionLookup lookup = k_lookup;
  lookup.production_alias = "";
  auto r = tracker.production_metrics(lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, RunSource::legacy_stage);
  EXPECT_EQ(fake.count("registered-models/alias"), 0);
}

TEST_F(TrackerTest, NoRegisteredModelSkipsTheStageAndTakesTheLatestFinishedRun) {
  add_experiment_runs();
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, RunSource::latest_run);
  EXPECT_EQ(r->run_id, "new-finished");
  EXPECT_EQ(r->model_name, "");
  EXPECT_EQ(r->model_version, "");
  EXPECT_EQ(fake.count("registered-models/get-latest-versions"), 0);
  ASSERT_EQ(fake.search_bodies.size(), 1U);
  const json& body = fake.search_bodies[0];
  EXPECT_EQ(body["experiment_ids"], json::array({"7"}));
  EXPECT_EQ(body["order_by"], json::array({"attributes.start_time DESC"}));
  EXPECT_EQ(body["max_results"], 100);
}

TEST_F(TrackerTest, ModelWithoutProductionVersionFallsBackToLatestRun) {
  add_experiment_runs();
  add_model("Staging", "champion");
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, RunSource::latest_run);
  EXPECT_EQ(fake.count("registered-models/get-latest-versions"), 1);
}

TEST_F(TrackerTest, PagesPastUnfinishedRunsUntilAFinishedOne) {
  add_experiment_runs();
  for (int i = 0; i < 5; ++i) {
    fake.runs.push_back({"busy-" + std::to_string(i), "7", i % 2 == 0 ? "RUNNING" : "FAILED",
                         3000 + i, metrics({{"f1_score", 0.99}})});
  }
  tracker.set_runs_page_size(2);
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->run_id, "new-finished");
  EXPECT_EQ(r->f1_score, 0.76);
  ASSERT_EQ(fake.search_bodies.size(), 3U); // 2 + 2 + the page holding the 6th run
  EXPECT_FALSE(fake.search_bodies[0].contains("page_token"));
  EXPECT_EQ(fake.search_bodies[1]["page_token"], "2");
  EXPECT_EQ(fake.search_bodies[2]["page_token"], "4");
}

TEST_F(TrackerTest, RunsLimitBoundsTheSearch) {
  add_experiment_runs();
  for (int i = 0; i < 5; ++i) {
    fake.runs.push_back({"busy-" + std::to_string(i), "7", "RUNNING", 3000 + i, json::array()});
  }
  tracker.set_runs_page_size(2);
  ProductionLookup lookup = k_lookup;
  lookup.runs_limit = 5; // the five RUNNING ones only
  auto r = tracker.production_metrics(lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
  EXPECT_NE(r.error().message.find("last 5 runs"), std::string::npos) << r.error().message;
  ASSERT_EQ(fake.search_bodies.size(), 3U);
  EXPECT_EQ(fake.search_bodies[2]["max_results"], 1); // never asks past the limit
}

TEST_F(TrackerTest, RepeatedPageTokenIsABadResponse) {
  add_experiment_runs();
  for (int i = 0; i < 5; ++i) {
    fake.runs.push_back({"busy-" + std::to_string(i), "7", "RUNNING", 3000 + i, json::array()});
  }
  fake.repeat_page_token = true;
  tracker.set_runs_page_size(1);
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << r.error().message;
}

TEST_F(TrackerTest, MissingExperimentIsNotFoundNamingItAndTheUrl) {
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
  EXPECT_NE(r.error().message.find("experiment 'technical-specialist' not found at " + fake.url()),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("SPECIALIST_TYPES"), std::string::npos);
  EXPECT_NE(r.error().message.find("RESOURCE_DOES_NOT_EXIST"), std::string::npos);
}

TEST_F(TrackerTest, ExperimentWithoutFinishedRunIsNotFound) {
  fake.experiments["technical-specialist"] = "7";
  fake.runs.push_back({"r1", "7", "KILLED", 1, json::array()});
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
  EXPECT_NE(r.error().message.find("no FINISHED run"), std::string::npos);
  fake.runs.clear();
  r = tracker.production_metrics(k_lookup); // an empty experiment answers {}
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
}

TEST_F(TrackerTest, ProductionRunNotFinishedIsABadResponse) {
  add_experiment_runs();
  fake.runs.push_back({"still-running", "7", "RUNNING", 5000, metrics({{"f1_score", 0.9}})});
  FakeModel m;
  m.versions = {{"3", "still-running", "None"}};
  m.aliases["production"] = "3";
  fake.models["technical-specialist"] = m;
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("still-running"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("RUNNING, not FINISHED"), std::string::npos);
}

TEST_F(TrackerTest, VersionWithoutRunIsABadResponse) {
  FakeModel m;
  m.versions = {{"1", "", "None"}};
  m.aliases["production"] = "1";
  fake.models["technical-specialist"] = m;
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("no run_id"), std::string::npos) << r.error().message;
}

TEST_F(TrackerTest, DeletedProductionRunIsNotFound) {
  FakeModel m;
  m.versions = {{"1", "gone", "None"}};
  m.aliases["production"] = "1";
  fake.models["technical-specialist"] = m;
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
  EXPECT_NE(r.error().message.find("run gone of model 'technical-specialist' version 1"),
            std::string::npos)
      << r.error().message;
}

TEST_F(TrackerTest, AbsentAndUnusableMetricsAreNullopt) {
  fake.experiments["technical-specialist"] = "7";
  fake.runs.push_back({"r", "7", "FINISHED", 1,
                       metrics({{"precision", "NaN"},
                                {"recall", 1.7976931348623157e308},
                                {"f1_score", 0.7},
                                {"something_else", 3.0}})});
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->precision, std::nullopt); // NaN
  EXPECT_EQ(r->recall, std::nullopt);    // MLflow's stored +inf: not a ratio
  EXPECT_EQ(r->f1_score, 0.7);
  EXPECT_EQ(r->accuracy, std::nullopt); // never logged
}

TEST_F(TrackerTest, RatioBoundsAreInclusive) {
  fake.experiments["technical-specialist"] = "7";
  fake.runs.push_back(
      {"r", "7", "FINISHED", 1,
       metrics(
           {{"precision", 0.0}, {"recall", 1.0}, {"f1_score", -0.0001}, {"accuracy", 1.0001}})});
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->precision, 0.0);
  EXPECT_EQ(r->recall, 1.0);
  EXPECT_EQ(r->f1_score, std::nullopt);
  EXPECT_EQ(r->accuracy, std::nullopt);
}

TEST_F(TrackerTest, MalformedAnswerIsABadResponseNamingTheUrl) {
  fake.canned["registered-models/alias"] = {200, "{\"model_version\": "};
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find(fake.url() + "/api/2.0/mlflow/registered-models/alias"),
            std::string::npos)
      << r.error().message;
}

TEST_F(TrackerTest, ServerErrorsAreUnavailableAfterRetries) {
  fake.canned["registered-models/alias"] = {503, R"({"error_code":"TEMPORARILY_UNAVAILABLE"})"};
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
  EXPECT_EQ(fake.count("registered-models/alias"), 3); // 1 + max_retries 2
}

TEST_F(TrackerTest, UnauthorisedIsAConfigError) {
  fake.canned["registered-models/alias"] = {401, R"({"error_code":"UNAUTHENTICATED",
    "message":"You are not authenticated."})"};
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::config);
  EXPECT_NE(r.error().message.find("MLFLOW_TRACKING_TOKEN"), std::string::npos);
  EXPECT_EQ(r.error().message.find("tok-123"), std::string::npos);
}

TEST_F(TrackerTest, InvalidAliasNameIsNotMistakenForAMissingAlias) {
  fake.canned["registered-models/alias"] = {
      400, R"({"error_code":"INVALID_PARAMETER_VALUE","message":"Invalid alias name: 'a b'."})"};
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
}

TEST(MlflowTracker, BasicAuthWinsOverTokenAsInMlflow) {
  FakeMlflow fake;
  fake.experiments["technical-specialist"] = "1";
  fake.runs.push_back({"r", "1", "FINISHED", 1, json::array()});
  MlflowTracker tracker(fake.url() + "/", quick(), MlflowAuth{"tok", "alice", "s3cret"},
                        no_sleep());
  ASSERT_TRUE(tracker.production_metrics(k_lookup).ok());
  ASSERT_FALSE(fake.authorizations.empty());
  for (const auto& a : fake.authorizations) {
    EXPECT_EQ(a, "Basic YWxpY2U6czNjcmV0"); // base64("alice:s3cret")
  }
}

TEST(MlflowTracker, NoCredentialsNoHeader) {
  FakeMlflow fake;
  fake.experiments["technical-specialist"] = "1";
  fake.runs.push_back({"r", "1", "FINISHED", 1, json::array()});
  MlflowTracker tracker(fake.url(), quick(), MlflowAuth{}, no_sleep());
  ASSERT_TRUE(tracker.production_metrics(k_lookup).ok());
  for (const auto& a : fake.authorizations) {
    EXPECT_EQ(a, "");
  }
}

TEST(MlflowTracker, NonHttpTrackingUriIsAConfigError) {
  for (const char* uri : {"file:///tmp/mlruns", "databricks", "sqlite:///x.db", ""}) {
    MlflowTracker tracker(uri, quick(), MlflowAuth{}, no_sleep());
    auto r = tracker.production_metrics(k_lookup);
    ASSERT_FALSE(r.ok()) << uri;
    EXPECT_EQ(r.error().kind, ErrorKind::config) << uri;
    auto d = tracker.discover_specialists("{type}-specialist");
    ASSERT_FALSE(d.ok()) << uri;
    EXPECT_EQ(d.error().kind, ErrorKind::config) << uri;
  }
}

TEST(MlflowTracker, ClosedPortIsUnavailableNamingTheUrl) {
  const std::string uri = "http://127.0.0.1:" + std::to_string(test::closed_port());
  MlflowTracker tracker(uri, quick(), MlflowAuth{}, no_sleep());
  auto r = tracker.production_metrics(k_lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable);
  EXPECT_NE(r.error().message.find(uri + "/api/2.0/mlflow/"), std::string::npos)
      << r.error().message;
}

TEST(MlflowTracker, BadLookupIsAConfigError) {
  MlflowTracker tracker("http://127.0.0.1:1", quick(), MlflowAuth{}, no_sleep());
  ProductionLookup lookup = k_lookup;
  lookup.runs_limit = 0;
  auto r = tracker.production_metrics(lookup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::config);
}

TEST(MlflowDiscovery, PagesFiltersAndSorts) {
  FakeMlflow fake;
  fake.model_names = {"technical-evaluator",
                      "business-evaluator",
                      "technical-evaluator",
                      "Behavior-evaluator",
                      "evaluator",
                      "-evaluator",
                      "x y-evaluator",
                      "architecture-evaluator",
                      "evolution-specialist",
                      "fraud-model",
                      "a" + std::string(63, 'b') + "-evaluator",
                      "b2_c-d-evaluator"};
  fake.models_page_size = 3;
  MlflowTracker tracker(fake.url(), quick(), MlflowAuth{}, no_sleep());
  auto r = tracker.discover_specialists("{type}-evaluator");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<std::string>{"architecture", "b2_c-d", "business", "technical"}));
  EXPECT_EQ(fake.count("registered-models/search"), 4);
  EXPECT_EQ(fake.model_filters.front(), "name LIKE '%-evaluator'");
}

TEST(MlflowDiscovery, TemplateMustHoldTypeOnce) {
  MlflowTracker tracker("http://127.0.0.1:1", quick(), MlflowAuth{}, no_sleep());
  for (const char* t : {"specialist", "{type}-{type}", "{TYPE}-x"}) {
    auto r = tracker.discover_specialists(t);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(r.error().kind, ErrorKind::config) << t;
  }
}

TEST(MlflowDiscovery, EmptyRegistryAndPrefixTemplates) {
  FakeMlflow fake;
  MlflowTracker tracker(fake.url(), quick(), MlflowAuth{}, no_sleep());
  auto r = tracker.discover_specialists("{type}-specialist");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->empty());
  fake.model_names = {"nh-technical", "nh-", "technical"};
  r = tracker.discover_specialists("nh-{type}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, std::vector<std::string>{"technical"});
  r = tracker.discover_specialists("{type}"); // no filter: every valid name is a type
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<std::string>{"nh-", "nh-technical", "technical"}));
  EXPECT_EQ(fake.model_filters.back(), "");
}

} // namespace
} // namespace mm
