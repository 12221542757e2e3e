// Documents and queries of model_monitor_state (MongoStateStore), without a server.
#include "adapters/mongo/state_documents.hpp"
#include "bson_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <string>

namespace mm::mongo {
namespace {

using test::docs;
using test::expect_bson_eq;
using test::from_json;

constexpr std::int64_t k_start_ms = 1709251200000; // 2024-03-01T00:00:00Z
const TimePoint k_start{std::chrono::milliseconds(k_start_ms)};

RetrainRecord record() {
  RetrainRecord r;
  r.id = "technical:degradation:2024-03-01T00:00:00Z";
  r.specialist_type = "technical";
  r.trigger = "degradation";
  r.state = "promoted";
  r.started_at = k_start;
  r.finished_at = k_start + std::chrono::minutes(90);
  r.run_id = "abc123";
  r.dataset_path = "/data/training/technical/20240301T000000Z.parquet";
  r.error = "";
  r.baseline_f1 = 0.7;
  r.candidate_f1 = 0.75;
  return r;
}

TEST(StateDocuments, IndexCommandCoversKindTypeAndNewestFirst) {
  expect_bson_eq(state_indexes_command("model_monitor_state").get(),
                 R"({"createIndexes": "model_monitor_state", "indexes": [
                      {"key": {"kind": 1, "specialist_type": 1, "started_at": -1},
                       "name": "kind_1_specialist_type_1_started_at_-1"}]})");
}

TEST(StateDocuments, RetrainDocumentHoldsEveryField) {
  expect_bson_eq(retrain_selector(record()).get(),
                 R"({"_id": "technical:degradation:2024-03-01T00:00:00Z"})");
  expect_bson_eq(retrain_document(record()).get(),
                 R"({"_id": "technical:degradation:2024-03-01T00:00:00Z", "kind": "retrain",
                     "specialist_type": "technical", "trigger": "degradation",
                     "state": "promoted", "started_at": {"$date": "2024-03-01T00:00:00Z"},
                     "finished_at": {"$date": "2024-03-01T01:30:00Z"}, "run_id": "abc123",
                     "dataset_path": "/data/training/technical/20240301T000000Z.parquet",
                     "error": "", "baseline_f1": 0.7, "candidate_f1": 0.75,
                     "owner": "", "host": "", "training_pid": 0,
                     "baseline_run_id": "", "baseline_version": "", "baseline_precision": null,
                     "baseline_recall": null, "promoted_version": "", "notified": false})");
}

TEST(StateDocuments, UnsetAndNonFiniteValuesAreNull) {
  RetrainRecord r = record();
  r.state = "failed";
  r.finished_at.reset();
  r.baseline_f1.reset();
  r.candidate_f1 = std::numeric_limits<double>::quiet_NaN();
  const std::string json = to_json(retrain_document(r).get());
  EXPECT_NE(json.find(R"("finished_at" : null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("baseline_f1" : null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("candidate_f1" : null)"), std::string::npos) << json;
}

TEST(StateDocuments, RecordKeysMustBeText) {
  EXPECT_TRUE(validate(record()).ok());
  for (auto mutate : {+[](RetrainRecord& r) { r.id.clear(); },
                      +[](RetrainRecord& r) { r.specialist_type.clear(); },
                      +[](RetrainRecord& r) { r.state.clear(); },
                      +[](RetrainRecord& r) { r.id = std::string("a\0b", 3); },
                      +[](RetrainRecord& r) { r.specialist_type = "\xff"; }}) {
    RetrainRecord r = record();
    mutate(r);
    const Status s = validate(r);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().kind, ErrorKind::internal);
  }
}

TEST(StateDocuments, FreeTextIsMadeSafeForBson) {
  EXPECT_EQ(bson_safe_text("plain"), "plain");
  EXPECT_EQ(bson_safe_text("caf\xc3\xa9"), "caf\xc3\xa9"); // valid UTF-8 stays
  EXPECT_EQ(bson_safe_text("bad \xff byte"), "bad ? byte");
  EXPECT_EQ(bson_safe_text(std::string("nul\0in", 6)), "nul?in");
  RetrainRecord r = record();
  r.error = "disk \xfe full";
  const std::string json = to_json(retrain_document(r).get());
  EXPECT_NE(json.find(R"("error" : "disk ? full")"), std::string::npos) << json;
}

TEST(StateDocuments, LastRetrainCountsRecordsThatReachedTraining) {
  expect_bson_eq(last_retrain_filter("technical").get(),
                 R"({"kind": "retrain", "specialist_type": "technical",
                     "started_at": {"$type": "date"},
                     "$or": [{"state": {"$in": ["training", "evaluating", "promoted", "rejected"]}},
                             {"state": "failed", "run_id": {"$type": "string", "$ne": ""}}]})");
  expect_bson_eq(last_retrain_options().get(),
                 R"({"projection": {"_id": 0, "started_at": 1}, "sort": {"started_at": -1},
                     "limit": 1})");
}

TEST(StateDocuments, LastRetrainReply) {
  EXPECT_FALSE(last_retrain_from_reply({})->has_value());
  const auto found = last_retrain_from_reply(
      docs({R"({"started_at": {"$date": {"$numberLong": "1709251200000"}}})"}));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(**found, k_start);
  for (const auto& bad : {R"({"started_at": "2024-03-01"})", R"({})"}) {
    const auto r = last_retrain_from_reply(docs({bad}));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  }
  EXPECT_FALSE(last_retrain_from_reply(
                   docs({R"({"started_at": {"$date": 0}})", R"({"started_at": {"$date": 1}})"}))
                   .ok());
}

TEST(StateDocuments, CounterIdsAreStableAndNeverShared) {
  EXPECT_EQ(counter_id("technical", "neural_hive_auto_retrain_triggered_total",
                       {{"status", "success"}, {"reason", "degradation"}}),
            "technical|neural_hive_auto_retrain_triggered_total|reason=degradation,status=success");
  EXPECT_EQ(counter_id("technical", "errors_total", {}), "technical|errors_total|");
  // Separators inside values are escaped: these label sets differ, so must their ids.
  const std::set<std::string> ids = {
      counter_id("t", "c", {{"a", "x,b=y"}}), counter_id("t", "c", {{"a", "x"}, {"b", "y"}}),
      counter_id("t", "c", {{"a", "x|"}}),    counter_id("t", "c", {{"a", "x\\"}}),
      counter_id("t", "c", {{"a", "x\\,"}}),
  };
  EXPECT_EQ(ids.size(), 5U);
  EXPECT_EQ(counter_id("t", "c", {{"a", "x,b=y"}}), "t|c|a=x\\,b\\=y");
}

TEST(StateDocuments, CounterUpdateIncrementsAndSetsTheRestOnInsert) {
  expect_bson_eq(counter_selector("technical|c|").get(), R"({"_id": "technical|c|"})");
  expect_bson_eq(counter_update("technical",
                                "neural_hive_dataset_generation_duration_seconds_bucket",
                                {{"le", "+Inf"}}, 1.0)
                     .get(),
                 R"({"$inc": {"value": 1.0},
          "$setOnInsert": {"kind": "counter", "specialist_type": "technical",
                           "name": "neural_hive_dataset_generation_duration_seconds_bucket",
                           "labels": {"le": "+Inf"}}})");
  expect_bson_eq(counter_update("technical", "c_total", {}, 2.5).get(),
                 R"({"$inc": {"value": 2.5}, "$setOnInsert": {"kind": "counter",
                     "specialist_type": "technical", "name": "c_total", "labels": {}}})");
}

TEST(StateDocuments, CounterArgumentsAreCheckedBeforeAnyIo) {
  EXPECT_TRUE(validate_counter("technical", "ns:metric_total", {{"le", "0.5"}}, 0.0).ok());
  struct Case {
    const char* what;
    std::string type;
    std::string name;
    std::map<std::string, std::string> labels;
    double delta;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const Case& c : {
           Case{"empty type", "", "c_total", {}, 1.0},
           Case{"empty name", "t", "", {}, 1.0},
           Case{"name with a dot", "t", "a.b", {}, 1.0},
           Case{"name starting with a digit", "t", "1c", {}, 1.0},
           Case{"name with the separator", "t", "a|b", {}, 1.0},
           Case{"label with a colon", "t", "c_total", {{"a:b", "x"}}, 1.0},
           Case{"label with a dollar", "t", "c_total", {{"$set", "x"}}, 1.0},
           Case{"empty label", "t", "c_total", {{"", "x"}}, 1.0},
           Case{"value not UTF-8", "t", "c_total", {{"a", "\xff"}}, 1.0},
           Case{"negative delta", "t", "c_total", {}, -1.0},
           Case{"NaN delta", "t", "c_total", {}, nan},
           Case{"infinite delta", "t", "c_total", {}, inf},
       }) {
    const Status s = validate_counter(c.type, c.name, c.labels, c.delta);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.error().kind, ErrorKind::internal) << c.what;
  }
}

TEST(StateDocuments, CountersOfATypeInIdOrder) {
  expect_bson_eq(counters_filter("technical").get(),
                 R"({"kind": "counter", "specialist_type": "technical"})");
  expect_bson_eq(counters_options().get(),
                 R"({"projection": {"_id": 1, "name": 1, "labels": 1, "value": 1},
                     "sort": {"_id": 1}})");
}

TEST(StateDocuments, CounterFromDocument) {
  const BsonPtr doc = from_json(
      R"({"_id": "t|c_total|a=x", "name": "c_total", "labels": {"a": "x", "b": "y"},
          "value": 3.5})");
  const auto c = counter_from_document(doc.get());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->name, "c_total");
  EXPECT_EQ(c->labels, (std::map<std::string, std::string>{{"a", "x"}, {"b", "y"}}));
  EXPECT_DOUBLE_EQ(c->value, 3.5);
  for (const auto& [json, value] :
       {std::pair{R"({"name": "c", "labels": {}, "value": 4})", 4.0},
        std::pair{R"({"name": "c", "labels": {}, "value": {"$numberLong": "5"}})", 5.0}}) {
    const BsonPtr d = from_json(json);
    const auto r = counter_from_document(d.get());
    ASSERT_TRUE(r.ok()) << json;
    EXPECT_DOUBLE_EQ(r->value, value);
  }
}

TEST(StateDocuments, MalformedCountersAreBadResponses) {
  for (const auto& bad : {
           R"({"_id": "x", "labels": {}, "value": 1.0})",
           R"({"_id": "x", "name": 3, "labels": {}, "value": 1.0})",
           R"({"_id": "x", "name": "c", "value": 1.0})",
           R"({"_id": "x", "name": "c", "labels": [], "value": 1.0})",
           R"({"_id": "x", "name": "c", "labels": {"a": 1}, "value": 1.0})",
           R"({"_id": "x", "name": "c", "labels": {}})",
           R"({"_id": "x", "name": "c", "labels": {}, "value": "1"})",
           R"({"_id": "x", "name": "c", "labels": {}, "value": {"$numberDouble": "Infinity"}})",
       }) {
    const BsonPtr d = from_json(bad);
    const auto r = counter_from_document(d.get());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << bad;
    EXPECT_NE(r.error().message.find(R"("x")"), std::string::npos) << r.error().message;
  }
}

} // namespace
} // namespace mm::mongo
