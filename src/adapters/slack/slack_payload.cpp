#include "adapters/slack/slack_payload.hpp"

#include "core/time_format.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mm {

namespace {

using Json = nlohmann::ordered_json; // keys in insertion order: readable, stable payloads

constexpr std::string_view k_ellipsis = "\xE2\x80\xA6"; // U+2026

// The longest prefix of `s` of at most `max_bytes` bytes that does not cut a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) {
    return s;
  }
  std::size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0U) == 0x80U) {
    --end;
  }
  return s.substr(0, end);
}

// Escaped text that fits Slack's limit. Limits count characters; bytes are never fewer, so
// measuring bytes is safe. Truncation happens before escaping so no entity is cut in half.
std::string escape_fit(std::string_view text, std::size_t limit) {
  std::string escaped = slack_escape(text);
  if (escaped.size() <= limit) {
    return escaped;
  }
  // The longest raw prefix whose escaped form still leaves room for the ellipsis.
  const std::size_t room = limit - k_ellipsis.size();
  std::size_t raw = 0;
  std::size_t size = 0;
  for (; raw < text.size(); ++raw) {
    const char c = text[raw];
    const std::size_t grown = size + (c == '&' ? 5 : (c == '<' || c == '>') ? 4 : 1);
    if (grown > room) {
      break;
    }
    size = grown;
  }
  return slack_escape(utf8_prefix(text, raw)) + std::string(k_ellipsis);
}

std::string plain_fit(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return std::string(text);
  }
  return std::string(utf8_prefix(text, limit - k_ellipsis.size())) + std::string(k_ellipsis);
}

std::string first_line(std::string_view s) {
  const auto nl = s.find_first_of("\r\n");
  return std::string(s.substr(0, nl));
}

std::string f1_text(const RetrainNotification& n) {
  if (!n.f1_after) {
    return "n/a (the candidate logged no f1_score)";
  }
  if (!n.f1_before) {
    return fmt::format("{:.4f} (no production baseline)", *n.f1_after);
  }
  return fmt::format("{:.4f} \xE2\x86\x92 {:.4f} ({:+.4f})", *n.f1_before, *n.f1_after,
                     *n.f1_after - *n.f1_before);
}

// "F1 0.7000 → 0.8300, +0.1300" / "F1 0.8300, no baseline" / "no F1".
std::string f1_compact(const RetrainNotification& n) {
  if (!n.f1_after) {
    return "no F1";
  }
  if (!n.f1_before) {
    return fmt::format("F1 {:.4f}, no baseline", *n.f1_after);
  }
  return fmt::format("F1 {:.4f} \xE2\x86\x92 {:.4f}, {:+.4f}", *n.f1_before, *n.f1_after,
                     *n.f1_after - *n.f1_before);
}

Json mrkdwn(std::string text) {
  return Json{{"type", "mrkdwn"}, {"text", std::move(text)}};
}

// A "*Label*\nvalue" section field; `code` shows the value in monospace (IDs).
Json field(std::string_view label, std::string_view raw_value, bool code = false) {
  const std::size_t room = k_slack_field_text_max - label.size() - 8;
  std::string value = escape_fit(raw_value, room);
  if (code) {
    value = "`" + value + "`";
  }
  return mrkdwn(fmt::format("*{}*\n{}", label, value));
}

Json section_text(std::string_view label, std::string_view raw_value) {
  const std::size_t room = k_slack_section_text_max - label.size() - 5;
  return Json{{"type", "section"},
              {"text", mrkdwn(fmt::format("*{}*\n{}", label, escape_fit(raw_value, room)))}};
}

// A link in Slack's "<url|label>" syntax, only for a plain http(s) URL: a URL containing the
// syntax's own delimiters is shown as escaped text instead.
std::string link_or_text(std::string_view url, std::string_view label) {
  const bool plain = (url.starts_with("http://") || url.starts_with("https://")) &&
                     url.find_first_of("<>| \t\r\n") == std::string_view::npos;
  if (plain) {
    return fmt::format("<{}|{}>", slack_escape(url), label);
  }
  return slack_escape(url);
}

std::string header_text(const RetrainNotification& n) {
  std::string text;
  if (n.kind == RetrainNotification::Kind::failure) {
    text = fmt::format(":rotating_light: Retrain FAILED: {}", n.specialist_type);
  } else if (n.promoted) {
    text = fmt::format(":white_check_mark: Retrain succeeded: {} (promoted)", n.specialist_type);
  } else {
    text =
        fmt::format(":information_source: Retrain succeeded: {} (not promoted)", n.specialist_type);
  }
  return plain_fit(text, k_slack_header_max);
}

Json success_blocks(const RetrainNotification& n) {
  Json fields = Json::array();
  fields.push_back(field("Specialist", n.specialist_type));
  if (n.run_id.empty()) {
    fields.push_back(field("Run ID", "n/a"));
  } else {
    fields.push_back(field("Run ID", n.run_id, true));
  }
  fields.push_back(field("Promoted", n.promoted ? "yes" : "no"));
  fields.push_back(field("F1 before \xE2\x86\x92 after", f1_text(n)));
  if (!n.model_version.empty()) {
    fields.push_back(field("Model version", n.model_version));
  }
  Json blocks = Json::array();
  blocks.push_back(Json{{"type", "section"}, {"fields", std::move(fields)}});
  if (!n.decision.empty()) {
    blocks.push_back(section_text("Decision rule", n.decision));
  }
  return blocks;
}

Json failure_blocks(const RetrainNotification& n) {
  Json fields = Json::array();
  fields.push_back(field("Specialist", n.specialist_type));
  fields.push_back(field("Failed step", n.failed_step.empty() ? "unknown" : n.failed_step));
  if (!n.run_id.empty()) {
    fields.push_back(field("Run ID", n.run_id, true));
  }
  Json blocks = Json::array();
  blocks.push_back(Json{{"type", "section"}, {"fields", std::move(fields)}});
  blocks.push_back(section_text("Error", n.error.empty() ? "(no error message)" : n.error));
  blocks.push_back(
      section_text("What to do", n.what_to_do.empty()
                                     ? "Check the retrain job's logs (event retrain_failed) and "
                                       "the MLflow run, then rerun with --force once fixed."
                                     : n.what_to_do));
  return blocks;
}

} // namespace

std::string slack_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string slack_fallback_text(const RetrainNotification& n) {
  std::string text;
  if (n.kind == RetrainNotification::Kind::failure) {
    text = fmt::format("[model-monitor] {}: retrain FAILED at {}: {}", n.specialist_type,
                       n.failed_step.empty() ? "unknown step" : n.failed_step, first_line(n.error));
  } else {
    text = fmt::format("[model-monitor] {}: retrain succeeded, model {} ({})", n.specialist_type,
                       n.promoted ? "promoted" : "not promoted", f1_compact(n));
    if (!n.run_id.empty()) {
      text += ", run " + n.run_id;
    }
  }
  return escape_fit(text, k_slack_section_text_max);
}

std::string slack_payload(const RetrainNotification& n, std::string_view channel) {
  Json blocks = Json::array();
  blocks.push_back(
      Json{{"type", "header"},
           {"text", Json{{"type", "plain_text"}, {"text", header_text(n)}, {"emoji", true}}}});
  Json body = n.kind == RetrainNotification::Kind::failure ? failure_blocks(n) : success_blocks(n);
  for (auto& b : body) {
    blocks.push_back(std::move(b));
  }
  if (!n.mlflow_url.empty()) {
    blocks.push_back(Json{{"type", "section"},
                          {"text", mrkdwn(link_or_text(n.mlflow_url, "Open the run in MLflow"))}});
  }
  const std::string trigger = n.trigger.empty() ? "unknown" : n.trigger;
  blocks.push_back(Json{
      {"type", "context"},
      {"elements", Json::array({mrkdwn(fmt::format("model-monitor \xC2\xB7 {} \xC2\xB7 trigger: {}",
                                                   format_iso8601_utc(n.timestamp),
                                                   slack_escape(trigger)))})}});

  Json payload;
  payload["text"] = slack_fallback_text(n);
  payload["blocks"] = std::move(blocks);
  if (!channel.empty()) {
    payload["channel"] = std::string(channel);
  }
  // Invalid UTF-8 (a truncated error message) must not make dump() throw: replace it.
  return payload.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace mm
