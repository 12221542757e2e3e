#include "adapters/slack/slack_notifier.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mm {
namespace {

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

struct WebhookAnswer {
  long status;
  const char* body;
  ErrorKind kind;
  const char* hint; // a piece of what-to-check
};

// Codes and statuses as Slack documents them
// (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks).
TEST(SlackWebhookError, NamesSlacksErrorAndWhatToCheck) {
  const WebhookAnswer cases[] = {
      {400, "invalid_payload", ErrorKind::internal, "bug in model-monitor"},
      {400, "no_text", ErrorKind::internal, "bug in model-monitor"},
      {400, "user_not_found", ErrorKind::config, "SLACK_CHANNEL"},
      {403, "action_prohibited", ErrorKind::config, "Slack admin"},
      {404, "channel_not_found", ErrorKind::config, "SLACK_CHANNEL"},
      {410, "channel_is_archived", ErrorKind::config, "unarchive"},
      {404, "no_service", ErrorKind::config, "update SLACK_WEBHOOK_URL"},
      {403, "invalid_token", ErrorKind::config, "update SLACK_WEBHOOK_URL"},
      {500, "rollup_error", ErrorKind::unavailable, "status.slack.com"},
      {503, "", ErrorKind::unavailable, "status.slack.com"},
      {429, "rate_limited", ErrorKind::unavailable, "one message per second"},
      {302, "", ErrorKind::config, "hooks.slack.com/services"},
      {404, "<html>Not Found</html>", ErrorKind::config, "update SLACK_WEBHOOK_URL"},
      {418, "teapot", ErrorKind::bad_response, "curl -X POST"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.status) + " " + c.body);
    const Error e = slack_webhook_error(c.status, c.body);
    EXPECT_EQ(e.kind, c.kind) << e.message;
    EXPECT_TRUE(contains(e.message, "HTTP " + std::to_string(c.status))) << e.message;
    EXPECT_TRUE(contains(e.message, c.body)) << e.message;
    EXPECT_TRUE(contains(e.message, c.hint)) << e.message;
    EXPECT_TRUE(contains(e.message, "SLACK_WEBHOOK_URL (set)")) << e.message;
  }
}

TEST(SlackWebhookError, BodyOnOneBoundedLine) {
  const Error e = slack_webhook_error(400, std::string(500, 'x') + "\r\nInjected: yes");
  EXPECT_FALSE(contains(e.message, "\n"));
  EXPECT_FALSE(contains(e.message, "Injected"));
  EXPECT_TRUE(contains(e.message, "..."));
}

TEST(ScrubWebhookUrl, RemovesTheUrlAndItsToken) {
  const std::string url = "https://hooks.slack.com/services/T0001/B0002/s3cr3tT0k3n";
  EXPECT_EQ(scrub_webhook_url("POST " + url + ": HTTP 500", url),
            "POST SLACK_WEBHOOK_URL (set): HTTP 500");
  const std::string scrubbed =
      scrub_webhook_url("GET /services/T0001/B0002/s3cr3tT0k3n failed", url);
  EXPECT_FALSE(contains(scrubbed, "s3cr3tT0k3n")) << scrubbed;
  // Userinfo form: mask_uri_credentials() shows "***" but the path would still leak.
  const std::string with_user = "https://u:p@hooks.slack.com/services/T/B/tok3n";
  EXPECT_FALSE(contains(
      scrub_webhook_url("POST https://***:***@hooks.slack.com/services/T/B/tok3n", with_user),
      "tok3n"));
  EXPECT_EQ(scrub_webhook_url("nothing secret", ""), "nothing secret");
}

TEST(MakeSlackNotifier, MissingUrlIsAConfigErrorNamingTheVariable) {
  auto n = make_slack_notifier(SlackSettings{});
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::config);
  EXPECT_TRUE(contains(n.error().message, "SLACK_WEBHOOK_URL is not set")) << n.error().message;
}

TEST(MakeSlackNotifier, MalformedUrlIsRefusedWithoutShowingIt) {
  SlackSettings s;
  s.webhook_url = "hooks.slack.com/services/T/B/s3cr3t";
  auto n = make_slack_notifier(s);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::config);
  EXPECT_TRUE(contains(n.error().message, "SLACK_WEBHOOK_URL (set)")) << n.error().message;
  EXPECT_FALSE(contains(n.error().message, "s3cr3t")) << n.error().message;
}

TEST(MakeSlackNotifier, AcceptsAWebhookUrl) {
  SlackSettings s;
  s.webhook_url = "https://hooks.slack.com/services/T/B/x";
  s.channel = "#ml-alerts";
  auto n = make_slack_notifier(s);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_STREQ((*n)->channel(), "slack");
}

TEST(SlackHttpOptions, BoundedRetriesAndTimeouts) {
  const HttpOptions o = slack_http_options();
  EXPECT_EQ(o.max_retries, 3);
  EXPECT_TRUE(o.verify_tls);
  EXPECT_LE(o.max_backoff_ms, 30000);
  EXPECT_LE(o.total_timeout_ms, 30000);
}

} // namespace
} // namespace mm
