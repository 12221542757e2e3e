#include "adapters/slack/slack_notifier.hpp"

#include "adapters/slack/slack_payload.hpp"
#include "core/redact.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace mm {

namespace {

// The spec's own troubleshooting step (model-monitoring-spec.md, "Notification Delivery
// Failures"), so the operator can tell our problem from the webhook's.
constexpr std::string_view k_manual_test =
    "test it by hand: curl -X POST -H 'Content-Type: application/json' -d '{\"text\":\"Test\"}' "
    "\"$SLACK_WEBHOOK_URL\"";

struct KnownSlackError {
  std::string_view code;
  ErrorKind kind;
  std::string_view what_to_check;
};

constexpr std::string_view k_payload_bug =
    "Slack could not use the message model-monitor built; this is a bug in model-monitor, "
    "report it with this log line";
constexpr std::string_view k_webhook_gone =
    "the webhook is disabled, revoked or mistyped; create a new incoming webhook for the channel "
    "and update SLACK_WEBHOOK_URL in the Secret";

constexpr std::array<KnownSlackError, 14> k_known_errors{{
    {"invalid_payload", ErrorKind::internal, k_payload_bug},
    {"no_text", ErrorKind::internal, k_payload_bug},
    {"missing_text_or_fallback_or_attachments", ErrorKind::internal, k_payload_bug},
    {"invalid_blocks", ErrorKind::internal, k_payload_bug},
    {"invalid_blocks_format", ErrorKind::internal, k_payload_bug},
    {"user_not_found", ErrorKind::config,
     "the user named in SLACK_CHANNEL (@user) does not exist; fix SLACK_CHANNEL"},
    {"action_prohibited", ErrorKind::config,
     "the workspace restricts what this webhook may post; ask a Slack admin to check the app's "
     "permissions and the channel's posting rules"},
    {"channel_not_found", ErrorKind::config,
     "the channel does not exist: check SLACK_CHANNEL (honoured by legacy webhooks only) and that "
     "the channel the webhook was created for still exists"},
    {"channel_is_archived", ErrorKind::config,
     "the channel is archived: unarchive it, or create a webhook for another channel and update "
     "SLACK_WEBHOOK_URL"},
    {"invalid_token", ErrorKind::config, k_webhook_gone},
    {"no_service", ErrorKind::config, k_webhook_gone},
    {"no_service_id", ErrorKind::config, k_webhook_gone},
    {"no_team", ErrorKind::config, k_webhook_gone},
    {"team_disabled", ErrorKind::config, "the Slack workspace is disabled"},
}};

// The start of a body on one printable line.
std::string one_line(std::string_view body) {
  constexpr std::size_t k_max = 200;
  std::string out;
  for (const char c : body.substr(0, k_max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  if (body.size() > k_max) {
    out += "...";
  }
  return out;
}

std::string_view url_path(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return {};
  }
  const auto slash = url.find('/', scheme_end + 3);
  return slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) {
    return;
  }
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

} // namespace

HttpOptions slack_http_options() {
  HttpOptions o;
  o.connect_timeout_ms = 10000;
  o.total_timeout_ms = 15000; // Slack answers a webhook in well under a second
  o.max_retries = 3;
  o.backoff_factor = 1.0; // 0 s, 2 s, 4 s (+ jitter): urllib3's schedule, shorter
  o.backoff_jitter = 0.5;
  o.max_backoff_ms = 30000; // also caps a Retry-After
  o.max_body_bytes = 64U * 1024U;
  return o;
}

Error slack_webhook_error(long status, std::string_view body) {
  const std::string answer = one_line(body);
  const std::string head = fmt::format("Slack webhook ({}) answered HTTP {}{}{}", k_slack_url_mask,
                                       status, answer.empty() ? "" : ": ", answer);
  for (const auto& known : k_known_errors) {
    // Slack's body is the bare code ("channel_not_found"); accept it with surrounding spaces.
    if (answer == known.code) {
      return {known.kind, fmt::format("{}; {}", head, known.what_to_check)};
    }
  }
  if (answer == "rollup_error" || status >= 500) {
    return Error::unavailable(fmt::format(
        "{}; an error inside Slack, likely not ours: retry later, see https://status.slack.com",
        head));
  }
  if (status == 429) {
    return Error::unavailable(fmt::format(
        "{}; rate limited: Slack accepts about one message per second per webhook", head));
  }
  if (status >= 300 && status < 400) {
    return Error::config(fmt::format(
        "{}; a redirect: SLACK_WEBHOOK_URL should be the https://hooks.slack.com/services/... URL "
        "Slack showed when the webhook was created",
        head));
  }
  if (status == 401 || status == 403 || status == 404 || status == 410) {
    return Error::config(fmt::format("{}; {}; {}", head, k_webhook_gone, k_manual_test));
  }
  return Error::bad_response(fmt::format("{}; {}", head, k_manual_test));
}

std::string scrub_webhook_url(std::string text, std::string_view webhook_url) {
  if (webhook_url.empty()) {
    return text;
  }
  replace_all(text, webhook_url, k_slack_url_mask);
  replace_all(text, mask_uri_credentials(webhook_url), k_slack_url_mask);
  // The path carries the token (/services/T.../B.../secret); "/" alone is no secret.
  const std::string_view path = url_path(webhook_url);
  if (path.size() > 1) {
    replace_all(text, path, "/(SLACK_WEBHOOK_URL path)");
  }
  return text;
}

SlackNotifier::SlackNotifier(SlackSettings settings, RetryHooks hooks)
    : m_settings(std::move(settings)), m_http(m_settings.http, std::move(hooks)) {}

Status SlackNotifier::notify(const RetrainNotification& notification) {
  HttpRequest request = HttpRequest::post_json(
      m_settings.webhook_url, slack_payload(notification, m_settings.channel),
      /*idempotent=*/true); // see slack_http_options(): a duplicate beats a lost message
  Result<HttpResponse> response = m_http.send(request);
  if (!response) {
    Error e = std::move(response).error();
    e.message = fmt::format(
        "Slack notification for '{}' not delivered: {}; check the network path to Slack "
        "(proxy, firewall, network policies) and SLACK_WEBHOOK_URL; {}",
        notification.specialist_type, scrub_webhook_url(e.message, m_settings.webhook_url),
        k_manual_test);
    return e;
  }
  if (response->is_success()) {
    // Slack answers 200 "ok"; any 2xx means the message was accepted (Slack's changelog:
    // "interpret a HTTP 200 response as success and any other response code as a failure").
    return ok_status();
  }
  Error e = slack_webhook_error(response->status, response->body);
  e.message =
      fmt::format("Slack notification for '{}' not delivered: {}", notification.specialist_type,
                  scrub_webhook_url(e.message, m_settings.webhook_url));
  return e;
}

Result<std::unique_ptr<SlackNotifier>> make_slack_notifier(SlackSettings settings,
                                                           RetryHooks hooks) {
  if (settings.webhook_url.empty()) {
    return Error::config(
        "NOTIFICATION_CHANNELS includes slack but SLACK_WEBHOOK_URL is not set; create an "
        "incoming webhook (https://api.slack.com/messaging/webhooks) and set SLACK_WEBHOOK_URL, "
        "or remove slack from NOTIFICATION_CHANNELS");
  }
  const std::string_view url = settings.webhook_url;
  if (!(url.starts_with("https://") || url.starts_with("http://")) ||
      url.find_first_of(" \t\r\n") != std::string_view::npos) {
    return Error::config(fmt::format("{} is not an https:// URL; it should look like "
                                     "https://hooks.slack.com/services/T.../B.../...",
                                     k_slack_url_mask));
  }
  return std::make_unique<SlackNotifier>(std::move(settings), std::move(hooks));
}

} // namespace mm
