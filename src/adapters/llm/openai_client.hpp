#pragma once
// LlmClient over OpenAI Chat Completions (platform.openai.com/docs/api-reference/chat/create),
// also any OpenAI-compatible server (vLLM, llama.cpp server, Ollama's /v1, LiteLLM, ...) through
// the base URL: POST {base}/chat/completions, Authorization: Bearer <key>.

#include "adapters/http/http_client.hpp"
#include "adapters/llm/llm_transport.hpp"
#include "ports/llm_client.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mm {

// Which body field carries the output token limit. OpenAI deprecated "max_tokens" for
// "max_completion_tokens", which its reasoning models (o-series, gpt-5) require; many
// OpenAI-compatible servers only know "max_tokens".
enum class OpenAiTokenLimitField { max_tokens, max_completion_tokens };

// Whether base_url is OpenAI's own platform (https://api.openai.com...), which requires a key.
bool is_openai_platform_url(std::string_view base_url) noexcept;

// max_completion_tokens for api.openai.com, max_tokens for any other server.
OpenAiTokenLimitField token_limit_field_for(std::string_view base_url);

// {base}/chat/completions (base is e.g. https://api.openai.com/v1).
std::string openai_chat_url(std::string_view base_url);

// {"model", "messages": [system?, user], "temperature", <token limit field>,
//  "response_format": {"type": "json_object"}, "n": 1, "stream": false}.
// JSON mode needs the word "JSON" in the messages, or OpenAI answers 400; the prompt templates
// contain it (tested).
std::string build_openai_chat_body(std::string_view model, const LlmPrompt& prompt,
                                   OpenAiTokenLimitField limit_field);

// The request headers: Authorization: Bearer <key> (none when key is empty, for local
// OpenAI-compatible servers without authentication).
HttpHeaders openai_headers(std::string_view api_key);

// A chat.completion object:
//   {"id", "object": "chat.completion", "model", "choices": [{"index": 0, "message":
//    {"role": "assistant", "content": "..." | null, "refusal": null | "..."},
//    "finish_reason": "stop" | "length" | "content_filter" | ...}],
//    "usage": {"prompt_tokens", "completion_tokens", "total_tokens"}}
// text = choices[0].message.content. bad_response for a refusal, for no choices, for an empty or
// null content (finish_reason "content_filter" or "length" with nothing written) and for an
// {"error": {...}} object answered with 200 by some compatible servers.
Result<LlmCompletion> parse_openai_chat_response(std::string_view body);

class OpenAiClient final : public LlmClient {
public:
  OpenAiClient(std::string base_url, std::string model, std::string api_key, HttpOptions http,
               std::optional<SteadyTime> deadline = std::nullopt, RetryHooks hooks = {});
  Result<LlmCompletion> complete(const LlmPrompt& prompt) override;

private:
  std::string m_url;
  std::string m_model;
  std::string m_api_key;
  OpenAiTokenLimitField m_limit_field;
  LlmTransport m_transport;
};

} // namespace mm
