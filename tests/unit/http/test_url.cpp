#include "adapters/http/url.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(PercentEncode, KeepsUnreservedOnly) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b&c=d/e?f#g+h%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
  EXPECT_EQ(percent_encode("técnico"), "t%C3%A9cnico");
  EXPECT_EQ(percent_encode(std::string_view("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(QueryString, EncodesBothSidesInOrder) {
  EXPECT_EQ(query_string({{"name", "technical-specialist"}, {"alias", "production"}}),
            "name=technical-specialist&alias=production");
  EXPECT_EQ(query_string({{"filter", "name LIKE '%x'"}}), "filter=name%20LIKE%20%27%25x%27");
  EXPECT_EQ(query_string({}), "");
}

TEST(JoinUrl, OneSlash) {
  EXPECT_EQ(join_url("http://h:5000", "/api/x"), "http://h:5000/api/x");
  EXPECT_EQ(join_url("http://h:5000/", "/api/x"), "http://h:5000/api/x");
  EXPECT_EQ(join_url("http://h/mlflow//", "api/x"), "http://h/mlflow/api/x");
  EXPECT_EQ(join_url("http://h", ""), "http://h");
}

} // namespace
} // namespace mm
