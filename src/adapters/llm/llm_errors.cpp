#include "adapters/llm/llm_errors.hpp"

#include "core/redact.hpp"

#include <nlohmann/json.hpp>

namespace mm {

namespace {

using Json = nlohmann::json;

std::string string_member(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const char* key_variable(LlmApi api) {
  switch (api) {
  case LlmApi::openai:
    return "OPENAI_API_KEY";
  case LlmApi::anthropic:
    return "ANTHROPIC_API_KEY";
  case LlmApi::ollama:
    break;
  }
  return "";
}

} // namespace

LlmApiError parse_llm_error(LlmApi api, long http_status, std::string_view body) {
  constexpr std::size_t k_max_message = 400;
  LlmApiError out;
  out.http_status = http_status;
  const Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    const auto error = doc.find("error");
    if (error != doc.end() && error->is_string()) { // Ollama
      out.message = error->get<std::string>();
    } else if (error != doc.end() && error->is_object()) { // OpenAI and Anthropic
      out.type = string_member(*error, "type");
      out.message = string_member(*error, "message");
      const auto code = error->find("code");
      if (code != error->end() && code->is_string()) {
        out.code = code->get<std::string>();
      }
    }
  }
  (void)api; // the shapes do not overlap, so one parser reads all three
  if (out.message.empty() && out.type.empty()) {
    out.message = std::string(body.substr(0, 200));
  }
  out.message = printable_line(out.message, k_max_message);
  return out;
}

Error llm_http_error(LlmApi api, const LlmApiError& error, std::string_view what,
                     std::string_view location) {
  std::string message = std::string(what) + ": " + to_string(api) + " answered HTTP " +
                        std::to_string(error.http_status);
  if (!error.type.empty()) {
    message += " " + error.type;
  }
  if (!error.code.empty() && error.code != error.type) {
    message += " (" + error.code + ")";
  }
  if (!error.message.empty()) {
    message += ": " + error.message;
  }
  const long s = error.http_status;
  const std::string key_var = key_variable(api);
  if (s >= 300 && s < 400) {
    return Error::config(
        message + "; the server redirects" +
        (location.empty() ? std::string() : " to " + mask_uri_credentials(location)) +
        ": set LLM_BASE_URL to the final URL");
  }
  if (s == 401 || s == 403) {
    if (key_var.empty()) {
      return Error::config(message + "; Ollama has no authentication of its own: check "
                                     "LLM_BASE_URL and any proxy in front of Ollama");
    }
    return Error::config(message + "; check " + key_var);
  }
  if (s == 404) {
    const std::string hint =
        api == LlmApi::ollama ? " (pull it with `ollama pull <model>`)" : std::string();
    return Error::config(message + "; check LLM_MODEL (the model must exist on the server" + hint +
                         ") and LLM_BASE_URL (scheme, host, port and path prefix)");
  }
  if (s == 400 || s == 413 || s == 422) {
    return Error::config(message + "; the " + to_string(api) +
                         " API refused the request: check LLM_MODEL and LLM_TEMPERATURE");
  }
  if (s == 429 || s >= 500) {
    return Error::unavailable(message + "; the " + to_string(api) +
                              " API is overloaded or failing, retry later");
  }
  return Error::bad_response(std::move(message));
}

Result<LlmCompletion> completion_from_response(LlmApi api, const HttpResponse& response,
                                               std::string_view what, std::string_view secret,
                                               CompletionParser parse) {
  if (response.is_success()) {
    auto parsed = parse(response.body);
    if (!parsed) {
      Error error = std::move(parsed).error();
      error.message = scrub_secret(std::string(what) + ": " + error.message, secret);
      return error;
    }
    return parsed;
  }
  const auto api_error = parse_llm_error(api, response.status, response.body);
  Error error =
      llm_http_error(api, api_error, what, response.header("location").value_or(std::string()));
  error.message = scrub_secret(std::move(error.message), secret);
  return error;
}

} // namespace mm
