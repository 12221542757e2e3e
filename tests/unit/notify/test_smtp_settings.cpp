#include "adapters/smtp/smtp_notifier.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

SmtpSettings valid_settings() {
  SmtpSettings s;
  s.host = "smtp.example.com";
  s.port = 587;
  s.recipients = {"ml-ops@example.com"};
  return s;
}

// The config error of `s`, "" when valid.
std::string config_error(const SmtpSettings& s) {
  const Status st = validate_smtp_settings(s);
  if (st) {
    return "";
  }
  EXPECT_EQ(st.error().kind, ErrorKind::config);
  return st.error().message;
}

TEST(SmtpUrl, ImplicitTlsOn465AndBracketsForIpv6) {
  EXPECT_EQ(smtp_url("smtp.example.com", 587), "smtp://smtp.example.com:587");
  EXPECT_EQ(smtp_url("smtp.example.com", 465), "smtps://smtp.example.com:465");
  EXPECT_EQ(smtp_url("127.0.0.1", 25), "smtp://127.0.0.1:25");
  EXPECT_EQ(smtp_url("::1", 2525), "smtp://[::1]:2525");
}

TEST(ValidateSmtpSettings, AcceptsAMinimalConfiguration) {
  EXPECT_EQ(config_error(valid_settings()), "");
  SmtpSettings s = valid_settings();
  s.user = "alerts@example.com";
  s.password = "secret";
  s.from = "alerts@example.com";
  EXPECT_EQ(config_error(s), "");
}

TEST(ValidateSmtpSettings, EachProblemNamesItsVariable) {
  struct Case {
    const char* what;
    void (*change)(SmtpSettings&);
    const char* expected;
  };
  const Case cases[] = {
      {"no host", [](SmtpSettings& s) { s.host.clear(); }, "SMTP_HOST is not set"},
      {"host with port", [](SmtpSettings& s) { s.host = "smtp.example.com/x"; }, "SMTP_HOST"},
      {"host with user", [](SmtpSettings& s) { s.host = "u@smtp.example.com"; }, "SMTP_HOST"},
      {"host with CRLF", [](SmtpSettings& s) { s.host = "a\r\nb"; }, "SMTP_HOST"},
      {"port 0", [](SmtpSettings& s) { s.port = 0; }, "SMTP_PORT"},
      {"port too big", [](SmtpSettings& s) { s.port = 70000; }, "SMTP_PORT"},
      {"no recipients", [](SmtpSettings& s) { s.recipients.clear(); }, "EMAIL_RECIPIENTS is empty"},
      {"bad recipient", [](SmtpSettings& s) { s.recipients.push_back("Ana <ana@x.com>"); },
       "EMAIL_RECIPIENTS: 'Ana <ana@x.com>'"},
      {"password without user", [](SmtpSettings& s) { s.password = "p"; }, "SMTP_USER"},
      {"bad sender", [](SmtpSettings& s) { s.from = "not an address"; }, "sender address"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    SmtpSettings s = valid_settings();
    c.change(s);
    const std::string message = config_error(s);
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(ValidateSmtpSettings, NeverShowsThePassword) {
  SmtpSettings s = valid_settings();
  s.password = "hunter2-secret";
  EXPECT_EQ(config_error(s).find("hunter2"), std::string::npos);
}

TEST(MakeSmtpNotifier, FillsTheSenderFromSmtpUserWhenItIsAnAddress) {
  SmtpSettings s = valid_settings();
  s.user = "alerts@example.com";
  s.password = "p";
  auto n = make_smtp_notifier(s);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ((*n)->settings().from, "alerts@example.com");
  EXPECT_STREQ((*n)->channel(), "email");
}

TEST(MakeSmtpNotifier, OtherwiseModelMonitorAtThisHost) {
  auto n = make_smtp_notifier(valid_settings());
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ((*n)->settings().from.rfind("model-monitor@", 0), 0U) << (*n)->settings().from;
}

TEST(MakeSmtpNotifier, ConfigErrorsComeFirst) {
  SmtpSettings s = valid_settings();
  s.recipients.clear();
  auto n = make_smtp_notifier(s);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::config);
}

TEST(SmtpSettingsDefaults, AsTheSpecAndTheBrief) {
  const SmtpSettings s;
  EXPECT_EQ(s.port, 587);
  EXPECT_EQ(s.tls, SmtpTls::when_offered);
  EXPECT_TRUE(s.verify_tls);
  EXPECT_EQ(s.connect_timeout_ms, 10000);
  EXPECT_EQ(s.total_timeout_ms, 30000);
}

} // namespace
} // namespace mm
