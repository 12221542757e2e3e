#pragma once
// Port: a large language model that completes a prompt (Ollama, OpenAI Chat Completions or any
// OpenAI-compatible server, Anthropic Messages).

#include "core/result.hpp"

#include <string>

namespace mm {

struct LlmPrompt {
  std::string system; // instructions (schema, ranges, output format)
  std::string user;   // the request for one batch
  double temperature = 0.7;
  int max_tokens = 4096;
};

struct LlmCompletion {
  std::string text;          // the model's answer, unparsed
  std::string model;         // as reported by the provider
  std::string finish_reason; // "stop", "length"/"max_tokens" (truncated), ...
  long long input_tokens = 0;
  long long output_tokens = 0;
};

// Not thread-safe: one client per thread (each owns an HTTP connection).
class LlmClient {
public:
  virtual ~LlmClient() = default;
  // Errors: unavailable / timeout (after retries), bad_response (an answer without text),
  // config (401/403: bad key — retrying cannot help).
  virtual Result<LlmCompletion> complete(const LlmPrompt& prompt) = 0;
};

} // namespace mm
