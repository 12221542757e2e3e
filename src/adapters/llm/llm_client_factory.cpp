#include "adapters/llm/llm_client_factory.hpp"

#include "adapters/llm/anthropic_client.hpp"
#include "adapters/llm/ollama_client.hpp"
#include "adapters/llm/openai_client.hpp"
#include "core/redact.hpp"

namespace mm {

std::optional<LlmApi> llm_api_for_provider(std::string_view provider) noexcept {
  if (provider == "local" || provider == "ollama") {
    return LlmApi::ollama;
  }
  if (provider == "openai") {
    return LlmApi::openai;
  }
  if (provider == "anthropic") {
    return LlmApi::anthropic;
  }
  return std::nullopt;
}

HttpOptions default_llm_http_options() {
  HttpOptions options;
  options.connect_timeout_ms = 10000;
  options.total_timeout_ms = 300000;
  options.max_retries = 3;
  options.backoff_factor = 2.0;
  options.backoff_jitter = 1.0;
  options.max_backoff_ms = 60000;
  options.user_agent = "model-monitor (dataset generation)";
  return options;
}

namespace {

bool is_http_url(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

} // namespace

Result<std::unique_ptr<LlmClient>> make_llm_client(std::string_view provider, std::string base_url,
                                                   std::string model, std::string api_key,
                                                   HttpOptions http,
                                                   std::optional<SteadyTime> deadline,
                                                   RetryHooks hooks) {
  const auto api = llm_api_for_provider(provider);
  if (!api) {
    return Error::config("LLM_PROVIDER='" + printable_line(provider, 40) +
                         "' is not supported; accepted values: local, openai, anthropic");
  }
  if (model.empty()) {
    return Error::config("LLM_MODEL is empty; set the model name the " +
                         std::string(to_string(*api)) + " server knows");
  }
  if (base_url.empty()) {
    switch (*api) {
    case LlmApi::ollama:
      base_url = k_default_ollama_base_url;
      break;
    case LlmApi::openai:
      base_url = k_default_openai_base_url;
      break;
    case LlmApi::anthropic:
      base_url = k_default_anthropic_base_url;
      break;
    }
  }
  if (!is_http_url(base_url)) {
    return Error::config("LLM_BASE_URL='" + mask_uri_credentials(base_url) +
                         "' is not an http:// or https:// URL");
  }
  switch (*api) {
  case LlmApi::ollama:
    return std::unique_ptr<LlmClient>(std::make_unique<OllamaClient>(
        std::move(base_url), std::move(model), std::move(http), deadline, std::move(hooks)));
  case LlmApi::openai:
    if (api_key.empty() && is_openai_platform_url(base_url)) {
      return Error::config("OPENAI_API_KEY is not set; api.openai.com requires it");
    }
    return std::unique_ptr<LlmClient>(
        std::make_unique<OpenAiClient>(std::move(base_url), std::move(model), std::move(api_key),
                                       std::move(http), deadline, std::move(hooks)));
  case LlmApi::anthropic:
    if (api_key.empty()) {
      return Error::config("ANTHROPIC_API_KEY is not set; the Anthropic API requires it");
    }
    return std::unique_ptr<LlmClient>(
        std::make_unique<AnthropicClient>(std::move(base_url), std::move(model), std::move(api_key),
                                          std::move(http), deadline, std::move(hooks)));
  }
  return Error::internal("unhandled LLM API");
}

} // namespace mm
