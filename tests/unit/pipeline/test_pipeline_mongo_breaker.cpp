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

} // namespace
} // namespace mm
