// Parsing GET /api/v1/status of the Pushgateway, and when its consistency check is worth a
// warning. The sample is what Debian's prometheus-pushgateway 1.5.1 answers (flags abridged).
#include "adapters/pushgateway/pushgateway_status.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mm {
namespace {

std::string status_body(const std::string& flag_value) {
  return R"({"status":"success","data":{"build_information":{"branch":"debian/sid",)"
         R"("buildDate":"20230409-10:14:32","goVersion":"go1.19.8","revision":"1.5.1-2+b5",)"
         R"("version":"1.5.1"},"flags":{"log.format":"logfmt","persistence.file":"",)"
         R"("push.disable-consistency-check":")" +
         flag_value +
         R"(","web.listen-address":"127.0.0.1:19091"},"start_time":"2026-12-03T00:20:54Z"}})";
}

TEST(PushgatewayStatus, DefaultFlagMeansTheConsistencyCheckIsOn) {
  auto s = parse_pushgateway_status(status_body("false"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->consistency_check);
  EXPECT_EQ(s->version, "1.5.1");
}

TEST(PushgatewayStatus, DisabledFlagMeansNoConsistencyCheck) {
  auto s = parse_pushgateway_status(status_body("true"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE(s->consistency_check);
}

TEST(PushgatewayStatus, VersionIsOptional) {
  auto s = parse_pushgateway_status(
      R"({"status":"success","data":{"flags":{"push.disable-consistency-check":"false"}}})");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->consistency_check);
  EXPECT_EQ(s->version, "");
}

TEST(PushgatewayStatus, AnythingElseIsABadResponseNamingWhatIsMissing) {
  const struct {
    const char* body;
    const char* says;
  } cases[] = {
      {"", "not a JSON object"},
      {"<html>404 page not found</html>", "not a JSON object"},
      {"[1, 2]", "not a JSON object"},
      {R"({"status":"error","data":{}})", "\"status\": \"success\""},
      {R"({"data":{"flags":{}}})", "\"status\": \"success\""},
      {R"({"status":"success"})", "no \"data\" object"},
      {R"({"status":"success","data":[]})", "no \"data\" object"},
      {R"({"status":"success","data":{}})", "no \"data.flags\" object"},
      {R"({"status":"success","data":{"flags":{}}})", "push.disable-consistency-check"},
      {R"({"status":"success","data":{"flags":{"push.disable-consistency-check":true}}})",
       "push.disable-consistency-check"},
      {R"({"status":"success","data":{"flags":{"push.disable-consistency-check":"yes"}}})",
       "push.disable-consistency-check"},
  };
  for (const auto& c : cases) {
    auto s = parse_pushgateway_status(c.body);
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(s.error().kind, ErrorKind::bad_response) << c.body;
    EXPECT_NE(s.error().message.find(c.says), std::string::npos)
        << c.body << " -> " << s.error().message;
  }
}

TEST(PushgatewayStatus, CostlyFromTheThresholdOnAndOnlyWithTheCheckOn) {
  PushgatewayStatus on;
  on.consistency_check = true;
  PushgatewayStatus off;
  off.consistency_check = false;
  const std::size_t at = k_costly_consistency_check_groups;
  EXPECT_FALSE(consistency_check_is_costly(at - 1, on));
  EXPECT_TRUE(consistency_check_is_costly(at, on));
  EXPECT_TRUE(consistency_check_is_costly(at + 1, on));
  EXPECT_TRUE(consistency_check_is_costly(100000, on));
  EXPECT_FALSE(consistency_check_is_costly(0, on));
  EXPECT_FALSE(consistency_check_is_costly(at, off));
  EXPECT_FALSE(consistency_check_is_costly(100000, off));
}

} // namespace
} // namespace mm
