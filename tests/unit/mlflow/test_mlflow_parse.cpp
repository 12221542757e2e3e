// Parsers of MLflow REST responses. The well-formed bodies are verbatim answers of an MLflow
// 3.17 server (mlflow server, sqlite backend) to the calls named in each test; the malformed
// ones are what a broken proxy, an old server or a bug could send.

#include "adapters/mlflow/mlflow_parse.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

// GET /api/2.0/mlflow/runs/get?run_id=244aecb9eaf94f3d84ee1540f5865986 after log-batch of
// precision 0.8 (step 0) then 0.9 (step 1), "NaN" and "Infinity".
constexpr const char* k_run_get = R"({
  "run": {
    "info": {
      "run_uuid": "244aecb9eaf94f3d84ee1540f5865986",
      "experiment_id": "1",
      "run_name": "serious-shoat-299",
      "user_id": "",
      "status": "FINISHED",
      "start_time": 1700000000000,
      "end_time": 1700000001000,
      "artifact_uri": "/tmp/mlflow-it/artifacts/1/244aecb9eaf94f3d84ee1540f5865986/artifacts",
      "lifecycle_stage": "active",
      "run_id": "244aecb9eaf94f3d84ee1540f5865986"
    },
    "data": {
      "metrics": [
        {"key": "precision", "value": 0.9, "timestamp": 1700000000002, "step": 1},
        {"key": "nanm", "value": "NaN", "timestamp": 1700000000001, "step": 0},
        {"key": "infm", "value": 1.7976931348623157e+308, "timestamp": 1700000000001, "step": 0}
      ],
      "tags": [{"key": "mlflow.runName", "value": "serious-shoat-299"}]
    },
    "inputs": {},
    "outputs": {}
  }
})";

TEST(ParseRun, RealRunsGetAnswer) {
  auto r = parse_run(k_run_get);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->run_id, "244aecb9eaf94f3d84ee1540f5865986");
  EXPECT_EQ(r->experiment_id, "1");
  EXPECT_EQ(r->status, "FINISHED");
  EXPECT_EQ(r->lifecycle_stage, "active");
  EXPECT_EQ(r->start_time_ms, 1700000000000);
  EXPECT_EQ(r->end_time_ms, 1700000001000);
  ASSERT_EQ(r->metrics.count("precision"), 1U);
  EXPECT_DOUBLE_EQ(r->metrics.at("precision"), 0.9);
  // MLflow's stored +inf is a finite double: kept here; the tracker's [0, 1] check drops it.
  EXPECT_EQ(r->metrics.count("infm"), 1U);
  EXPECT_EQ(r->metrics.count("nanm"), 0U);
  EXPECT_EQ(r->unusable_metrics, std::vector<std::string>{"nanm"});
}

TEST(ParseRun, RunningRunWithoutMetricsOrEndTime) {
  // POST runs/create answer: no data.metrics, no end_time.
  auto r = parse_run(R"({ "run": { "info": { "run_uuid": "abc", "experiment_id": "1",
    "run_name": "x", "user_id": "", "status": "RUNNING", "start_time": 1700000000000,
    "artifact_uri": "/a", "lifecycle_stage": "active", "run_id": "abc" },
    "data": { "tags": [ { "key": "mlflow.runName", "value": "x" } ] }, "inputs": {} } })");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, "RUNNING");
  EXPECT_EQ(r->end_time_ms, std::nullopt);
  EXPECT_TRUE(r->metrics.empty());
  EXPECT_TRUE(r->unusable_metrics.empty());
}

TEST(ParseRun, LatestValueWinsWhenAKeyRepeats) {
  auto r = parse_run(R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
    "data":{"metrics":[
      {"key":"f1_score","value":0.5,"timestamp":10,"step":2},
      {"key":"f1_score","value":0.7,"timestamp":5,"step":3},
      {"key":"f1_score","value":0.6,"timestamp":99,"step":1},
      {"key":"recall","value":0.1,"timestamp":1,"step":0},
      {"key":"recall","value":0.2,"timestamp":2,"step":0},
      {"key":"accuracy","value":0.9,"timestamp":1,"step":0},
      {"key":"accuracy","value":"NaN","timestamp":2,"step":0}]}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->metrics.at("f1_score"), 0.7); // highest step
  EXPECT_DOUBLE_EQ(r->metrics.at("recall"), 0.2);   // same step: latest timestamp
  EXPECT_EQ(r->metrics.count("accuracy"), 0U);      // the latest value is NaN: not the older one
  EXPECT_EQ(r->unusable_metrics, std::vector<std::string>{"accuracy"});
}

TEST(ParseRun, Proto3JsonForms) {
  // int64 as strings, ids as integers, the deprecated run_uuid alone.
  auto r = parse_run(R"({"run":{"info":{"run_uuid":"old","experiment_id":7,"status":"FINISHED",
    "start_time":"1700000000000","end_time":"1700000000500"},
    "data":{"metrics":[{"key":"precision","value":1,"timestamp":"3","step":"0"}]}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->run_id, "old");
  EXPECT_EQ(r->experiment_id, "7");
  EXPECT_EQ(r->start_time_ms, 1700000000000);
  EXPECT_EQ(r->end_time_ms, 1700000000500);
  EXPECT_DOUBLE_EQ(r->metrics.at("precision"), 1.0);
}

TEST(ParseRun, UnusableMetricValues) {
  auto r = parse_run(R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
    "data":{"metrics":[
      {"key":"s","value":"0.8","timestamp":1,"step":0},
      {"key":"inf","value":"Infinity","timestamp":1,"step":0},
      {"key":"ninf","value":"-Infinity","timestamp":1,"step":0},
      {"key":"null","value":null,"timestamp":1,"step":0},
      {"key":"missing","timestamp":1,"step":0},
      {"key":"bool","value":true,"timestamp":1,"step":0},
      {"key":"obj","value":{"x":1},"timestamp":1,"step":0},
      {"key":"big","value":1e300,"timestamp":1,"step":0},
      {"key":"neg","value":-0.5,"timestamp":1,"step":0},
      {"key":"zero","value":0,"timestamp":1,"step":0}]}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->unusable_metrics,
            (std::vector<std::string>{"bool", "inf", "missing", "ninf", "null", "obj", "s"}));
  EXPECT_DOUBLE_EQ(r->metrics.at("big"), 1e300);
  EXPECT_DOUBLE_EQ(r->metrics.at("neg"), -0.5);
  EXPECT_DOUBLE_EQ(r->metrics.at("zero"), 0.0);
}

TEST(ParseRun, NumberBeyondDoubleMakesTheBodyMalformed) {
  // nlohmann::json refuses 1e400 (out_of_range.406) rather than reading +inf; MLflow never sends
  // one (it stores +inf as 1.797e308), so a body holding one is not MLflow's.
  auto r = parse_run(R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
    "data":{"metrics":[{"key":"overflow","value":1e400,"timestamp":1,"step":0}]}}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
}

struct MalformedCase {
  const char* name;
  const char* body;
  const char* expected_in_message;
};

class ParseRunMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(ParseRunMalformed, IsBadResponseNamingTheField) {
  auto r = parse_run(GetParam().body);
  ASSERT_FALSE(r.ok()) << GetParam().name;
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find(GetParam().expected_in_message), std::string::npos)
      << GetParam().name << ": " << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRunMalformed,
    ::testing::Values(
        MalformedCase{"empty", "", "not JSON"},
        MalformedCase{"html", "<html><body>502 Bad Gateway</body></html>", "not JSON"},
        MalformedCase{"truncated", R"({"run":{"info":{"run_id":"r")", "not JSON"},
        MalformedCase{"bare NaN", R"({"run":{"info":NaN}})", "not JSON"},
        MalformedCase{"array", "[1,2]", "not a JSON object"},
        MalformedCase{"string", R"("run")", "not a JSON object"},
        MalformedCase{"no run", "{}", "'run' is missing"},
        MalformedCase{"run not object", R"({"run":[]})", "'run' is not an object"},
        MalformedCase{"no info", R"({"run":{"data":{}}})", "'run.info' is missing"},
        MalformedCase{"no run id", R"({"run":{"info":{"experiment_id":"1","status":"FINISHED"}}})",
                      "run.info.run_uuid"},
        MalformedCase{"run id number",
                      R"({"run":{"info":{"run_id":5,"experiment_id":"1","status":"FINISHED"}}})",
                      "run.info.run_id' is not a string"},
        MalformedCase{"no status", R"({"run":{"info":{"run_id":"r","experiment_id":"1"}}})",
                      "run.info.status"},
        MalformedCase{"no experiment", R"({"run":{"info":{"run_id":"r","status":"FINISHED"}}})",
                      "run.info.experiment_id"},
        MalformedCase{"start_time text",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED",
                      "start_time":"yesterday"}}})",
                      "run.info.start_time' is not an integer"},
        MalformedCase{"start_time float",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED",
                      "start_time":1.5}}})",
                      "start_time' is not an integer"},
        MalformedCase{"end_time huge",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED",
                      "end_time":99999999999999999999}}})",
                      "end_time"},
        MalformedCase{"end_time huge string",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED",
                      "end_time":"99999999999999999999"}}})",
                      "end_time' is not an integer"},
        MalformedCase{"data not object",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
                      "data":"x"}})",
                      "'run.data' is not an object"},
        MalformedCase{"metrics not array",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
                      "data":{"metrics":{"precision":0.8}}}})",
                      "'run.data.metrics' is not an array"},
        MalformedCase{"metric not object",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
                      "data":{"metrics":[0.8]}}})",
                      "run.data.metrics[0]' is not an object"},
        MalformedCase{"metric without key",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
                      "data":{"metrics":[{"value":0.8}]}}})",
                      "run.data.metrics[0].key"},
        MalformedCase{"metric step text",
                      R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
                      "data":{"metrics":[{"key":"a","value":0.8,"step":"two"}]}}})",
                      "run.data.metrics[0].step"}));

// GET registered-models/alias?name=probe-specialist&alias=production
constexpr const char* k_alias_answer = R"({
  "model_version": {
    "name": "probe-specialist",
    "version": "1",
    "creation_timestamp": 1795511453737,
    "last_updated_timestamp": 1795511453737,
    "current_stage": "None",
    "description": "",
    "source": "/tmp/mlflow-it/artifacts/1/244aecb9eaf94f3d84ee1540f5865986/artifacts/model",
    "run_id": "244aecb9eaf94f3d84ee1540f5865986",
    "status": "READY",
    "run_link": "",
    "aliases": [
      "production"
    ]
  }
})";

TEST(ParseModelVersion, RealAliasAnswer) {
  auto r = parse_model_version(k_alias_answer);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "probe-specialist");
  EXPECT_EQ(r->version, "1");
  EXPECT_EQ(r->run_id, "244aecb9eaf94f3d84ee1540f5865986");
  EXPECT_EQ(r->current_stage, "None");
  EXPECT_EQ(r->status, "READY");
  EXPECT_EQ(r->aliases, std::vector<std::string>{"production"});
}

TEST(ParseModelVersion, WithoutRunIdOrAliases) {
  auto r = parse_model_version(R"({"model_version":{"name":"m","version":3}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, "3");
  EXPECT_EQ(r->run_id, "");
  EXPECT_TRUE(r->aliases.empty());
}

TEST(ParseModelVersion, Malformed) {
  for (const char* body :
       {"", "null", "{}", R"({"model_version":null})", R"({"model_version":"1"})",
        R"({"model_version":{"version":"1"}})", R"({"model_version":{"name":"m"}})",
        R"({"model_version":{"name":"m","version":1.5}})",
        R"({"model_version":{"name":"m","version":"1","run_id":42}})",
        R"({"model_version":{"name":"m","version":"1","aliases":"production"}})",
        R"({"model_version":{"name":"m","version":"1","aliases":[1]}})"}) {
    auto r = parse_model_version(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << body;
  }
}

// POST registered-models/get-latest-versions {"name":"probe-specialist","stages":["Production"]}
TEST(ParseModelVersions, RealGetLatestVersionsAnswer) {
  auto r = parse_model_versions(R"({
  "model_versions": [
    {
      "name": "probe-specialist",
      "version": "1",
      "creation_timestamp": 1795511453737,
      "last_updated_timestamp": 1795511453836,
      "current_stage": "Production",
      "description": "",
      "source": "/tmp/mlflow-it/artifacts/1/244aecb9eaf94f3d84ee1540f5865986/artifacts/model",
      "run_id": "244aecb9eaf94f3d84ee1540f5865986",
      "status": "READY",
      "run_link": "",
      "aliases": [
        "production"
      ]
    }
  ]
})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ(r->at(0).current_stage, "Production");
}

TEST(ParseModelVersions, EmptyAndMalformed) {
  auto empty = parse_model_versions("{}"); // no version in that stage: MLflow omits the field
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  for (const char* body : {"", R"({"model_versions":{}})", R"({"model_versions":[1]})",
                           R"({"model_versions":[{"name":"m"}]})"}) {
    EXPECT_FALSE(parse_model_versions(body).ok()) << body;
  }
}

// GET experiments/get-by-name?experiment_name=probe-specialist
TEST(ParseExperiment, RealGetByNameAnswer) {
  auto r = parse_experiment(R"({
  "experiment": {
    "experiment_id": "1",
    "name": "probe-specialist",
    "artifact_location": "/tmp/mlflow-it/artifacts/1",
    "lifecycle_stage": "active",
    "last_update_time": 1795511447090,
    "creation_time": 1795511447090,
    "workspace": "default"
  }
})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->experiment_id, "1");
  EXPECT_EQ(r->name, "probe-specialist");
  EXPECT_EQ(r->lifecycle_stage, "active");
}

TEST(ParseExperiment, Malformed) {
  for (const char* body :
       {"", "{}", R"({"experiment":{}})", R"({"experiment":{"name":"x"}})",
        R"({"experiment":{"experiment_id":"1"}})",
        R"({"experiment":{"experiment_id":[],"name":"x"}})",
        R"({"experiment":{"experiment_id":"1","name":"x","lifecycle_stage":3}})"}) {
    auto r = parse_experiment(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  }
}

TEST(ParseSearchRunsPage, PageWithTokenAndEmptyPage) {
  auto r = parse_search_runs_page(R"({"runs":[
      {"info":{"run_id":"b","experiment_id":"1","status":"RUNNING","start_time":2}},
      {"info":{"run_id":"a","experiment_id":"1","status":"FINISHED","start_time":1},
       "data":{"metrics":[{"key":"f1_score","value":0.8,"timestamp":1,"step":0}]}}],
      "next_page_token":"eyJvZmZzZXQiOiAyfQ=="})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->runs.size(), 2U);
  EXPECT_EQ(r->runs[0].run_id, "b");
  EXPECT_DOUBLE_EQ(r->runs[1].metrics.at("f1_score"), 0.8);
  EXPECT_EQ(r->next_page_token, "eyJvZmZzZXQiOiAyfQ==");

  auto empty = parse_search_runs_page("{}"); // the real answer for an experiment without runs
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->runs.empty());
  EXPECT_EQ(empty->next_page_token, "");
}

TEST(ParseSearchRunsPage, Malformed) {
  for (const char* body : {"", R"({"runs":{}})", R"({"runs":[1]})", R"({"runs":[{}]})",
                           R"({"runs":[],"next_page_token":5})",
                           R"({"runs":[{"info":{"run_id":"a","experiment_id":"1"}}]})"}) {
    auto r = parse_search_runs_page(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  }
}

TEST(ParseRegisteredModelsPage, RealSearchAnswer) {
  // GET registered-models/search?max_results=2 (abridged: latest_versions are ignored).
  auto r = parse_registered_models_page(R"({
  "registered_models": [
    {
      "name": "probe-specialist",
      "creation_timestamp": 1795511453711,
      "last_updated_timestamp": 1795511453836,
      "latest_versions": [{"name": "probe-specialist", "version": "1"}],
      "aliases": [{"alias": "production", "version": "1"}]
    },
    {"name": "technical-evaluator"}
  ],
  "next_page_token": "abc"
})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->names, (std::vector<std::string>{"probe-specialist", "technical-evaluator"}));
  EXPECT_EQ(r->next_page_token, "abc");
  EXPECT_TRUE(parse_registered_models_page("{}").ok());
  for (const char* body : {"", R"({"registered_models":[{}]})", R"({"registered_models":["x"]})",
                           R"({"registered_models":[{"name":1}]})"}) {
    EXPECT_FALSE(parse_registered_models_page(body).ok()) << body;
  }
}

TEST(Parse, HugeAndDeepBodiesDoNotCrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(parse_run(deep).ok());
  std::string many = R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FINISHED"},
    "data":{"metrics":[)";
  for (int i = 0; i < 20000; ++i) {
    many += R"({"key":"m)" + std::to_string(i) + R"(","value":0.5,"timestamp":1,"step":0},)";
  }
  many += R"({"key":"precision","value":0.75,"timestamp":1,"step":0}]}}})";
  auto r = parse_run(many);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->metrics.size(), 20001U);
}

} // namespace
} // namespace mm
