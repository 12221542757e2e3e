#include "adapters/smtp/smtp_notifier.hpp"

#include "adapters/http/curl_support.hpp"
#include "adapters/smtp/email_message.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <random>

namespace mm {

namespace {

// The message handed to libcurl piece by piece (CURLOPT_READFUNCTION).
struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n; // 0 ends the upload
}

struct Outcome {
  CURLcode code = CURLE_OK;
  long reply = 0;     // last SMTP reply code (CURLINFO_RESPONSE_CODE)
  std::string detail; // libcurl's error buffer: never holds the password
};

Error smtp_error(const SmtpSettings& s, const Outcome& o) {
  const std::string where = fmt::format("SMTP server {}:{} (SMTP_HOST/SMTP_PORT)", s.host, s.port);
  const std::string detail =
      (o.detail.empty() ? std::string(curl_easy_strerror(o.code)) : o.detail) +
      (o.reply > 0 ? fmt::format(" (last SMTP reply {})", o.reply) : std::string());
  constexpr std::string_view k_manual = "test by hand: telnet $SMTP_HOST $SMTP_PORT";
  if (libcurl::is_tls_error(o.code)) {
    return Error::unavailable(fmt::format(
        "{}: TLS failure: {}; check the server certificate (the CA bundle for a private CA) and "
        "that SMTP_PORT matches the server: 465 is implicit TLS, 587/25 are STARTTLS",
        where, detail));
  }
  switch (o.code) {
  case CURLE_COULDNT_RESOLVE_HOST:
    return Error::unavailable(
        fmt::format("{}: cannot resolve the host: {}; check SMTP_HOST and DNS", where, detail));
  case CURLE_COULDNT_CONNECT:
    return Error::unavailable(fmt::format(
        "{}: cannot connect: {}; check that the server is running, SMTP_HOST/SMTP_PORT and "
        "firewalls/network policies; {}",
        where, detail, k_manual));
  case CURLE_OPERATION_TIMEDOUT:
    return Error::timeout(fmt::format("{}: no answer in time (connect {} ms, total {} ms): {}",
                                      where, s.connect_timeout_ms, s.total_timeout_ms, detail));
  case CURLE_LOGIN_DENIED:
    return Error::config(
        fmt::format("{}: login refused for SMTP_USER '{}': {}; check SMTP_USER and SMTP_PASSWORD",
                    where, s.user, detail));
  case CURLE_USE_SSL_FAILED:
    return Error::unavailable(fmt::format(
        "{}: TLS is required but the server does not offer STARTTLS: {}; check SMTP_PORT (587 "
        "submission usually offers it) or allow plain SMTP",
        where, detail));
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
    return Error::config(fmt::format("{}: {}; check SMTP_HOST and SMTP_PORT", where, detail));
  case CURLE_SEND_ERROR:
  case CURLE_WEIRD_SERVER_REPLY:
    if (o.reply >= 500) { // a permanent refusal of MAIL FROM, RCPT TO or DATA (RFC 5321 §4.2.1)
      return Error::config(fmt::format(
          "{}: the server refused the message: {}; check EMAIL_RECIPIENTS, the sender <{}> "
          "(many servers accept only the authenticated mailbox) and SMTP_USER",
          where, detail, s.from));
    }
    if (o.reply >= 400) { // transient: greylisting, mailbox busy, server overloaded
      return Error::unavailable(fmt::format(
          "{}: the server deferred the message: {}; it may accept it later", where, detail));
    }
    break;
  default:
    break;
  }
  return Error::unavailable(fmt::format("{}: sending failed: {}; {}", where, detail, k_manual));
}

bool is_valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253) {
    return false;
  }
  return std::none_of(host.begin(), host.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || std::string_view("/@?#\\%").find(c) != std::string_view::npos;
  });
}

std::string local_hostname() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) {
    return "localhost";
  }
  return name.data();
}

// Unique enough for a Message-ID: time, a random number and the specialist.
std::string message_id_seed(const RetrainNotification& n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return fmt::format("model-monitor.{}.{}.{:016x}", n.specialist_type, now, rng());
}

} // namespace

std::string smtp_url(std::string_view host, int port) {
  const bool ipv6 = host.find(':') != std::string_view::npos && !host.starts_with('[');
  return fmt::format("{}://{}{}{}:{}", port == 465 ? "smtps" : "smtp", ipv6 ? "[" : "", host,
                     ipv6 ? "]" : "", port);
}

Status validate_smtp_settings(const SmtpSettings& s) {
  if (s.host.empty()) {
    return Error::config("NOTIFICATION_CHANNELS includes email but SMTP_HOST is not set; set "
                         "SMTP_HOST (and SMTP_PORT, default 587), or remove email from "
                         "NOTIFICATION_CHANNELS");
  }
  if (!is_valid_host(s.host)) {
    return Error::config(fmt::format(
        "SMTP_HOST '{}' is not a host name; give the bare host, like smtp.example.com (the port "
        "goes in SMTP_PORT)",
        header_safe(s.host)));
  }
  if (s.port < 1 || s.port > 65535) {
    return Error::config(
        fmt::format("SMTP_PORT {} is not a port; accepted: an integer in [1, 65535]", s.port));
  }
  if (s.recipients.empty()) {
    return Error::config("NOTIFICATION_CHANNELS includes email but EMAIL_RECIPIENTS is empty; "
                         "set comma-separated addresses like ml-ops@example.com");
  }
  for (const auto& r : s.recipients) {
    if (!is_valid_email_address(r)) {
      return Error::config(fmt::format(
          "EMAIL_RECIPIENTS: '{}' is not an address like ml-ops@example.com (plain ASCII "
          "addresses only, no display names)",
          header_safe(r)));
    }
  }
  if (s.user.empty() && !s.password.empty()) {
    return Error::config("SMTP_PASSWORD is set but SMTP_USER is empty: set SMTP_USER too (AUTH "
                         "is done only when SMTP_USER is set)");
  }
  if (!s.from.empty() && !is_valid_email_address(s.from)) {
    return Error::config(
        fmt::format("the sender address '{}' is not an address like model-monitor@example.com",
                    header_safe(s.from)));
  }
  return ok_status();
}

Status send_email(const SmtpSettings& s, std::string_view message) {
  libcurl::ensure_global_init();
  libcurl::Easy curl(curl_easy_init());
  if (!curl) {
    return Error::internal("libcurl could not create a handle (curl_easy_init failed)");
  }
  libcurl::Slist rcpt;
  for (const auto& r : s.recipients) {
    if (!libcurl::append(rcpt, "<" + header_safe(r) + ">")) {
      return Error::internal("out of memory building the SMTP recipient list");
    }
  }
  const std::string url = smtp_url(s.host, s.port);
  const std::string mail_from = "<" + header_safe(s.from) + ">";
  Upload upload{message, 0};
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  CURL* h = curl.get();
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) {
      rc = curl_easy_setopt(h, option, value);
    }
  };
  set(CURLOPT_ERRORBUFFER, error_buffer.data());
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_CONNECTTIMEOUT_MS, s.connect_timeout_ms);
  set(CURLOPT_TIMEOUT_MS, s.total_timeout_ms);
  if (s.port != 465) {
    set(CURLOPT_USE_SSL,
        static_cast<long>(s.tls == SmtpTls::required ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  }
  set(CURLOPT_SSL_VERIFYPEER, s.verify_tls ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, s.verify_tls ? 2L : 0L);
  if (!s.ca_bundle.empty()) {
    set(CURLOPT_CAINFO, s.ca_bundle.c_str());
  }
  if (!s.user.empty()) {
    set(CURLOPT_USERNAME, s.user.c_str());
    set(CURLOPT_PASSWORD, s.password.c_str());
  }
  set(CURLOPT_MAIL_FROM, mail_from.c_str());
  set(CURLOPT_MAIL_RCPT, rcpt.get());
  set(CURLOPT_UPLOAD, 1L);
  set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  set(CURLOPT_READFUNCTION, &on_read);
  set(CURLOPT_READDATA, static_cast<void*>(&upload));
  if (rc != CURLE_OK) {
    return Error::internal(std::string("configuring libcurl for SMTP failed: ") +
                           curl_easy_strerror(rc));
  }

  Outcome outcome;
  outcome.code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &outcome.reply);
  outcome.detail = error_buffer.data();
  if (outcome.code != CURLE_OK) {
    return smtp_error(s, outcome);
  }
  return ok_status();
}

SmtpNotifier::SmtpNotifier(SmtpSettings settings) : m_settings(std::move(settings)) {}

Status SmtpNotifier::notify(const RetrainNotification& notification) {
  const std::string message =
      build_email(notification, m_settings.from, m_settings.recipients,
                  message_id_seed(notification), std::chrono::system_clock::now());
  Status sent = send_email(m_settings, message);
  if (!sent) {
    Error e = std::move(sent).error();
    e.message = fmt::format("email notification for '{}' to {} recipient(s) not delivered: {}",
                            notification.specialist_type, m_settings.recipients.size(), e.message);
    return e;
  }
  return ok_status();
}

Result<std::unique_ptr<SmtpNotifier>> make_smtp_notifier(SmtpSettings settings) {
  if (Status valid = validate_smtp_settings(settings); !valid) {
    return std::move(valid).error();
  }
  if (settings.from.empty()) {
    settings.from = default_email_from(settings.user, local_hostname());
  }
  return std::make_unique<SmtpNotifier>(std::move(settings));
}

} // namespace mm
