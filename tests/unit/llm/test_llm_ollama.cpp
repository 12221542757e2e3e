#include "adapters/llm/llm_errors.hpp"
#include "adapters/llm/ollama_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mm {
namespace {

using Json = nlohmann::json;

LlmPrompt prompt() {
  LlmPrompt p;
  p.system = "You write JSON.";
  p.user = "Generate exactly 3 new records.";
  p.temperature = 0.25;
  p.max_tokens = 1234;
  return p;
}

TEST(OllamaRequest, UrlAndBodyFollowTheChatApi) {
  EXPECT_EQ(ollama_chat_url("http://ollama.default:11434"), "http://ollama.default:11434/api/chat");
  EXPECT_EQ(ollama_chat_url("http://h:11434/"), "http://h:11434/api/chat");

  const Json body = Json::parse(build_ollama_chat_body("llama2", prompt()));
  EXPECT_EQ(body["model"], "llama2");
  EXPECT_EQ(body["stream"], false); // one JSON object, not NDJSON
  EXPECT_EQ(body["format"], "json");
  ASSERT_EQ(body["messages"].size(), 2U);
  EXPECT_EQ(body["messages"][0], (Json{{"role", "system"}, {"content", "You write JSON."}}));
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["messages"][1]["content"], "Generate exactly 3 new records.");
  EXPECT_DOUBLE_EQ(body["options"]["temperature"].get<double>(), 0.25);
  EXPECT_EQ(body["options"]["num_predict"], 1234);
}

TEST(OllamaRequest, NoSystemMessageWhenThereIsNone) {
  LlmPrompt p = prompt();
  p.system.clear();
  const Json body = Json::parse(build_ollama_chat_body("m", p));
  ASSERT_EQ(body["messages"].size(), 1U);
  EXPECT_EQ(body["messages"][0]["role"], "user");
}

TEST(OllamaRequest, InvalidUtf8InThePromptIsReplacedNotThrown) {
  LlmPrompt p = prompt();
  p.user = "bad \xff byte";
  std::string body;
  EXPECT_NO_THROW(body = build_ollama_chat_body("m", p));
  EXPECT_TRUE(Json::accept(body));
}

// docs/api.md, "Chat request (Structured outputs)", response.
constexpr const char* k_docs_answer = R"({
  "model": "llama3.1",
  "created_at": "2024-12-06T00:46:58.265747Z",
  "message": { "role": "assistant", "content": "{\"age\": 22, \"available\": false}" },
  "done_reason": "stop",
  "done": true,
  "total_duration": 2254970291,
  "load_duration": 574751416,
  "prompt_eval_count": 34,
  "prompt_eval_duration": 1502000000,
  "eval_count": 12,
  "eval_duration": 175000000
})";

TEST(OllamaResponse, ParsesTheDocumentedAnswer) {
  const auto c = parse_ollama_chat_response(k_docs_answer);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->text, R"({"age": 22, "available": false})");
  EXPECT_EQ(c->model, "llama3.1");
  EXPECT_EQ(c->finish_reason, "stop");
  EXPECT_EQ(c->input_tokens, 34);
  EXPECT_EQ(c->output_tokens, 12);
}

TEST(OllamaResponse, TruncatedAnswerKeepsItsTextAndSaysLength) {
  // done_reason "length": num_predict was reached (the runner's stop reason).
  const auto c = parse_ollama_chat_response(
      R"({"model":"llama2","message":{"role":"assistant","content":"{\"records\": [{\"num_"},)"
      R"("done_reason":"length","done":true,"eval_count":4096})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->finish_reason, "length");
  EXPECT_TRUE(is_truncated_finish(c->finish_reason));
  EXPECT_EQ(c->text, R"({"records": [{"num_)");
}

TEST(OllamaResponse, BrokenAnswersAreBadResponses) {
  for (const char* body : {
           "not json at all",
           "",
           "[1, 2]",
           R"({"model":"llama2","done":true})",                                 // no message
           R"({"model":"llama2","message":{"role":"assistant","content":""}})", // empty
           R"({"model":"llama2","message":{"role":"assistant","content":42}})", // wrong type
           R"({"error":"an error was encountered while running the model"})",
       }) {
    const auto c = parse_ollama_chat_response(body);
    ASSERT_FALSE(c) << body;
    EXPECT_EQ(c.error().kind, ErrorKind::bad_response) << body;
  }
}

TEST(OllamaErrors, ModelNotPulledIsAConfigErrorNamingLlmModel) {
  HttpResponse response;
  response.status = 404;
  response.body = R"({"error":"model 'llama2' not found, try pulling it first"})";
  const auto c = completion_from_response(LlmApi::ollama, response, "POST http://o/api/chat", {},
                                          &parse_ollama_chat_response);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::config);
  EXPECT_NE(c.error().message.find("model 'llama2' not found"), std::string::npos);
  EXPECT_NE(c.error().message.find("LLM_MODEL"), std::string::npos);
  EXPECT_NE(c.error().message.find("ollama pull"), std::string::npos);
}

TEST(OllamaErrors, BusyServerIsUnavailable) {
  HttpResponse response;
  response.status = 503;
  response.body =
      R"({"error":"server busy, please try again.  maximum pending requests exceeded"})";
  const auto c =
      completion_from_response(LlmApi::ollama, response, "POST x", {}, &parse_ollama_chat_response);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::unavailable);
}

} // namespace
} // namespace mm
