// Regression (found by tests/fuzz/fuzz_feedback_documents, docs/fuzzing.md): a BSON date outside
// the years 1677-2262 (a feedback document dated 0001-01-01, a retrain record of year 20240)
// overflowed the milliseconds → nanoseconds conversion of TimePoint: undefined behaviour, in
// practice a wrapped-around date. Dates are now clamped to TimePoint's range.

#include "adapters/mongo/feedback_pipelines.hpp"
#include "adapters/mongo/feedback_row_documents.hpp"
#include "adapters/mongo/ledger_documents.hpp"
#include "adapters/mongo/state_documents.hpp"
#include "bson_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

namespace mm::mongo {
namespace {

using test::from_json;

constexpr std::int64_t k_year_1000_ms = -30610224000000; // 1000-01-01T00:00:00Z
constexpr std::int64_t k_year_3000_ms = 32503680000000;  // 3000-01-01T00:00:00Z

TEST(BsonDates, InRangeDatesConvertExactly) {
  for (const std::int64_t ms : {std::int64_t{0}, std::int64_t{1709251200000}, std::int64_t{-1},
                                std::int64_t{-9223372036854}, std::int64_t{9223372036854}}) {
    EXPECT_EQ(to_bson_date_ms(from_bson_date_ms(ms)), ms) << ms;
  }
}

TEST(BsonDates, DatesBeyondTimePointAreClampedNotOverflowed) {
  EXPECT_EQ(from_bson_date_ms(k_year_3000_ms), from_bson_date_ms(9223372036854));
  EXPECT_EQ(from_bson_date_ms(std::numeric_limits<std::int64_t>::max()),
            from_bson_date_ms(9223372036854));
  EXPECT_EQ(from_bson_date_ms(k_year_1000_ms), from_bson_date_ms(-9223372036854));
  EXPECT_EQ(from_bson_date_ms(std::numeric_limits<std::int64_t>::min()),
            from_bson_date_ms(-9223372036854));
  EXPECT_LT(from_bson_date_ms(k_year_1000_ms), TimePoint{});
  EXPECT_GT(from_bson_date_ms(k_year_3000_ms), TimePoint{});
}

// The input the fuzzer saved (tests/fuzz/regressions/fuzz_feedback_documents), as a document.
TEST(BsonDates, FeedbackOfTheYear1000KeepsItsRowAndAnEarlyDate) {
  BsonPtr doc = make_bson();
  bson_append_utf8(doc.get(), "opinion_id", -1, "op-1", -1);
  bson_append_utf8(doc.get(), "human_recommendation", -1, "approve", -1);
  bson_append_date_time(doc.get(), "submitted_at", -1, k_year_1000_ms);
  const FeedbackRef ref = feedback_ref_of(doc.get());
  EXPECT_EQ(ref.opinion_id, "op-1");
  EXPECT_EQ(ref.label, 1);
  EXPECT_EQ(ref.submitted_at, from_bson_date_ms(-9223372036854));
}

TEST(BsonDates, LastRetrainOfTheYear3000IsClamped) {
  std::vector<BsonPtr> reply;
  reply.push_back(make_bson());
  bson_append_date_time(reply.back().get(), "started_at", -1, k_year_3000_ms);
  auto last = last_retrain_from_reply(reply);
  ASSERT_TRUE(last.ok()) << last.error().message;
  ASSERT_TRUE(last->has_value());
  EXPECT_EQ(**last, from_bson_date_ms(9223372036854));
}

TEST(BsonDates, LeaseAndRetrainRecordOfFarYearsAreClamped) {
  const BsonPtr lease = from_json(R"({"specialist_type": "technical", "owner": "h pid 1 #a",
                                      "generation": 3, "acquired_at": {"$date": "1000-01-01T00:00:00Z"},
                                      "expires_at": {"$date": "3000-01-01T00:00:00Z"}})");
  auto stored = lease_from_document(lease.get());
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->lease.acquired_at, from_bson_date_ms(-9223372036854));
  EXPECT_EQ(stored->lease.expires_at, from_bson_date_ms(9223372036854));

  const BsonPtr record = from_json(R"({"_id": "technical:forced:x", "specialist_type": "technical",
                                       "state": "failed", "started_at": {"$date": "3000-01-01T00:00:00Z"},
                                       "finished_at": {"$date": "1000-01-01T00:00:00Z"}})");
  auto r = retrain_from_document(record.get());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->started_at, from_bson_date_ms(9223372036854));
  EXPECT_EQ(r->finished_at, from_bson_date_ms(-9223372036854));
}

TEST(BsonDates, ExtendedJsonDateOfYear9999) {
  const BsonPtr doc = from_json(R"({"opinion_id": "op-2", "human_recommendation": "reject",
                                    "submitted_at": {"$date": "9999-12-31T23:59:59Z"}})");
  const FeedbackRef ref = feedback_ref_of(doc.get());
  EXPECT_EQ(ref.label, 0);
  EXPECT_EQ(ref.submitted_at, from_bson_date_ms(9223372036854));
}

} // namespace
} // namespace mm::mongo
