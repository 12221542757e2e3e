// The grouped (fleet) variants of the feedback pipelines: FeedbackStore::feedback_stats_many.
#include "adapters/mongo/feedback_pipelines.hpp"
#include "bson_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <vector>

namespace mm::mongo {
namespace {

using test::docs;
using test::expect_bson_eq;

// 2024-03-01T00:00:00Z and 30 days before it.
constexpr std::int64_t k_end_ms = 1709251200000;
constexpr std::int64_t k_start_ms = k_end_ms - 30LL * 24 * 3600 * 1000;

FeedbackQuery query() {
  FeedbackQuery q;
  q.specialist_type = "ignored";
  q.window_end = TimePoint(std::chrono::milliseconds(k_end_ms));
  q.window_start = TimePoint(std::chrono::milliseconds(k_start_ms));
  return q;
}

const std::vector<std::string> k_types = {"business", "technical"};

const std::string k_window = R"("specialist_type": {"$gte": "business", "$lte": "technical"},
  "submitted_at": {"$gte": {"$date": "2024-01-31T00:00:00Z"},
                   "$lte": {"$date": "2024-03-01T00:00:00Z"}})";
const std::string k_group_count =
    R"({"$group": {"_id": "$specialist_type", "count": {"$sum": 1}}})";

TEST(GroupedPipelines, CountAllGroupsTheWindowByType) {
  expect_bson_eq(grouped_count_pipeline(k_types, query(), RatingBand::all).get(),
                 R"({"pipeline": [{"$match": {)" + k_window + "}}, " + k_group_count + "]}");
}

TEST(GroupedPipelines, BandsAddTheSameRatingConditionsAsTheSingleTypePipelines) {
  FeedbackQuery q = query();
  q.negative_max = 0.35;
  const std::string rating_tail = R"(, "$not": {"$type": "array"}}}}, )" + k_group_count + "]}";
  expect_bson_eq(grouped_count_pipeline(k_types, q, RatingBand::valid).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.0, "$lte": 1.0)" + rating_tail);
  expect_bson_eq(grouped_count_pipeline(k_types, q, RatingBand::positive).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.6, "$lte": 1.0)" + rating_tail);
  expect_bson_eq(grouped_count_pipeline(k_types, q, RatingBand::negative).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.0, "$lt": 0.35)" + rating_tail);
}

TEST(GroupedPipelines, UndatedMatchesAFewTypesByInAndManyByTheirRangeWithoutAWindow) {
  expect_bson_eq(grouped_count_pipeline(k_types, query(), RatingBand::undated).get(),
                 R"({"pipeline": [{"$match": {
                     "specialist_type": {"$in": ["business", "technical"]},
                     "submitted_at": {"$not": {"$type": "date"}}}}, )" +
                     k_group_count + "]}");
  std::vector<std::string> many;
  for (std::size_t i = 0; i <= k_max_undated_in; ++i) {
    many.push_back("t" + std::to_string(1000 + i));
  }
  expect_bson_eq(grouped_count_pipeline(many, query(), RatingBand::undated).get(),
                 R"({"pipeline": [{"$match": {
                     "specialist_type": {"$gte": "t1000", "$lte": "t1100"},
                     "submitted_at": {"$not": {"$type": "date"}}}}, )" +
                     k_group_count + "]}");
  many.pop_back(); // exactly k_max_undated_in: still $in
  const std::string in_form =
      to_json(grouped_count_pipeline(many, query(), RatingBand::undated).get());
  EXPECT_NE(in_form.find("\"$in\""), std::string::npos) << in_form;
}

TEST(GroupedPipelines, SumHasASingleAccumulatorPerGroup) {
  expect_bson_eq(grouped_rating_sum_pipeline(k_types, query()).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.0, "$lte": 1.0, "$not": {"$type": "array"}}}},
          {"$group": {"_id": "$specialist_type", "rating_sum": {"$sum": "$human_rating"}}}]})");
}

TEST(GroupedPipelines, OneTypeIsARangeOfOne) {
  const std::vector<std::string> one = {"technical"};
  const std::string json = to_json(grouped_count_pipeline(one, query(), RatingBand::all).get());
  EXPECT_NE(json.find(R"("specialist_type" : { "$gte" : "technical", "$lte" : "technical" })"),
            std::string::npos)
      << json;
}

TEST(GroupedPipelines, TheRangeSpansTheSmallestAndLargestTypeInAnyOrder) {
  // Byte order, as BSON compares strings: "Z" (0x5a) < "a" < "b-1" < "b_1" ('-' 0x2d, '_' 0x5f).
  const std::vector<std::string> types = {"b_1", "a", "Z", "b-1"};
  const std::string json = to_json(grouped_count_pipeline(types, query(), RatingBand::all).get());
  EXPECT_NE(json.find(R"("specialist_type" : { "$gte" : "Z", "$lte" : "b_1" })"), std::string::npos)
      << json;
  EXPECT_EQ(json.find("$in"), std::string::npos) << json;
}

TEST(GroupedPipelines, SingleTypePipelinesKeepTheirEquality) {
  FeedbackQuery q = query();
  q.specialist_type = "technical";
  const std::string json = to_json(count_pipeline(q, RatingBand::all).get());
  EXPECT_NE(json.find(R"("specialist_type" : "technical")"), std::string::npos) << json;
}

TEST(GroupedPipelines, ValidateManyChecksEveryTypeAndTheBands) {
  EXPECT_TRUE(validate_many(k_types, query()).ok());
  EXPECT_TRUE(validate_many({}, query()).ok());
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"technical", ""}, std::vector<std::string>{"\xff"}}) {
    const Status s = validate_many(bad, query());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().kind, ErrorKind::internal);
  }
  FeedbackQuery q = query();
  q.positive_min = std::numeric_limits<double>::quiet_NaN();
  const Status s = validate_many(k_types, q);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::config);
}

TEST(GroupedReplies, CountsMapTypesToWholeNumbers) {
  EXPECT_TRUE(grouped_counts_from_reply({}, k_types)->empty());
  const auto counts = grouped_counts_from_reply(
      docs({R"({"_id": "technical", "count": 7})",
            R"({"_id": "business", "count": {"$numberLong": "5000000000"}})"}),
      k_types);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->size(), 2U);
  EXPECT_EQ(counts->at("technical"), 7);
  EXPECT_EQ(counts->at("business"), 5000000000);
}

TEST(GroupedReplies, GroupsOfArrayValuedTypesAreSkipped) {
  const auto counts =
      grouped_counts_from_reply(docs({R"({"_id": ["technical", "business"], "count": 3})",
                                      R"({"_id": "technical", "count": 1})"}),
                                k_types);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->size(), 1U);
  EXPECT_EQ(counts->at("technical"), 1);
}

TEST(GroupedReplies, GroupsOfTypesNotAskedForAreDropped) {
  // "behavior" and "architecture" sort inside or outside ["business", "technical"]: whatever the
  // server returns beyond the types asked for is not ours.
  const auto counts = grouped_counts_from_reply(
      docs({R"({"_id": "behavior", "count": 4})", R"({"_id": "technical", "count": 2})",
            R"({"_id": "security", "count": 9})", R"({"_id": "architecture", "count": 1})"}),
      k_types);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->size(), 1U);
  EXPECT_EQ(counts->at("technical"), 2);
  const auto sums = grouped_sums_from_reply(docs({R"({"_id": "security", "rating_sum": 3.5})",
                                                  R"({"_id": "business", "rating_sum": 1})"}),
                                            k_types);
  ASSERT_TRUE(sums.ok()) << sums.error().message;
  EXPECT_EQ(sums->size(), 1U);
  EXPECT_DOUBLE_EQ(sums->at("business"), 1.0);
}

TEST(GroupedReplies, MalformedGroupsAreBadResponses) {
  for (const auto& bad : {
           R"({"count": 1})",         // no _id
           R"({"_id": "technical"})", // no value
           R"({"_id": "technical", "count": 2.5})",
           R"({"_id": "technical", "count": -1})",
           R"({"_id": "technical", "count": "1"})",
       }) {
    const auto r = grouped_counts_from_reply(docs({bad}), k_types);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << bad;
  }
  const auto twice = grouped_counts_from_reply(
      docs({R"({"_id": "technical", "count": 1})", R"({"_id": "technical", "count": 2})"}),
      k_types);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind, ErrorKind::bad_response);
}

TEST(GroupedReplies, SumsAcceptEveryNumericTypeAndRejectTheRest) {
  const auto sums = grouped_sums_from_reply(
      docs({R"({"_id": "technical", "rating_sum": 2.5})",
            R"({"_id": "business", "rating_sum": {"$numberDecimal": "1.25"}})"}),
      k_types);
  ASSERT_TRUE(sums.ok()) << sums.error().message;
  EXPECT_DOUBLE_EQ(sums->at("technical"), 2.5);
  EXPECT_DOUBLE_EQ(sums->at("business"), 1.25);
  for (const auto& bad : {R"({"_id": "technical", "rating_sum": -0.5})",
                          R"({"_id": "technical", "rating_sum": {"$numberDouble": "NaN"}})",
                          R"({"_id": "technical", "rating_sum": true})"}) {
    const auto r = grouped_sums_from_reply(docs({bad}), k_types);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << bad;
  }
}

} // namespace
} // namespace mm::mongo
