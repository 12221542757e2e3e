// libFuzzer target: what an LLM provider sends back (adapters/llm). Every input is read
//   - as the model's text, by parse_generated_records (generated_records.hpp): the records it
//     keeps are the rows a specialist is trained on;
//   - as a 2xx body of each provider: parse_ollama_chat_response, parse_openai_chat_response,
//     parse_anthropic_messages_response;
//   - as an error body (parse_llm_error, llm_http_error) through completion_from_response, with
//     a "secret" cut from the input itself so that echoed keys are exercised.
// Seeds: tests/fuzz/corpus/fuzz_llm_output (documented answer shapes of Ollama /api/chat, OpenAI
// chat.completion, Anthropic Message and their errors, and model texts with fences, prose and
// truncation). See docs/fuzzing.md.

#include "adapters/llm/anthropic_client.hpp"
#include "adapters/llm/generated_records.hpp"
#include "adapters/llm/llm_common.hpp"
#include "adapters/llm/llm_errors.hpp"
#include "adapters/llm/ollama_client.hpp"
#include "adapters/llm/openai_client.hpp"
#include "core/plan_features.hpp"
#include "fuzz_support.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mm {
namespace {

void check_records(std::string_view text) {
  const ParsedRecords parsed = parse_generated_records(text);
  for (const GeneratedRecord& r : parsed.records) {
    for (const double f : r.features) {
      MM_FUZZ_CHECK(std::isfinite(f), "non-finite feature kept");
    }
    MM_FUZZ_CHECK(!label_word(r.label).empty(), std::to_string(r.label));
    const auto why = implausible_features(r.features);
    MM_FUZZ_CHECK(!why.has_value(), why.value_or(""));
  }
  const RecordDrops& d = parsed.drops;
  MM_FUZZ_CHECK(d.not_json >= 0 && d.schema >= 0 && d.label >= 0 && d.implausible >= 0, "drops");
  MM_FUZZ_CHECK(d.examples.size() <= k_max_drop_examples, "too many drop examples");
  const auto dropped = static_cast<std::size_t>(d.not_json + d.schema + d.label + d.implausible);
  MM_FUZZ_CHECK(d.examples.size() <= dropped, "an example without a drop");
  for (const auto& example : d.examples) {
    // Model output quoted in a log line must not forge other lines (generated_records.hpp).
    MM_FUZZ_CHECK(fuzz::is_one_printable_line(example), example);
    MM_FUZZ_CHECK(example.size() <= 203, example);
  }
}

void check_label_words(std::string_view text) {
  if (const auto code = label_from_word(text)) {
    MM_FUZZ_CHECK(label_from_word(label_word(*code)) == code, std::string(text));
  }
}

using Parser = Result<LlmCompletion> (*)(std::string_view body);

void check_completion(LlmApi api, Parser parse, std::string_view body, std::string_view secret) {
  auto parsed = parse(body);
  if (parsed) {
    MM_FUZZ_CHECK(!parsed->text.empty(), "a completion without text");
  } else {
    MM_FUZZ_CHECK_ERROR(parsed.error(), ErrorKind::bad_response);
  }

  // The same body as the answer of a failed call, with each status class.
  static constexpr std::array<long, 11> k_statuses = {200, 302, 400, 401, 403, 404,
                                                      413, 429, 500, 529, 418};
  HttpResponse response;
  response.status = k_statuses[body.size() % k_statuses.size()];
  response.body = std::string(body);
  const std::string what = "POST " + std::string(k_default_openai_base_url);
  auto r = completion_from_response(api, response, what, secret, parse);
  if (!r) {
    const Error& e = r.error();
    // A key the provider echoed is never printed (secrets with '*' would collide with the mask).
    if (!secret.empty() && secret.find('*') == std::string_view::npos) {
      MM_FUZZ_CHECK(e.message.find(secret) == std::string::npos, e.message);
    }
    const long s = response.status;
    ErrorKind expected = ErrorKind::bad_response;
    if (s == 200) {
      expected = ErrorKind::bad_response;
    } else if ((s >= 300 && s < 400) || s == 401 || s == 403 || s == 404 || s == 400 || s == 413 ||
               s == 422) {
      expected = ErrorKind::config;
    } else if (s == 429 || s >= 500) {
      expected = ErrorKind::unavailable;
    }
    MM_FUZZ_CHECK_ERROR(e, expected);
  } else {
    MM_FUZZ_CHECK(response.is_success(), "a completion from a failed call");
  }

  const LlmApiError api_error = parse_llm_error(api, response.status, body);
  MM_FUZZ_CHECK(fuzz::is_one_printable_line(api_error.message), api_error.message);
  MM_FUZZ_CHECK(api_error.message.size() <= 403, api_error.message);
}

} // namespace
} // namespace mm

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mm;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A "key" that the body contains, so that an echoed key is exercised: 12 bytes from the
  // middle (API keys are longer than that; a shorter secret is found by chance anyway).
  const std::string_view secret = size >= 36 ? text.substr(size / 3, 12) : std::string_view();

  check_records(text);
  check_label_words(text.substr(0, 40));
  check_completion(LlmApi::ollama, &parse_ollama_chat_response, text, secret);
  check_completion(LlmApi::openai, &parse_openai_chat_response, text, secret);
  check_completion(LlmApi::anthropic, &parse_anthropic_messages_response, text, secret);
  MM_FUZZ_CHECK(scrub_secret(std::string(text), "").size() == size, "scrub without secret");
  return 0;
}
