#include "adapters/mongo/feedback_pipelines.hpp"
#include "bson_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

namespace mm::mongo {
namespace {

using namespace std::chrono_literals;

using test::docs;
using test::expect_bson_eq;

// 2024-03-01T00:00:00Z and 30 days before it.
constexpr std::int64_t k_end_ms = 1709251200000;
constexpr std::int64_t k_start_ms = k_end_ms - 30LL * 24 * 3600 * 1000;

FeedbackQuery query() {
  FeedbackQuery q;
  q.specialist_type = "technical";
  q.window_end = TimePoint(std::chrono::milliseconds(k_end_ms));
  q.window_start = TimePoint(std::chrono::milliseconds(k_start_ms));
  return q;
}

const std::string k_window = R"("specialist_type": "technical",
  "submitted_at": {"$gte": {"$date": "2024-01-31T00:00:00Z"},
                   "$lte": {"$date": "2024-03-01T00:00:00Z"}})";

TEST(FeedbackPipelines, CountAllMatchesTheWindowOnly) {
  expect_bson_eq(count_pipeline(query(), RatingBand::all).get(),
                 R"({"pipeline": [{"$match": {)" + k_window + R"(}}, {"$count": "count"}]})");
}

TEST(FeedbackPipelines, CountValidAddsTheRatingRangeAndExcludesArrays) {
  expect_bson_eq(count_pipeline(query(), RatingBand::valid).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.0, "$lte": 1.0, "$not": {"$type": "array"}}}},
                     {"$count": "count"}]})");
}

TEST(FeedbackPipelines, UndatedCountsEveryAgeWhoseSubmittedAtIsNotADate) {
  // No window: a document without a date submitted_at is outside every window, whatever its age.
  expect_bson_eq(count_pipeline(query(), RatingBand::undated).get(),
                 R"({"pipeline": [{"$match": {"specialist_type": "technical",
                     "submitted_at": {"$not": {"$type": "date"}}}}, {"$count": "count"}]})");
  EXPECT_STREQ(to_string(RatingBand::undated), "undated");
}

TEST(FeedbackPipelines, PositiveIsInclusiveOfItsMinimum) {
  expect_bson_eq(count_pipeline(query(), RatingBand::positive).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.6, "$lte": 1.0, "$not": {"$type": "array"}}}},
                     {"$count": "count"}]})");
}

TEST(FeedbackPipelines, NegativeIsExclusiveOfItsMaximum) {
  FeedbackQuery q = query();
  q.negative_max = 0.35;
  expect_bson_eq(count_pipeline(q, RatingBand::negative).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.0, "$lt": 0.35, "$not": {"$type": "array"}}}},
                     {"$count": "count"}]})");
}

TEST(FeedbackPipelines, SumGroupsValidRatingsWithASingleAccumulator) {
  expect_bson_eq(rating_sum_pipeline(query()).get(),
                 R"({"pipeline": [{"$match": {)" + k_window +
                     R"(, "human_rating": {"$gte": 0.0, "$lte": 1.0, "$not": {"$type": "array"}}}},
                     {"$group": {"_id": null, "rating_sum": {"$sum": "$human_rating"}}}]})");
}

TEST(FeedbackPipelines, DatesAreFlooredToMilliseconds) {
  EXPECT_EQ(to_bson_date_ms(TimePoint(1500us)), 1);
  EXPECT_EQ(to_bson_date_ms(TimePoint(1999us)), 1);
  EXPECT_EQ(to_bson_date_ms(TimePoint(-1us)), -1); // before 1970: floor, not truncation
  EXPECT_EQ(to_bson_date_ms(TimePoint(std::chrono::milliseconds(k_end_ms))), k_end_ms);
}

TEST(FeedbackPipelines, ValidateRejectsInconsistentQueries) {
  EXPECT_TRUE(validate(query()).ok());
  {
    FeedbackQuery q = query();
    q.positive_min = 0.4; // no neutral band: allowed
    EXPECT_TRUE(validate(q).ok());
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto [pos, neg] : {std::pair{0.3, 0.4}, std::pair{1.1, 0.4}, std::pair{0.6, -0.1},
                          std::pair{nan, 0.4}, std::pair{0.6, nan}}) {
    FeedbackQuery q = query();
    q.positive_min = pos;
    q.negative_max = neg;
    const Status s = validate(q);
    ASSERT_FALSE(s.ok()) << pos << " " << neg;
    EXPECT_EQ(s.error().kind, ErrorKind::config);
    EXPECT_NE(s.error().message.find("FEEDBACK_POSITIVE_MIN"), std::string::npos);
  }
  {
    FeedbackQuery q = query();
    std::swap(q.window_start, q.window_end);
    EXPECT_FALSE(validate(q).ok());
  }
  {
    FeedbackQuery q = query();
    q.specialist_type = "";
    EXPECT_FALSE(validate(q).ok());
    q.specialist_type = "\xff\xfe";
    EXPECT_FALSE(validate(q).ok());
  }
}

TEST(FeedbackReplies, CountAcceptsIntegersOfAnyWidth) {
  EXPECT_EQ(*count_from_reply({}), 0); // $count emits nothing for an empty match
  EXPECT_EQ(*count_from_reply(docs({R"({"count": 7})"})), 7);
  EXPECT_EQ(*count_from_reply(docs({R"({"count": {"$numberLong": "5000000000"}})"})), 5000000000);
  EXPECT_EQ(*count_from_reply(docs({R"({"count": 3.0})"})), 3);
}

TEST(FeedbackReplies, CountRejectsMalformedReplies) {
  for (const auto& bad :
       {R"({"n": 7})", R"({"count": "7"})", R"({"count": -1})", R"({"count": 2.5})",
        R"({"count": null})", R"({"count": [1]})", R"({"count": {"$numberDouble": "NaN"}})"}) {
    const auto r = count_from_reply(docs({bad}));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << bad;
  }
  const auto two = count_from_reply(docs({R"({"count": 1})", R"({"count": 2})"}));
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().kind, ErrorKind::bad_response);
}

TEST(FeedbackReplies, SumAcceptsEveryNumericType) {
  EXPECT_DOUBLE_EQ(*sum_from_reply({}), 0.0);
  EXPECT_DOUBLE_EQ(*sum_from_reply(docs({R"({"_id": null, "rating_sum": 2.5})"})), 2.5);
  EXPECT_DOUBLE_EQ(*sum_from_reply(docs({R"({"_id": null, "rating_sum": 3})"})), 3.0);
  EXPECT_DOUBLE_EQ(*sum_from_reply(docs({R"({"_id": null, "rating_sum": {"$numberLong": "4"}})"})),
                   4.0);
  EXPECT_DOUBLE_EQ(
      *sum_from_reply(docs({R"({"_id": null, "rating_sum": {"$numberDecimal": "1.25"}})"})), 1.25);
}

TEST(FeedbackReplies, SumRejectsMalformedReplies) {
  for (const auto& bad :
       {R"({"_id": null})", R"({"_id": null, "rating_sum": "1"})",
        R"({"_id": null, "rating_sum": -0.5})", R"({"_id": null, "rating_sum": true})",
        R"({"_id": null, "rating_sum": {"$numberDouble": "Infinity"}})",
        R"({"_id": null, "rating_sum": {"$numberDecimal": "NaN"}})"}) {
    const auto r = sum_from_reply(docs({bad}));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << bad;
  }
}

TEST(FeedbackStatsFromCounts, DerivesNeutralInvalidAndAverage) {
  const FeedbackStats s = stats_from_counts({12, 10, 4, 3, 5.5}, 30);
  EXPECT_EQ(s.total_count, 10);
  EXPECT_EQ(s.positive_count, 4);
  EXPECT_EQ(s.negative_count, 3);
  EXPECT_EQ(s.neutral_count, 3);
  EXPECT_EQ(s.invalid_count, 2);
  EXPECT_EQ(s.window_days, 30);
  ASSERT_TRUE(s.avg_rating().has_value());
  EXPECT_DOUBLE_EQ(*s.avg_rating(), 0.55);
}

TEST(FeedbackStatsFromCounts, EmptyWindowHasNoAverage) {
  const FeedbackStats s = stats_from_counts({0, 0, 0, 0, 0.0}, 7);
  EXPECT_EQ(s.total_count, 0);
  EXPECT_FALSE(s.avg_rating().has_value());
  EXPECT_EQ(s.window_days, 7);
}

TEST(FeedbackStatsFromCounts, OnlyInvalidDocumentsStillHaveNoAverage) {
  const FeedbackStats s = stats_from_counts({3, 0, 0, 0, 0.0}, 30);
  EXPECT_EQ(s.invalid_count, 3);
  EXPECT_FALSE(s.avg_rating().has_value());
}

TEST(FeedbackStatsFromCounts, ReadsThatRacedADeletionAreClamped) {
  const FeedbackStats s = stats_from_counts({4, 5, 3, 3, 6.0}, 30);
  EXPECT_EQ(s.neutral_count, 0);
  EXPECT_EQ(s.invalid_count, 0);
  EXPECT_DOUBLE_EQ(*s.avg_rating(), 1.0);
}

// The five reads run concurrently: a document written while they run may be seen by the band
// reads and not by the read of the set that contains it.
TEST(FeedbackStatsFromCounts, ConcurrentReadsThatRacedAnInsertKeepTheInvariants) {
  // A positive document counted by the positive read only: total follows the bands.
  const FeedbackStats s = stats_from_counts({10, 10, 7, 4, 6.5}, 30);
  EXPECT_EQ(s.positive_count, 7);
  EXPECT_EQ(s.negative_count, 4);
  EXPECT_EQ(s.total_count, 11);
  EXPECT_EQ(s.neutral_count, 0);
  EXPECT_EQ(s.invalid_count, 0);
  EXPECT_NEAR(*s.avg_rating(), 6.5 / 11, 1e-12);
  // The sum read after a burst of inserts the counts did not see: the average stays <= 1.
  const FeedbackStats t = stats_from_counts({5, 5, 2, 1, 7.0}, 30);
  EXPECT_EQ(t.total_count, 5);
  EXPECT_DOUBLE_EQ(*t.avg_rating(), 1.0);
}

TEST(FeedbackStatsFromCounts, ReconciledStatisticsAlwaysAddUp) {
  // Every combination of small counts, as racing reads could return them.
  for (std::int64_t all = 0; all <= 4; ++all) {
    for (std::int64_t valid = 0; valid <= 4; ++valid) {
      for (std::int64_t pos = 0; pos <= 4; ++pos) {
        for (std::int64_t neg = 0; neg <= 4; ++neg) {
          for (const double sum : {0.0, 1.5, 9.0}) {
            const FeedbackStats s = stats_from_counts({all, valid, pos, neg, sum}, 30);
            EXPECT_EQ(s.positive_count + s.negative_count + s.neutral_count, s.total_count);
            EXPECT_GE(s.neutral_count, 0);
            EXPECT_GE(s.invalid_count, 0);
            EXPECT_GE(s.total_count, valid);
            EXPECT_LE(s.rating_sum, static_cast<double>(s.total_count));
            EXPECT_GE(s.rating_sum, 0.0);
          }
        }
      }
    }
  }
}

} // namespace
} // namespace mm::mongo
