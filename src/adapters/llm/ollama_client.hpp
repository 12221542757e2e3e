#pragma once
// LlmClient over Ollama's native chat API (github.com/ollama/ollama docs/api.md,
// "Generate a chat completion"): POST {base}/api/chat with "stream": false, so the answer is
// one JSON object, and "format": "json" (JSON mode: the model's output is well-formed JSON).
// Ollama has no authentication of its own.

#include "adapters/http/http_client.hpp"
#include "adapters/llm/llm_transport.hpp"
#include "ports/llm_client.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mm {

// {base}/api/chat
std::string ollama_chat_url(std::string_view base_url);

// {"model", "messages": [system?, user], "stream": false, "format": "json",
//  "options": {"temperature", "num_predict"}}. num_predict is Ollama's output token limit
// (docs/modelfile.md "Valid parameters and values").
std::string build_ollama_chat_body(std::string_view model, const LlmPrompt& prompt);

// A non-streamed /api/chat answer:
//   {"model", "created_at", "message": {"role": "assistant", "content": "..."},
//    "done": true, "done_reason": "stop" | "length", "prompt_eval_count", "eval_count", ...}
// text = message.content, finish_reason = done_reason ("length": num_predict reached),
// tokens = prompt_eval_count / eval_count. bad_response for a body that is not such an object,
// for {"error": "..."} and for an empty message.
Result<LlmCompletion> parse_ollama_chat_response(std::string_view body);

class OllamaClient final : public LlmClient {
public:
  OllamaClient(std::string base_url, std::string model, HttpOptions http,
               std::optional<SteadyTime> deadline = std::nullopt, RetryHooks hooks = {});
  Result<LlmCompletion> complete(const LlmPrompt& prompt) override;

private:
  std::string m_url;
  std::string m_model;
  LlmTransport m_transport;
};

} // namespace mm
