// run_bounded: every read runs once, never more than the bound at the same time, and the first
// failure in index order is the one returned.
#include "adapters/mongo/bounded_reads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace mm::mongo {
namespace {

// Counts how many reads are inside at once; each read stays long enough for the others to start.
struct Overlap {
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  void enter() {
    const int now = ++inside;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { --inside; }
};

TEST(BoundedReads, EveryReadRunsExactlyOnce) {
  for (std::size_t bound : {1U, 2U, 5U, 9U}) {
    std::vector<std::atomic<int>> runs(7);
    const Status s = run_bounded(runs.size(), bound, [&](std::size_t i) -> Status {
      ++runs[i];
      return ok_status();
    });
    ASSERT_TRUE(s.ok()) << "bound " << bound;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      EXPECT_EQ(runs[i].load(), 1) << "read " << i << ", bound " << bound;
    }
  }
}

TEST(BoundedReads, NeverMoreThanTheBoundAtOnce) {
  for (std::size_t bound : {1U, 2U, 3U}) {
    Overlap overlap;
    const Status s = run_bounded(6, bound, [&](std::size_t) -> Status {
      overlap.enter();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      overlap.leave();
      return ok_status();
    });
    ASSERT_TRUE(s.ok());
    EXPECT_LE(overlap.most.load(), static_cast<int>(bound)) << "bound " << bound;
  }
}

TEST(BoundedReads, UsesTheBoundWhenThereIsWorkForIt) {
  // Two reads that each wait for the other to start: they finish only if both run at once.
  std::atomic<int> started{0};
  const Status s = run_bounded(2, 2, [&](std::size_t) -> Status {
    ++started;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return started.load() == 2 ? ok_status() : Status(Error::timeout("ran alone"));
  });
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(BoundedReads, ReturnsTheFirstFailureInIndexOrderAfterAllRan) {
  std::vector<std::atomic<int>> runs(5);
  const Status s = run_bounded(runs.size(), 2, [&](std::size_t i) -> Status {
    ++runs[i];
    if (i == 1) {
      return Error::unavailable("read 1 failed");
    }
    if (i == 3) {
      return Error::timeout("read 3 failed");
    }
    return ok_status();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(s.error().message, "read 1 failed");
  for (auto& r : runs) {
    EXPECT_EQ(r.load(), 1);
  }
}

TEST(BoundedReads, NothingToReadIsOkAndAZeroBoundStillRuns) {
  EXPECT_TRUE(run_bounded(0, 2, [](std::size_t) -> Status { return Error::internal("no"); }).ok());
  int runs = 0;
  EXPECT_TRUE(run_bounded(3, 0, [&](std::size_t) -> Status {
                ++runs;
                return ok_status();
              }).ok());
  EXPECT_EQ(runs, 3);
}

} // namespace
} // namespace mm::mongo
