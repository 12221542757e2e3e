#pragma once
// LlmClient over the Anthropic Messages API (docs.anthropic.com/en/api/messages):
// POST {base}/v1/messages with headers x-api-key and anthropic-version: 2023-06-01.
// The API has no JSON mode comparable to OpenAI's json_object: the prompt asks for one JSON
// object and parse_generated_records tolerates prose and code fences around it.

#include "adapters/http/http_client.hpp"
#include "adapters/llm/llm_transport.hpp"
#include "ports/llm_client.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mm {

// The API version header every request must carry (docs.anthropic.com/en/api/versioning).
inline constexpr std::string_view k_anthropic_version = "2023-06-01";

// Anthropic's "API temporarily overloaded" status (overloaded_error). HttpClient does not retry
// it (it follows MLflow's list), so AnthropicClient does, with the same backoff policy.
inline constexpr long k_anthropic_overloaded_status = 529;

// {base}/v1/messages (base is e.g. https://api.anthropic.com).
std::string anthropic_messages_url(std::string_view base_url);

// {"model", "max_tokens", "system"?, "messages": [{"role": "user", "content": "..."}],
//  "temperature"}. max_tokens is required by the API.
std::string build_anthropic_messages_body(std::string_view model, const LlmPrompt& prompt);

// x-api-key, anthropic-version, Accept.
HttpHeaders anthropic_headers(std::string_view api_key);

// A Message object:
//   {"id", "type": "message", "role": "assistant", "model",
//    "content": [{"type": "text", "text": "..."}, ...],
//    "stop_reason": "end_turn" | "max_tokens" | "stop_sequence" | "refusal" | ...,
//    "usage": {"input_tokens", "output_tokens"}}
// text = the text blocks joined (other block types, e.g. thinking, are skipped). bad_response
// for stop_reason "refusal", for no text at all and for a {"type": "error"} body.
Result<LlmCompletion> parse_anthropic_messages_response(std::string_view body);

class AnthropicClient final : public LlmClient {
public:
  AnthropicClient(std::string base_url, std::string model, std::string api_key, HttpOptions http,
                  std::optional<SteadyTime> deadline = std::nullopt, RetryHooks hooks = {});
  Result<LlmCompletion> complete(const LlmPrompt& prompt) override;

private:
  std::string m_url;
  std::string m_model;
  std::string m_api_key;
  LlmTransport m_transport;
};

} // namespace mm
