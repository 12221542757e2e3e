// MlflowRunRegistry against a scripted MLflow on 127.0.0.1: each test says what each endpoint
// answers (shapes and error bodies are MLflow 3.17.2's, see test_mlflow_parse_registry.cpp) and
// checks what was sent. tests/integration/mlflow runs the same calls against the real server.

#include "adapters/mlflow/mlflow_run_registry.hpp"
#include "unit/http/local_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <deque>
#include <functional>
#include <map>
#include <mutex>

namespace mm {
namespace {

using nlohmann::json;

struct Sent {
  std::string method;
  std::string endpoint; // relative to /api/2.0/mlflow/
  std::multimap<std::string, std::string> params;
  json body; // null for GET
  std::string content_type;
  std::string authorization;
};

struct Answer {
  int status = 200;
  std::string body = "{}";
};

// MLflow's error body (3.17.2 adds sqlstate and error_class).
Answer mlflow_error(int status, const std::string& code, const std::string& message) {
  return {status, json{{"error_code", code}, {"message", message}, {"sqlstate", "KAM00"}}.dump()};
}

Answer ok(const json& body) {
  return {200, body.dump()};
}

json version_json(const std::string& version, const std::string& run_id,
                  const std::string& status = "READY", const std::string& stage = "None") {
  return {{"name", "technical-specialist"},
          {"version", version},
          {"creation_timestamp", 1},
          {"current_stage", stage},
          {"source", "runs:/" + run_id + "/model"},
          {"run_id", run_id},
          {"status", status},
          {"run_link", ""}};
}

json run_json(const std::string& id, const std::string& status, const json& metrics,
              const json& tags) {
  return {{"run",
           {{"info",
             {{"run_uuid", id},
              {"experiment_id", "7"},
              {"status", status},
              {"start_time", 1700000000000},
              {"lifecycle_stage", "active"},
              {"run_id", id}}},
            {"data", {{"metrics", metrics}, {"tags", tags}}}}}};
}

// Answers each endpoint from a queue of answers (the last one repeats), or 404 ENDPOINT_NOT_FOUND.
class ScriptedMlflow {
public:
  ScriptedMlflow() {
    auto& s = m_server.server();
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      serve(req, res);
    };
    s.Get(R"(/api/2\.0/mlflow/.*)", handler);
    s.Post(R"(/api/2\.0/mlflow/.*)", handler);
    s.Delete(R"(/api/2\.0/mlflow/.*)", handler);
  }

  std::string url() const { return m_server.url(); }

  void on(const std::string& endpoint, std::vector<Answer> answers) {
    const std::lock_guard lock(m_mutex);
    m_answers[endpoint] = std::deque<Answer>(answers.begin(), answers.end());
  }

  std::vector<Sent> sent(const std::string& endpoint) const {
    const std::lock_guard lock(m_mutex);
    std::vector<Sent> out;
    for (const auto& s : m_sent) {
      if (s.endpoint == endpoint) {
        out.push_back(s);
      }
    }
    return out;
  }
  std::vector<Sent> all() const {
    const std::lock_guard lock(m_mutex);
    return m_sent;
  }

private:
  void serve(const httplib::Request& req, httplib::Response& res) {
    Sent s;
    s.method = req.method;
    s.endpoint = req.path.substr(std::string("/api/2.0/mlflow/").size());
    for (const auto& [k, v] : req.params) {
      s.params.emplace(k, v);
    }
    if (!req.body.empty()) {
      s.body = json::parse(req.body, nullptr, false);
    }
    s.content_type = req.get_header_value("Content-Type");
    s.authorization = req.get_header_value("Authorization");
    Answer a{404, R"({"error_code":"ENDPOINT_NOT_FOUND","message":"no such endpoint"})"};
    {
      const std::lock_guard lock(m_mutex);
      m_sent.push_back(s);
      auto it = m_answers.find(s.endpoint);
      if (it != m_answers.end() && !it->second.empty()) {
        a = it->second.front();
        if (it->second.size() > 1) {
          it->second.pop_front();
        }
      }
    }
    res.status = a.status;
    res.set_content(a.body, "application/json");
  }

  test::LocalServer m_server;
  mutable std::mutex m_mutex;
  std::map<std::string, std::deque<Answer>> m_answers;
  std::vector<Sent> m_sent;
};

HttpOptions quick() {
  HttpOptions o;
  o.max_retries = 2;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 5000;
  return o;
}

constexpr std::int64_t k_now = 1'750'000'000'123;
const std::string k_model = "technical-specialist";
const std::string k_run = "97e6c51902524103a2f85a2951759739";

class RegistryTest : public ::testing::Test {
protected:
  ScriptedMlflow fake;
  std::vector<Millis> sleeps;
  MlflowRunRegistry registry{
      fake.url(), quick(), MlflowAuth{"tok-9", "", ""},
      RetryHooks{[this](Millis d) { sleeps.push_back(d); }, [] { return 0.0; }}};

  void SetUp() override {
    registry.set_clock([] { return k_now; });
  }
};

// --- ensure_experiment ---------------------------------------------------------------------

const json k_experiment = {{"experiment",
                            {{"experiment_id", "7"},
                             {"name", "technical-specialist"},
                             {"artifact_location", "mlflow-artifacts:/7"},
                             {"lifecycle_stage", "active"}}}};

TEST_F(RegistryTest, ExistingExperimentIsFoundNotCreated) {
  fake.on("experiments/get-by-name", {ok(k_experiment)});
  auto id = registry.ensure_experiment("technical-specialist");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "7");
  const auto gets = fake.sent("experiments/get-by-name");
  ASSERT_EQ(gets.size(), 1U);
  EXPECT_EQ(gets[0].params.find("experiment_name")->second, "technical-specialist");
  EXPECT_EQ(gets[0].authorization, "Bearer tok-9");
  EXPECT_TRUE(fake.sent("experiments/create").empty());
}

TEST_F(RegistryTest, MissingExperimentIsCreated) {
  fake.on("experiments/get-by-name",
          {mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                        "Could not find experiment with name 'technical-specialist'")});
  fake.on("experiments/create", {ok({{"experiment_id", "79"}})});
  auto id = registry.ensure_experiment("technical-specialist");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "79");
  const auto creates = fake.sent("experiments/create");
  ASSERT_EQ(creates.size(), 1U);
  EXPECT_EQ(creates[0].body, (json{{"name", "technical-specialist"}}));
  EXPECT_EQ(creates[0].content_type, "application/json");
}

TEST_F(RegistryTest, CreateRaceReadsTheWinnersExperiment) {
  fake.on("experiments/get-by-name",
          {mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment"),
           ok(k_experiment)});
  fake.on("experiments/create",
          {mlflow_error(400, "RESOURCE_ALREADY_EXISTS",
                        "Experiment(name=technical-specialist) already exists.")});
  auto id = registry.ensure_experiment("technical-specialist");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "7");
  EXPECT_EQ(fake.sent("experiments/get-by-name").size(), 2U);
}

TEST_F(RegistryTest, DeletedExperimentIsAConfigError) {
  json deleted = k_experiment;
  deleted["experiment"]["lifecycle_stage"] = "deleted";
  fake.on("experiments/get-by-name", {ok(deleted)});
  auto id = registry.ensure_experiment("technical-specialist");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, ErrorKind::config);
  EXPECT_NE(id.error().message.find("deleted"), std::string::npos);
  EXPECT_TRUE(fake.sent("experiments/create").empty());
}

TEST_F(RegistryTest, ExperimentErrorsAreMapped) {
  fake.on("experiments/get-by-name", {ok({{"experiment", {{"name", "x"}}}})});
  auto malformed = registry.ensure_experiment("x");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().kind, ErrorKind::bad_response);
  EXPECT_NE(malformed.error().message.find("experiments/get-by-name"), std::string::npos);
  EXPECT_EQ(registry.ensure_experiment("").error().kind, ErrorKind::config);
}

// --- runs ----------------------------------------------------------------------------------

TEST_F(RegistryTest, CreateRunSendsStartTimeAndTags) {
  fake.on("runs/create", {ok(run_json("abc", "RUNNING", json::array(), json::array()))});
  auto id = registry.create_run("7", {{"model_monitor.trigger", "degradation"}, {"b", "2"}});
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "abc");
  const auto sent = fake.sent("runs/create");
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].body["experiment_id"], "7");
  EXPECT_EQ(sent[0].body["start_time"], k_now);
  EXPECT_EQ(sent[0].body["tags"],
            (json::array({{{"key", "b"}, {"value", "2"}},
                          {{"key", "model_monitor.trigger"}, {"value", "degradation"}}})));
  EXPECT_EQ(sent[0].content_type, "application/json");
}

TEST_F(RegistryTest, CreateRunIsNeverResentAfterItMayHaveArrived) {
  fake.on("runs/create", {mlflow_error(503, "TEMPORARILY_UNAVAILABLE", "busy"),
                          ok(run_json("second", "RUNNING", json::array(), json::array()))});
  auto id = registry.create_run("7", {});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, ErrorKind::unavailable);
  EXPECT_NE(id.error().message.find("second run"), std::string::npos) << id.error().message;
  EXPECT_EQ(fake.sent("runs/create").size(), 1U); // an idempotent call would have made 3
}

TEST_F(RegistryTest, CreateRunInAMissingExperimentIsNotFound) {
  fake.on("runs/create",
          {mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=99999 exists")});
  auto id = registry.create_run("99999", {});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, ErrorKind::not_found);
}

TEST_F(RegistryTest, GetRunReadsStatusSanitisedMetricsAndTags) {
  const json metrics = json::array({{{"key", "precision"}, {"value", 0.8}, {"step", 0}},
                                    {{"key", "recall"}, {"value", "NaN"}, {"step", 0}},
                                    {{"key", "f1_score"}, {"value", 1.5}, {"step", 0}},
                                    {{"key", "accuracy"}, {"value", 0.9}, {"step", 0}},
                                    {{"key", "accuracy"}, {"value", 0.95}, {"step", 1}}});
  const json tags = json::array({{{"key", "model_monitor.trigger"}, {"value", "manual"}}});
  fake.on("runs/get", {ok(run_json(k_run, "FINISHED", metrics, tags))});
  auto state = registry.get_run(k_run);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->run_id, k_run);
  EXPECT_EQ(state->status, RunStatus::finished);
  EXPECT_EQ(state->precision, 0.8);
  EXPECT_EQ(state->recall, std::nullopt);
  EXPECT_EQ(state->f1_score, std::nullopt);
  EXPECT_EQ(state->accuracy, 0.95);
  EXPECT_EQ(state->tags.at("model_monitor.trigger"), "manual");
  EXPECT_EQ(fake.sent("runs/get")[0].params.find("run_id")->second, k_run);
}

TEST_F(RegistryTest, GetRunOfAnUnknownRunIsNotFoundNamingIt) {
  fake.on("runs/get", {mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=nope not found")});
  auto state = registry.get_run("nope");
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().kind, ErrorKind::not_found);
  EXPECT_NE(state.error().message.find("run nope"), std::string::npos);
  EXPECT_NE(state.error().message.find(fake.url() + "/api/2.0/mlflow/runs/get"), std::string::npos)
      << state.error().message;
}

TEST_F(RegistryTest, GetRunWithAnUnknownStatusIsABadResponse) {
  fake.on("runs/get", {ok(run_json(k_run, "PAUSED", json::array(), json::array()))});
  auto state = registry.get_run(k_run);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().kind, ErrorKind::bad_response);
}

TEST_F(RegistryTest, SetTagsSendsOneSetTagPerTagAndRetries) {
  fake.on("runs/set-tag", {mlflow_error(503, "", "busy"), ok(json::object())});
  auto st = registry.set_tags(k_run, {{"a", "1"}, {"b", ""}});
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto sent = fake.sent("runs/set-tag");
  ASSERT_EQ(sent.size(), 3U); // a (503, resent), b
  EXPECT_EQ(sent[1].body, (json{{"run_id", k_run}, {"key", "a"}, {"value", "1"}}));
  EXPECT_EQ(sent[2].body, (json{{"run_id", k_run}, {"key", "b"}, {"value", ""}}));
  EXPECT_TRUE(registry.set_tags(k_run, {}).ok());
  EXPECT_EQ(fake.sent("runs/set-tag").size(), 3U);
}

TEST_F(RegistryTest, SetTagsOfAnUnknownRunNamesTheTag) {
  fake.on("runs/set-tag",
          {mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=nope not found")});
  auto st = registry.set_tags("nope", {{"k", "v"}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::not_found);
  EXPECT_NE(st.error().message.find("tag 'k'"), std::string::npos);
}

TEST_F(RegistryTest, TerminateRunSendsStatusAndEndTime) {
  fake.on("runs/update", {ok({{"run_info", {{"run_id", k_run}, {"status", "FAILED"}}}})});
  ASSERT_TRUE(registry.terminate_run(k_run, RunStatus::failed).ok());
  const auto sent = fake.sent("runs/update");
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].body, (json{{"run_id", k_run}, {"status", "FAILED"}, {"end_time", k_now}}));
}

TEST_F(RegistryTest, TerminateRunRefusesANonTerminalStatus) {
  for (const RunStatus s : {RunStatus::running, RunStatus::scheduled}) {
    auto st = registry.terminate_run(k_run, s);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().kind, ErrorKind::internal);
  }
  EXPECT_TRUE(fake.sent("runs/update").empty());
}

// --- model registry -------------------------------------------------------------------------

TEST_F(RegistryTest, VersionOfRunSearchesByNameAndRunAndTakesTheHighest) {
  fake.on("model-versions/search", {ok({{"model_versions",
                                         {version_json("9", k_run), version_json("10", k_run),
                                          version_json("11", "another-run")}}})});
  auto v = registry.version_of_run(k_model, k_run);
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->version, "10"); // 11 is another run's: filtered again on our side
  EXPECT_EQ((*v)->run_id, k_run);
  const auto sent = fake.sent("model-versions/search");
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].params.find("filter")->second,
            "name='technical-specialist' and run_id='" + k_run + "'");
  EXPECT_EQ(sent[0].params.find("order_by")->second, "version_number DESC");
}

TEST_F(RegistryTest, VersionOfRunWithoutVersionsIsNullopt) {
  fake.on("model-versions/search", {ok(json::object())}); // MLflow's answer: {}
  auto v = registry.version_of_run(k_model, k_run);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_FALSE(v->has_value());
}

TEST_F(RegistryTest, VersionOfRunRefusesQuotesBeforeAnyCall) {
  auto v = registry.version_of_run("evil' or name='x", k_run);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::config);
  EXPECT_TRUE(fake.all().empty());
}

TEST_F(RegistryTest, RegisterVersionCreatesTheModelThenAReadyVersion) {
  fake.on("registered-models/create", {ok({{"registered_model", {{"name", k_model}}}})});
  fake.on("model-versions/create", {ok({{"model_version", version_json("1", k_run)}})});
  auto v = registry.register_version(k_model, k_run, "runs:/" + k_run + "/model");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->model_name, k_model);
  EXPECT_EQ(v->version, "1");
  EXPECT_EQ(v->run_id, k_run);
  EXPECT_EQ(v->current_stage, "None");
  EXPECT_EQ(fake.sent("registered-models/create")[0].body, (json{{"name", k_model}}));
  EXPECT_EQ(fake.sent("model-versions/create")[0].body,
            (json{{"name", k_model}, {"source", "runs:/" + k_run + "/model"}, {"run_id", k_run}}));
  EXPECT_TRUE(fake.sent("model-versions/get").empty()); // READY at once: no polling
}

TEST_F(RegistryTest, RegisterVersionToleratesAnExistingModel) {
  fake.on("registered-models/create",
          {mlflow_error(400, "RESOURCE_ALREADY_EXISTS",
                        "Registered Model (name=technical-specialist) already exists.")});
  fake.on("model-versions/create", {ok({{"model_version", version_json("4", k_run)}})});
  auto v = registry.register_version(k_model, k_run, "runs:/" + k_run + "/model");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->version, "4");
}

TEST_F(RegistryTest, RegisterVersionWaitsForPendingRegistration) {
  registry.set_ready_wait(std::chrono::milliseconds(250), 5);
  fake.on("registered-models/create", {ok(json::object())});
  fake.on("model-versions/create",
          {ok({{"model_version", version_json("2", k_run, "PENDING_REGISTRATION")}})});
  fake.on("model-versions/get",
          {ok({{"model_version", version_json("2", k_run, "PENDING_REGISTRATION")}}),
           ok({{"model_version", version_json("2", k_run, "READY")}})});
  auto v = registry.register_version(k_model, k_run, "runs:/" + k_run + "/model");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->version, "2");
  const auto polls = fake.sent("model-versions/get");
  ASSERT_EQ(polls.size(), 2U);
  EXPECT_EQ(polls[0].params.find("name")->second, k_model);
  EXPECT_EQ(polls[0].params.find("version")->second, "2");
  EXPECT_EQ(sleeps, (std::vector<Millis>{Millis(250), Millis(250)}));
}

TEST_F(RegistryTest, RegisterVersionStillPendingIsATimeout) {
  registry.set_ready_wait(std::chrono::milliseconds(10), 3);
  fake.on("registered-models/create", {ok(json::object())});
  fake.on("model-versions/create",
          {ok({{"model_version", version_json("2", k_run, "PENDING_REGISTRATION")}})});
  fake.on("model-versions/get",
          {ok({{"model_version", version_json("2", k_run, "PENDING_REGISTRATION")}})});
  auto v = registry.register_version(k_model, k_run, "runs:/" + k_run + "/model");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::timeout);
  EXPECT_EQ(fake.sent("model-versions/get").size(), 3U);
}

TEST_F(RegistryTest, RegisterVersionFailedRegistrationIsABadResponse) {
  fake.on("registered-models/create", {ok(json::object())});
  json failed = version_json("2", k_run, "FAILED_REGISTRATION");
  failed["status_message"] = "copy failed";
  fake.on("model-versions/create", {ok({{"model_version", failed}})});
  auto v = registry.register_version(k_model, k_run, "runs:/" + k_run + "/model");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::bad_response);
  EXPECT_NE(v.error().message.find("copy failed"), std::string::npos);
}

TEST_F(RegistryTest, RegisterVersionIsNotResentButFindsAVersionTheLostAnswerMade) {
  fake.on("registered-models/create", {ok(json::object())});
  fake.on("model-versions/create", {mlflow_error(503, "", "gateway lost the answer")});
  fake.on("model-versions/search", {ok({{"model_versions", {version_json("5", k_run)}}})});
  auto v = registry.register_version(k_model, k_run, "runs:/" + k_run + "/model");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->version, "5");
  EXPECT_EQ(fake.sent("model-versions/create").size(), 1U);
}

TEST_F(RegistryTest, RegisterVersionAmbiguousFailureWithoutAVersionSaysSo) {
  fake.on("registered-models/create", {ok(json::object())});
  fake.on("model-versions/create", {mlflow_error(503, "", "busy")});
  fake.on("model-versions/search", {ok(json::object())});
  auto v = registry.register_version(k_model, k_run, "runs:/" + k_run + "/model");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::unavailable);
  EXPECT_NE(v.error().message.find("not resent"), std::string::npos) << v.error().message;
  EXPECT_EQ(fake.sent("model-versions/create").size(), 1U);
}

TEST_F(RegistryTest, RegisterVersionOtherFailuresAreNotLookedUp) {
  fake.on("registered-models/create", {ok(json::object())});
  fake.on("model-versions/create",
          {mlflow_error(400, "INVALID_PARAMETER_VALUE", "Invalid model version source")});
  auto v = registry.register_version(k_model, k_run, "ftp://x");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::bad_response);
  EXPECT_TRUE(fake.sent("model-versions/search").empty());
}

TEST_F(RegistryTest, VersionByAlias) {
  json aliased = version_json("2", k_run);
  aliased["aliases"] = {"production"};
  fake.on("registered-models/alias", {ok({{"model_version", aliased}})});
  auto v = registry.version_by_alias(k_model, "production");
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->version, "2");
  EXPECT_EQ((*v)->aliases, std::vector<std::string>{"production"});
  const auto sent = fake.sent("registered-models/alias");
  EXPECT_EQ(sent[0].method, "GET");
  EXPECT_EQ(sent[0].params.find("name")->second, k_model);
  EXPECT_EQ(sent[0].params.find("alias")->second, "production");
}

TEST_F(RegistryTest, MissingAliasOrModelIsNullopt) {
  // MLflow 3.17.2's answers: 400 for an unset alias, 404 for an unknown model.
  for (const Answer& a :
       {mlflow_error(400, "INVALID_PARAMETER_VALUE",
                     "Registered model alias production not found."),
        mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                     "Registered Model with name=technical-specialist not found")}) {
    fake.on("registered-models/alias", {a});
    auto v = registry.version_by_alias(k_model, "production");
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_FALSE(v->has_value()) << a.body;
  }
}

TEST_F(RegistryTest, OtherAliasErrorsAreErrors) {
  fake.on("registered-models/alias",
          {mlflow_error(400, "INVALID_PARAMETER_VALUE", "Invalid alias name: 'a b'.")});
  auto v = registry.version_by_alias(k_model, "a b");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::bad_response);
}

TEST_F(RegistryTest, SetAliasPostsNameAliasVersion) {
  fake.on("registered-models/alias", {ok(json::object())});
  ASSERT_TRUE(registry.set_alias(k_model, "production", "3").ok());
  const auto sent = fake.sent("registered-models/alias");
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].body, (json{{"name", k_model}, {"alias", "production"}, {"version", "3"}}));
}

TEST_F(RegistryTest, ReservedAliasIsAConfigErrorNamingTheSetting) {
  fake.on("registered-models/alias",
          {mlflow_error(400, "INVALID_PARAMETER_VALUE",
                        "'latest' alias name (case insensitive) is reserved.")});
  auto st = registry.set_alias(k_model, "latest", "3");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::config);
  EXPECT_NE(st.error().message.find("MODEL_PRODUCTION_ALIAS"), std::string::npos);
}

TEST_F(RegistryTest, SetAliasToAMissingVersionIsNotFound) {
  fake.on("registered-models/alias",
          {mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                        "Model Version (name=technical-specialist, version=99) not found")});
  auto st = registry.set_alias(k_model, "production", "99");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::not_found);
}

TEST_F(RegistryTest, TransitionToProductionArchivesTheOthers) {
  fake.on("model-versions/transition-stage",
          {ok({{"model_version", version_json("3", k_run, "READY", "Production")}})});
  ASSERT_TRUE(registry.transition_to_production(k_model, "3").ok());
  const auto sent = fake.sent("model-versions/transition-stage");
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].body, (json{{"name", k_model},
                                {"version", "3"},
                                {"stage", "Production"},
                                {"archive_existing_versions", true}}));
}

TEST(MlflowRunRegistry, NonHttpTrackingUriIsAConfigErrorForEveryCall) {
  MlflowRunRegistry registry("file:///tmp/mlruns", quick(), MlflowAuth{});
  EXPECT_EQ(registry.ensure_experiment("x").error().kind, ErrorKind::config);
  EXPECT_EQ(registry.create_run("1", {}).error().kind, ErrorKind::config);
  EXPECT_EQ(registry.get_run("r").error().kind, ErrorKind::config);
  EXPECT_EQ(registry.set_tags("r", {{"a", "b"}}).error().kind, ErrorKind::config);
  EXPECT_EQ(registry.terminate_run("r", RunStatus::failed).error().kind, ErrorKind::config);
  EXPECT_EQ(registry.version_of_run("m", "r").error().kind, ErrorKind::config);
  EXPECT_EQ(registry.register_version("m", "r", "s").error().kind, ErrorKind::config);
  EXPECT_EQ(registry.version_by_alias("m", "a").error().kind, ErrorKind::config);
  EXPECT_EQ(registry.set_alias("m", "a", "1").error().kind, ErrorKind::config);
  EXPECT_EQ(registry.transition_to_production("m", "1").error().kind, ErrorKind::config);
}

TEST(MlflowRunRegistry, ClosedPortIsUnavailableNamingTheUrl) {
  const std::string uri = "http://127.0.0.1:" + std::to_string(test::closed_port());
  MlflowRunRegistry registry(uri + "/", quick(), MlflowAuth{}, {[](Millis) {}, [] { return 0.0; }});
  auto id = registry.ensure_experiment("technical-specialist");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, ErrorKind::unavailable);
  EXPECT_NE(id.error().message.find(uri + "/api/2.0/mlflow/experiments/get-by-name"),
            std::string::npos)
      << id.error().message;
}

TEST(MlflowRunRegistry, BasicAuthAsInMlflow) {
  ScriptedMlflow fake;
  fake.on("runs/set-tag", {ok(json::object())});
  MlflowRunRegistry registry(fake.url(), quick(), MlflowAuth{"tok", "alice", "s3cret"});
  ASSERT_TRUE(registry.set_tags("r", {{"a", "b"}}).ok());
  EXPECT_EQ(fake.sent("runs/set-tag")[0].authorization, "Basic YWxpY2U6czNjcmV0");
}

} // namespace
} // namespace mm
