#include "adapters/http/http_client.hpp"

#include "adapters/http/attempt.hpp"
#include "adapters/http/curl_support.hpp"
#include "core/redact.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <thread>

namespace mm {

const char* to_string(HttpMethod method) noexcept {
  switch (method) {
  case HttpMethod::get:
    return "GET";
  case HttpMethod::head:
    return "HEAD";
  case HttpMethod::post:
    return "POST";
  case HttpMethod::put:
    return "PUT";
  case HttpMethod::patch:
    return "PATCH";
  case HttpMethod::delete_:
    return "DELETE";
  }
  return "GET";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

namespace {

constexpr std::size_t k_max_response_headers = 256;

// What the callbacks fill during one transfer.
struct Transfer {
  std::size_t max_body = 0;
  bool too_large = false;
  HttpResponse response;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (transfer->response.body.size() + n > transfer->max_body) {
    transfer->too_large = true;
    return 0; // aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const std::string_view line = trim(std::string_view(data, n));
  // A status line starts a new response (after "100 Continue"): keep the final one's headers.
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response.headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      transfer->response.headers.size() >= k_max_response_headers) {
    return n;
  }
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  transfer->response.headers.emplace_back(std::move(name),
                                          std::string(trim(line.substr(colon + 1))));
  return n;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

std::string base64(std::string_view in) { // RFC 4648 §4
  static constexpr std::string_view k_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U;
    if (i + 1 < in.size()) {
      n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U;
    }
    if (i + 2 < in.size()) {
      n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    }
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += i + 1 < in.size() ? k_alphabet[(n >> 6U) & 63U] : '=';
    out += i + 2 < in.size() ? k_alphabet[n & 63U] : '=';
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The credentials a request carries, which a server or proxy may quote back in an error body
// (and so into our messages): the values of secret headers (Authorization, x-api-key, ...) and
// the credential after "Basic "/"Bearer ", and the URL's user-info password, as written and
// decoded, with the "Basic" credential libcurl derives from it (RFC 7617).
std::vector<std::string> request_secrets(const HttpRequest& request) {
  std::vector<std::string> secrets;
  for (const auto& [name, value] : request.headers) {
    if (is_secret_parameter(name)) {
      secrets.push_back(value);
      if (const auto space = value.find(' '); space != std::string::npos) {
        secrets.push_back(value.substr(space + 1));
      }
    }
  }
  const auto scheme_end = request.url.find("://");
  const auto begin = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto end = std::min(request.url.find_first_of("/?#", begin), request.url.size());
  const auto at = request.url.rfind('@', end);
  if (at != std::string::npos && at >= begin) {
    const std::string userinfo = request.url.substr(begin, at - begin);
    const auto colon = userinfo.find(':');
    if (colon != std::string::npos) {
      secrets.push_back(userinfo.substr(colon + 1));
      secrets.push_back(percent_decode(userinfo.substr(colon + 1)));
    }
    secrets.push_back(base64(percent_decode(userinfo)));
  }
  // Longest first, so a credential is replaced whole before a part of it.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return secrets;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < 4) { // "***" for a one-letter password would garble every message
      continue;
    }
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

} // namespace

using detail::Attempt;

struct HttpClient::Impl {
  HttpOptions options;
  RetryHooks hooks;
  libcurl::Easy curl;
  std::mt19937_64 rng{std::random_device{}()};
  int last_attempts = 0;

  Result<Attempt> perform(const HttpRequest& request);
  Status configure(const HttpRequest& request, Transfer& transfer, curl_slist* headers,
                   char* error_buffer);
};

Status HttpClient::Impl::configure(const HttpRequest& request, Transfer& transfer,
                                   curl_slist* headers, char* error_buffer) {
  CURL* h = curl.get();
  // curl_easy_reset drops every option of the previous request but keeps the connection cache,
  // so each request starts from defaults and still reuses the kept-alive connection.
  curl_easy_reset(h);
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) {
      rc = curl_easy_setopt(h, option, value);
    }
  };
  set(CURLOPT_ERRORBUFFER, error_buffer);
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_NOSIGNAL, 1L); // no SIGALRM for DNS timeouts: required with threads
  set(CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  set(CURLOPT_TIMEOUT_MS, options.total_timeout_ms);
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_USERAGENT, options.user_agent.c_str());
  set(CURLOPT_ACCEPT_ENCODING, ""); // any encoding this libcurl can decode
  set(CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_bundle.empty()) {
    set(CURLOPT_CAINFO, options.ca_bundle.c_str());
  }
  // Refuses early when Content-Length announces too much; on_body enforces it otherwise.
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  set(CURLOPT_HTTPHEADER, headers);

  const auto body_size = static_cast<curl_off_t>(request.body.size());
  switch (request.method) {
  case HttpMethod::get:
    set(CURLOPT_HTTPGET, 1L);
    break;
  case HttpMethod::head:
    set(CURLOPT_NOBODY, 1L);
    break;
  case HttpMethod::post:
    set(CURLOPT_POSTFIELDSIZE_LARGE, body_size);
    set(CURLOPT_POSTFIELDS, request.body.c_str());
    break;
  case HttpMethod::put:
  case HttpMethod::patch:
  case HttpMethod::delete_:
    set(CURLOPT_CUSTOMREQUEST, to_string(request.method));
    if (request.method != HttpMethod::delete_ || !request.body.empty()) {
      set(CURLOPT_POSTFIELDSIZE_LARGE, body_size);
      set(CURLOPT_POSTFIELDS, request.body.c_str());
    }
    break;
  }
  if (rc != CURLE_OK) {
    return Error::internal(std::string("configuring libcurl failed: ") + curl_easy_strerror(rc));
  }
  return ok_status();
}

Result<Attempt> HttpClient::Impl::perform(const HttpRequest& request) {
  libcurl::Slist headers;
  const auto append = [&headers](const std::string& line) {
    return libcurl::append(headers, line);
  };
  // libcurl adds "Expect: 100-continue" to large POSTs, costing a round trip; an empty value
  // removes it (https://curl.se/libcurl/c/CURLOPT_HTTPHEADER.html).
  bool appended = append("Expect:");
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value) ||
        name.find(':') != std::string::npos) {
      return Error::internal("invalid HTTP header name or value for '" + name + "'");
    }
    appended = appended && append(name + ": " + value);
  }
  if (!appended) {
    return Error::internal("out of memory building HTTP headers");
  }

  Transfer transfer;
  transfer.max_body = options.max_body_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {};
  if (auto st = configure(request, transfer, headers.get(), error_buffer); !st) {
    return std::move(st).error();
  }

  Attempt attempt;
  attempt.code = curl_easy_perform(curl.get());
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  long request_size = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_REQUEST_SIZE, &request_size);
  // Options pointed into this frame (error buffer, headers, transfer): drop them now.
  curl_easy_reset(curl.get());

  attempt.response = std::move(transfer.response);
  attempt.response.status = status;
  attempt.too_large = transfer.too_large;
  attempt.request_sent = request_size > 0;
  attempt.detail = error_buffer;
  return attempt;
}

HttpClient::HttpClient(HttpOptions options, RetryHooks hooks) : m_impl(std::make_unique<Impl>()) {
  libcurl::ensure_global_init();
  m_impl->options = std::move(options);
  m_impl->hooks = std::move(hooks);
  m_impl->curl.reset(curl_easy_init());
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const HttpOptions& HttpClient::options() const noexcept {
  return m_impl->options;
}

int HttpClient::last_attempts() const noexcept {
  return m_impl->last_attempts;
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
  Impl& impl = *m_impl;
  impl.last_attempts = 0;
  if (!impl.curl) {
    return Error::internal("libcurl could not create a handle (curl_easy_init failed)");
  }
  const std::string what =
      std::string(to_string(request.method)) + " " + mask_uri_credentials(request.url);

  for (int attempt_no = 1;; ++attempt_no) {
    impl.last_attempts = attempt_no;
    auto performed = impl.perform(request);
    if (!performed) {
      return std::move(performed).error();
    }
    Attempt& attempt = performed.value();
    if (!attempt.response.is_success() && !attempt.response.body.empty()) {
      // Error bodies end up quoted in messages and logs (DESIGN §7).
      attempt.response.body = scrub(std::move(attempt.response.body), request_secrets(request));
    }
    const AttemptOutcome outcome = detail::classify(attempt);
    if (outcome == AttemptOutcome::success) {
      return std::move(attempt.response);
    }

    std::optional<Millis> retry_after;
    if (outcome == AttemptOutcome::retryable_status) {
      if (const auto header = attempt.response.retry_after()) {
        retry_after = parse_retry_after(*header, std::chrono::system_clock::now());
      }
    }
    const double unit = impl.hooks.random_unit
                            ? impl.hooks.random_unit()
                            : std::uniform_real_distribution<double>(0.0, 1.0)(impl.rng);
    const RetryDecision decision =
        decide_retry(outcome, request.idempotent, attempt_no, retry_after, impl.options, unit);
    if (decision.retry) {
      if (impl.hooks.sleep) {
        impl.hooks.sleep(decision.delay);
      } else if (decision.delay.count() > 0) {
        std::this_thread::sleep_for(decision.delay);
      }
      continue;
    }

    if (outcome == AttemptOutcome::retryable_status) {
      // A request we may not resend (not idempotent) got an answer: the caller decides.
      if (!request.idempotent) {
        return std::move(attempt.response);
      }
      return detail::exhausted_error(attempt.response, what, attempt_no);
    }
    return detail::transport_error(attempt, what, impl.options, attempt_no);
  }
}

} // namespace mm
