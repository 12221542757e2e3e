#include "adapters/llm/anthropic_client.hpp"
#include "adapters/llm/llm_errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace mm {
namespace {

using Json = nlohmann::json;

TEST(AnthropicRequest, UrlBodyAndHeadersFollowTheMessagesApi) {
  EXPECT_EQ(anthropic_messages_url("https://api.anthropic.com"),
            "https://api.anthropic.com/v1/messages");

  LlmPrompt p;
  p.system = "Answer in JSON.";
  p.user = "Generate exactly 3 new records.";
  p.temperature = 0.5;
  p.max_tokens = 4000;
  const Json body = Json::parse(build_anthropic_messages_body("claude-3-5-haiku-latest", p));
  EXPECT_EQ(body["model"], "claude-3-5-haiku-latest");
  EXPECT_EQ(body["max_tokens"], 4000); // required by the API
  EXPECT_EQ(body["system"], "Answer in JSON.");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.5);
  EXPECT_EQ(body["messages"],
            Json::parse(R"([{"role":"user","content":"Generate exactly 3 new records."}])"));
  EXPECT_FALSE(body.contains("stream"));

  const HttpHeaders headers = anthropic_headers("sk-ant-test");
  const auto value = [&](std::string_view name) {
    const auto it = std::find_if(headers.begin(), headers.end(),
                                 [name](const auto& h) { return h.first == name; });
    return it == headers.end() ? std::string("<none>") : it->second;
  };
  EXPECT_EQ(value("x-api-key"), "sk-ant-test");
  EXPECT_EQ(value("anthropic-version"), "2023-06-01");
  EXPECT_EQ(value("Authorization"), "<none>"); // the key goes in x-api-key only
}

// docs.anthropic.com/en/api/messages (example response).
constexpr const char* k_docs_answer = R"({
  "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
  "type": "message",
  "role": "assistant",
  "model": "claude-3-7-sonnet-20250219",
  "content": [
    {
      "type": "text",
      "text": "Hi! My name is Claude."
    }
  ],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {
    "input_tokens": 2095,
    "output_tokens": 503
  }
})";

TEST(AnthropicResponse, ParsesTheDocumentedAnswer) {
  const auto c = parse_anthropic_messages_response(k_docs_answer);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->text, "Hi! My name is Claude.");
  EXPECT_EQ(c->model, "claude-3-7-sonnet-20250219");
  EXPECT_EQ(c->finish_reason, "end_turn");
  EXPECT_EQ(c->input_tokens, 2095);
  EXPECT_EQ(c->output_tokens, 503);
}

TEST(AnthropicResponse, JoinsTextBlocksAndSkipsOthers) {
  const auto c = parse_anthropic_messages_response(
      R"({"type":"message","content":[{"type":"thinking","thinking":"hmm","signature":"x"},)"
      R"({"type":"text","text":"{\"records\": "},{"type":"text","text":"[]}"}],)"
      R"("stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":2}})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, R"({"records": []})");
  EXPECT_TRUE(is_truncated_finish(c->finish_reason));
}

TEST(AnthropicResponse, RefusalEmptyAndBrokenAnswersAreBadResponses) {
  for (const char* body : {
           R"({"type":"message","content":[],"stop_reason":"refusal"})",
           R"({"type":"message","content":[{"type":"text","text":"I can't."}],)"
           R"("stop_reason":"refusal"})",
           R"({"type":"message","content":[],"stop_reason":"max_tokens"})",
           R"({"type":"message","stop_reason":"end_turn"})",
           R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
           "event: message_start\ndata: {}",
       }) {
    const auto c = parse_anthropic_messages_response(body);
    ASSERT_FALSE(c) << body;
    EXPECT_EQ(c.error().kind, ErrorKind::bad_response) << body;
  }
}

Result<LlmCompletion> answered(long status, const std::string& body) {
  HttpResponse response;
  response.status = status;
  response.body = body;
  return completion_from_response(LlmApi::anthropic, response,
                                  "POST https://api.anthropic.com/v1/messages", "sk-ant-secret",
                                  &parse_anthropic_messages_response);
}

// docs.anthropic.com/en/api/errors: {"type":"error","error":{"type":...,"message":...}}.
TEST(AnthropicErrors, DocumentedErrorTypesMapToKinds) {
  const auto auth = answered(
      401,
      R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},)"
      R"("request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"})");
  ASSERT_FALSE(auth);
  EXPECT_EQ(auth.error().kind, ErrorKind::config);
  EXPECT_NE(auth.error().message.find("authentication_error: invalid x-api-key"),
            std::string::npos);
  EXPECT_NE(auth.error().message.find("check ANTHROPIC_API_KEY"), std::string::npos);

  const auto model = answered(
      404, R"({"type":"error","error":{"type":"not_found_error","message":"model: claude-9"}})");
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().kind, ErrorKind::config);

  const auto overloaded = answered(
      529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  ASSERT_FALSE(overloaded);
  EXPECT_EQ(overloaded.error().kind, ErrorKind::unavailable);
  EXPECT_NE(overloaded.error().message.find("overloaded_error"), std::string::npos);

  const auto too_large = answered(
      413, R"({"type":"error","error":{"type":"request_too_large","message":"Request exceeds )"
           R"(the maximum allowed number of bytes."}})");
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().kind, ErrorKind::config);
}

} // namespace
} // namespace mm
