#include "adapters/llm/llm_errors.hpp"
#include "adapters/llm/openai_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace mm {
namespace {

using Json = nlohmann::json;

LlmPrompt prompt() {
  LlmPrompt p;
  p.system = "Answer in JSON.";
  p.user = "Generate exactly 3 new records.";
  p.temperature = 0.7;
  p.max_tokens = 4000;
  return p;
}

std::optional<std::string> header(const HttpHeaders& headers, std::string_view name) {
  const auto it = std::find_if(headers.begin(), headers.end(),
                               [name](const auto& h) { return h.first == name; });
  return it == headers.end() ? std::nullopt : std::optional<std::string>(it->second);
}

TEST(OpenAiRequest, UrlBodyAndHeadersFollowChatCompletions) {
  EXPECT_EQ(openai_chat_url("https://api.openai.com/v1"),
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(openai_chat_url("http://127.0.0.1:8000/v1/"),
            "http://127.0.0.1:8000/v1/chat/completions");

  const Json body = Json::parse(build_openai_chat_body(
      "gpt-4o-mini", prompt(), OpenAiTokenLimitField::max_completion_tokens));
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["response_format"], (Json{{"type", "json_object"}}));
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  EXPECT_EQ(body["max_completion_tokens"], 4000);
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_EQ(body["n"], 1);
  EXPECT_EQ(body["stream"], false);
  ASSERT_EQ(body["messages"].size(), 2U);
  EXPECT_EQ(body["messages"][0], (Json{{"role", "system"}, {"content", "Answer in JSON."}}));
  EXPECT_EQ(body["messages"][1]["role"], "user");

  const auto headers = openai_headers("sk-test");
  EXPECT_EQ(header(headers, "Authorization"), "Bearer sk-test");
}

TEST(OpenAiRequest, CompatibleServersGetMaxTokensAndNoEmptyBearer) {
  EXPECT_EQ(token_limit_field_for("https://api.openai.com/v1"),
            OpenAiTokenLimitField::max_completion_tokens);
  EXPECT_EQ(token_limit_field_for("https://api.openai.com"),
            OpenAiTokenLimitField::max_completion_tokens);
  EXPECT_EQ(token_limit_field_for("https://api.openai.com.evil.example/v1"),
            OpenAiTokenLimitField::max_tokens);
  EXPECT_EQ(token_limit_field_for("http://vllm:8000/v1"), OpenAiTokenLimitField::max_tokens);

  const Json body =
      Json::parse(build_openai_chat_body("m", prompt(), OpenAiTokenLimitField::max_tokens));
  EXPECT_EQ(body["max_tokens"], 4000);
  EXPECT_FALSE(body.contains("max_completion_tokens"));
  EXPECT_EQ(header(openai_headers(""), "Authorization"), std::nullopt);
}

// platform.openai.com/docs/api-reference/chat/object (example).
constexpr const char* k_docs_answer = R"({
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "object": "chat.completion",
  "created": 1741569952,
  "model": "gpt-4.1-2025-04-14",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "Hello! How can I assist you today?",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 19,
    "completion_tokens": 10,
    "total_tokens": 29,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                  "accepted_prediction_tokens": 0,
                                  "rejected_prediction_tokens": 0}
  },
  "service_tier": "default"
})";

TEST(OpenAiResponse, ParsesTheDocumentedAnswer) {
  const auto c = parse_openai_chat_response(k_docs_answer);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->text, "Hello! How can I assist you today?");
  EXPECT_EQ(c->model, "gpt-4.1-2025-04-14");
  EXPECT_EQ(c->finish_reason, "stop");
  EXPECT_EQ(c->input_tokens, 19);
  EXPECT_EQ(c->output_tokens, 10);
}

TEST(OpenAiResponse, TruncatedAnswerSaysLength) {
  const auto c = parse_openai_chat_response(
      R"({"object":"chat.completion","model":"m","choices":[{"index":0,"message":)"
      R"({"role":"assistant","content":"{\"records\": [{"},"finish_reason":"length"}]})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->finish_reason, "length");
  EXPECT_TRUE(is_truncated_finish(c->finish_reason));
  EXPECT_EQ(c->input_tokens, 0); // no usage: 0, not an error
}

TEST(OpenAiResponse, RefusalIsABadResponseCarryingTheReason) {
  const auto c = parse_openai_chat_response(
      R"({"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":null,"refusal":"I'm sorry, I can't help with that."},"finish_reason":"stop"}]})");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::bad_response);
  EXPECT_NE(c.error().message.find("refused"), std::string::npos);
  EXPECT_NE(c.error().message.find("can't help"), std::string::npos);
}

TEST(OpenAiResponse, BrokenAnswersAreBadResponses) {
  for (const char* body : {
           "<html>502 Bad Gateway</html>",
           R"({"object":"chat.completion","choices":[]})",
           R"({"object":"chat.completion"})",
           R"({"choices":[{"index":0,"finish_reason":"stop"}]})",
           R"({"choices":[{"index":0,"message":{"role":"assistant","content":null},)"
           R"("finish_reason":"content_filter"}]})",
           R"({"choices":[{"index":0,"message":{"role":"assistant","content":""},)"
           R"("finish_reason":"length"}]})",
           R"({"choices":[{"index":0,"message":{"role":"assistant","content":["x"]}}]})",
           R"({"error":{"message":"upstream failed","type":"server_error"}})",
       }) {
    const auto c = parse_openai_chat_response(body);
    ASSERT_FALSE(c) << body;
    EXPECT_EQ(c.error().kind, ErrorKind::bad_response) << body;
  }
}

Result<LlmCompletion> answered(long status, const std::string& body, std::string_view key = {}) {
  HttpResponse response;
  response.status = status;
  response.body = body;
  return completion_from_response(LlmApi::openai, response,
                                  "POST https://api.openai.com/v1/chat/completions", key,
                                  &parse_openai_chat_response);
}

TEST(OpenAiErrors, BadKeyIsAConfigErrorThatNamesTheVariableAndHidesTheKey) {
  const std::string key = "sk-proj-abcdefghijklmnop";
  const auto c = answered(
      401,
      R"({"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnop. You can find )"
      R"(your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error",)"
      R"("param":null,"code":"invalid_api_key"}})",
      key);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::config);
  EXPECT_NE(c.error().message.find("check OPENAI_API_KEY"), std::string::npos);
  EXPECT_NE(c.error().message.find("invalid_api_key"), std::string::npos);
  EXPECT_EQ(c.error().message.find(key), std::string::npos) << c.error().message;
}

TEST(OpenAiErrors, StatusesMapToKinds) {
  const auto model =
      answered(404, R"({"error":{"message":"The model `gpt-9` does not exist or you )"
                    R"(do not have access to it.","type":"invalid_request_error",)"
                    R"("param":null,"code":"model_not_found"}})");
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().kind, ErrorKind::config);
  EXPECT_NE(model.error().message.find("LLM_MODEL"), std::string::npos);

  const auto json_word = answered(
      400, R"({"error":{"message":"'messages' must contain the word 'json' in some form, to use )"
           R"('response_format' of type 'json_object'.","type":"invalid_request_error",)"
           R"("param":"messages","code":null}})");
  ASSERT_FALSE(json_word);
  EXPECT_EQ(json_word.error().kind, ErrorKind::config);

  const auto server =
      answered(501, R"({"error":{"message":"not implemented","type":"server_error"}})");
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().kind, ErrorKind::unavailable);

  const auto moved = answered(308, "");
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().kind, ErrorKind::config);
  EXPECT_NE(moved.error().message.find("LLM_BASE_URL"), std::string::npos);

  const auto odd = answered(418, "I'm a teapot");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().kind, ErrorKind::bad_response);
  EXPECT_NE(odd.error().message.find("teapot"), std::string::npos);
}

} // namespace
} // namespace mm
