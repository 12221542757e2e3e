// MongoFeedbackStore::feedback_stats_many against the real server named by MONGODB_URI: the
// grouped reads must give, for every type, what feedback_stats gives for that type alone.
#include "adapters/mongo/feedback_pipelines.hpp"
#include "adapters/mongo/mongo_feedback_store.hpp"
#include "support/mongo_fixture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace mm {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;
using test::FeedbackDoc;

class MongoFeedbackStatsManyIT : public test::MongoTest {
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
    m_now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }

  FeedbackQuery query() const {
    FeedbackQuery q;
    q.window_end = m_now;
    q.window_start = m_now - days(30);
    q.window_days = 30;
    return q;
  }

  FeedbackDoc doc(const std::string& type, double rating) const {
    return FeedbackDoc().specialist_type(type).rating(rating).submitted_at(m_now - 1h);
  }

  std::map<std::string, FeedbackStats> many(const std::vector<std::string>& types) {
    auto r = m_store->feedback_stats_many(types, query());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::map<std::string, FeedbackStats>{};
  }

  FeedbackStats one(const std::string& type) {
    FeedbackQuery q = query();
    q.specialist_type = type;
    auto r = m_store->feedback_stats(q);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : FeedbackStats{};
  }

  static void expect_same(const FeedbackStats& a, const FeedbackStats& b, const std::string& t) {
    EXPECT_EQ(a.total_count, b.total_count) << t;
    EXPECT_EQ(a.positive_count, b.positive_count) << t;
    EXPECT_EQ(a.negative_count, b.negative_count) << t;
    EXPECT_EQ(a.neutral_count, b.neutral_count) << t;
    EXPECT_EQ(a.invalid_count, b.invalid_count) << t;
    EXPECT_NEAR(a.rating_sum, b.rating_sum, 1e-9) << t;
    EXPECT_EQ(a.window_days, b.window_days) << t;
    EXPECT_EQ(a.avg_rating().has_value(), b.avg_rating().has_value()) << t;
    EXPECT_EQ(a.undated_count, b.undated_count) << t;
  }

  std::unique_ptr<MongoPool> m_pool;
  std::unique_ptr<MongoFeedbackStore> m_store;
  TimePoint m_now;
};

TEST_F(MongoFeedbackStatsManyIT, EqualsThePerTypeStatisticsForThirtyTypes) {
  // Type i gets i documents in the window with ratings spread over every band, every third
  // type a few invalid ratings, every fourth one documents outside the window; type 0 none.
  std::vector<std::string> types;
  std::vector<FeedbackDoc> docs;
  for (int i = 0; i < 30; ++i) {
    const std::string type = "spec-" + std::to_string(i);
    types.push_back(type);
    for (int k = 0; k < i; ++k) {
      docs.push_back(doc(type, static_cast<double>((k * 7 + i) % 11) / 10.0));
    }
    if (i % 3 == 0) {
      docs.push_back(doc(type, 0.5).rating_json(R"("0.5")"));
      docs.push_back(doc(type, 0.5).rating(1.5));
      docs.push_back(doc(type, 0.5).without_rating());
    }
    if (i % 4 == 0) {
      docs.push_back(doc(type, 0.0).submitted_at(m_now - days(40)));
      docs.push_back(doc(type, 0.0).submitted_at(m_now + days(1)));
    }
  }
  docs.push_back(doc("not-asked", 0.9));
  insert(docs);

  const auto all = many(types);
  ASSERT_EQ(all.size(), types.size());
  for (const auto& type : types) {
    ASSERT_TRUE(all.count(type) == 1) << type;
    expect_same(all.at(type), one(type), type);
  }
  EXPECT_EQ(all.at("spec-29").total_count, 29);
  EXPECT_EQ(all.at("spec-3").invalid_count, 3);
  EXPECT_EQ(all.count("not-asked"), 0U);
}

TEST_F(MongoFeedbackStatsManyIT, InvalidDocumentsAreCountedPerType) {
  insert(std::vector<FeedbackDoc>{
      doc("technical", 0.8), doc("technical", 0.2), doc("technical", 0.5).rating_json("null"),
      doc("technical", 0.5).rating_json("[0.5]"), doc("technical", 0.5).rating_json("true"),
      doc("business", 0.5).rating_json(R"("high")"), doc("business", 0.5).without_rating(),
      doc("technical", 0.5).rating_json(R"({"$numberInt": "2"})")});
  const auto all = many({"technical", "business"});
  ASSERT_EQ(all.size(), 2U);
  const FeedbackStats& technical = all.at("technical");
  EXPECT_EQ(technical.total_count, 2);
  EXPECT_EQ(technical.positive_count, 1);
  EXPECT_EQ(technical.negative_count, 1);
  EXPECT_EQ(technical.invalid_count, 4);
  EXPECT_NEAR(*technical.avg_rating(), 0.5, 1e-12);
  const FeedbackStats& business = all.at("business");
  EXPECT_EQ(business.total_count, 0);
  EXPECT_EQ(business.invalid_count, 2);
  EXPECT_FALSE(business.avg_rating().has_value());
  expect_same(technical, one("technical"), "technical");
  expect_same(business, one("business"), "business");
}

TEST_F(MongoFeedbackStatsManyIT, ATypeWithoutDocumentsHasEmptyStatistics) {
  insert(std::vector<FeedbackDoc>{doc("technical", 0.9), doc("technical", 0.7),
                                  doc("evolution", 0.2).submitted_at(m_now - days(45))});
  const auto all = many({"technical", "behavior", "evolution"});
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all.at("technical").total_count, 2);
  for (const char* empty : {"behavior", "evolution"}) {
    const FeedbackStats& s = all.at(empty);
    EXPECT_EQ(s.total_count, 0) << empty;
    EXPECT_EQ(s.invalid_count, 0) << empty;
    EXPECT_EQ(s.window_days, 30) << empty;
    EXPECT_FALSE(s.avg_rating().has_value()) << empty;
  }
}

TEST_F(MongoFeedbackStatsManyIT, EmptyWindowsCountTheirUndatedDocumentsInOneRead) {
  // "business" writes ISO strings, "behavior" has a document without submitted_at and an old
  // dated one, "evolution" nothing at all; "technical" has feedback, so it is not asked, and
  // "bz-other" (between two empty types, not listed) is never reported.
  insert(std::vector<FeedbackDoc>{
      doc("technical", 0.9), doc("technical", 0.5).submitted_at_json(R"("2024-03-01")"),
      doc("business", 0.9).submitted_at_json(R"("2024-03-01T00:00:00Z")"),
      doc("business", 0.1).submitted_at_json(R"("2024-03-02T00:00:00Z")"),
      doc("behavior", 0.5).without_submitted_at(),
      doc("behavior", 0.5).submitted_at(m_now - days(45)),
      doc("bz-other", 0.5).without_submitted_at()});
  const auto all = many({"technical", "business", "behavior", "evolution"});
  ASSERT_EQ(all.size(), 4U);
  EXPECT_EQ(all.at("technical").total_count, 1);
  EXPECT_EQ(all.at("technical").undated_count, std::nullopt);
  EXPECT_EQ(all.at("business").undated_count, 2);
  EXPECT_EQ(all.at("behavior").undated_count, 1);
  EXPECT_EQ(all.at("evolution").undated_count, 0);
  for (const char* t : {"technical", "business", "behavior", "evolution"}) {
    expect_same(all.at(t), one(t), t);
  }
}

TEST_F(MongoFeedbackStatsManyIT, ManyEmptyWindowsAreCountedThroughTheirRange) {
  // More empty windows than k_max_undated_in: one read over their range; a type inside the
  // range that was not asked for is dropped, and the range's bounds are included.
  std::vector<std::string> asked;
  std::vector<FeedbackDoc> docs;
  for (std::size_t i = 0; i < 2 * (mongo::k_max_undated_in + 10); ++i) {
    const std::string type = "u" + std::to_string(10000 + i);
    if (i % 2 == 0) {
      asked.push_back(type);
    }
    docs.push_back(doc(type, 0.5).without_submitted_at());
  }
  docs.push_back(doc(asked.front(), 0.5).submitted_at_json(R"("yesterday")"));
  insert(docs);
  const auto all = many(asked);
  ASSERT_EQ(all.size(), asked.size());
  EXPECT_EQ(all.at(asked.front()).undated_count, 2); // first bound
  EXPECT_EQ(all.at(asked.back()).undated_count, 1);  // last bound
  EXPECT_EQ(all.at("u10002").undated_count, 1);
  EXPECT_EQ(all.count("u10001"), 0U);
  expect_same(all.at(asked.front()), one(asked.front()), asked.front());
}

TEST_F(MongoFeedbackStatsManyIT, DuplicateAndEmptyListsAndAMissingCollection) {
  insert(std::vector<FeedbackDoc>{doc("technical", 0.9)});
  const auto twice = many({"technical", "technical"});
  ASSERT_EQ(twice.size(), 1U);
  EXPECT_EQ(twice.at("technical").total_count, 1);
  EXPECT_TRUE(many({}).empty());

  MongoFeedbackStore store(*m_pool, database(), "no_such_collection");
  auto r = store.feedback_stats_many({"technical"}, query());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("technical").total_count, 0);
}

TEST_F(MongoFeedbackStatsManyIT, AThousandTypesAreOneSetOfReads) {
  // 1001 types, every other one asked for: the range of the $match covers the others, whose
  // groups are dropped; the bounds themselves are included.
  std::vector<std::string> asked;
  std::vector<FeedbackDoc> docs;
  for (int i = 0; i < 2001; ++i) {
    const std::string type = "t" + std::to_string(10000 + i); // sorted order = numeric order
    if (i % 2 == 0) {
      asked.push_back(type);
    }
    docs.push_back(doc(type, i % 3 == 0 ? 0.9 : 0.1));
  }
  docs.push_back(doc(asked.back(), 0.5));
  docs.push_back(doc("s-before", 0.9)); // sorts before the range
  docs.push_back(doc("u-after", 0.9));  // and after it
  insert(docs);
  const auto all = many(asked);
  ASSERT_EQ(all.size(), asked.size());
  EXPECT_EQ(all.at("t10000").positive_count, 1); // first bound
  EXPECT_EQ(all.at("t10002").negative_count, 1);
  EXPECT_EQ(all.at(asked.back()).total_count, 2); // last bound, t12000
  EXPECT_NEAR(all.at(asked.back()).rating_sum, 0.6, 1e-12);
  EXPECT_EQ(all.count("t10001"), 0U); // inside the range, not asked for
  EXPECT_EQ(all.count("s-before"), 0U);
  for (const auto& type : {"t10000", "t10006", "t11998"}) {
    expect_same(all.at(type), one(type), type);
  }
}

TEST_F(MongoFeedbackStatsManyIT, ConcurrentWritersNeverBreakTheInvariants) {
  // The five reads run at the same time while another client keeps inserting: whatever each
  // read saw, the statistics add up (stats_from_counts reconciles them).
  std::vector<FeedbackDoc> docs;
  for (int i = 0; i < 300; ++i) {
    docs.push_back(doc("technical", static_cast<double>(i % 11) / 10.0)
                       .feedback_id("seed-" + std::to_string(i)));
  }
  insert(docs);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      insert(std::vector<FeedbackDoc>{doc("technical", static_cast<double>(i % 11) / 10.0)
                                          .feedback_id("racing-" + std::to_string(i))});
    }
  });
  for (int round = 0; round < 5; ++round) {
    const auto all = many({"technical"});
    const FeedbackStats& s = all.at("technical");
    EXPECT_EQ(s.positive_count + s.negative_count + s.neutral_count, s.total_count);
    EXPECT_GE(s.total_count, 300);
    EXPECT_LE(s.rating_sum, static_cast<double>(s.total_count));
    FeedbackQuery q = query();
    q.specialist_type = "technical";
    auto single = m_store->feedback_stats(q);
    ASSERT_TRUE(single.ok()) << single.error().message;
    EXPECT_EQ(single->positive_count + single->negative_count + single->neutral_count,
              single->total_count);
    EXPECT_LE(single->rating_sum, static_cast<double>(single->total_count));
  }
  stop = true;
  writer.join();
}

TEST_F(MongoFeedbackStatsManyIT, WindowEndsAreIncluded) {
  const FeedbackQuery q = query();
  insert(std::vector<FeedbackDoc>{
      doc("technical", 1.0).submitted_at(q.window_start),
      doc("technical", 1.0).submitted_at(q.window_end),
      doc("technical", 0.0).submitted_at(q.window_start - 1ms),
      doc("technical", 0.0).submitted_at(q.window_end + 1ms),
  });
  const auto all = many({"technical"});
  EXPECT_EQ(all.at("technical").total_count, 2);
  EXPECT_EQ(all.at("technical").positive_count, 2);
}

TEST_F(MongoFeedbackStatsManyIT, InvalidArgumentsAreRefusedBeforeAnyIo) {
  auto bad_type = m_store->feedback_stats_many({"technical", ""}, query());
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error().kind, ErrorKind::internal);
  FeedbackQuery q = query();
  q.negative_max = 0.7;
  q.positive_min = 0.6;
  auto bad_bands = m_store->feedback_stats_many({"technical"}, q);
  ASSERT_FALSE(bad_bands.ok());
  EXPECT_EQ(bad_bands.error().kind, ErrorKind::config);
}

TEST_F(MongoFeedbackStatsManyIT, QueryOverItsTimeLimitIsATimeout) {
  std::vector<FeedbackDoc> docs(5000, doc("technical", 0.7));
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].feedback_id("bulk-" + std::to_string(i));
  }
  insert(docs);
  MongoFeedbackStore store(*m_pool, database(), k_collection, 1ms);
  auto r = store.feedback_stats_many({"technical", "business"}, query());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().message;
  EXPECT_NE(r.error().message.find("grouped aggregate"), std::string::npos) << r.error().message;
}

TEST_F(MongoFeedbackStatsManyIT, UnreachableServerIsUnavailable) {
  MongoPoolOptions options;
  options.server_selection_timeout = 300ms;
  auto pool = MongoPool::create(
      "mongodb://127.0.0.1:" + std::to_string(test::closed_local_port()) + "/", options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  MongoFeedbackStore store(**pool, database(), k_collection);
  auto r = store.feedback_stats_many({"technical"}, query());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
}

} // namespace
} // namespace mm
