#include "adapters/smtp/email_message.hpp"
#include "unit/notify/notification_samples.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace mm {
namespace {

std::vector<std::string> split_crlf(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto eol = text.find("\r\n", pos);
    if (eol == std::string::npos) {
      lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 2;
  }
  return lines;
}

std::string headers_of(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}

std::string body_of(const std::string& message) {
  return message.substr(message.find("\r\n\r\n") + 4);
}

// Test-side decoders, written from the RFCs independently of the code under test.
std::string base64_decode(const std::string& in) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    if (c == '=') {
      break;
    }
    buffer = (buffer << 6U) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  return out;
}

// The unfolded value of an RFC 2047 B-encoded header: the encoded-words' bytes concatenated.
std::string decode_encoded_words(const std::string& header_lines) {
  static const std::regex k_word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  std::string out;
  for (auto it = std::sregex_iterator(header_lines.begin(), header_lines.end(), k_word);
       it != std::sregex_iterator(); ++it) {
    out += base64_decode((*it)[1].str());
  }
  return out;
}

std::string qp_decode(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && in.compare(i + 1, 2, "\r\n") == 0) {
      i += 2; // soft line break
    } else if (in[i] == '=') {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::string header_block(const std::string& message, const std::string& name) {
  const std::string headers = headers_of(message);
  const auto start = headers.find("\r\n" + name + ":") != std::string::npos
                         ? headers.find("\r\n" + name + ":") + 2
                         : (headers.rfind(name + ":", 0) == 0 ? 0 : std::string::npos);
  if (start == std::string::npos) {
    return "";
  }
  std::size_t end = headers.find("\r\n", start);
  while (end != std::string::npos && end + 2 < headers.size() &&
         (headers[end + 2] == ' ' || headers[end + 2] == '\t')) {
    end = headers.find("\r\n", end + 2); // folded continuation
  }
  return headers.substr(start, end - start);
}

const std::vector<std::string> k_recipients{"ml-ops@example.com", "ana@example.org"};

std::string sample_email(const RetrainNotification& n) {
  return build_email(n, "model-monitor@example.com", k_recipients, "seed-1", test::k_sample_time);
}

TEST(Rfc5322Date, FormatsUtcWithWeekday) {
  EXPECT_EQ(format_rfc5322_date(test::k_sample_time), "Sat, 09 May 2026 07:35:25 +0000");
  EXPECT_EQ(format_rfc5322_date(TimePoint(std::chrono::seconds(0))),
            "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(QuotedPrintable, Rfc2045Rules) {
  // Same output as Python's quopri.encodestring (with CRLF line breaks).
  EXPECT_EQ(quoted_printable(std::string(80, 'a') + " \nx=y\t\n"),
            std::string(75, 'a') + "=\r\naaaaa=20\r\nx=3Dy=09\r\n");
  EXPECT_EQ(quoted_printable("ção → ok"), "=C3=A7=C3=A3o =E2=86=92 ok\r\n");
  EXPECT_EQ(quoted_printable("a\r\nb\rc\n\nd"), "a\r\nb\r\nc\r\n\r\nd\r\n");
  EXPECT_EQ(quoted_printable(""), "\r\n");
  EXPECT_EQ(quoted_printable("-- \n"), "--=20\r\n");
}

TEST(QuotedPrintable, LongLinesAreSoftBrokenNeverInsideAnEscape) {
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text += "é=x ";
  }
  const std::string encoded = quoted_printable(text);
  static const std::regex k_valid_line(R"(([!-<>-~ \t]|=[0-9A-F]{2})*=?)");
  for (const auto& line : split_crlf(encoded)) {
    EXPECT_LE(line.size(), 76U) << line;
    EXPECT_TRUE(std::regex_match(line, k_valid_line)) << line;
  }
  EXPECT_EQ(qp_decode(encoded), text + "\r\n");
}

TEST(EncodeHeader, AsciiIsFoldedAtSpaces) {
  EXPECT_EQ(encode_unstructured_header("Subject", "short one"), "Subject: short one\r\n");
  const std::string value = "[model-monitor] " + std::string(70, 'x') + ": retrain FAILED at x";
  const std::string h = encode_unstructured_header("Subject", value);
  const auto lines = split_crlf(h);
  ASSERT_GE(lines.size(), 2U);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i][0], ' ') << "continuation lines start with a space";
  }
  std::string unfolded = h.substr(0, h.size() - 2); // RFC 5322 §2.2.3: remove CRLF before WSP
  for (auto pos = unfolded.find("\r\n"); pos != std::string::npos; pos = unfolded.find("\r\n")) {
    unfolded.erase(pos, 2);
  }
  EXPECT_EQ(unfolded, "Subject: " + value);
}

TEST(EncodeHeader, NonAsciiBecomesRfc2047WordsOfWholeCharacters) {
  std::string value = "[model-monitor] técnico: retrain succeeded (F1 0.70 → 0.83) ";
  for (int i = 0; i < 10; ++i) {
    value += "ação→";
  }
  const std::string h = encode_unstructured_header("Subject", value);
  for (const auto& line : split_crlf(h)) {
    EXPECT_LE(line.size(), 78U) << line;
  }
  static const std::regex k_word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  for (auto it = std::sregex_iterator(h.begin(), h.end(), k_word); it != std::sregex_iterator();
       ++it) {
    EXPECT_LE(it->str().size(), 75U);
    const std::string bytes = base64_decode((*it)[1].str());
    // Whole characters: never ends on a lead byte or in the middle of a sequence.
    const auto last = static_cast<unsigned char>(bytes.back());
    EXPECT_TRUE(last < 0x80 || (last & 0xC0U) == 0x80U);
    const auto first = static_cast<unsigned char>(bytes.front());
    EXPECT_NE(first & 0xC0U, 0x80U) << "starts with a continuation byte";
  }
  EXPECT_EQ(decode_encoded_words(h), value);
}

TEST(EncodeHeader, AsciiThatLooksEncodedIsEncoded) {
  const std::string h = encode_unstructured_header("Subject", "=?UTF-8?B?x?=");
  EXPECT_EQ(decode_encoded_words(h), "=?UTF-8?B?x?=");
}

TEST(EmailSubject, AsTheSpecExamples) {
  EXPECT_EQ(email_subject(test::promoted_sample()),
            "[model-monitor] technical: retrain succeeded, model promoted (F1 0.70 \u2192 0.83)");
  RetrainNotification n = test::promoted_sample();
  n.promoted = false;
  n.f1_after = 0.71;
  EXPECT_EQ(email_subject(n), "[model-monitor] technical: retrain succeeded, model not promoted "
                              "(F1 0.70 \u2192 0.71)");
  n.f1_before.reset();
  EXPECT_EQ(email_subject(n), "[model-monitor] technical: retrain succeeded, model not promoted "
                              "(F1 0.71, no baseline)");
  EXPECT_EQ(email_subject(test::failure_sample()),
            "[model-monitor] technical: retrain FAILED at training");
}

TEST(BuildEmail, HeadersInOrderWithCrlfOnly) {
  const std::string msg = sample_email(test::promoted_sample());
  for (std::size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      ASSERT_TRUE(i > 0 && msg[i - 1] == '\r') << "bare LF at " << i;
    }
    if (msg[i] == '\r') {
      ASSERT_TRUE(i + 1 < msg.size() && msg[i + 1] == '\n') << "bare CR at " << i;
    }
    ASSERT_LT(static_cast<unsigned char>(msg[i]), 0x80U) << "the message is 7-bit";
  }
  const std::string headers = headers_of(msg);
  EXPECT_EQ(headers.rfind("Date: Sat, 09 May 2026 07:35:25 +0000\r\n"
                          "From: model-monitor <model-monitor@example.com>\r\n"
                          "To: ml-ops@example.com, ana@example.org\r\n"
                          "Subject: =?UTF-8?B?",
                          0),
            0U)
      << headers;
  EXPECT_NE(headers.find("\r\nMessage-ID: <seed-1@example.com>\r\n"
                         "MIME-Version: 1.0\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "Content-Transfer-Encoding: quoted-printable\r\n"
                         "Auto-Submitted: auto-generated\r\n"),
            std::string::npos)
      << headers;
  EXPECT_EQ(decode_encoded_words(header_block(msg, "Subject")),
            "[model-monitor] technical: retrain succeeded, model promoted (F1 0.70 \u2192 0.83)");
  for (const auto& line : split_crlf(msg)) {
    EXPECT_LE(line.size(), 78U) << line;
  }
}

TEST(BuildEmail, SuccessBodyHasRunPromotionF1AndDecision) {
  const std::string body = qp_decode(body_of(sample_email(test::promoted_sample())));
  EXPECT_EQ(body, "The retrain of specialist \"technical\" succeeded; the candidate was promoted "
                  "to production.\r\n"
                  "\r\n"
                  "Specialist:    technical\r\n"
                  "Run ID:        4f1c2a9be0d84c7f\r\n"
                  "Model version: 7\r\n"
                  "Promoted:      yes\r\n"
                  "F1:            0.7000 \u2192 0.8300 (+0.1300)\r\n"
                  "Decision rule: f1 0.8300 >= baseline 0.7000 + 0.02; precision and recall "
                  "within 0.01 of baseline\r\n"
                  "MLflow run:    http://mlflow.mlflow:5000/#/experiments/3/runs/"
                  "4f1c2a9be0d84c7f\r\n"
                  "Trigger:       degradation\r\n"
                  "Time (UTC):    2026-05-09T07:35:25Z\r\n"
                  "\r\n"
                  "-- \r\n"
                  "Sent by model-monitor after a retrain.\r\n");
}

TEST(BuildEmail, FailureBodyHasStepErrorAndWhatToDo) {
  const std::string msg = sample_email(test::failure_sample());
  EXPECT_EQ(decode_encoded_words(header_block(msg, "Subject")), "");
  EXPECT_NE(headers_of(msg).find("\r\nSubject: [model-monitor] technical: retrain FAILED at "
                                 "training\r\n"),
            std::string::npos);
  const std::string body = qp_decode(body_of(msg));
  EXPECT_EQ(body.rfind("The retrain of specialist \"technical\" FAILED at step \"training\".\r\n"
                       "\r\n"
                       "Error:\r\n"
                       "MLflow run 9a8b7c6d ended FAILED after 312 s\r\n"
                       "\r\n"
                       "What to do:\r\n"
                       "Open the run's logs in MLflow, fix the training project, rerun with "
                       "--force\r\n",
                       0),
            0U)
      << body;
  EXPECT_NE(body.find("Run ID:        9a8b7c6d\r\n"), std::string::npos);
  EXPECT_EQ(body.find("Promoted:"), std::string::npos);
}

TEST(BuildEmail, NoHeaderInjectionFromAnyField) {
  RetrainNotification n = test::failure_sample();
  n.specialist_type = "technical\r\nBcc: spy@evil.example";
  n.failed_step = "training\nX-Injected: 1\r\n\r\nfake body";
  n.error = "line one\r\nBcc: spy@evil.example\r\n.\r\nQUIT";
  const std::string msg = build_email(n, "mm@example.com\r\nBcc: spy@evil.example",
                                      {"a@example.com\r\nX-Injected: 2", "b@example.com"},
                                      "s\r\nX-Injected: 3", test::k_sample_time);
  const std::string headers = headers_of(msg);
  for (const auto& line : split_crlf(headers)) {
    EXPECT_EQ(line.rfind("Bcc:", 0), std::string::npos) << line;
    EXPECT_EQ(line.rfind("X-Injected:", 0), std::string::npos) << line;
  }
  // The message has exactly one header/body separator, after Auto-Submitted.
  EXPECT_EQ(msg.find("\r\n\r\n"), headers.size() - 2);
  EXPECT_NE(headers.find("Auto-Submitted: auto-generated\r\n"), std::string::npos);
  // The body keeps the text (in QP, line breaks are the body's own, never headers).
  EXPECT_NE(qp_decode(body_of(msg)).find("line one\r\nBcc: spy@evil.example\r\n.\r\nQUIT"),
            std::string::npos);
}

TEST(BuildEmail, LongErrorLinesStayWithinLineLimits) {
  RetrainNotification n = test::failure_sample();
  n.error = std::string(5000, 'e') + " \xC3\xA9\xFF"; // also an invalid byte
  const std::string msg = sample_email(n);
  for (const auto& line : split_crlf(msg)) {
    EXPECT_LE(line.size(), 78U);
  }
  const std::string body = qp_decode(body_of(msg));
  EXPECT_NE(body.find(std::string(5000, 'e') + " \xC3\xA9\xEF\xBF\xBD\r\n"), std::string::npos);
}

TEST(EmailAddress, PlainAddrSpecOnly) {
  for (const char* ok :
       {"ml-ops@example.com", "a.b+tag@sub.example.org", "x@localhost", "o'brien@example.ie"}) {
    EXPECT_TRUE(is_valid_email_address(ok)) << ok;
  }
  for (const char* bad : {"", "@example.com", "a@", "a", "a b@example.com", "Ana <ana@example.com>",
                          ".a@x.com", "a..b@x.com", "a@-x.com", "a@x..com", "a@x.com\r\nBcc: y@z",
                          "jo\xC3\xA3o@example.com", "a@exa_mple.com"}) {
    EXPECT_FALSE(is_valid_email_address(bad)) << bad;
  }
}

TEST(DefaultFrom, SmtpUserWhenItIsAnAddressElseModelMonitorAtHost) {
  EXPECT_EQ(default_email_from("alerts@example.com", "pod-1"), "alerts@example.com");
  EXPECT_EQ(default_email_from("apikey", "monitor-7d9f.ns.svc"),
            "model-monitor@monitor-7d9f.ns.svc");
  EXPECT_EQ(default_email_from("", "bad_host name"), "model-monitor@localhost");
}

} // namespace
} // namespace mm
