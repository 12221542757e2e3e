// Queries and document reading of MongoFeedbackRowSource, without a server.
#include "adapters/mongo/feedback_row_documents.hpp"
#include "bson_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace mm::mongo {
namespace {

using test::expect_bson_eq;
using test::from_json;

// An opinion whose features are 0.5, 1.5, 2.5 ... in k_feature_names order, with field
// `replaced` given `value` (raw extended JSON), or left out when value is empty.
std::string opinion_json(const std::string& replaced = "", const std::string& value = "") {
  nlohmann::ordered_json features = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < k_feature_count; ++i) {
    const std::string name(k_feature_names[i]);
    if (name == replaced) {
      if (!value.empty()) {
        features[name] = nlohmann::ordered_json::parse(value);
      }
      continue;
    }
    features[name] = static_cast<double>(i) + 0.5;
  }
  nlohmann::ordered_json doc;
  doc["opinion_id"] = "op-1";
  doc["features"] = features;
  return doc.dump();
}

TEST(FeedbackRowQueries, RecentFeedbackIsDatedNewestFirstAndLimited) {
  expect_bson_eq(recent_feedback_filter("technical").get(),
                 R"({"specialist_type": "technical", "submitted_at": {"$type": "date"}})");
  expect_bson_eq(recent_feedback_options(1000).get(),
                 R"({"projection": {"_id": 0, "opinion_id": 1, "human_recommendation": 1,
                                    "submitted_at": 1},
                     "sort": {"submitted_at": -1}, "limit": 1000})");
}

TEST(FeedbackRowQueries, OpinionsAreFetchedByIdList) {
  const std::vector<std::string> ids = {"op-1", "op-2"};
  expect_bson_eq(opinions_filter(ids).get(), R"({"opinion_id": {"$in": ["op-1", "op-2"]}})");
  expect_bson_eq(opinions_options().get(),
                 R"({"projection": {"_id": 0, "opinion_id": 1, "features": 1}})");
}

TEST(FeedbackRowLabels, HumanRecommendationsMapToTheSchemaLabels) {
  EXPECT_EQ(label_of("approve"), 1);
  EXPECT_EQ(label_of("reject"), 0);
  EXPECT_EQ(label_of("review_required"), 2);
  for (const char* bad : {"conditional", "Approve", "approved", "", " approve"}) {
    EXPECT_FALSE(label_of(bad).has_value()) << bad;
  }
}

TEST(FeedbackRowLabels, FeedbackReference) {
  const BsonPtr doc = from_json(
      R"({"opinion_id": "op-9", "human_recommendation": "reject",
          "submitted_at": {"$date": {"$numberLong": "1709251200000"}}})");
  const FeedbackRef ref = feedback_ref_of(doc.get());
  EXPECT_EQ(ref.opinion_id, "op-9");
  EXPECT_EQ(ref.label, 0);
  EXPECT_EQ(ref.submitted_at, TimePoint(std::chrono::milliseconds(1709251200000)));

  const BsonPtr odd = from_json(R"({"opinion_id": 12, "human_recommendation": ["approve"]})");
  const FeedbackRef none = feedback_ref_of(odd.get());
  EXPECT_FALSE(none.opinion_id.has_value());
  EXPECT_FALSE(none.label.has_value());
}

TEST(FeedbackRowFeatures, AllTwentySixInSchemaOrder) {
  const BsonPtr doc = from_json(opinion_json());
  const auto features = features_of(doc.get());
  ASSERT_TRUE(features.has_value());
  for (std::size_t i = 0; i < k_feature_count; ++i) {
    EXPECT_DOUBLE_EQ((*features)[i], static_cast<double>(i) + 0.5) << k_feature_names[i];
  }
  EXPECT_EQ(opinion_id_of(doc.get()), "op-1");
}

TEST(FeedbackRowFeatures, FieldOrderAndExtraFieldsDoNotMatter) {
  nlohmann::ordered_json features = nlohmann::ordered_json::object();
  features["unrelated"] = "text";
  for (std::size_t i = k_feature_count; i-- > 0;) {
    features[std::string(k_feature_names[i])] = static_cast<double>(i);
  }
  const BsonPtr doc = from_json(nlohmann::ordered_json{{"features", features}}.dump());
  const auto out = features_of(doc.get());
  ASSERT_TRUE(out.has_value());
  EXPECT_DOUBLE_EQ((*out)[0], 0.0);
  EXPECT_DOUBLE_EQ((*out)[25], 25.0);
}

TEST(FeedbackRowFeatures, IntegersOfEitherWidthAreNumbers) {
  const BsonPtr i32 = from_json(opinion_json("num_tasks", R"({"$numberInt": "12"})"));
  const BsonPtr i64 = from_json(opinion_json("num_edges", R"({"$numberLong": "40"})"));
  EXPECT_DOUBLE_EQ((*features_of(i32.get()))[0], 12.0);
  EXPECT_DOUBLE_EQ((*features_of(i64.get()))[13], 40.0);
}

TEST(FeedbackRowFeatures, AnythingElseMakesTheOpinionUnusable) {
  for (const std::string& value :
       {std::string(), std::string(R"("3.5")"), std::string("null"), std::string("true"),
        std::string("[1.0]"), std::string(R"({"v": 1.0})"),
        std::string(R"({"$numberDecimal": "1.5"})"), std::string(R"({"$numberDouble": "NaN"})"),
        std::string(R"({"$numberDouble": "Infinity"})"),
        std::string(R"({"$numberDouble": "-Infinity"})")}) {
    const BsonPtr doc = from_json(opinion_json("avg_diversity", value));
    EXPECT_FALSE(features_of(doc.get()).has_value()) << (value.empty() ? "missing" : value);
  }
  for (const auto& bad :
       {R"({"opinion_id": "op-1"})", R"({"features": null})", R"({"features": [1, 2, 3]})",
        R"({"features": {}})", R"({"features": "num_tasks=1"})"}) {
    const BsonPtr doc = from_json(bad);
    EXPECT_FALSE(features_of(doc.get()).has_value()) << bad;
  }
}

TEST(FeedbackRowFeatures, NamesAreCaseSensitive) {
  std::string json = opinion_json("num_tasks", "");
  json.insert(json.find('{', 1) + 1, R"("NUM_TASKS": 1.0, )");
  const BsonPtr doc = from_json(json);
  EXPECT_FALSE(features_of(doc.get()).has_value()) << json;
}

} // namespace
} // namespace mm::mongo
