#pragma once
// The email a retrain notification becomes: a complete RFC 5322 message (headers, blank line,
// body) with CRLF line endings, built by pure functions so every byte is unit-tested.
//
// Choices:
// - Body: text/plain; charset=utf-8, Content-Transfer-Encoding: quoted-printable (RFC 2045
//   §6.7). QP keeps the message 7-bit with lines of at most 76 characters whatever the text
//   (UTF-8, a 5000-character error line), so it needs no 8BITMIME from the server (libcurl does
//   not send BODY=8BITMIME, and RFC 5322 §2.1.1 caps lines at 998 characters).
// - Subject: RFC 2047 "B" encoded-words when it is not plain ASCII, each word an integral number
//   of UTF-8 characters (§5) and at most 75 characters (§2), folded so no line exceeds 78
//   (RFC 5322 §2.1.1).
// - Header injection: every value put in a header passes through header_safe() (CR, LF and
//   other control characters become spaces), so untrusted text (an error message, a step name)
//   can never start a new header or the body.
// - Dot-stuffing (RFC 5321 §4.5.2) is not done here: libcurl does it while uploading
//   (lib/smtp.c, "a . on the beginning of a line will be deleted by the server when not part of
//   an EOB terminator"), which the SMTP integration test checks against a real server.

#include "core/metrics.hpp"
#include "ports/notifier.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mm {

// RFC 5322 §3.3 date-time in UTC: "Sat, 09 May 2026 07:35:25 +0000".
std::string format_rfc5322_date(TimePoint t);

// Text fit for a header value: CR, LF, TAB and other control characters become spaces and
// invalid UTF-8 becomes U+FFFD.
std::string header_safe(std::string_view text);

// Invalid UTF-8 sequences replaced by U+FFFD (the body claims charset=utf-8).
std::string sanitize_utf8(std::string_view text);

// "Name: value\r\n", folded (CRLF + space) so lines stay within 78 characters where possible;
// RFC 2047-encoded (=?UTF-8?B?...?=) when the value is not printable ASCII or contains "=?".
std::string encode_unstructured_header(std::string_view name, std::string_view value);

// RFC 2045 §6.7 quoted-printable of UTF-8 text; "\n", "\r\n" and "\r" in the input become CRLF
// hard line breaks; soft breaks ("=" CRLF) keep encoded lines within 76 characters. The result
// ends with CRLF.
std::string quoted_printable(std::string_view text);

// A plain addr-spec (RFC 5322 §3.4.1) of ASCII dot-atoms: "ml-ops@example.com". Quoted local
// parts, display names and non-ASCII addresses (which need SMTPUTF8) are refused.
bool is_valid_email_address(std::string_view address);

// The From address when none is configured: SMTP_USER when it is an address (providers such as
// Gmail or Microsoft 365 refuse or rewrite a From that is not the authenticated mailbox), else
// "model-monitor@<hostname>" ("model-monitor@localhost" when the hostname is not a valid domain).
std::string default_email_from(std::string_view smtp_user, std::string_view hostname);

// "[model-monitor] technical: retrain succeeded, model promoted (F1 0.70 → 0.83)"
// "[model-monitor] technical: retrain succeeded, model not promoted (F1 0.70 → 0.71)"
// "[model-monitor] technical: retrain FAILED at training"
// Not yet encoded or folded.
std::string email_subject(const RetrainNotification& notification);

// The plain-text body with "\n" line breaks (before quoted-printable).
std::string email_body(const RetrainNotification& notification);

// The whole message: Date, From, To (every recipient, one message), Subject, Message-ID
// (<{seed, made an id}@{From's domain}>), MIME-Version, Content-Type, Content-Transfer-Encoding,
// Auto-Submitted (RFC 3834: so auto-responders do not answer), blank line, QP body.
// `from` and `recipients` should be valid addresses (SmtpNotifier checks them); they are still
// made header-safe here.
std::string build_email(const RetrainNotification& notification, std::string_view from,
                        const std::vector<std::string>& recipients,
                        std::string_view message_id_seed, TimePoint date);

} // namespace mm
