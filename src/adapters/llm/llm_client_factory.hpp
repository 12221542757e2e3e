#pragma once
// Builds the LlmClient that LLM_PROVIDER names (DESIGN §2).

#include "adapters/http/http_client.hpp"
#include "adapters/llm/llm_common.hpp"
#include "adapters/llm/llm_transport.hpp"
#include "core/result.hpp"
#include "ports/llm_client.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mm {

// LLM_PROVIDER → API: "local" (and "ollama") → Ollama, "openai", "anthropic"; nullopt otherwise.
std::optional<LlmApi> llm_api_for_provider(std::string_view provider) noexcept;

// HTTP options suited to LLM calls, for the caller to start from: one attempt may take minutes
// (a local model writing 4000 tokens on a CPU), so 300 s per attempt; 3 retries with the usual
// exponential backoff (2 s factor, 1 s jitter) and at most 60 s between attempts, since the
// whole step is bounded by DATASET_GENERATION_TIMEOUT anyway.
HttpOptions default_llm_http_options();

// provider: LLM_PROVIDER's value. base_url: LLM_BASE_URL as the app decided it; empty → the
// API's documented default (k_default_*_base_url). api_key: OPENAI_API_KEY / ANTHROPIC_API_KEY
// (unused for Ollama). deadline: the dataset generation deadline, bounding every call
// (llm_transport.hpp). Errors (config): unknown provider, empty model, a base URL that is not
// http(s), a missing key for api.openai.com or Anthropic. A missing key for any other
// OpenAI-compatible server is allowed (local servers often have no authentication).
Result<std::unique_ptr<LlmClient>>
make_llm_client(std::string_view provider, std::string base_url, std::string model,
                std::string api_key, HttpOptions http,
                std::optional<SteadyTime> deadline = std::nullopt, RetryHooks hooks = {});

} // namespace mm
