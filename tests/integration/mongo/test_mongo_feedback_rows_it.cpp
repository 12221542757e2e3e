// MongoFeedbackRowSource against the real server named by MONGODB_URI (FerretDB locally):
// feedback (specialist_feedback) joined with its opinions (cognitive_ledger) as training rows.
#include "adapters/mongo/feedback_row_documents.hpp"
#include "adapters/mongo/mongo_feedback_rows.hpp"
#include "support/mongo_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace mm {
namespace {

using namespace std::chrono_literals;
using test::FeedbackDoc;
using test::OpinionDoc;

class MongoFeedbackRowsIT : public test::MongoTest {
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
    m_source = std::make_unique<MongoFeedbackRowSource>(*m_pool, database(), k_collection);
    m_now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }

  // Feedback of `type` submitted `age` ago.
  FeedbackDoc feedback(std::chrono::minutes age, const std::string& recommendation = "approve",
                       const std::string& type = "technical") const {
    return FeedbackDoc()
        .specialist_type(type)
        .recommendation(recommendation)
        .submitted_at(m_now - age);
  }

  FeedbackRows rows(int limit = 1000, const std::string& type = "technical") {
    auto r = m_source->recent_training_rows(type, limit);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : FeedbackRows{};
  }

  std::unique_ptr<MongoPool> m_pool;
  std::unique_ptr<MongoFeedbackRowSource> m_source;
  TimePoint m_now;
};

TEST_F(MongoFeedbackRowsIT, RowsCarryFeaturesLabelAndDateNewestFirst) {
  const std::vector<FeedbackDoc> fb = {feedback(30min, "reject"), feedback(10min, "approve"),
                                       feedback(20min, "review_required")};
  std::vector<OpinionDoc> opinions;
  for (const auto& f : fb) {
    opinions.push_back(OpinionDoc::of(f));
  }
  insert(fb);
  insert(opinions);

  const FeedbackRows r = rows();
  EXPECT_EQ(r.feedback_read, 3);
  ASSERT_EQ(r.rows.size(), 3U);
  // Newest first: fb[1] (10 min), fb[2] (20 min), fb[0] (30 min).
  const std::vector<std::size_t> order = {1, 2, 0};
  const std::vector<std::int64_t> labels = {1, 2, 0};
  for (std::size_t i = 0; i < 3; ++i) {
    const TrainingRow& row = r.rows[i];
    EXPECT_EQ(row.features, opinions[order[i]].feature_values()) << i;
    EXPECT_EQ(row.label, labels[i]) << i;
    EXPECT_EQ(row.source, RowSource::feedback);
    EXPECT_EQ(row.created_at, m_now - std::chrono::minutes(10 * (i + 1))) << i;
  }
  EXPECT_EQ(r.skipped_no_opinion + r.skipped_bad_features + r.skipped_bad_label, 0);
}

TEST_F(MongoFeedbackRowsIT, UnusableDocumentsAreSkippedAndCountedByReason) {
  std::vector<FeedbackDoc> fb;
  std::vector<OpinionDoc> opinions;
  const auto pair = [&](FeedbackDoc f, auto shape) {
    OpinionDoc o = OpinionDoc::of(f);
    shape(o);
    fb.push_back(std::move(f));
    opinions.push_back(std::move(o));
  };
  int age = 0;
  const auto next = [&](const std::string& rec = "approve") {
    return feedback(std::chrono::minutes(++age), rec);
  };
  pair(next(), [](OpinionDoc&) {});                                            // row
  pair(next(), [](OpinionDoc& o) { o.without_features(); });                   // bad features
  pair(next(), [](OpinionDoc& o) { o.without_feature("avg_diversity"); });     // partial
  pair(next(), [](OpinionDoc& o) { o.feature_json("num_tasks", R"("12")"); }); // a string
  pair(next(), [](OpinionDoc& o) { o.feature_json("density", "null"); });
  pair(next(), [](OpinionDoc& o) { o.feature_json("density", "true"); });
  pair(next(), [](OpinionDoc& o) { o.features_json("null"); });
  pair(next(), [](OpinionDoc& o) { o.features_json("[1.0, 2.0]"); });
  pair(next(), [](OpinionDoc& o) { o.features_json("{}"); });
  pair(next("conditional"), [](OpinionDoc&) {}); // bad label, good opinion
  pair(next("APPROVE"), [](OpinionDoc&) {});
  pair(next(""), [](OpinionDoc&) {});
  pair(next("reject"), [](OpinionDoc& o) { o.opinion_id("someone-else"); }); // no opinion
  fb.push_back(next("reject"));                                              // no opinion at all
  insert(fb);
  insert(opinions);
  // A feedback document without opinion_id: no opinion either.
  auto raw = nlohmann::json::parse(next().json());
  raw.erase("opinion_id");
  insert_json(raw.dump());

  const FeedbackRows r = rows();
  EXPECT_EQ(r.feedback_read, 15);
  EXPECT_EQ(r.rows.size(), 1U);
  EXPECT_EQ(r.skipped_bad_features, 8);
  EXPECT_EQ(r.skipped_bad_label, 3);
  EXPECT_EQ(r.skipped_no_opinion, 3);
}

TEST_F(MongoFeedbackRowsIT, IntegerFeaturesAreNumbers) {
  const FeedbackDoc f = feedback(1min);
  insert(f);
  insert(OpinionDoc::of(f)
             .feature_json("num_tasks", R"({"$numberInt": "12"})")
             .feature_json("num_edges", R"({"$numberLong": "40"})")
             .feature("unrelated_extra", 7.0));
  const FeedbackRows r = rows();
  ASSERT_EQ(r.rows.size(), 1U);
  EXPECT_DOUBLE_EQ(r.rows[0].features[0], 12.0);  // num_tasks
  EXPECT_DOUBLE_EQ(r.rows[0].features[13], 40.0); // num_edges
}

TEST_F(MongoFeedbackRowsIT, LimitKeepsTheNewest) {
  std::vector<FeedbackDoc> fb;
  std::vector<OpinionDoc> opinions;
  for (int i = 0; i < 10; ++i) {
    fb.push_back(feedback(std::chrono::minutes(10 - i))); // the last one is the newest
    opinions.push_back(OpinionDoc::of(fb.back()));
  }
  insert(fb);
  insert(opinions);
  const FeedbackRows r = rows(4);
  EXPECT_EQ(r.feedback_read, 4);
  ASSERT_EQ(r.rows.size(), 4U);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.rows[i].features, opinions[9 - i].feature_values()) << i;
  }
  EXPECT_TRUE(rows(0).rows.empty());
  EXPECT_EQ(rows(-5).feedback_read, 0);
}

TEST_F(MongoFeedbackRowsIT, MoreThanABatchOfOpinionsIsFetchedInBatches) {
  // 1200 feedback documents, limit 1100: three lookups (500, 500, 100 ids). Some ratings are
  // invalid: a row does not need a valid rating.
  const int n = 1200;
  std::vector<FeedbackDoc> fb;
  std::vector<OpinionDoc> opinions;
  for (int i = 0; i < n; ++i) {
    fb.push_back(feedback(std::chrono::minutes(i + 1), i % 2 == 0 ? "approve" : "reject"));
    if (i % 7 == 0) {
      fb.back().rating_json(R"("n/a")");
    }
    opinions.push_back(OpinionDoc::of(fb.back()));
  }
  insert(fb);
  insert(opinions);
  const FeedbackRows r = rows(1100);
  EXPECT_EQ(r.feedback_read, 1100);
  ASSERT_EQ(r.rows.size(), 1100U);
  EXPECT_GT(1100U, mongo::k_opinion_batch_size * 2);
  for (std::size_t i = 0; i < r.rows.size(); i += 97) {
    EXPECT_EQ(r.rows[i].features, opinions[i].feature_values()) << i;
    EXPECT_EQ(r.rows[i].label, i % 2 == 0 ? 1 : 0) << i;
  }
  EXPECT_EQ(r.rows.back().features, opinions[1099].feature_values());
}

TEST_F(MongoFeedbackRowsIT, OtherSpecialistsAndUndatedFeedbackAreExcluded) {
  const FeedbackDoc mine = feedback(5min);
  const FeedbackDoc other = feedback(1min, "approve", "business");
  FeedbackDoc undated = feedback(2min);
  undated.without_submitted_at();
  FeedbackDoc text_date = feedback(3min);
  text_date.submitted_at_json(R"("2024-03-01T00:00:00Z")");
  insert(std::vector<FeedbackDoc>{mine, other, undated, text_date});
  const OpinionDoc mine_opinion = OpinionDoc::of(mine);
  insert(std::vector<OpinionDoc>{mine_opinion, OpinionDoc::of(other), OpinionDoc::of(undated),
                                 OpinionDoc::of(text_date)});
  const FeedbackRows r = rows();
  EXPECT_EQ(r.feedback_read, 1);
  ASSERT_EQ(r.rows.size(), 1U);
  EXPECT_EQ(r.rows[0].features, mine_opinion.feature_values());
  EXPECT_EQ(r.rows[0].created_at, m_now - 5min);
  EXPECT_EQ(rows(1000, "business").rows.size(), 1U);
}

TEST_F(MongoFeedbackRowsIT, SharedOpinionsAndDuplicateOpinionIds) {
  // Two reviewers rated one opinion: two rows. One opinion id twice in the ledger, once without
  // features: the usable one is taken.
  const FeedbackDoc a = feedback(1min, "approve");
  FeedbackDoc b = feedback(2min, "reject");
  b.opinion_id(a.opinion_id());
  const FeedbackDoc c = feedback(3min, "approve");
  insert(std::vector<FeedbackDoc>{a, b, c});
  const OpinionDoc shared = OpinionDoc::of(a);
  OpinionDoc broken = OpinionDoc::of(c);
  broken.without_features();
  const OpinionDoc good = OpinionDoc::of(c);
  insert(std::vector<OpinionDoc>{shared, broken, good});
  const FeedbackRows r = rows();
  ASSERT_EQ(r.rows.size(), 3U);
  EXPECT_EQ(r.rows[0].features, shared.feature_values());
  EXPECT_EQ(r.rows[0].label, 1);
  EXPECT_EQ(r.rows[1].features, shared.feature_values());
  EXPECT_EQ(r.rows[1].label, 0);
  EXPECT_EQ(r.rows[2].features, good.feature_values());
}

TEST_F(MongoFeedbackRowsIT, OpinionsCollectionIsAParameter) {
  const FeedbackDoc f = feedback(1min);
  insert(f);
  insert_json_into("opinions_elsewhere", {OpinionDoc::of(f).json()});
  MongoFeedbackRowSource source(*m_pool, database(), k_collection, "opinions_elsewhere");
  auto r = source.recent_training_rows("technical", 10);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rows.size(), 1U);
  EXPECT_EQ(rows().skipped_no_opinion, 1); // the default cognitive_ledger is empty
}

TEST_F(MongoFeedbackRowsIT, NothingIsModified) {
  const FeedbackDoc f = feedback(1min);
  insert(f);
  insert(OpinionDoc::of(f));
  const auto before_fb = find_json(k_collection);
  const auto before_op = find_json(k_opinions_collection);
  (void)rows();
  EXPECT_EQ(find_json(k_collection), before_fb);
  EXPECT_EQ(find_json(k_opinions_collection), before_op);
  EXPECT_EQ(count_in(k_state_collection), 0);
}

TEST_F(MongoFeedbackRowsIT, UnreachableServerIsUnavailable) {
  MongoPoolOptions options;
  options.server_selection_timeout = 300ms;
  auto pool = MongoPool::create(
      "mongodb://127.0.0.1:" + std::to_string(test::closed_local_port()) + "/", options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  MongoFeedbackRowSource source(**pool, database(), k_collection);
  auto r = source.recent_training_rows("technical", 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
}

} // namespace
} // namespace mm
