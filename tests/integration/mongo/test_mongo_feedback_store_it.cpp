// MongoFeedbackStore against the real server named by MONGODB_URI (FerretDB locally).
#include "adapters/mongo/mongo_feedback_store.hpp"
#include "support/mongo_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace mm {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;
using test::FeedbackDoc;

class MongoFeedbackStoreIT : public test::MongoTest {
protected:
  void SetUp() override {
    MongoTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    create_feedback_indexes();
    auto pool = MongoPool::create(uri());
    ASSERT_TRUE(pool.ok()) << pool.error().message;
    m_pool = std::move(*pool);
    m_store = std::make_unique<MongoFeedbackStore>(*m_pool, database(), k_collection);
    // BSON dates have millisecond precision; a whole-millisecond "now" makes "exactly at the
    // window start" exact.
    m_now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }

  FeedbackQuery query(std::string type = "technical") const {
    FeedbackQuery q;
    q.specialist_type = std::move(type);
    q.window_end = m_now;
    q.window_start = m_now - days(30);
    q.window_days = 30;
    return q;
  }

  FeedbackStats stats(const FeedbackQuery& q) {
    auto r = m_store->feedback_stats(q);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : FeedbackStats{};
  }
  FeedbackStats stats() { return stats(query()); }

  FeedbackDoc doc(double rating) const {
    return FeedbackDoc().rating(rating).submitted_at(m_now - 1h);
  }

  std::unique_ptr<MongoPool> m_pool;
  std::unique_ptr<MongoFeedbackStore> m_store;
  TimePoint m_now;
};

TEST_F(MongoFeedbackStoreIT, BandsPutBoundaryValuesOnTheRightSide) {
  // negative: < 0.4; neutral: [0.4, 0.6); positive: >= 0.6 (DESIGN §4 defaults)
  const std::vector<double> ratings = {0.0, 0.2, 0.3999, 0.4, 0.5, 0.5999, 0.6, 0.9, 1.0};
  std::vector<FeedbackDoc> docs;
  double sum = 0.0;
  for (double r : ratings) {
    docs.push_back(doc(r));
    sum += r;
  }
  insert(docs);

  const FeedbackStats s = stats();
  EXPECT_EQ(s.total_count, 9);
  EXPECT_EQ(s.negative_count, 3);
  EXPECT_EQ(s.neutral_count, 3);
  EXPECT_EQ(s.positive_count, 3);
  EXPECT_EQ(s.invalid_count, 0);
  EXPECT_EQ(s.window_days, 30);
  ASSERT_TRUE(s.avg_rating().has_value());
  EXPECT_NEAR(*s.avg_rating(), sum / 9.0, 1e-12);
}

TEST_F(MongoFeedbackStoreIT, BandsFollowTheConfiguredThresholds) {
  insert(std::vector<FeedbackDoc>{doc(0.29), doc(0.3), doc(0.69), doc(0.7)});
  FeedbackQuery q = query();
  q.positive_min = 0.7;
  q.negative_max = 0.3;
  const FeedbackStats s = stats(q);
  EXPECT_EQ(s.negative_count, 1);
  EXPECT_EQ(s.neutral_count, 2);
  EXPECT_EQ(s.positive_count, 1);
}

TEST_F(MongoFeedbackStoreIT, WindowIncludesItsEndsAndNothingOutside) {
  const FeedbackQuery q = query();
  insert(std::vector<FeedbackDoc>{
      FeedbackDoc().rating(1.0).submitted_at(m_now - days(29)),     // in
      FeedbackDoc().rating(1.0).submitted_at(q.window_start),       // exactly at start: in
      FeedbackDoc().rating(1.0).submitted_at(q.window_end),         // exactly at end: in
      FeedbackDoc().rating(0.0).submitted_at(m_now - days(31)),     // too old
      FeedbackDoc().rating(0.0).submitted_at(q.window_start - 1ms), // just too old
      FeedbackDoc().rating(0.0).submitted_at(q.window_end + 1ms),   // just in the future
      FeedbackDoc().rating(0.0).submitted_at(m_now + days(1)),      // future-dated
  });
  const FeedbackStats s = stats(q);
  EXPECT_EQ(s.total_count, 3);
  EXPECT_EQ(s.positive_count, 3);
  EXPECT_EQ(s.negative_count, 0);
  EXPECT_EQ(s.invalid_count, 0);
  EXPECT_EQ(s.avg_rating(), 1.0);
}

TEST_F(MongoFeedbackStoreIT, DocumentsWithoutADateAreOutsideTheWindow) {
  // Type bracketing: a date range matches dates only, so neither a string nor a number holding
  // a time, nor a missing field, falls inside the window.
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(m_now - 1h).time_since_epoch();
  insert(std::vector<FeedbackDoc>{
      doc(0.9), doc(0.1).without_submitted_at(), doc(0.1).submitted_at_json("null"),
      doc(0.1).submitted_at_json(R"("2024-03-01T00:00:00Z")"),
      doc(0.1).submitted_at_json(R"({"$numberLong": ")" + std::to_string(ms.count()) + R"("})")});
  EXPECT_EQ(count(), 5);
  const FeedbackStats s = stats();
  EXPECT_EQ(s.total_count, 1);
  EXPECT_EQ(s.invalid_count, 0);
  // The window has feedback: nobody asks about undated documents, at no cost.
  EXPECT_EQ(s.undated_count, std::nullopt);
}

TEST_F(MongoFeedbackStoreIT, AnEmptyWindowCountsTheDocumentsNoWindowCanHold) {
  // A producer writing ISO strings makes every rating invisible: the window is empty, and the
  // count of undated documents says why. A date inside an array is a date ($type), and a dated
  // document outside the window, or another specialist's, is not undated.
  insert(std::vector<FeedbackDoc>{
      doc(0.1).without_submitted_at(), doc(0.1).submitted_at_json("null"),
      doc(0.1).submitted_at_json(R"("2024-03-01T00:00:00Z")"),
      doc(0.1).submitted_at_json(R"(1709251200000)"),
      FeedbackDoc().rating(0.9).submitted_at(m_now - days(45)),
      doc(0.1).submitted_at_json(R"("2024-03-01T00:00:00Z")").specialist_type("business")});
  const FeedbackStats s = stats();
  EXPECT_EQ(s.total_count, 0);
  EXPECT_EQ(s.undated_count, 4);
  EXPECT_EQ(stats(query("business")).undated_count, 1);
  EXPECT_EQ(stats(query("nobody")).undated_count, 0);
}

TEST_F(MongoFeedbackStoreIT, OtherSpecialistsAreNotCounted) {
  insert(std::vector<FeedbackDoc>{doc(0.9), doc(0.1), doc(0.9).specialist_type("business"),
                                  doc(0.9).specialist_type("business"),
                                  doc(0.5).specialist_type("technical-v2"),
                                  doc(0.5).specialist_type("Technical")});
  const FeedbackStats technical = stats();
  EXPECT_EQ(technical.total_count, 2);
  EXPECT_EQ(technical.positive_count, 1);
  EXPECT_EQ(technical.negative_count, 1);
  const FeedbackStats business = stats(query("business"));
  EXPECT_EQ(business.total_count, 2);
  EXPECT_EQ(business.positive_count, 2);
}

TEST_F(MongoFeedbackStoreIT, InvalidRatingsAreExcludedAndCounted) {
  insert(std::vector<FeedbackDoc>{doc(0.8), doc(0.2)});
  std::int64_t invalid = 0;
  for (const char* raw : {R"("0.8")", "null", "true", "false", R"({"$numberDouble": "1.5"})",
                          R"({"$numberDouble": "-0.1"})", R"({"$numberInt": "2"})",
                          R"({"$numberInt": "-1"})", "[0.5]", "[1.5, -1.0]", R"({"value": 0.5})",
                          R"({"$date": {"$numberLong": "0"}})", R"("")"}) {
    insert(doc(0.5).rating_json(raw));
    ++invalid;
  }
  insert(doc(0.5).without_rating());
  ++invalid;
  // NaN: MongoDB stores it and the numeric bounds never match it; FerretDB v1 refuses it at the
  // wire (it closes the connection), so it cannot be in the collection at all.
  const std::string nan_refusal =
      try_insert_json(doc(0.5).rating_json(R"({"$numberDouble": "NaN"})").json());
  if (nan_refusal.empty()) {
    ++invalid;
  } else {
    RecordProperty("nan_refused_by_server", nan_refusal);
  }

  const FeedbackStats s = stats();
  EXPECT_EQ(s.total_count, 2);
  EXPECT_EQ(s.positive_count, 1);
  EXPECT_EQ(s.negative_count, 1);
  EXPECT_EQ(s.neutral_count, 0);
  EXPECT_EQ(s.invalid_count, invalid);
  EXPECT_NEAR(*s.avg_rating(), 0.5, 1e-12);
}

TEST_F(MongoFeedbackStoreIT, IntegerRatingsAreValid) {
  insert(std::vector<FeedbackDoc>{doc(0).rating_int(1), doc(0).rating_int(0),
                                  doc(0).rating_json(R"({"$numberLong": "1"})"), doc(0.5)});
  const FeedbackStats s = stats();
  EXPECT_EQ(s.total_count, 4);
  EXPECT_EQ(s.positive_count, 2);
  EXPECT_EQ(s.negative_count, 1);
  EXPECT_EQ(s.neutral_count, 1);
  EXPECT_EQ(s.invalid_count, 0);
  EXPECT_NEAR(*s.avg_rating(), 2.5 / 4.0, 1e-12);
}

TEST_F(MongoFeedbackStoreIT, EmptyWindowHasNoAverage) {
  insert(FeedbackDoc().rating(0.9).submitted_at(m_now - days(45)));
  const FeedbackStats s = stats();
  EXPECT_EQ(s.total_count, 0);
  EXPECT_EQ(s.invalid_count, 0);
  EXPECT_FALSE(s.avg_rating().has_value());
  EXPECT_EQ(s.undated_count, 0); // old, but dated
}

TEST_F(MongoFeedbackStoreIT, MissingCollectionIsAnEmptyWindow) {
  MongoFeedbackStore store(*m_pool, database(), "no_such_collection");
  auto r = store.feedback_stats(query());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->total_count, 0);
  EXPECT_FALSE(r->avg_rating().has_value());
}

TEST_F(MongoFeedbackStoreIT, OnlyInvalidDocumentsGiveNoAverage) {
  insert(doc(0.5).rating_json(R"("high")"));
  const FeedbackStats s = stats();
  EXPECT_EQ(s.total_count, 0);
  EXPECT_EQ(s.invalid_count, 1);
  EXPECT_FALSE(s.avg_rating().has_value());
}

TEST_F(MongoFeedbackStoreIT, QueryOverItsTimeLimitIsATimeout) {
  // 1 ms of maxTimeMS against a few thousand documents: FerretDB (no filter pushdown on SQLite)
  // needs ~100 ms; MongoDB checks the limit as it scans. Either answers MaxTimeMSExpired (50).
  std::vector<FeedbackDoc> docs(5000, doc(0.7));
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].feedback_id("bulk-" + std::to_string(i));
  }
  insert(docs);
  MongoFeedbackStore store(*m_pool, database(), k_collection, 1ms);
  auto r = store.feedback_stats(query());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().message;
  EXPECT_NE(r.error().message.find(database() + "." + k_collection), std::string::npos)
      << r.error().message;
}

TEST_F(MongoFeedbackStoreIT, PoolIsSharedSafelyByEightThreads) {
  std::vector<FeedbackDoc> docs;
  for (int i = 0; i < 40; ++i) {
    docs.push_back(doc(static_cast<double>(i % 10) / 10.0)
                       .specialist_type(i % 2 == 0 ? "technical" : "business"));
  }
  insert(docs);
  MongoPoolOptions options;
  options.max_pool_size = 3; // fewer clients than threads: leases must wait, not fail
  auto pool = MongoPool::create(uri(), options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  MongoFeedbackStore store(**pool, database(), k_collection);

  const FeedbackStats expected_technical = stats(query("technical"));
  const FeedbackStats expected_business = stats(query("business"));
  ASSERT_EQ(expected_technical.total_count, 20);
  ASSERT_EQ(expected_business.total_count, 20);

  constexpr int k_threads = 8;
  constexpr int k_calls = 5;
  std::vector<std::string> failures(k_threads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        const bool technical = t % 2 == 0;
        const FeedbackQuery q = query(technical ? "technical" : "business");
        const FeedbackStats& want = technical ? expected_technical : expected_business;
        for (int i = 0; i < k_calls; ++i) {
          auto r = store.feedback_stats(q);
          if (!r.ok()) {
            failures[static_cast<std::size_t>(t)] = r.error().message;
            return;
          }
          if (r->total_count != want.total_count || r->positive_count != want.positive_count ||
              r->negative_count != want.negative_count || r->rating_sum != want.rating_sum) {
            failures[static_cast<std::size_t>(t)] = "different statistics";
            return;
          }
        }
      });
    }
  }
  for (int t = 0; t < k_threads; ++t) {
    EXPECT_EQ(failures[static_cast<std::size_t>(t)], "") << "thread " << t;
  }
}

} // namespace
} // namespace mm
