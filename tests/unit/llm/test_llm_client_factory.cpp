#include "adapters/llm/llm_client_factory.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(LlmClientFactory, ProvidersMapToApis) {
  EXPECT_EQ(llm_api_for_provider("local"), LlmApi::ollama);
  EXPECT_EQ(llm_api_for_provider("ollama"), LlmApi::ollama);
  EXPECT_EQ(llm_api_for_provider("openai"), LlmApi::openai);
  EXPECT_EQ(llm_api_for_provider("anthropic"), LlmApi::anthropic);
  EXPECT_EQ(llm_api_for_provider("OpenAI"), std::nullopt);
  EXPECT_EQ(llm_api_for_provider(""), std::nullopt);
}

TEST(LlmClientFactory, BuildsEachProvider) {
  for (const char* provider : {"local", "openai", "anthropic"}) {
    auto client = make_llm_client(provider, "", "some-model", "key", HttpOptions{});
    ASSERT_TRUE(client) << provider << ": " << client.error().message;
    EXPECT_NE(client->get(), nullptr);
  }
  // An OpenAI-compatible server without authentication needs no key.
  EXPECT_TRUE(make_llm_client("openai", "http://127.0.0.1:8000/v1", "m", "", HttpOptions{}));
}

TEST(LlmClientFactory, ConfigurationMistakesAreConfigErrorsNamingTheVariable) {
  const struct {
    const char* provider;
    const char* base_url;
    const char* model;
    const char* key;
    const char* variable;
  } cases[] = {
      {"gemini", "", "m", "k", "LLM_PROVIDER"},
      {"local", "", "", "", "LLM_MODEL"},
      {"local", "ollama:11434", "m", "", "LLM_BASE_URL"},
      {"openai", "", "gpt-4o-mini", "", "OPENAI_API_KEY"},
      {"openai", "https://api.openai.com/v1", "gpt-4o-mini", "", "OPENAI_API_KEY"},
      {"anthropic", "", "claude-3-5-haiku-latest", "", "ANTHROPIC_API_KEY"},
  };
  for (const auto& c : cases) {
    auto client = make_llm_client(c.provider, c.base_url, c.model, c.key, HttpOptions{});
    ASSERT_FALSE(client) << c.provider << " " << c.variable;
    EXPECT_EQ(client.error().kind, ErrorKind::config);
    EXPECT_NE(client.error().message.find(c.variable), std::string::npos) << client.error().message;
  }
}

TEST(LlmClientFactory, DefaultHttpOptionsSuitLongGenerations) {
  const HttpOptions o = default_llm_http_options();
  EXPECT_GE(o.total_timeout_ms, 120000);
  EXPECT_GE(o.max_retries, 1);
  EXPECT_TRUE(o.verify_tls);
}

TEST(LlmClientFactory, ADeadlineInThePastFailsWithoutSending) {
  auto client = make_llm_client("local", "http://127.0.0.1:9", "m", "", HttpOptions{},
                                std::chrono::steady_clock::now() - std::chrono::seconds(1));
  ASSERT_TRUE(client);
  const auto answer = (*client)->complete(LlmPrompt{});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::timeout);
  EXPECT_NE(answer.error().message.find("deadline"), std::string::npos);
}

} // namespace
} // namespace mm
