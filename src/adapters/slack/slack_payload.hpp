#pragma once
// The message a retrain notification becomes in Slack: an incoming-webhook payload with a "text"
// fallback and Block Kit "blocks". Pure functions, so the exact JSON is unit-tested.
//
// Webhook payload (https://api.slack.com/messaging/webhooks): a JSON object with "text" and/or
// "blocks"; when blocks are present, "text" is the fallback shown in notifications. Block limits
// (https://api.slack.com/reference/block-kit/blocks): header text 150 characters (plain_text),
// section text 3000, at most 10 section fields of 2000 each, context at most 10 elements.

#include "ports/notifier.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace mm {

inline constexpr std::size_t k_slack_header_max = 150;
inline constexpr std::size_t k_slack_section_text_max = 3000;
inline constexpr std::size_t k_slack_field_text_max = 2000;

// Slack's three control characters in mrkdwn text: & → &amp;, < → &lt;, > → &gt;
// (https://api.slack.com/reference/surfaces/formatting#escaping). Without this, untrusted text
// (an error message, a decision rule) could render "<!channel>" as a mention or "<url|x>" as a
// disguised link.
std::string slack_escape(std::string_view text);

// The whole webhook body as JSON text. `channel` (SLACK_CHANNEL) is sent as "channel" when not
// empty: legacy custom-integration webhooks honour it; app webhooks ignore it and always post to
// the channel chosen when the webhook was created
// (https://api.slack.com/legacy/custom-integrations/messaging/webhooks).
// Invalid UTF-8 in the notification's strings is replaced by U+FFFD, never an exception.
std::string slack_payload(const RetrainNotification& notification, std::string_view channel);

// The one-line summary used as "text" fallback (already escaped):
//   "technical: retrain succeeded, model promoted (F1 0.7000 → 0.8300, +0.0300), run abc123"
//   "technical: retrain FAILED at training: <error, first line>"
std::string slack_fallback_text(const RetrainNotification& notification);

} // namespace mm
