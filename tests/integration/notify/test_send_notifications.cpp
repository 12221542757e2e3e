// send_notifications with the real channels: Slack failing never stops the email.

#include "adapters/slack/send_notifications.hpp"
#include "adapters/slack/slack_notifier.hpp"
#include "adapters/smtp/smtp_notifier.hpp"
#include "integration/notify/notify_fixture.hpp"
#include "unit/notify/notification_samples.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

class SendNotificationsTest : public test::NotifyTest {};

std::vector<std::unique_ptr<Notifier>> both_channels(const std::string& slack_url, int smtp_port) {
  SlackSettings slack;
  slack.webhook_url = slack_url;
  slack.http.backoff_factor = 0.05;
  slack.http.backoff_jitter = 0.0;
  SmtpSettings smtp;
  smtp.host = "127.0.0.1";
  smtp.port = smtp_port;
  smtp.recipients = {"ml-ops@example.com"};
  auto s = make_slack_notifier(slack);
  auto e = make_smtp_notifier(smtp);
  EXPECT_TRUE(s && e);
  std::vector<std::unique_ptr<Notifier>> out;
  out.push_back(std::move(s).value());
  out.push_back(std::move(e).value());
  return out;
}

TEST_F(SendNotificationsTest, SlackFailingWhileEmailSucceeds) {
  test::SlackStandin slack(dir(), "/services/T000/B000/XXXX");
  slack.control(R"({"mode": "http_500"})");
  test::SmtpSink sink(dir());
  const auto notifiers = both_channels(slack.webhook_url(), sink.port());

  const auto results = send_notifications(notifiers, test::failure_sample());
  ASSERT_EQ(results.size(), 2U);
  EXPECT_EQ(results[0].channel, "slack");
  ASSERT_FALSE(results[0].status);
  EXPECT_EQ(results[0].status.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(results[1].channel, "email");
  EXPECT_TRUE(results[1].status) << results[1].status.error().message;
  EXPECT_EQ(slack.records().size(), 4U);
  ASSERT_EQ(sink.messages().size(), 1U);
  EXPECT_EQ(test::parse_email(sink.messages()[0]).at("subject"),
            "[model-monitor] technical: retrain FAILED at training");
}

TEST_F(SendNotificationsTest, SlackUnreachableAndSmtpDownBothReported) {
  const auto notifiers =
      both_channels("http://127.0.0.1:" + std::to_string(test::free_local_port()) + "/x",
                    test::free_local_port());
  const auto results = send_notifications(notifiers, test::promoted_sample());
  ASSERT_EQ(results.size(), 2U);
  EXPECT_FALSE(results[0].status);
  EXPECT_FALSE(results[1].status);
  EXPECT_NE(results[1].status.error().message.find("SMTP_HOST/SMTP_PORT"), std::string::npos);
}

TEST_F(SendNotificationsTest, BothDeliver) {
  test::SlackStandin slack(dir(), "/services/T000/B000/XXXX");
  test::SmtpSink sink(dir());
  const auto notifiers = both_channels(slack.webhook_url(), sink.port());
  const auto results = send_notifications(notifiers, test::promoted_sample());
  ASSERT_EQ(results.size(), 2U);
  EXPECT_TRUE(results[0].status);
  EXPECT_TRUE(results[1].status);
  EXPECT_EQ(slack.records().size(), 1U);
  EXPECT_EQ(sink.messages().size(), 1U);
}

} // namespace
} // namespace mm
