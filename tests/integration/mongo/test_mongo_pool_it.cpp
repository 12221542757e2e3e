// MongoPool against the real server named by MONGODB_URI, and against a closed port.
#include "adapters/mongo/mongo_feedback_store.hpp"
#include "adapters/mongo/mongo_pool.hpp"
#include "support/mongo_fixture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace mm {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* k_password = "Sup3rS3cret";

std::string unreachable_uri(int port) {
  return "mongodb://app:" + std::string(k_password) + "@127.0.0.1:" + std::to_string(port) +
         "/neural_hive";
}

void expect_unreachable_error(const Error& e, int port) {
  EXPECT_EQ(e.kind, ErrorKind::unavailable) << e.message;
  EXPECT_NE(e.message.find("mongodb://***:***@127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << e.message;
  EXPECT_EQ(e.message.find(k_password), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("check MONGODB_URI / that MongoDB is running"), std::string::npos)
      << e.message;
}

TEST(MongoPoolIT, PingsTheServer) {
  auto pool = MongoPool::create(test::mongodb_uri_from_env());
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  const Status s = (*pool)->ping();
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(MongoPoolIT, ClosedPortIsUnavailableWithinTheSelectionTimeout) {
  const int port = test::closed_local_port();
  MongoPoolOptions options;
  options.server_selection_timeout = 1500ms;
  auto pool = MongoPool::create(unreachable_uri(port), options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;

  const auto started = Clock::now();
  const Status s = (*pool)->ping();
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(s.ok());
  expect_unreachable_error(s.error(), port);
  EXPECT_LT(elapsed, 1500ms + 1500ms);
}

TEST(MongoPoolIT, DefaultSelectionTimeoutIsFiveSecondsNotTheDrivers30) {
  const int port = test::closed_local_port();
  auto pool = MongoPool::create(unreachable_uri(port));
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  const auto started = Clock::now();
  const Status s = (*pool)->ping();
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(s.ok());
  expect_unreachable_error(s.error(), port);
  EXPECT_GE(elapsed, 4s);
  EXPECT_LT(elapsed, 8s);
}

TEST(MongoPoolIT, TimeoutInTheUriWinsOverTheDefault) {
  const int port = test::closed_local_port();
  auto pool = MongoPool::create(unreachable_uri(port) + "?serverSelectionTimeoutMS=700");
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  const auto started = Clock::now();
  EXPECT_FALSE((*pool)->ping().ok());
  EXPECT_LT(Clock::now() - started, 3s);
}

TEST(MongoPoolIT, FeedbackStatsOnAnUnreachableServerIsUnavailable) {
  const int port = test::closed_local_port();
  MongoPoolOptions options;
  options.server_selection_timeout = 1000ms;
  auto pool = MongoPool::create(unreachable_uri(port), options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  MongoFeedbackStore store(**pool, "neural_hive", "specialist_feedback");
  FeedbackQuery q;
  q.specialist_type = "technical";
  q.window_end = std::chrono::system_clock::now();
  q.window_start = q.window_end - std::chrono::days(30);
  auto r = store.feedback_stats(q);
  ASSERT_FALSE(r.ok());
  expect_unreachable_error(r.error(), port);
  EXPECT_NE(r.error().message.find("neural_hive.specialist_feedback"), std::string::npos)
      << r.error().message;
}

TEST(MongoPoolIT, BadUriIsAConfigError) {
  auto pool = MongoPool::create("mongodb://app:" + std::string(k_password) + "@db:notaport/");
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().kind, ErrorKind::config);
  EXPECT_NE(pool.error().message.find("MONGODB_URI"), std::string::npos) << pool.error().message;
  EXPECT_EQ(pool.error().message.find(k_password), std::string::npos) << pool.error().message;
}

TEST(MongoPoolIT, EightThreadsShareABoundedPool) {
  MongoPoolOptions options;
  options.max_pool_size = 2;
  auto pool = MongoPool::create(test::mongodb_uri_from_env(), options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 10; ++i) {
          if (!(*pool)->ping().ok()) {
            ++failures;
          }
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
} // namespace mm
