#pragma once
// Notifier over SMTP with libcurl (https://curl.se/libcurl/c/smtp-mail.html): one message to
// all EMAIL_RECIPIENTS per notification.
//
// Transport (DESIGN §2: SMTP_HOST, SMTP_PORT 587, SMTP_USER, SMTP_PASSWORD, EMAIL_RECIPIENTS):
// - port 465: smtps:// (implicit TLS, RFC 8314 §3.3); any other port: smtp:// upgraded with
//   STARTTLS when the server offers it (CURLOPT_USE_SSL = CURLUSESSL_TRY), or required
//   (CURLUSESSL_ALL, fails with CURLE_USE_SSL_FAILED) with SmtpTls::required.
//   "When offered" is what the spec asks for, but an attacker on the path can hide the offer:
//   where the server supports STARTTLS (any public provider), use SmtpTls::required, which also
//   guarantees that SMTP_PASSWORD never crosses the network in clear text.
// - AUTH only when SMTP_USER is set (CURLOPT_USERNAME/CURLOPT_PASSWORD; libcurl picks the
//   mechanism the server advertises). The password never appears in an error or log.
// - TLS certificates are verified (CURLOPT_SSL_VERIFYPEER/VERIFYHOST); ca_bundle names a PEM
//   file for a private CA (CURLOPT_CAINFO).
// - Timeouts: connect 10 s, whole transaction 30 s. No retry: a refused message will be refused
//   again, and a failure is reported (email_notification_failed) rather than delayed.
// - Every recipient in one transaction: if the server refuses one RCPT, libcurl fails the whole
//   transaction (its default), so a typo in EMAIL_RECIPIENTS is reported, never silently dropped.

#include "ports/notifier.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

enum class SmtpTls {
  when_offered, // STARTTLS if the server offers it, else plain (CURLUSESSL_TRY)
  required,     // STARTTLS or fail (CURLUSESSL_ALL)
};

struct SmtpSettings {
  std::string host;                    // SMTP_HOST
  int port = 587;                      // SMTP_PORT
  std::string user;                    // SMTP_USER; empty: no AUTH
  std::string password;                // SMTP_PASSWORD (secret)
  std::vector<std::string> recipients; // EMAIL_RECIPIENTS
  std::string from;                    // sender; empty: default_email_from(user, hostname)
  SmtpTls tls = SmtpTls::when_offered; // ignored on port 465 (always TLS)
  bool verify_tls = true;
  std::string ca_bundle; // PEM file; empty: the system's CA store
  long connect_timeout_ms = 10000;
  long total_timeout_ms = 30000;
};

// "smtp://host:587", "smtps://host:465", "smtp://[::1]:25".
std::string smtp_url(std::string_view host, int port);

// Error::config naming the variable: SMTP_HOST missing or not a host name, SMTP_PORT out of
// range, EMAIL_RECIPIENTS empty or holding something that is not an address, SMTP_PASSWORD
// without SMTP_USER, an invalid sender address.
Status validate_smtp_settings(const SmtpSettings& settings);

// One SMTP transaction: MAIL FROM settings.from, RCPT TO each of settings.recipients, DATA
// `message` (a complete RFC 5322 message with CRLF line endings; libcurl dot-stuffs it).
// `settings.from` must be set. Errors name host:port and what to check.
Status send_email(const SmtpSettings& settings, std::string_view message);

class SmtpNotifier : public Notifier {
public:
  // Use make_smtp_notifier(), which validates the settings and resolves the sender first.
  explicit SmtpNotifier(SmtpSettings settings);

  const char* channel() const noexcept override { return "email"; }
  Status notify(const RetrainNotification& notification) override;

  const SmtpSettings& settings() const noexcept { return m_settings; }

private:
  SmtpSettings m_settings;
};

// Validates (validate_smtp_settings) and fills settings.from with default_email_from(SMTP_USER,
// this host's name) when it is empty.
Result<std::unique_ptr<SmtpNotifier>> make_smtp_notifier(SmtpSettings settings);

} // namespace mm
