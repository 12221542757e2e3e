#include "core/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

using namespace std::chrono;
const TimePoint t0 = TimePoint(seconds(1000));

TEST(CircuitBreaker, OpensAfterConsecutiveFailures) {
  CircuitBreaker b(3, seconds(30));
  EXPECT_TRUE(b.allow(t0));
  b.record_failure(t0);
  b.record_failure(t0);
  EXPECT_EQ(b.state(), BreakerState::closed);
  b.record_failure(t0);
  EXPECT_EQ(b.state(), BreakerState::open);
  EXPECT_FALSE(b.allow(t0 + seconds(29)));
}

TEST(CircuitBreaker, SuccessResetsTheCount) {
  CircuitBreaker b(3, seconds(30));
  b.record_failure(t0);
  b.record_failure(t0);
  b.record_success();
  b.record_failure(t0);
  EXPECT_EQ(b.state(), BreakerState::closed);
}

TEST(CircuitBreaker, HalfOpenAfterThirtySecondsAllowsOneProbe) {
  CircuitBreaker b(1, seconds(30));
  b.record_failure(t0);
  EXPECT_FALSE(b.allow(t0 + milliseconds(29999)));
  EXPECT_TRUE(b.allow(t0 + seconds(30)));
  EXPECT_EQ(b.state(), BreakerState::half_open);
  EXPECT_FALSE(b.allow(t0 + seconds(30))) << "one probe at a time";
}

TEST(CircuitBreaker, ProbeSuccessClosesProbeFailureReopens) {
  CircuitBreaker b(1, seconds(30));
  b.record_failure(t0);
  ASSERT_TRUE(b.allow(t0 + seconds(31)));
  b.record_failure(t0 + seconds(31));
  EXPECT_EQ(b.state(), BreakerState::open);
  EXPECT_FALSE(b.allow(t0 + seconds(60)));
  ASSERT_TRUE(b.allow(t0 + seconds(61)));
  b.record_success();
  EXPECT_EQ(b.state(), BreakerState::closed);
  EXPECT_TRUE(b.allow(t0 + seconds(61)));
}

} // namespace
} // namespace mm
