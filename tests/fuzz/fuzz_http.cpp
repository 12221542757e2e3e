// libFuzzer target: outside text the HTTP layer reads or prints (adapters/http, core/redact).
// The input is newline-separated fields:
//   0  a Retry-After header value → parse_retry_after (retry_policy.hpp) and decide_retry
//   1  scheme, 2 user, 3 password, 4 host[:port], 5 path/query/fragment, 6 a query value
//      → a URI "scheme://user:password@host" + rest + "&token=<6>" whose password and token
//      the masker must hide: mask_uri_credentials (errors, logs, --print-config) and
//      redact_uri_password (what libmongoc quotes back)
// and the whole input as a URL to mask, as a header value, and to percent_encode, and as the
// body of a Pushgateway's GET /api/v1/status → parse_pushgateway_status.
// Seeds: tests/fuzz/corpus/fuzz_http. See docs/fuzzing.md.

#include "adapters/http/http_types.hpp"
#include "adapters/http/retry_policy.hpp"
#include "adapters/http/url.hpp"
#include "adapters/pushgateway/pushgateway_status.hpp"
#include "core/redact.hpp"
#include "fuzz_support.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mm {
namespace {

std::vector<std::string_view> fields_of(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (fields.size() < 7) {
    const auto nl = text.find('\n', pos);
    fields.push_back(text.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    if (nl == std::string_view::npos) {
      break;
    }
    pos = nl + 1;
  }
  fields.resize(7);
  return fields;
}

void check_retry_after(std::string_view value) {
  // 2024-03-01T00:00:00Z: a fixed "now" keeps every run reproducible.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1709251200));
  const auto parsed = parse_retry_after(value, now);
  if (parsed) {
    MM_FUZZ_CHECK(parsed->count() >= 0, std::string(value));
  }
  HttpResponse response;
  response.status = 503;
  response.headers.emplace_back("retry-after", std::string(value));
  MM_FUZZ_CHECK(response.retry_after() == std::string(value), "header lookup");
  const HttpOptions options;
  const RetryDecision d =
      decide_retry(AttemptOutcome::retryable_status, true, 1, parsed, options, 0.5);
  MM_FUZZ_CHECK(d.retry, std::string(value));
  // A Retry-After never makes a CronJob sleep past the cap (retry_policy.hpp).
  MM_FUZZ_CHECK(d.delay.count() >= 0 && d.delay.count() <= options.max_backoff_ms,
                std::to_string(d.delay.count()));
}

// Characters a user or password cannot hold unencoded (RFC 3986 §3.2.1: they end the userinfo
// or the authority; a ':' in the user starts the password); a URI with them is not one the
// maskers can read either. '*' is left out so the mask itself is not mistaken for a leak.
bool is_userinfo_text(std::string_view s) {
  return s.find_first_of("@/?#*\r\n") == std::string_view::npos;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

void check_masking(const std::vector<std::string_view>& f) {
  static constexpr std::array<std::string_view, 4> k_schemes = {"http", "https", "mongodb",
                                                                "mongodb+srv"};
  const std::string_view scheme = k_schemes[f[1].size() % k_schemes.size()];
  const std::string_view user = f[2];
  const std::string_view password = f[3];
  const std::string_view host = f[4];
  const std::string_view rest = f[5];
  const std::string_view token = f[6];
  if (password.size() < 3 || !is_userinfo_text(user) || user.find(':') != std::string_view::npos ||
      !is_userinfo_text(password) || host.find_first_of("@/?#") != std::string_view::npos ||
      host.empty() || (!rest.empty() && rest.front() != '/' && rest.front() != '?') ||
      rest.find_first_of("@#") != std::string_view::npos) {
    return;
  }
  const std::string uri = std::string(scheme) + "://" + std::string(user) + ":" +
                          std::string(password) + "@" + std::string(host) + std::string(rest);
  // The password must be the only place it appears for "not in the output" to mean "masked".
  const bool password_unique =
      !contains(std::string(scheme) + "://" + std::string(user) + ":", password) &&
      !contains(std::string(host) + std::string(rest), password) && !contains("***", password) &&
      !contains(password, "***");
  if (password_unique) {
    const std::string masked = mask_uri_credentials(uri);
    MM_FUZZ_CHECK(!contains(masked, password), uri + " → " + masked);
    const std::string message =
        "connection to " + uri + " failed: bad password '" + std::string(password) + "'";
    const std::string scrubbed = redact_uri_password(message, uri);
    MM_FUZZ_CHECK(!contains(scrubbed, password), scrubbed);
  }

  // A secret query parameter: its value is masked.
  const std::string with_token = uri + "&token=" + std::string(token);
  if (token.size() < 3 || token.find_first_of("&;#=*\r\n") != std::string_view::npos ||
      with_token.find(token) != with_token.size() - token.size() ||
      rest.find('?') == std::string_view::npos) {
    return;
  }
  MM_FUZZ_CHECK(!contains(mask_uri_credentials(with_token), token), with_token);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void check_whole(std::string_view text) {
  (void)mask_uri_credentials(text);
  (void)uri_without_credentials(text);
  (void)is_secret_parameter(text);
  const std::string encoded = percent_encode(text);
  for (const char c : encoded) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || c == '%';
    MM_FUZZ_CHECK(unreserved, encoded);
  }
  MM_FUZZ_CHECK(percent_decode(encoded) == text, encoded);
}

} // namespace
} // namespace mm

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mm;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto fields = fields_of(text);
  check_retry_after(fields[0]);
  check_masking(fields);
  check_whole(text);
  // Whatever a server at the Pushgateway's URL answers: a status, or bad_response; never a crash.
  if (auto status = parse_pushgateway_status(text); !status) {
    MM_FUZZ_CHECK(status.error().kind == ErrorKind::bad_response, status.error().message);
  }
  return 0;
}
