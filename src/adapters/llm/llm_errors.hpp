#pragma once
// The answers of the three LLM APIs that are errors → mm::Error.
//
// Error bodies, as documented:
//   Ollama     {"error": "model 'llama2' not found, try pulling it first"}
//              (github.com/ollama/ollama docs/api.md; 404 for a model that is not pulled)
//   OpenAI     {"error": {"message": "...", "type": "invalid_request_error", "param": null,
//               "code": "invalid_api_key"}}   (platform.openai.com/docs/guides/error-codes)
//   Anthropic  {"type": "error", "error": {"type": "authentication_error", "message": "..."},
//               "request_id": "req_..."}      (docs.anthropic.com/en/api/errors: 400
//              invalid_request_error, 401 authentication_error, 403 permission_error,
//              404 not_found_error, 413 request_too_large, 429 rate_limit_error, 500 api_error,
//              529 overloaded_error)

#include "adapters/http/http_types.hpp"
#include "adapters/llm/llm_common.hpp"
#include "core/result.hpp"
#include "ports/llm_client.hpp"

#include <string>
#include <string_view>

namespace mm {

struct LlmApiError {
  long http_status = 0;
  std::string type;    // OpenAI error.type / Anthropic error.type; empty for Ollama
  std::string code;    // OpenAI error.code (e.g. "invalid_api_key"); empty otherwise
  std::string message; // the provider's message, or the start of a foreign body (one line)
};

// Never fails: a body in none of the shapes above keeps type/code empty and its start as message.
LlmApiError parse_llm_error(LlmApi api, long http_status, std::string_view body);

// The error for a non-2xx answer that HttpClient did not already turn into an Error
// (`what` is "POST <redacted url>"):
//   3xx → config (LLM_BASE_URL redirects), 401/403 → config (the API key: OPENAI_API_KEY /
//   ANTHROPIC_API_KEY), 404 → config (LLM_MODEL not available, or no such API at LLM_BASE_URL),
//   400/413/422 → config (the provider refused the request: model, temperature, sizes),
//   429/5xx/529 → unavailable, anything else → bad_response.
// Retrying cannot fix a config error, so the dataset generator stops at the first one.
Error llm_http_error(LlmApi api, const LlmApiError& error, std::string_view what,
                     std::string_view location = {});

// The completion in a provider's answer: a 2xx body goes to `parse` (its errors are prefixed with
// `what`), any other status to llm_http_error. `secret` is scrubbed from every message.
using CompletionParser = Result<LlmCompletion> (*)(std::string_view body);
Result<LlmCompletion> completion_from_response(LlmApi api, const HttpResponse& response,
                                               std::string_view what, std::string_view secret,
                                               CompletionParser parse);

} // namespace mm
