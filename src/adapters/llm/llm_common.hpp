#pragma once
// Small things every LLM client shares: which API, URLs, finish reasons, and keeping secrets and
// model-controlled text out of messages.

#include <string>
#include <string_view>

namespace mm {

enum class LlmApi { ollama, openai, anthropic };

// "Ollama", "OpenAI", "Anthropic": for messages.
const char* to_string(LlmApi api) noexcept;

// Documented base URLs (used when the caller passes an empty base URL).
inline constexpr std::string_view k_default_ollama_base_url = "http://ollama.default:11434";
inline constexpr std::string_view k_default_openai_base_url = "https://api.openai.com/v1";
inline constexpr std::string_view k_default_anthropic_base_url = "https://api.anthropic.com";

// Whether a finish reason says the answer was cut by the output token limit:
// OpenAI "length", Ollama done_reason "length", Anthropic stop_reason "max_tokens" or
// "model_context_window_exceeded"
// (platform.claude.com/docs/build-with-claude/handling-stop-reasons).
bool is_truncated_finish(std::string_view finish_reason) noexcept;

// `text` with every occurrence of `secret` replaced by "***" (providers echo parts of a bad key
// in their messages; HttpClient quotes response bodies). An empty secret changes nothing.
std::string scrub_secret(std::string text, std::string_view secret);

// At most `max` bytes of text on one line, control characters (newlines, ANSI escapes) replaced
// by spaces: model output and provider messages end up in logs, and must not forge log lines.
std::string printable_line(std::string_view text, std::size_t max);

} // namespace mm
