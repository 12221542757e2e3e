#include "adapters/llm/prompt_templates.hpp"

#include "adapters/llm/sha256.hpp"
#include "core/dataset.hpp"
#include "core/plan_features.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iterator>

namespace mm {

namespace {

constexpr std::array<std::string_view, 6> k_placeholders = {
    "specialist_type", "batch_size", "feature_table", "field_names", "labels", "seed"};

// Templates are a few KiB; a larger file is not a template (a wrong PROMPTS_DIR).
constexpr std::uintmax_t k_max_template_bytes = 256U * 1024U;

constexpr std::string_view k_open = "{{";
constexpr std::string_view k_close = "}}";

Result<std::string> read_template(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return Error::config("prompt template " + path.string() + " cannot be read: " + ec.message() +
                         "; check PROMPTS_DIR (the folder holding " +
                         std::string(k_system_template_file) + " and " +
                         std::string(k_batch_template_file) + ")");
  }
  if (size > k_max_template_bytes) {
    return Error::config("prompt template " + path.string() + " is " + std::to_string(size) +
                         " bytes, more than a template can be; check PROMPTS_DIR");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return Error::config("prompt template " + path.string() + " cannot be read; check PROMPTS_DIR");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::config("prompt template " + path.string() + " is empty; check PROMPTS_DIR");
  }
  return text;
}

// The placeholder names of tmpl, or a config error for an unclosed or unknown one.
Result<std::vector<std::string_view>> placeholders(std::string_view tmpl, std::string_view name) {
  std::vector<std::string_view> found;
  for (auto open = tmpl.find(k_open); open != std::string_view::npos;
       open = tmpl.find(k_open, open)) {
    const auto close = tmpl.find(k_close, open + k_open.size());
    if (close == std::string_view::npos) {
      return Error::config("prompt template " + std::string(name) + ": '{{' without '}}'");
    }
    const auto key = tmpl.substr(open + k_open.size(), close - open - k_open.size());
    if (std::find(k_placeholders.begin(), k_placeholders.end(), key) == k_placeholders.end()) {
      return Error::config("prompt template " + std::string(name) + ": unknown placeholder {{" +
                           std::string(key.substr(0, 40)) +
                           "}}; known: specialist_type, batch_size, feature_table, field_names, "
                           "labels, seed");
    }
    found.push_back(key);
    open = close + k_close.size();
  }
  return found;
}

std::string number(double v) {
  return v == std::floor(v) && std::fabs(v) < 1e15 ? fmt::format("{:.0f}", v)
                                                   : fmt::format("{}", v);
}

void hash_field(Sha256& hash, std::string_view name, std::string_view value) {
  hash.update(name);
  hash.update("=");
  hash.update(std::to_string(value.size()));
  hash.update(":");
  hash.update(value);
  hash.update("\n");
}

} // namespace

Status check_templates(const PromptTemplates& templates) {
  auto in_system = placeholders(templates.system, k_system_template_file);
  if (!in_system) {
    return std::move(in_system).error();
  }
  auto in_batch = placeholders(templates.batch, k_batch_template_file);
  if (!in_batch) {
    return std::move(in_batch).error();
  }
  for (std::string_view required : {"batch_size", "feature_table"}) {
    const bool present =
        std::find(in_system->begin(), in_system->end(), required) != in_system->end() ||
        std::find(in_batch->begin(), in_batch->end(), required) != in_batch->end();
    if (!present) {
      return Error::config("prompt templates in " + templates.source + " never use {{" +
                           std::string(required) + "}}; the model needs it");
    }
  }
  return ok_status();
}

Result<PromptTemplates> load_prompt_templates(const std::filesystem::path& dir) {
  PromptTemplates templates;
  templates.source = dir.string();
  auto system = read_template(dir / k_system_template_file);
  if (!system) {
    return std::move(system).error();
  }
  auto batch = read_template(dir / k_batch_template_file);
  if (!batch) {
    return std::move(batch).error();
  }
  templates.system = std::move(system).value();
  templates.batch = std::move(batch).value();
  if (auto checked = check_templates(templates); !checked) {
    return std::move(checked).error();
  }
  return templates;
}

Result<std::string> render_template(std::string_view tmpl, const PromptValues& values) {
  std::string out;
  out.reserve(tmpl.size() * 2);
  std::size_t from = 0;
  for (auto open = tmpl.find(k_open); open != std::string_view::npos;
       open = tmpl.find(k_open, from)) {
    const auto close = tmpl.find(k_close, open + k_open.size());
    if (close == std::string_view::npos) {
      return Error::config("prompt template: '{{' without '}}'");
    }
    const auto key = tmpl.substr(open + k_open.size(), close - open - k_open.size());
    const auto value = std::find_if(values.begin(), values.end(),
                                    [key](const auto& kv) { return kv.first == key; });
    if (value == values.end()) {
      return Error::config("prompt template: no value for {{" + std::string(key.substr(0, 40)) +
                           "}}");
    }
    out.append(tmpl.substr(from, open - from));
    out.append(value->second);
    from = close + k_close.size();
  }
  out.append(tmpl.substr(from));
  return out;
}

std::string feature_table_text() {
  std::string out;
  for (const FeatureRange& r : feature_ranges()) {
    out += fmt::format("- {}: {} in [{}, {}]; {}\n", r.name, r.integer ? "whole number" : "number",
                       number(r.min), number(r.max), r.meaning);
  }
  return out;
}

std::string label_list_text() {
  return R"("approve", "reject", "review_required", "conditional")";
}

Result<LlmPrompt> render_batch_prompt(const PromptTemplates& templates,
                                      std::string_view specialist_type, int batch_size,
                                      std::uint64_t seed, double temperature, int max_tokens) {
  std::string field_names;
  for (const auto name : k_feature_names) {
    field_names += (field_names.empty() ? "" : ", ") + std::string(name);
  }
  const PromptValues values = {
      {"specialist_type", std::string(specialist_type)},
      {"batch_size", std::to_string(batch_size)},
      {"feature_table", feature_table_text()},
      {"field_names", std::move(field_names)},
      {"labels", label_list_text()},
      {"seed", std::to_string(seed)},
  };
  auto system = render_template(templates.system, values);
  if (!system) {
    return std::move(system).error();
  }
  auto user = render_template(templates.batch, values);
  if (!user) {
    return std::move(user).error();
  }
  LlmPrompt prompt;
  prompt.system = std::move(system).value();
  prompt.user = std::move(user).value();
  prompt.temperature = temperature;
  prompt.max_tokens = max_tokens;
  return prompt;
}

std::string prompt_hash(const PromptTemplates& templates, const PromptHashInputs& inputs) {
  Sha256 hash;
  hash_field(hash, "format", "model-monitor dataset prompt 1");
  hash_field(hash, "system_template", templates.system);
  hash_field(hash, "batch_template", templates.batch);
  hash_field(hash, "feature_table", feature_table_text());
  hash_field(hash, "labels", label_list_text());
  hash_field(hash, "specialist_type", inputs.specialist_type);
  hash_field(hash, "provider", inputs.provider);
  hash_field(hash, "model", inputs.model);
  hash_field(hash, "temperature", fmt::format("{}", inputs.temperature));
  hash_field(hash, "batch_size", std::to_string(inputs.batch_size));
  const auto digest = hash.finish();
  std::string hex;
  for (const std::uint8_t byte : digest) {
    hex += fmt::format("{:02x}", byte);
  }
  return hex;
}

} // namespace mm
