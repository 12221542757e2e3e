// The MongoDB settings the commands build from the configuration.
#include "app/wiring.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Wiring, MongoQueryTimeoutIsTheConfiguredSeconds) {
  Config c;
  c.mongodb_query_timeout_s = 45;
  EXPECT_EQ(mongo_query_timeout(c), seconds(45));
}

TEST(Wiring, TheSocketTimeoutStaysAboveTheReadsLimit) {
  Config c;
  c.mongodb_query_timeout_s = 20; // the default: the pool's own 60 s already leaves room
  EXPECT_EQ(mongo_pool_options(c).socket_timeout, milliseconds(60000));
  c.mongodb_query_timeout_s = 300; // a slow read must end with the server's time limit error
  EXPECT_EQ(mongo_pool_options(c).socket_timeout, milliseconds(310000));
  EXPECT_GT(mongo_pool_options(c).socket_timeout, mongo_query_timeout(c));
}

TEST(Wiring, MongoPoolOptionsKeepTheOtherDefaults) {
  const MongoPoolOptions defaults;
  const MongoPoolOptions o = mongo_pool_options(Config{});
  EXPECT_EQ(o.server_selection_timeout, defaults.server_selection_timeout);
  EXPECT_EQ(o.connect_timeout, defaults.connect_timeout);
  EXPECT_EQ(o.max_pool_size, defaults.max_pool_size);
  EXPECT_EQ(o.app_name, defaults.app_name);
}

} // namespace
} // namespace mm
