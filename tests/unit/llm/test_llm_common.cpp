#include "adapters/llm/llm_common.hpp"
#include "adapters/llm/llm_errors.hpp"
#include "adapters/llm/llm_transport.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(LlmErrorBodies, EachApiShapeIsRead) {
  const auto ollama = parse_llm_error(LlmApi::ollama, 404,
                                      R"({"error":"model 'x' not found, try pulling it first"})");
  EXPECT_EQ(ollama.message, "model 'x' not found, try pulling it first");
  EXPECT_TRUE(ollama.type.empty());

  const auto openai = parse_llm_error(
      LlmApi::openai, 429,
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota",)"
      R"("param":null,"code":"insufficient_quota"}})");
  EXPECT_EQ(openai.type, "insufficient_quota");
  EXPECT_EQ(openai.code, "insufficient_quota");
  EXPECT_EQ(openai.message, "You exceeded your current quota");

  const auto anthropic = parse_llm_error(
      LlmApi::anthropic, 429,
      R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})");
  EXPECT_EQ(anthropic.type, "rate_limit_error");
  EXPECT_EQ(anthropic.message, "slow down");
}

TEST(LlmErrorBodies, AForeignBodyKeepsItsStartOnOneLine) {
  const auto e = parse_llm_error(LlmApi::openai, 502, "<html>\n<body>Bad gateway</body>\n</html>");
  EXPECT_TRUE(e.type.empty());
  EXPECT_EQ(e.message, "<html> <body>Bad gateway</body> </html>");
}

TEST(LlmErrorBodies, RedirectNamesTheLocation) {
  LlmApiError e;
  e.http_status = 301;
  const Error error =
      llm_http_error(LlmApi::ollama, e, "POST http://o/api/chat", "https://u:p@o.example/api/chat");
  EXPECT_EQ(error.kind, ErrorKind::config);
  EXPECT_NE(error.message.find("https://***:***@o.example/api/chat"), std::string::npos)
      << error.message;
}

TEST(LlmText, ScrubSecretReplacesEveryOccurrence) {
  EXPECT_EQ(scrub_secret("key sk-1 and sk-1 again", "sk-1"), "key *** and *** again");
  EXPECT_EQ(scrub_secret("nothing", ""), "nothing");
  EXPECT_EQ(scrub_secret("aaaa", "aa"), "******");
}

TEST(LlmText, PrintableLineRemovesControlCharactersAndBoundsLength) {
  EXPECT_EQ(printable_line("a\nb\r\x1b[31mc", 100), "a b  [31mc");
  EXPECT_EQ(printable_line("abcdef", 3), "abc...");
}

TEST(LlmText, TruncatedFinishReasons) {
  EXPECT_TRUE(is_truncated_finish("length"));
  EXPECT_TRUE(is_truncated_finish("max_tokens"));
  EXPECT_TRUE(is_truncated_finish("model_context_window_exceeded"));
  EXPECT_FALSE(is_truncated_finish("stop"));
  EXPECT_FALSE(is_truncated_finish("end_turn"));
  EXPECT_FALSE(is_truncated_finish(""));
}

TEST(AttemptBudget, NoDeadlineKeepsTheConfiguredValues) {
  HttpOptions o;
  o.total_timeout_ms = 30000;
  o.max_retries = 7;
  const auto b = attempt_budget(o, std::nullopt);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->total_timeout_ms, 30000);
  EXPECT_EQ(b->max_retries, 7);
}

TEST(AttemptBudget, OnlyWholeAttemptsThatFitBeforeTheDeadline) {
  HttpOptions o;
  o.total_timeout_ms = 30000;
  o.max_retries = 7;
  const auto plenty = attempt_budget(o, Millis{10 * 60 * 1000});
  ASSERT_TRUE(plenty);
  EXPECT_EQ(plenty->max_retries, 7);

  const auto three = attempt_budget(o, Millis{95000}); // 3 attempts of 30 s fit
  ASSERT_TRUE(three);
  EXPECT_EQ(three->total_timeout_ms, 30000);
  EXPECT_EQ(three->max_retries, 2);

  const auto short_one = attempt_budget(o, Millis{2000}); // one attempt, cut at the deadline
  ASSERT_TRUE(short_one);
  EXPECT_EQ(short_one->total_timeout_ms, 2000);
  EXPECT_EQ(short_one->max_retries, 0);

  EXPECT_FALSE(attempt_budget(o, Millis{0}));
  EXPECT_FALSE(attempt_budget(o, Millis{-5}));
}

} // namespace
} // namespace mm
