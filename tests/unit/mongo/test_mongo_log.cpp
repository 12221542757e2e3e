#include "adapters/mongo/mongo_log.hpp"
#include "adapters/mongo/mongo_pool.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

namespace mm {
namespace {

struct Captured {
  MongoLogLevel level;
  std::string message;
};

TEST(MongoLogSink, RoutesTheDriversRemarksToTheSink) {
  std::mutex mutex;
  std::vector<Captured> seen;
  set_mongo_log_sink([&](MongoLogLevel level, std::string_view, std::string_view message) {
    const std::lock_guard lock(mutex);
    seen.push_back({level, std::string(message)});
  });
  // The driver accepts a URI with an unknown option but warns that it ignores it.
  auto pool = MongoPool::create("mongodb://127.0.0.1:1/?notAnOption=1");
  set_mongo_log_sink({});

  ASSERT_TRUE(pool.ok()) << pool.error().message;
  const std::lock_guard lock(mutex);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().level, MongoLogLevel::warning);
  EXPECT_NE(seen.front().message.find("notanoption"), std::string::npos) << seen.front().message;
}

} // namespace
} // namespace mm
