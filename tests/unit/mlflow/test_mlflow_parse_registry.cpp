// Parsers of the MLflow answers MlflowRunRegistry reads (write side). The well-formed bodies are
// verbatim answers of the MLflow 3.17.2 server of scripts/services.sh to the calls named in each
// test; the malformed ones are what a broken proxy, an old server or a bug could send.

#include "adapters/mlflow/mlflow_parse.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

// POST runs/create {"experiment_id": "79", "start_time": 1700000000000,
//                   "tags": [{"key": "a", "value": "1"}, {"key": "b'q", "value": "x"}]}
constexpr const char* k_runs_create = R"({
  "run": {
    "info": {
      "run_uuid": "3c092f67bd14457eb95b8cb1c5f64bdc",
      "experiment_id": "79",
      "run_name": "clumsy-dove-898",
      "user_id": "",
      "status": "RUNNING",
      "start_time": 1700000000000,
      "artifact_uri": "mlflow-artifacts:/79/3c092f67bd14457eb95b8cb1c5f64bdc/artifacts",
      "lifecycle_stage": "active",
      "run_id": "3c092f67bd14457eb95b8cb1c5f64bdc"
    },
    "data": {
      "tags": [
        {"key": "a", "value": "1"},
        {"key": "b'q", "value": "x"},
        {"key": "mlflow.runName", "value": "clumsy-dove-898"}
      ]
    },
    "inputs": {}
  }
})";

TEST(ParseRunTags, RealRunsCreateAnswer) {
  auto r = parse_run(k_runs_create);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->run_id, "3c092f67bd14457eb95b8cb1c5f64bdc");
  EXPECT_EQ(r->status, "RUNNING");
  const std::map<std::string, std::string> expected = {
      {"a", "1"}, {"b'q", "x"}, {"mlflow.runName", "clumsy-dove-898"}};
  EXPECT_EQ(r->tags, expected);
}

TEST(ParseRunTags, AbsentTagsAndEmptyValue) {
  auto none = parse_run(R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FAILED"}}})");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->tags.empty());
  // proto3 JSON may leave out an empty string value.
  auto empty = parse_run(R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"FAILED"},
    "data":{"tags":[{"key":"note"},{"key":"k","value":""}]}}})");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->tags.at("note"), "");
  EXPECT_EQ(empty->tags.at("k"), "");
}

TEST(ParseRunTags, MalformedTagsAreABadResponseNamingTheField) {
  struct Case {
    const char* tags;
    const char* field;
  };
  for (const Case c : {Case{R"({"a":"b"})", "run.data.tags"}, Case{R"(["x"])", "run.data.tags[0]"},
                       Case{R"([{"value":"v"}])", "run.data.tags[0].key"},
                       Case{R"([{"key":"k","value":3}])", "run.data.tags[0].value"},
                       Case{R"([{"key":1,"value":"v"}])", "run.data.tags[0].key"}}) {
    const std::string body =
        std::string(R"({"run":{"info":{"run_id":"r","experiment_id":"1","status":"RUNNING"},)") +
        R"("data":{"tags":)" + c.tags + "}}}";
    auto r = parse_run(body);
    ASSERT_FALSE(r.ok()) << c.tags;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
    EXPECT_NE(r.error().message.find(c.field), std::string::npos) << r.error().message;
  }
}

TEST(ParseCreatedExperiment, RealAnswerAndMalformed) {
  // POST experiments/create {"name": "probe13583-x"}
  auto id = parse_created_experiment_id("{\n  \"experiment_id\": \"79\"\n}");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "79");
  auto numeric = parse_created_experiment_id(R"({"experiment_id": 80})");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(*numeric, "80");
  for (const char* body : {"", "{}", R"({"experiment_id": ""})", R"({"experiment_id": [1]})",
                           R"(["79"])", "<html>502</html>"}) {
    auto r = parse_created_experiment_id(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << body;
  }
}

// POST model-versions/create {"name": "probe13583-model", "source": "runs:/97e6.../model",
// "run_id": "97e6..."}: READY at once on an open-source server.
constexpr const char* k_version_create = R"({
  "model_version": {
    "name": "probe13583-model",
    "version": "1",
    "creation_timestamp": 1795514061159,
    "last_updated_timestamp": 1795514061159,
    "current_stage": "None",
    "description": "",
    "source": "runs:/97e6c51902524103a2f85a2951759739/model",
    "run_id": "97e6c51902524103a2f85a2951759739",
    "status": "READY",
    "run_link": ""
  }
})";

TEST(ParseModelVersionRegistry, RealCreateAnswer) {
  auto v = parse_model_version(k_version_create);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->name, "probe13583-model");
  EXPECT_EQ(v->version, "1");
  EXPECT_EQ(v->run_id, "97e6c51902524103a2f85a2951759739");
  EXPECT_EQ(v->status, "READY");
  EXPECT_EQ(v->source, "runs:/97e6c51902524103a2f85a2951759739/model");
  EXPECT_EQ(v->current_stage, "None");
  EXPECT_TRUE(v->aliases.empty());
  EXPECT_EQ(v->status_message, "");
}

TEST(ParseModelVersionRegistry, FailedRegistrationCarriesItsMessage) {
  auto v = parse_model_version(R"({"model_version":{"name":"m","version":"3",
    "status":"FAILED_REGISTRATION","status_message":"artifact copy failed"}})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->status, "FAILED_REGISTRATION");
  EXPECT_EQ(v->status_message, "artifact copy failed");
  auto bad = parse_model_version(R"({"model_version":{"name":"m","version":"3",
    "status_message":{"x":1}}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("model_version.status_message"), std::string::npos);
}

TEST(ParseModelVersionsSearch, RealSearchAnswerAndNoMatch) {
  // GET model-versions/search?filter=name='probe13583-model' and run_id='97e6...'
  //     &order_by=version_number DESC
  auto r = parse_model_versions(R"({
  "model_versions": [
    {"name": "probe13583-model", "version": "2", "creation_timestamp": 1795514061177,
     "last_updated_timestamp": 1795514061177, "current_stage": "None", "description": "",
     "source": "mlflow-artifacts:/79/97e6c51902524103a2f85a2951759739/artifacts/model",
     "run_id": "97e6c51902524103a2f85a2951759739", "status": "READY", "run_link": ""},
    {"name": "probe13583-model", "version": "1", "creation_timestamp": 1795514061159,
     "last_updated_timestamp": 1795514061159, "current_stage": "None", "description": "",
     "source": "runs:/97e6c51902524103a2f85a2951759739/model",
     "run_id": "97e6c51902524103a2f85a2951759739", "status": "READY", "run_link": "",
     "aliases": ["production"]}
  ]
})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].version, "2");
  EXPECT_EQ((*r)[1].aliases, std::vector<std::string>{"production"});
  // No match, also for an unknown model: the server answers {} (verified on 3.17.2).
  auto none = parse_model_versions("{}");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

} // namespace
} // namespace mm
