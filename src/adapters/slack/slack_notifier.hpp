#pragma once
// Notifier over a Slack incoming webhook (https://api.slack.com/messaging/webhooks): one POST of
// the JSON payload built by slack_payload(); Slack answers 200 "ok" or an error string.
//
// The webhook URL is a secret (anyone holding it can post to the channel): it never appears in an
// error or log, not even redacted, since mask_uri_credentials() masks userinfo and query parameters
// but the token is the URL's path. Messages say "SLACK_WEBHOOK_URL (set)" instead.

#include "adapters/http/http_client.hpp"
#include "ports/notifier.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace mm {

inline constexpr const char* k_slack_url_mask = "SLACK_WEBHOOK_URL (set)";

// Timeouts and retries for the webhook.
// Retries: 429 (honouring Retry-After, capped at max_backoff_ms), 408/5xx and connection
// failures, at most 3 retries. The request is marked idempotent although a webhook POST is not:
// Slack has no idempotency key, so a retry after a 5xx or a read timeout may post the message
// twice. We accept that deliberately: a retrain notification is sent once per specialist per
// retrain (at most every RETRAINING_COOLDOWN_HOURS), a duplicate is a small annoyance, and a lost
// one hides a failed retrain or a promotion from the people who must act on it. A 429 is always
// safe to retry (Slack rejected the message; https://api.slack.com/docs/rate-limits: "a
// Retry-After header containing the number of seconds until you can retry").
HttpOptions slack_http_options();

struct SlackSettings {
  std::string webhook_url; // SLACK_WEBHOOK_URL (secret)
  std::string channel;     // SLACK_CHANNEL; empty: the webhook's own channel
  HttpOptions http = slack_http_options();
};

// The error for a webhook answer that is not 2xx, naming Slack's error string and what to check.
// Codes from https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
// (400 invalid_payload / user_not_found, 403 action_prohibited, 404 channel_not_found,
// 410 channel_is_archived, 500 rollup_error); 404 no_service is what a disabled or revoked
// webhook answers (slackapi/slack-github-action#249); no_text, invalid_blocks, invalid_token,
// no_team, team_disabled are further strings Slack uses. Any other answer is still reported
// with its status and body. Pure; never contains the webhook URL (it does not know it).
Error slack_webhook_error(long status, std::string_view body);

// `text` with every occurrence of the webhook URL, its redacted form and its path (the token)
// replaced by k_slack_url_mask.
std::string scrub_webhook_url(std::string text, std::string_view webhook_url);

class SlackNotifier : public Notifier {
public:
  // Use make_slack_notifier(), which validates the settings first.
  SlackNotifier(SlackSettings settings, RetryHooks hooks);

  const char* channel() const noexcept override { return "slack"; }
  Status notify(const RetrainNotification& notification) override;

  // HTTP attempts made by the last notify() (1 + retries).
  int last_attempts() const noexcept { return m_http.last_attempts(); }

private:
  SlackSettings m_settings;
  HttpClient m_http;
};

// Error::config naming SLACK_WEBHOOK_URL when it is empty or not an http(s):// URL (the value is
// never shown). http:// is accepted for local stand-ins; Slack itself only serves https.
Result<std::unique_ptr<SlackNotifier>> make_slack_notifier(SlackSettings settings,
                                                           RetryHooks hooks = {});

} // namespace mm
