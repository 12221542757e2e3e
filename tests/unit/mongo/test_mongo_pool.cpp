// MongoPool::create parses and validates without connecting, so these need no server.
#include "adapters/mongo/mongo_pool.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

using namespace std::chrono_literals;

TEST(MongoPoolCreate, InvalidUriIsAConfigErrorNamingMongodbUriWithoutThePassword) {
  for (const char* uri : {"http://admin:Sup3rS3cret@db:27017/", "mongodb://admin:Sup3rS3cret@",
                          "mongodb://admin:Sup3rS3cret@db:notaport/",
                          "mongodb://admin:Sup3rS3cret@db/?serverSelectionTimeoutMS=abc&tls=maybe",
                          "definitely not a uri"}) {
    auto pool = MongoPool::create(uri);
    ASSERT_FALSE(pool.ok()) << uri;
    EXPECT_EQ(pool.error().kind, ErrorKind::config) << uri;
    EXPECT_NE(pool.error().message.find("MONGODB_URI"), std::string::npos) << pool.error().message;
    EXPECT_EQ(pool.error().message.find("Sup3rS3cret"), std::string::npos) << pool.error().message;
  }
}

TEST(MongoPoolCreate, EmptyUriIsAConfigError) {
  auto pool = MongoPool::create("");
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().kind, ErrorKind::config);
  EXPECT_NE(pool.error().message.find("MONGODB_URI"), std::string::npos);
}

TEST(MongoPoolCreate, ValidUriNeedsNoServerAndIsMasked) {
  // Port 1 on loopback: nothing listens, and create() must not try.
  auto pool = MongoPool::create("mongodb://app:Sup3rS3cret@127.0.0.1:1/neural_hive");
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  EXPECT_EQ((*pool)->masked_uri(), "mongodb://***:***@127.0.0.1:1/neural_hive");
  EXPECT_EQ((*pool)->socket_timeout(), 60s);
}

TEST(MongoPoolCreate, UriOptionsWinOverDefaults) {
  auto pool = MongoPool::create("mongodb://127.0.0.1:1/?socketTimeoutMS=1234");
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  EXPECT_EQ((*pool)->socket_timeout(), 1234ms);
}

TEST(MongoPoolCreate, RejectsNonsensicalOptions) {
  MongoPoolOptions options;
  options.connect_timeout = 0ms;
  auto pool = MongoPool::create("mongodb://127.0.0.1:1/", options);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().kind, ErrorKind::config);
  EXPECT_NE(pool.error().message.find("connectTimeoutMS"), std::string::npos);

  options = {};
  options.max_pool_size = 0;
  pool = MongoPool::create("mongodb://127.0.0.1:1/", options);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().kind, ErrorKind::config);
}

} // namespace
} // namespace mm
