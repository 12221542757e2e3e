#include "pipeline/mongo_breaker.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

struct FlakyStore : FeedbackStore {
  int calls = 0;
  std::optional<Error> fail;
  Result<FeedbackStats> feedback_stats(const FeedbackQuery&) override {
    ++calls;
    if (fail) {
      return *fail;
    }
    return FeedbackStats{};
  }
};

TEST(MongoBreaker, OpensAfterThreeConnectionFailuresAndStopsCallingTheServer) {
  TimePoint now(std::chrono::seconds(100));
  BreakerGuard guard(CircuitBreaker(3, std::chrono::seconds(30)), [&] { return now; });
  FlakyStore inner;
  inner.fail = Error::unavailable("no server");
  GuardedFeedbackStore store(inner, guard);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(store.feedback_stats({}).ok());
  }
  EXPECT_EQ(guard.state(), BreakerState::open);
  auto r = store.feedback_stats({});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("circuit breaker is open"), std::string::npos);
  EXPECT_EQ(inner.calls, 3) << "an open breaker fails fast, without a call";
  now += std::chrono::seconds(30);
  inner.fail.reset();
  EXPECT_TRUE(store.feedback_stats({}).ok()) << "half-open probe";
  EXPECT_EQ(guard.state(), BreakerState::closed);
}

TEST(MongoBreaker, BadAnswersDoNotCountAsConnectionFailures) {
  TimePoint now(std::chrono::seconds(100));
  BreakerGuard guard(CircuitBreaker(1, std::chrono::seconds(30)), [&] { return now; });
  FlakyStore inner;
  inner.fail = Error::bad_response("malformed reply");
  GuardedFeedbackStore store(inner, guard);
  EXPECT_FALSE(store.feedback_stats({}).ok());
  EXPECT_EQ(guard.state(), BreakerState::closed);
}

struct DeadState : StateStore {
  int calls = 0;
  Error down = Error::unavailable("MongoDB at mongodb://h:27017: no suitable servers");
  Result<std::optional<TimePoint>> last_retrain(const std::string&) override {
    ++calls;
    return down;
  }
  Status save_retrain(const RetrainRecord&) override {
    ++calls;
    return down;
  }
  Status increment_counter(const std::string&, const std::string&,
                           const std::map<std::string, std::string>&, double) override {
    ++calls;
    return down;
  }
  Result<std::vector<Counter>> counters(const std::string&) override {
    ++calls;
    return down;
  }
  Result<std::map<std::string, double>> counter_by_type(const std::string&) override {
    ++calls;
    return down;
  }
};

// MongoDB dies mid-retrain: the ledger and counter writes that follow share the feedback's
// breaker, so after three failed calls the rest fail at once instead of each waiting the server
// selection timeout (found by MongoFaults.MongoDyingDuringRetrainDatasetStep...: ~16 waits).
TEST(MongoBreaker, StateStoreWritesShareTheBreakerAndFailFastOnceItOpens) {
  TimePoint now(std::chrono::seconds(100));
  BreakerGuard guard(CircuitBreaker(3, std::chrono::seconds(30)), [&] { return now; });
  FlakyStore feedback;
  feedback.fail = Error::unavailable("no server");
  GuardedFeedbackStore guarded_feedback(feedback, guard);
  DeadState inner;
  GuardedStateStore state(inner, guard);
  EXPECT_FALSE(guarded_feedback.feedback_stats({}).ok());
  EXPECT_FALSE(state.save_retrain({}).ok());
  EXPECT_FALSE(state.increment_counter("x", "c_total", {}, 1).ok());
  EXPECT_EQ(guard.state(), BreakerState::open);
  for (int i = 0; i < 16; ++i) {
    EXPECT_FALSE(state.increment_counter("x", "c_total", {}, 1).ok());
  }
  EXPECT_FALSE(state.counters("x").ok());
  EXPECT_FALSE(state.last_retrain("x").ok());
  EXPECT_FALSE(state.counter_by_type("c_total").ok());
  EXPECT_EQ(inner.calls, 2) << "only the calls before the breaker opened reached MongoDB";
}

} // namespace
} // namespace mm
