// SmtpNotifier against a real SMTP server (scripts/smtp_sink.py, aiosmtpd): the message as
// stored by the server, read back with Python's email package.

#include "adapters/smtp/email_message.hpp"
#include "adapters/smtp/smtp_notifier.hpp"
#include "integration/notify/notify_fixture.hpp"
#include "unit/notify/notification_samples.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace mm {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* k_user = "mm-notifier";
constexpr const char* k_password = "s3cret-Pa55word";

class SmtpSinkTest : public test::NotifyTest {
protected:
  static SmtpSettings settings_for(int port) {
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.port = port;
    s.recipients = {"ml-ops@example.com", "ana@example.org"};
    s.from = "model-monitor@example.com";
    return s;
  }
  static std::unique_ptr<SmtpNotifier> notifier(SmtpSettings s) {
    auto n = make_smtp_notifier(std::move(s));
    EXPECT_TRUE(n) << n.error().message;
    return n ? std::move(n).value() : nullptr;
  }
};

TEST_F(SmtpSinkTest, TheEmailAsReceived) {
  test::SmtpSink sink(dir());
  auto n = notifier(settings_for(sink.port()));
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  ASSERT_TRUE(st) << st.error().message;

  const auto messages = sink.messages();
  ASSERT_EQ(messages.size(), 1U) << "one message for all recipients";
  const json m = test::parse_email(messages[0]);
  EXPECT_EQ(m.at("defects"), json::array()) << m.dump(2);
  // The SMTP envelope (which the message itself does not show).
  EXPECT_EQ(m.at("envelope_from"), "model-monitor@example.com");
  EXPECT_EQ(m.at("envelope_to"), "ml-ops@example.com, ana@example.org");
  EXPECT_TRUE(m.at("auth_user").is_null()) << "no AUTH without SMTP_USER";
  // Headers, decoded by an independent implementation.
  EXPECT_EQ(m.at("subject"),
            "[model-monitor] technical: retrain succeeded, model promoted (F1 0.70 \u2192 0.83)");
  EXPECT_EQ(m.at("from"), "model-monitor <model-monitor@example.com>");
  EXPECT_EQ(m.at("to"), "ml-ops@example.com, ana@example.org");
  EXPECT_EQ(m.at("content_type"), "text/plain");
  EXPECT_EQ(m.at("charset"), "utf-8");
  EXPECT_EQ(m.at("cte"), "quoted-printable");
  EXPECT_EQ(m.at("message_id").get<std::string>().rfind("<model-monitor-technical-", 0), 0U)
      << m.at("message_id");
  EXPECT_TRUE(m.at("message_id").get<std::string>().ends_with("@example.com>"));
  EXPECT_FALSE(m.at("date").get<std::string>().empty());
  const json names = m.at("header_names");
  for (const char* h : {"Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
                        "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), h), names.end()) << h;
  }
  EXPECT_EQ(m.at("body"), email_body(test::promoted_sample()));
  EXPECT_NE(m.at("body").get<std::string>().find("F1:            0.7000 \u2192 0.8300 (+0.1300)"),
            std::string::npos);

  // On the wire: CRLF line ends, 7-bit, no line over 78 characters.
  const std::string raw = test::read_file(messages[0]);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      ASSERT_EQ(raw[i - 1], '\r') << "bare LF at " << i;
    }
    ASSERT_LT(static_cast<unsigned char>(raw[i]), 0x80U);
  }
}

TEST_F(SmtpSinkTest, LinesStartingWithADotArriveIntact) {
  // RFC 5321 §4.5.2: a line "." ends DATA unless the client doubles the dot; libcurl does it
  // (lib/smtp.c Curl_smtp_escape_eob), the server removes it. Sent raw, so QP does not hide it.
  test::SmtpSink sink(dir());
  SmtpSettings s = settings_for(sink.port());
  const std::string message = "From: model-monitor <model-monitor@example.com>\r\n"
                              "To: ml-ops@example.com\r\n"
                              "Subject: dots\r\n"
                              "\r\n"
                              "first\r\n"
                              ".\r\n"
                              ".hidden\r\n"
                              "..two\r\n"
                              "last\r\n";
  const Status st = send_email(s, message);
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(sink.messages().size(), 1U);
  const std::string stored = test::read_file(sink.messages()[0]);
  EXPECT_TRUE(stored.ends_with(message)) << stored;

  // And through the whole notifier: an error text with such lines.
  RetrainNotification n = test::failure_sample();
  n.error = "trace:\n.\n.hidden\nend";
  auto notifier_ = notifier(s);
  ASSERT_TRUE(notifier_);
  ASSERT_TRUE(notifier_->notify(n));
  ASSERT_EQ(sink.messages().size(), 2U);
  const json m = test::parse_email(sink.messages()[1]);
  EXPECT_NE(m.at("body").get<std::string>().find("Error:\ntrace:\n.\n.hidden\nend\n"),
            std::string::npos)
      << m.at("body");
}

TEST_F(SmtpSinkTest, NonAsciiAndInjectionAttemptsSurviveAsText) {
  test::SmtpSink sink(dir());
  auto n = notifier(settings_for(sink.port()));
  ASSERT_TRUE(n);
  RetrainNotification sample = test::failure_sample();
  sample.failed_step = "treinamento\r\nBcc: spy@evil.example";
  sample.error = "falhou: ação inválida \u2192 ver logs\r\nBcc: spy@evil.example";
  ASSERT_TRUE(n->notify(sample));
  ASSERT_EQ(sink.messages().size(), 1U);
  const json m = test::parse_email(sink.messages()[0]);
  EXPECT_EQ(m.at("envelope_to"), "ml-ops@example.com, ana@example.org") << "no extra recipient";
  const json names = m.at("header_names");
  EXPECT_EQ(std::find(names.begin(), names.end(), "Bcc"), names.end());
  EXPECT_EQ(m.at("subject"),
            "[model-monitor] technical: retrain FAILED at treinamento  Bcc: spy@evil.example");
  EXPECT_NE(m.at("body").get<std::string>().find("falhou: ação inválida \u2192 ver logs\nBcc:"),
            std::string::npos)
      << m.at("body");
}

TEST_F(SmtpSinkTest, AuthenticatesWhenSmtpUserIsSet) {
  test::SmtpSink sink(dir(), {{"SMTP_SINK_USER", k_user}, {"SMTP_SINK_PASSWORD", k_password}});
  SmtpSettings s = settings_for(sink.port());
  s.user = k_user;
  s.password = k_password;
  auto n = notifier(s);
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(sink.messages().size(), 1U);
  EXPECT_EQ(test::parse_email(sink.messages()[0]).at("auth_user"), k_user);
}

TEST_F(SmtpSinkTest, WrongPasswordIsAConfigErrorThatNeverShowsThePassword) {
  test::SmtpSink sink(dir(), {{"SMTP_SINK_USER", k_user}, {"SMTP_SINK_PASSWORD", k_password}});
  SmtpSettings s = settings_for(sink.port());
  s.user = k_user;
  s.password = "wrong-Pa55word";
  s.total_timeout_ms = 5000; // a refused AUTH is answered at once (535)
  auto n = notifier(s);
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  ASSERT_FALSE(st);
  ASSERT_NE(st.error().kind, ErrorKind::timeout)
      << "the SMTP sink never answered the refused AUTH: scripts/smtp_sink.py's authenticator "
         "must return AuthResult(success=False, handled=False) so that aiosmtpd replies 535 "
         "(with the default handled=True it sends nothing). "
      << st.error().message;
  EXPECT_EQ(st.error().kind, ErrorKind::config);
  const std::string& m = st.error().message;
  EXPECT_NE(m.find("login refused for SMTP_USER 'mm-notifier'"), std::string::npos) << m;
  EXPECT_NE(m.find("SMTP_PASSWORD"), std::string::npos) << m;
  EXPECT_NE(m.find("127.0.0.1:" + std::to_string(sink.port())), std::string::npos) << m;
  EXPECT_EQ(m.find("wrong-Pa55word"), std::string::npos) << m;
  EXPECT_EQ(m.find(k_password), std::string::npos) << m;
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(SmtpSinkTest, RequiredTlsFailsAgainstAServerWithoutStarttls) {
  test::SmtpSink sink(dir());
  SmtpSettings s = settings_for(sink.port());
  s.tls = SmtpTls::required;
  auto n = notifier(s);
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("does not offer STARTTLS"), std::string::npos)
      << st.error().message;
  EXPECT_TRUE(sink.messages().empty()) << "nothing is sent in clear text";
}

TEST_F(SmtpSinkTest, SmtpDownNamesHostAndPort) {
  const int port = test::free_local_port();
  SmtpSettings s = settings_for(port);
  s.user = k_user;
  s.password = k_password;
  auto n = notifier(s);
  ASSERT_TRUE(n);
  const auto start = std::chrono::steady_clock::now();
  const Status st = n->notify(test::promoted_sample());
  ASSERT_FALSE(st);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(st.error().kind, ErrorKind::unavailable);
  const std::string& m = st.error().message;
  EXPECT_NE(m.find("SMTP server 127.0.0.1:" + std::to_string(port) + " (SMTP_HOST/SMTP_PORT)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("cannot connect"), std::string::npos) << m;
  EXPECT_NE(m.find("2 recipient(s)"), std::string::npos) << m;
  EXPECT_EQ(m.find(k_password), std::string::npos) << m;
}

TEST_F(SmtpSinkTest, ASilentServerTimesOut) {
  // Accepts connections (the kernel completes the handshake) but never sends the greeting.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  SmtpSettings s = settings_for(ntohs(addr.sin_port));
  s.total_timeout_ms = 1000;
  auto n = notifier(s);
  ASSERT_TRUE(n);
  const Status st = n->notify(test::promoted_sample());
  close(fd);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::timeout);
  EXPECT_NE(st.error().message.find("no answer in time"), std::string::npos) << st.error().message;
}

} // namespace
} // namespace mm
