#include "adapters/llm/openai_client.hpp"

#include "adapters/http/url.hpp"
#include "adapters/llm/llm_errors.hpp"
#include "adapters/llm/llm_json.hpp"
#include "core/redact.hpp"

namespace mm {

using llm_json::Json;

bool is_openai_platform_url(std::string_view base_url) noexcept {
  constexpr std::string_view k_official = "https://api.openai.com";
  return base_url.substr(0, k_official.size()) == k_official &&
         (base_url.size() == k_official.size() || base_url[k_official.size()] == '/');
}

OpenAiTokenLimitField token_limit_field_for(std::string_view base_url) {
  return is_openai_platform_url(base_url) ? OpenAiTokenLimitField::max_completion_tokens
                                          : OpenAiTokenLimitField::max_tokens;
}

std::string openai_chat_url(std::string_view base_url) {
  return join_url(base_url, "/chat/completions");
}

std::string build_openai_chat_body(std::string_view model, const LlmPrompt& prompt,
                                   OpenAiTokenLimitField limit_field) {
  Json messages = Json::array();
  if (!prompt.system.empty()) {
    messages.push_back({{"role", "system"}, {"content", prompt.system}});
  }
  messages.push_back({{"role", "user"}, {"content", prompt.user}});
  Json body = {
      {"model", model},
      {"messages", std::move(messages)},
      {"temperature", prompt.temperature},
      {"response_format", {{"type", "json_object"}}},
      {"n", 1},
      {"stream", false},
  };
  body[limit_field == OpenAiTokenLimitField::max_completion_tokens ? "max_completion_tokens"
                                                                   : "max_tokens"] =
      prompt.max_tokens;
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpHeaders openai_headers(std::string_view api_key) {
  HttpHeaders headers = {{"Accept", "application/json"}};
  if (!api_key.empty()) {
    headers.emplace_back("Authorization", "Bearer " + std::string(api_key));
  }
  return headers;
}

Result<LlmCompletion> parse_openai_chat_response(std::string_view body) {
  try {
    auto parsed = llm_json::parse_object(LlmApi::openai, body);
    if (!parsed) {
      return std::move(parsed).error();
    }
    const Json& doc = parsed.value();
    if (const Json* error = llm_json::member(doc, "error"); error != nullptr) {
      const std::string message =
          error->is_object() ? llm_json::string_or(*error, "message") : error->dump();
      return Error::bad_response("OpenAI API reported an error: " + printable_line(message, 300));
    }
    const Json* choices = llm_json::member(doc, "choices");
    if (choices == nullptr || !choices->is_array() || choices->empty() ||
        !(*choices)[0].is_object()) {
      return Error::bad_response("OpenAI answer has no choices");
    }
    const Json& choice = (*choices)[0];
    const Json* message = llm_json::member(choice, "message");
    if (message == nullptr || !message->is_object()) {
      return Error::bad_response("OpenAI answer: choices[0] has no 'message' object");
    }
    LlmCompletion completion;
    completion.model = llm_json::string_or(doc, "model");
    completion.finish_reason = llm_json::string_or(choice, "finish_reason");
    if (const Json* usage = llm_json::member(doc, "usage"); usage != nullptr) {
      completion.input_tokens = llm_json::count_or_zero(*usage, "prompt_tokens");
      completion.output_tokens = llm_json::count_or_zero(*usage, "completion_tokens");
    }
    // Structured outputs: a refusal comes in its own field, content is then null
    // (platform.openai.com/docs/guides/structured-outputs, "Refusals").
    if (const Json* refusal = llm_json::member(*message, "refusal");
        refusal != nullptr && refusal->is_string() && !refusal->get<std::string>().empty()) {
      return Error::bad_response("the model refused: " +
                                 printable_line(refusal->get<std::string>(), 200));
    }
    const Json* content = llm_json::member(*message, "content");
    if (content != nullptr && !content->is_string()) {
      return Error::bad_response("OpenAI answer: 'message.content' is not a string");
    }
    completion.text = content != nullptr ? content->get<std::string>() : std::string();
    if (completion.text.empty()) {
      return Error::bad_response("OpenAI answered with no content (finish_reason '" +
                                 completion.finish_reason + "')");
    }
    return completion;
  } catch (const Json::exception& e) {
    return Error::bad_response(std::string("OpenAI answer could not be read: ") + e.what());
  }
}

OpenAiClient::OpenAiClient(std::string base_url, std::string model, std::string api_key,
                           HttpOptions http, std::optional<SteadyTime> deadline, RetryHooks hooks)
    : m_url(openai_chat_url(base_url)), m_model(std::move(model)), m_api_key(std::move(api_key)),
      m_limit_field(token_limit_field_for(base_url)),
      m_transport(std::move(http), deadline, {}, std::move(hooks)) {}

Result<LlmCompletion> OpenAiClient::complete(const LlmPrompt& prompt) {
  auto sent = m_transport.post_json(m_url, build_openai_chat_body(m_model, prompt, m_limit_field),
                                    openai_headers(m_api_key), m_api_key);
  if (!sent) {
    return std::move(sent).error();
  }
  return completion_from_response(LlmApi::openai, sent.value(),
                                  "POST " + mask_uri_credentials(m_url), m_api_key,
                                  &parse_openai_chat_response);
}

} // namespace mm
