// SlackNotifier against scripts/slack_standin.py: what arrives, and how failures are reported.

#include "adapters/slack/slack_notifier.hpp"
#include "adapters/slack/slack_payload.hpp"
#include "integration/notify/notify_fixture.hpp"
#include "unit/notify/notification_samples.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace mm {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A distinctive token so that "the secret is not in the message" is a meaningful check.
constexpr const char* k_secret_path = "/services/T000/B000/s3cr3tT0k3nXYZ";
constexpr const char* k_token = "s3cr3tT0k3nXYZ";

class SlackWebhookTest : public test::NotifyTest {
protected:
  // Fast retries (the policy is slack_http_options()'s; only the waits are shorter).
  static SlackSettings settings_for(const std::string& url) {
    SlackSettings s;
    s.webhook_url = url;
    s.channel = "#ml-alerts";
    s.http.backoff_factor = 0.05;
    s.http.backoff_jitter = 0.0;
    return s;
  }
  static std::unique_ptr<SlackNotifier> notifier(SlackSettings s, RetryHooks hooks = {}) {
    auto n = make_slack_notifier(std::move(s), std::move(hooks));
    EXPECT_TRUE(n) << n.error().message;
    return n ? std::move(n).value() : nullptr;
  }
  static void expect_no_secret(const std::string& message) {
    EXPECT_EQ(message.find(k_token), std::string::npos) << message;
    EXPECT_EQ(message.find("/services/"), std::string::npos) << message;
    EXPECT_NE(message.find("SLACK_WEBHOOK_URL"), std::string::npos) << message;
  }
};

TEST_F(SlackWebhookTest, PayloadArrivesAsBuiltAndSlackSaysOk) {
  test::SlackStandin slack(dir(), k_secret_path);
  auto n = notifier(settings_for(slack.webhook_url()));
  ASSERT_TRUE(n);
  const RetrainNotification sample = test::promoted_sample();
  const Status st = n->notify(sample);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(n->last_attempts(), 1);

  const auto records = slack.records();
  ASSERT_EQ(records.size(), 1U);
  const json& r = records[0];
  EXPECT_EQ(r.at("path"), k_secret_path);
  EXPECT_EQ(r.at("status"), 200);
  EXPECT_EQ(r.at("response"), "ok");
  EXPECT_EQ(r.at("headers").at("Content-Type"), "application/json");
  EXPECT_EQ(r.at("headers").at("User-Agent"), "model-monitor");
  const json body = json::parse(r.at("body").get<std::string>());
  EXPECT_EQ(body, json::parse(slack_payload(sample, "#ml-alerts")));
  EXPECT_EQ(body.at("channel"), "#ml-alerts");
  EXPECT_EQ(body.at("blocks")[0].at("type"), "header");
  EXPECT_NE(body.at("text").get<std::string>().find("model promoted"), std::string::npos);
}

TEST_F(SlackWebhookTest, FailureNotificationPassesSlacksBlockValidation) {
  test::SlackStandin slack(dir(), k_secret_path);
  auto n = notifier(settings_for(slack.webhook_url()));
  ASSERT_TRUE(n);
  RetrainNotification sample = test::failure_sample();
  sample.error = std::string(10000, 'e') + " <!channel> & more"; // cut to Block Kit's limits
  const Status st = n->notify(sample);
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(slack.records().size(), 1U);
  EXPECT_EQ(slack.records()[0].at("response"), "ok");
}

TEST_F(SlackWebhookTest, ServerErrorsAreRetriedThenReportedWithoutTheSecret) {
  test::SlackStandin slack(dir(), k_secret_path);
  slack.control(R"({"mode": "http_500"})");
  auto n = notifier(settings_for(slack.webhook_url()));
  ASSERT_TRUE(n);
  const Status st = n->notify(test::failure_sample());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::unavailable);
  const std::string& m = st.error().message;
  EXPECT_NE(m.find("HTTP 500"), std::string::npos) << m;
  EXPECT_NE(m.find("rollup_error"), std::string::npos) << m;
  EXPECT_NE(m.find("after 4 attempts"), std::string::npos) << m;
  EXPECT_NE(m.find("'technical'"), std::string::npos) << m;
  expect_no_secret(m);
  EXPECT_EQ(n->last_attempts(), 4);
  EXPECT_EQ(slack.records().size(), 4U); // 1 + slack_http_options().max_retries
}

TEST_F(SlackWebhookTest, RateLimitHonoursRetryAfterThenDelivers) {
  test::SlackStandin slack(dir(), k_secret_path);
  slack.control(R"({"mode": "http_429", "count": 1, "retry_after": 1})");
  auto n = notifier(settings_for(slack.webhook_url()));
  ASSERT_TRUE(n);
  const auto start = std::chrono::steady_clock::now();
  const Status st = n->notify(test::promoted_sample());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_GE(elapsed, 1s) << "Retry-After: 1 was not waited for";
  EXPECT_LT(elapsed, 10s);
  const auto records = slack.records();
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].at("status"), 429);
  EXPECT_EQ(records[1].at("status"), 200);
  EXPECT_EQ(records[0].at("body"), records[1].at("body")); // the same message, re-sent
}

TEST_F(SlackWebhookTest, PersistentRateLimitWaitsRetryAfterEachTimeThenFails) {
  test::SlackStandin slack(dir(), k_secret_path);
  slack.control(R"({"mode": "http_429", "retry_after": 7})");
  std::vector<Millis> waits;
  RetryHooks hooks;
  hooks.sleep = [&waits](Millis d) { waits.push_back(d); }; // record instead of sleeping
  auto n = notifier(settings_for(slack.webhook_url()), hooks);
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::unavailable);
  EXPECT_NE(st.error().message.find("HTTP 429"), std::string::npos) << st.error().message;
  expect_no_secret(st.error().message);
  EXPECT_EQ(waits, (std::vector<Millis>{7000ms, 7000ms, 7000ms}));
  EXPECT_EQ(slack.records().size(), 4U);
}

TEST_F(SlackWebhookTest, SlackErrorStringsAreNamedAndNotRetried) {
  struct Case {
    const char* mode;
    const char* code;
    ErrorKind kind;
    const char* hint;
  };
  const Case cases[] = {
      {"channel_not_found", "channel_not_found", ErrorKind::config, "SLACK_CHANNEL"},
      {"channel_is_archived", "channel_is_archived", ErrorKind::config, "unarchive"},
      {"action_prohibited", "action_prohibited", ErrorKind::config, "Slack admin"},
      {"invalid_payload", "invalid_payload", ErrorKind::internal, "bug in model-monitor"},
  };
  test::SlackStandin slack(dir(), k_secret_path);
  auto n = notifier(settings_for(slack.webhook_url()));
  ASSERT_TRUE(n);
  std::size_t expected_records = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.mode);
    slack.control(std::string(R"({"mode": ")") + c.mode + R"(", "count": 1})");
    const Status st = n->notify(test::promoted_sample());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, c.kind);
    EXPECT_NE(st.error().message.find(c.code), std::string::npos) << st.error().message;
    EXPECT_NE(st.error().message.find(c.hint), std::string::npos) << st.error().message;
    expect_no_secret(st.error().message);
    EXPECT_EQ(n->last_attempts(), 1);
    EXPECT_EQ(slack.records().size(), ++expected_records);
  }
}

TEST_F(SlackWebhookTest, RevokedWebhookSaysToReplaceTheUrl) {
  test::SlackStandin slack(dir(), "/services/T000/B000/the-current-one");
  // A webhook URL the "workspace" no longer knows: 404 no_service.
  auto n = notifier(settings_for(slack.base_url() + k_secret_path));
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::config);
  EXPECT_NE(st.error().message.find("no_service"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("update SLACK_WEBHOOK_URL"), std::string::npos);
  expect_no_secret(st.error().message);
}

TEST_F(SlackWebhookTest, UnreachableSlackIsRetriedThenReportedWithoutTheSecret) {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(test::free_local_port()) + k_secret_path;
  auto n = notifier(settings_for(url));
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::unavailable);
  EXPECT_NE(st.error().message.find("cannot connect"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("curl -X POST"), std::string::npos) << st.error().message;
  expect_no_secret(st.error().message);
  EXPECT_EQ(n->last_attempts(), 4); // a refused connection proves nothing was posted
}

} // namespace
} // namespace mm
