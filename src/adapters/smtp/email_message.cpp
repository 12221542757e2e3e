#include "adapters/smtp/email_message.hpp"

#include "core/time_format.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>

namespace mm {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD
constexpr std::string_view k_arrow = "\xE2\x86\x92";       // U+2192 →
constexpr std::size_t k_header_line_max = 78;              // RFC 5322 §2.1.1 "SHOULD"
constexpr std::size_t k_qp_line_max = 76;                  // RFC 2045 §6.7 rule 5
constexpr std::size_t k_subject_max_bytes = 200;

// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629 §4 table), 0 if invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  const auto cont = [&](std::size_t k) { return k < s.size() && (byte(k) & 0xC0U) == 0x80U; };
  if (c < 0x80) {
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    return cont(i + 1) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) {
      return 0;
    }
    const unsigned char c1 = byte(i + 1);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) { // overlong, surrogates
      return 0;
    }
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) {
      return 0;
    }
    const unsigned char c1 = byte(i + 1);
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) { // overlong, > U+10FFFF
      return 0;
    }
    return 4;
  }
  return 0;
}

// The longest prefix of valid UTF-8 text `s` of at most max_bytes that ends on a character.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
  std::size_t end = 0;
  while (end < s.size()) {
    const std::size_t n = std::max<std::size_t>(1, utf8_sequence_length(s, end));
    if (end + n > max_bytes) {
      break;
    }
    end += n;
  }
  return s.substr(0, end);
}

bool is_atext(char c) {
  // RFC 5322 §3.2.3 atext: ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~".
  const auto u = static_cast<unsigned char>(c);
  if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-')) {
        return false;
      }
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

bool is_plain_header_text(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) {
      return false;
    }
  }
  return s.find("=?") == std::string_view::npos;
}

std::string base64(std::string_view bytes) {
  static constexpr std::string_view k_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16U) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8U) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += k_alphabet[(n >> 6U) & 63U];
    out += k_alphabet[n & 63U];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16U) |
                   (two ? static_cast<unsigned char>(bytes[i + 1]) << 8U : 0U);
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += two ? k_alphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

// Plain ASCII value folded at spaces (RFC 5322 §2.2.3: folding = CRLF before a WSP).
std::string fold_plain(std::string_view name, std::string_view value) {
  std::string out = std::string(name) + ":";
  std::size_t line_len = out.size();
  std::size_t pos = 0;
  while (pos <= value.size()) {
    const std::size_t space = value.find(' ', pos);
    const std::string_view word =
        value.substr(pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    if (line_len + 1 + word.size() > k_header_line_max && line_len > name.size() + 1) {
      out += "\r\n";
      line_len = 0;
    }
    out += ' ';
    out += word;
    line_len += 1 + word.size();
    if (space == std::string_view::npos) {
      break;
    }
    pos = space + 1;
  }
  return out + "\r\n";
}

// RFC 2047 encoded-words, one per line after the first.
std::string fold_encoded(std::string_view name, std::string_view value) {
  constexpr std::size_t k_word_overhead = 12; // "=?UTF-8?B?" + "?="
  std::string out = std::string(name) + ":";
  std::size_t prefix = out.size() + 1;
  while (!value.empty()) {
    // Base64 characters that fit on the line, as whole 4-character groups → raw bytes.
    const std::size_t b64_room =
        std::min<std::size_t>(k_header_line_max - prefix - k_word_overhead, 75 - k_word_overhead);
    std::string_view chunk = utf8_prefix(value, b64_room / 4 * 3);
    if (chunk.empty()) { // cannot happen with >= 4 bytes of room; never loop forever
      chunk = value.substr(0, 1);
    }
    out += " =?UTF-8?B?" + base64(chunk) + "?=";
    value.remove_prefix(chunk.size());
    if (!value.empty()) {
      out += "\r\n";
      prefix = 1;
    }
  }
  return out + "\r\n";
}

std::string message_id(std::string_view seed, std::string_view from) {
  std::string left;
  for (const char c : seed) {
    const char mapped = (is_atext(c) && c != '/' && c != '=' && c != '?') ? c : '-';
    left += mapped;
  }
  if (left.size() > 64) {
    left.resize(64);
  }
  if (left.empty()) {
    left = "model-monitor";
  }
  const auto at = from.rfind('@');
  const std::string_view domain = at == std::string_view::npos ? "" : from.substr(at + 1);
  return fmt::format("<{}@{}>", left,
                     is_valid_domain(domain) ? domain : std::string_view("model-monitor.invalid"));
}

std::string f1_short(const RetrainNotification& n) {
  if (!n.f1_after) {
    return "";
  }
  if (!n.f1_before) {
    return fmt::format(" (F1 {:.2f}, no baseline)", *n.f1_after);
  }
  return fmt::format(" (F1 {:.2f} {} {:.2f})", *n.f1_before, k_arrow, *n.f1_after);
}

std::string f1_long(const RetrainNotification& n) {
  if (!n.f1_after) {
    return "n/a (the candidate logged no f1_score)";
  }
  if (!n.f1_before) {
    return fmt::format("{:.4f} (no production baseline)", *n.f1_after);
  }
  return fmt::format("{:.4f} {} {:.4f} ({:+.4f})", *n.f1_before, k_arrow, *n.f1_after,
                     *n.f1_after - *n.f1_before);
}

void add_row(std::string& out, std::string_view label, std::string_view value) {
  if (!value.empty()) {
    out += fmt::format("{:<15}{}\n", std::string(label) + ":", value);
  }
}

} // namespace

std::string format_rfc5322_date(TimePoint t) {
  using namespace std::chrono;
  static constexpr std::array<std::string_view, 7> k_days{"Sun", "Mon", "Tue", "Wed",
                                                          "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> k_months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto secs = floor<seconds>(t);
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day ymd{days};
  const weekday wd{days};
  const hh_mm_ss hms{secs - days};
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", k_days[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()),
                     k_months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += k_replacement;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string header_safe(std::string_view text) {
  std::string out = sanitize_utf8(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      c = ' ';
    }
  }
  return out;
}

std::string encode_unstructured_header(std::string_view name, std::string_view value) {
  const std::string safe = header_safe(value);
  return is_plain_header_text(safe) ? fold_plain(name, safe) : fold_encoded(name, safe);
}

std::string quoted_printable(std::string_view text) {
  static constexpr std::string_view k_hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 11 / 10 + 2);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) {
      eol = text.size();
    }
    const std::string_view line = text.substr(pos, eol - pos);
    std::size_t line_len = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto u = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      std::string token;
      // Rule 2: printable ASCII but "=" as itself; rule 3: SP/TAB too, except at the end of a
      // line, where a transport could strip them.
      if ((u >= 33 && u <= 126 && u != '=') || ((u == ' ' || u == '\t') && !last)) {
        token = static_cast<char>(u);
      } else {
        token = {'=', k_hex[u >> 4U], k_hex[u & 0x0FU]};
      }
      if (line_len + token.size() > k_qp_line_max - 1) { // room for the soft break's "="
        out += "=\r\n";
        line_len = 0;
      }
      out += token;
      line_len += token.size();
    }
    out += "\r\n";
    if (eol >= text.size()) {
      break;
    }
    pos = eol + ((text[eol] == '\r' && eol + 1 < text.size() && text[eol + 1] == '\n') ? 2 : 1);
    if (pos == text.size()) {
      break; // the text ended with a line break: no empty line after it
    }
  }
  return out;
}

bool is_valid_email_address(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) {
    return false;
  }
  const std::string_view local = address.substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  for (const char c : local) {
    if (!is_atext(c) && c != '.') {
      return false;
    }
  }
  return is_valid_domain(address.substr(at + 1));
}

std::string default_email_from(std::string_view smtp_user, std::string_view hostname) {
  if (is_valid_email_address(smtp_user)) {
    return std::string(smtp_user);
  }
  return "model-monitor@" +
         std::string(is_valid_domain(hostname) ? hostname : std::string_view("localhost"));
}

std::string email_subject(const RetrainNotification& n) {
  std::string subject;
  if (n.kind == RetrainNotification::Kind::failure) {
    subject = fmt::format("[model-monitor] {}: retrain FAILED at {}", n.specialist_type,
                          n.failed_step.empty() ? "an unknown step" : n.failed_step);
  } else {
    subject = fmt::format("[model-monitor] {}: retrain succeeded, model {}{}", n.specialist_type,
                          n.promoted ? "promoted" : "not promoted", f1_short(n));
  }
  subject = header_safe(subject);
  if (subject.size() > k_subject_max_bytes) {
    subject = std::string(utf8_prefix(subject, k_subject_max_bytes - 3)) + "...";
  }
  return subject;
}

std::string email_body(const RetrainNotification& n) {
  std::string out;
  const bool failed = n.kind == RetrainNotification::Kind::failure;
  if (failed) {
    out += fmt::format("The retrain of specialist \"{}\" FAILED at step \"{}\".\n\n",
                       n.specialist_type, n.failed_step.empty() ? "unknown" : n.failed_step);
    out += "Error:\n" + (n.error.empty() ? std::string("(no error message)") : n.error) + "\n\n";
    out += "What to do:\n" +
           (n.what_to_do.empty() ? std::string("Check the retrain job's logs (event "
                                               "retrain_failed) and the MLflow run, then rerun "
                                               "with --force once fixed.")
                                 : n.what_to_do) +
           "\n\n";
  } else {
    out += fmt::format("The retrain of specialist \"{}\" succeeded; {}\n\n", n.specialist_type,
                       n.promoted ? "the candidate was promoted to production."
                                  : "the candidate was NOT promoted: production is unchanged.");
  }
  add_row(out, "Specialist", n.specialist_type);
  add_row(out, "Run ID", n.run_id);
  if (!failed) {
    add_row(out, "Model version", n.model_version);
    add_row(out, "Promoted", n.promoted ? "yes" : "no");
    add_row(out, "F1", f1_long(n));
    add_row(out, "Decision rule", n.decision);
  }
  add_row(out, "MLflow run", n.mlflow_url);
  add_row(out, "Trigger", n.trigger.empty() ? "unknown" : n.trigger);
  add_row(out, "Time (UTC)", format_iso8601_utc(n.timestamp));
  out += "\n-- \nSent by model-monitor after a retrain.\n";
  return sanitize_utf8(out);
}

std::string build_email(const RetrainNotification& notification, std::string_view from,
                        const std::vector<std::string>& recipients,
                        std::string_view message_id_seed, TimePoint date) {
  const std::string safe_from = header_safe(from);
  std::string to;
  std::size_t line_len = 3; // "To:"
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    const std::string addr = header_safe(recipients[i]);
    const std::string piece = (i + 1 < recipients.size()) ? addr + "," : addr;
    if (i > 0 && line_len + 1 + piece.size() > k_header_line_max) {
      to += "\r\n";
      line_len = 0;
    }
    to += " " + piece;
    line_len += 1 + piece.size();
  }

  std::string msg;
  msg += "Date: " + format_rfc5322_date(date) + "\r\n";
  msg += "From: model-monitor <" + safe_from + ">\r\n";
  msg += "To:" + to + "\r\n";
  msg += encode_unstructured_header("Subject", email_subject(notification));
  msg += "Message-ID: " + message_id(message_id_seed, safe_from) + "\r\n";
  msg += "MIME-Version: 1.0\r\n";
  msg += "Content-Type: text/plain; charset=utf-8\r\n";
  msg += "Content-Transfer-Encoding: quoted-printable\r\n";
  msg += "Auto-Submitted: auto-generated\r\n";
  msg += "\r\n";
  msg += quoted_printable(email_body(notification));
  return msg;
}

} // namespace mm
