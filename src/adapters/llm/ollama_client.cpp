#include "adapters/llm/ollama_client.hpp"

#include "adapters/http/url.hpp"
#include "adapters/llm/llm_errors.hpp"
#include "adapters/llm/llm_json.hpp"
#include "core/redact.hpp"

namespace mm {

using llm_json::Json;

std::string ollama_chat_url(std::string_view base_url) {
  return join_url(base_url, "/api/chat");
}

std::string build_ollama_chat_body(std::string_view model, const LlmPrompt& prompt) {
  Json messages = Json::array();
  if (!prompt.system.empty()) {
    messages.push_back({{"role", "system"}, {"content", prompt.system}});
  }
  messages.push_back({{"role", "user"}, {"content", prompt.user}});
  const Json body = {
      {"model", model},
      {"messages", std::move(messages)},
      {"stream", false},
      {"format", "json"},
      {"options", {{"temperature", prompt.temperature}, {"num_predict", prompt.max_tokens}}},
  };
  // error_handler::replace: a prompt with invalid UTF-8 is sent with U+FFFD, never throws.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<LlmCompletion> parse_ollama_chat_response(std::string_view body) {
  try {
    auto parsed = llm_json::parse_object(LlmApi::ollama, body);
    if (!parsed) {
      return std::move(parsed).error();
    }
    const Json& doc = parsed.value();
    if (const Json* error = llm_json::member(doc, "error"); error != nullptr) {
      return Error::bad_response(
          "Ollama reported an error: " +
          printable_line(error->is_string() ? error->get<std::string>() : error->dump(), 300));
    }
    const Json* message = llm_json::member(doc, "message");
    if (message == nullptr || !message->is_object()) {
      return Error::bad_response("Ollama answer has no 'message' object (is this /api/chat?)");
    }
    const Json* content = llm_json::member(*message, "content");
    if (content != nullptr && !content->is_string()) {
      return Error::bad_response("Ollama answer: 'message.content' is not a string");
    }
    LlmCompletion completion;
    completion.text = content != nullptr ? content->get<std::string>() : std::string();
    completion.model = llm_json::string_or(doc, "model");
    completion.finish_reason = llm_json::string_or(doc, "done_reason");
    completion.input_tokens = llm_json::count_or_zero(doc, "prompt_eval_count");
    completion.output_tokens = llm_json::count_or_zero(doc, "eval_count");
    if (completion.text.empty()) {
      return Error::bad_response("Ollama answered with an empty message (done_reason '" +
                                 completion.finish_reason + "')");
    }
    return completion;
  } catch (const Json::exception& e) {
    return Error::bad_response(std::string("Ollama answer could not be read: ") + e.what());
  }
}

OllamaClient::OllamaClient(std::string base_url, std::string model, HttpOptions http,
                           std::optional<SteadyTime> deadline, RetryHooks hooks)
    : m_url(ollama_chat_url(base_url)), m_model(std::move(model)),
      m_transport(std::move(http), deadline, {}, std::move(hooks)) {}

Result<LlmCompletion> OllamaClient::complete(const LlmPrompt& prompt) {
  auto sent = m_transport.post_json(m_url, build_ollama_chat_body(m_model, prompt), {}, {});
  if (!sent) {
    return std::move(sent).error();
  }
  return completion_from_response(LlmApi::ollama, sent.value(),
                                  "POST " + mask_uri_credentials(m_url), {},
                                  &parse_ollama_chat_response);
}

} // namespace mm
