#pragma once
// The dataset generation prompt: two template files kept in the repository (prompts/), so the
// wording can be reviewed and changed without touching C++, rendered with values that come from
// the code (the feature table is core's feature_ranges(), the same table the validator uses).
//
// Placeholders are {{name}}; the known names are
//   specialist_type  the specialist the data is for ("technical", ...)
//   batch_size       how many records this request asks for
//   feature_table    one line per feature: name, whole number or not, range, meaning
//   field_names      the 26 feature names, comma-separated, in column order
//   labels           the four label words, quoted
//   seed             a per-batch number that asks the model for different records each time
// Rendering is a single pass: a value containing "{{" is inserted as is, never expanded again.

#include "core/result.hpp"
#include "ports/llm_client.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mm {

inline constexpr std::string_view k_system_template_file = "dataset_system.txt";
inline constexpr std::string_view k_batch_template_file = "dataset_batch.txt";

struct PromptTemplates {
  std::string system; // the instructions: schema, ranges, relations, labels, output format
  std::string batch;  // the request for one batch
  std::string source; // where they were read from, for messages
};

// Reads dir/dataset_system.txt and dir/dataset_batch.txt (the binary's PROMPTS_DIR) and checks
// them (check_templates). Errors are config errors naming the file and PROMPTS_DIR.
Result<PromptTemplates> load_prompt_templates(const std::filesystem::path& dir);

// Every placeholder is a known name and closed; {{batch_size}} and {{feature_table}} appear in
// one of the two templates (without them the model cannot know what to write). config errors.
Status check_templates(const PromptTemplates& templates);

using PromptValues = std::vector<std::pair<std::string_view, std::string>>;

// tmpl with each {{name}} replaced by its value; config error for a name without a value.
Result<std::string> render_template(std::string_view tmpl, const PromptValues& values);

// The {{feature_table}} text, from feature_ranges().
std::string feature_table_text();

// The {{labels}} text: "approve", "reject", "review_required", "conditional".
std::string label_list_text();

// Both templates rendered for one batch.
Result<LlmPrompt> render_batch_prompt(const PromptTemplates& templates,
                                      std::string_view specialist_type, int batch_size,
                                      std::uint64_t seed, double temperature, int max_tokens);

// What the prompt hash covers besides the templates.
struct PromptHashInputs {
  std::string specialist_type;
  std::string provider;
  std::string model;
  double temperature = 0.0;
  int batch_size = 0;
};

// sha256 (hex) over both templates, the feature table they are rendered with, and the inputs;
// the per-batch seed is left out, so one generation run has one hash. Each part is written as
// name=<length>:<bytes> so that no two different inputs hash the same text.
std::string prompt_hash(const PromptTemplates& templates, const PromptHashInputs& inputs);

} // namespace mm
