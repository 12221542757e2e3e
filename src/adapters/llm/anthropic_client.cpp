#include "adapters/llm/anthropic_client.hpp"

#include "adapters/http/url.hpp"
#include "adapters/llm/llm_errors.hpp"
#include "adapters/llm/llm_json.hpp"
#include "core/redact.hpp"

namespace mm {

using llm_json::Json;

std::string anthropic_messages_url(std::string_view base_url) {
  return join_url(base_url, "/v1/messages");
}

std::string build_anthropic_messages_body(std::string_view model, const LlmPrompt& prompt) {
  Json body = {
      {"model", model},
      {"max_tokens", prompt.max_tokens},
      {"messages", Json::array({{{"role", "user"}, {"content", prompt.user}}})},
      {"temperature", prompt.temperature},
  };
  if (!prompt.system.empty()) {
    body["system"] = prompt.system;
  }
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpHeaders anthropic_headers(std::string_view api_key) {
  return {{"x-api-key", std::string(api_key)},
          {"anthropic-version", std::string(k_anthropic_version)},
          {"Accept", "application/json"}};
}

Result<LlmCompletion> parse_anthropic_messages_response(std::string_view body) {
  try {
    auto parsed = llm_json::parse_object(LlmApi::anthropic, body);
    if (!parsed) {
      return std::move(parsed).error();
    }
    const Json& doc = parsed.value();
    if (llm_json::string_or(doc, "type") == "error") {
      const Json* error = llm_json::member(doc, "error");
      const std::string detail = error != nullptr ? llm_json::string_or(*error, "type") + ": " +
                                                        llm_json::string_or(*error, "message")
                                                  : std::string("no detail");
      return Error::bad_response("Anthropic API reported an error: " + printable_line(detail, 300));
    }
    const Json* content = llm_json::member(doc, "content");
    if (content == nullptr || !content->is_array()) {
      return Error::bad_response("Anthropic answer has no 'content' array");
    }
    LlmCompletion completion;
    completion.model = llm_json::string_or(doc, "model");
    completion.finish_reason = llm_json::string_or(doc, "stop_reason");
    if (const Json* usage = llm_json::member(doc, "usage"); usage != nullptr) {
      completion.input_tokens = llm_json::count_or_zero(*usage, "input_tokens");
      completion.output_tokens = llm_json::count_or_zero(*usage, "output_tokens");
    }
    for (const Json& block : *content) {
      if (llm_json::string_or(block, "type") == "text") {
        completion.text += llm_json::string_or(block, "text");
      }
    }
    if (completion.finish_reason == "refusal") {
      return Error::bad_response(
          "the model refused (stop_reason 'refusal')" +
          (completion.text.empty() ? std::string() : ": " + printable_line(completion.text, 200)));
    }
    if (completion.text.empty()) {
      return Error::bad_response("Anthropic answered with no text (stop_reason '" +
                                 completion.finish_reason + "')");
    }
    return completion;
  } catch (const Json::exception& e) {
    return Error::bad_response(std::string("Anthropic answer could not be read: ") + e.what());
  }
}

AnthropicClient::AnthropicClient(std::string base_url, std::string model, std::string api_key,
                                 HttpOptions http, std::optional<SteadyTime> deadline,
                                 RetryHooks hooks)
    : m_url(anthropic_messages_url(base_url)), m_model(std::move(model)),
      m_api_key(std::move(api_key)),
      m_transport(std::move(http), deadline, {k_anthropic_overloaded_status}, std::move(hooks)) {}

Result<LlmCompletion> AnthropicClient::complete(const LlmPrompt& prompt) {
  auto sent = m_transport.post_json(m_url, build_anthropic_messages_body(m_model, prompt),
                                    anthropic_headers(m_api_key), m_api_key);
  if (!sent) {
    return std::move(sent).error();
  }
  const std::string what = "POST " + mask_uri_credentials(m_url);
  auto completion = completion_from_response(LlmApi::anthropic, sent.value(), what, m_api_key,
                                             &parse_anthropic_messages_response);
  if (!completion && sent->status == k_anthropic_overloaded_status) {
    Error error = std::move(completion).error();
    error.message += " (after " + std::to_string(m_transport.last_attempts()) + " attempts)";
    return error;
  }
  return completion;
}

} // namespace mm
