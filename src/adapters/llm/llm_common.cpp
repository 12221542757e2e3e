#include "adapters/llm/llm_common.hpp"

#include <algorithm>

namespace mm {

const char* to_string(LlmApi api) noexcept {
  switch (api) {
  case LlmApi::ollama:
    return "Ollama";
  case LlmApi::openai:
    return "OpenAI";
  case LlmApi::anthropic:
    return "Anthropic";
  }
  return "LLM";
}

bool is_truncated_finish(std::string_view finish_reason) noexcept {
  return finish_reason == "length" || finish_reason == "max_tokens" ||
         finish_reason == "model_context_window_exceeded";
}

std::string printable_line(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  }
  if (text.size() > max) {
    out += "...";
  }
  return out;
}

std::string scrub_secret(std::string text, std::string_view secret) {
  if (secret.empty()) {
    return text;
  }
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

} // namespace mm
