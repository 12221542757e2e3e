#include "adapters/llm/generated_records.hpp"
#include "adapters/llm/prompt_templates.hpp"
#include "core/dataset.hpp"
#include "core/plan_features.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace mm {
namespace {

namespace fs = std::filesystem;

const fs::path k_prompts_dir = fs::path(MM_SOURCE_DIR) / "prompts";

PromptTemplates repo_templates() {
  auto loaded = load_prompt_templates(k_prompts_dir);
  EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().message);
  return loaded ? loaded.value() : PromptTemplates{};
}

// A temporary folder, removed with its files unless the test failed (kept to look at).
class TempDir {
public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_path = fs::temp_directory_path() /
             (std::string("mm_llm_prompts_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(m_path);
    fs::create_directories(m_path);
  }
  ~TempDir() {
    if (!::testing::Test::HasFailure()) {
      fs::remove_all(m_path);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }
  void write(std::string_view name, std::string_view text) const {
    std::ofstream(m_path / name, std::ios::binary) << text;
  }

private:
  fs::path m_path;
};

TEST(PromptTemplates, TheRepositoryTemplatesLoadAndRender) {
  const PromptTemplates t = repo_templates();
  const auto prompt = render_batch_prompt(t, "technical", 12, 4242, 0.7, 4000);
  ASSERT_TRUE(prompt) << prompt.error().message;
  EXPECT_NE(prompt->user.find("Generate exactly 12 new records"), std::string::npos);
  EXPECT_NE(prompt->user.find("Variety seed: 4242"), std::string::npos);
  EXPECT_NE(prompt->system.find("\"technical\" specialist"), std::string::npos);
  EXPECT_EQ(prompt->system.find("{{"), std::string::npos);
  EXPECT_EQ(prompt->user.find("{{"), std::string::npos);
  EXPECT_DOUBLE_EQ(prompt->temperature, 0.7);
  EXPECT_EQ(prompt->max_tokens, 4000);
}

TEST(PromptTemplates, ThePromptNamesEveryFeatureLabelAndRelation) {
  const auto prompt = render_batch_prompt(repo_templates(), "business", 5, 1, 0.7, 100);
  ASSERT_TRUE(prompt);
  for (const auto name : k_feature_names) {
    EXPECT_NE(prompt->system.find("- " + std::string(name) + ":"), std::string::npos) << name;
  }
  for (const char* label :
       {"\"approve\"", "\"reject\"", "\"review_required\"", "\"conditional\""}) {
    EXPECT_NE(prompt->system.find(label), std::string::npos) << label;
  }
  for (const char* relation : {"num_nodes equals num_tasks", "total_duration_ms / num_tasks",
                               "num_edges / (num_nodes * (num_nodes - 1))",
                               "avg_in_degree <= max_in_degree <= num_nodes - 1"}) {
    EXPECT_NE(prompt->system.find(relation), std::string::npos) << relation;
  }
}

TEST(PromptTemplates, ThePromptSaysJsonForOpenAisJsonMode) {
  // OpenAI answers 400 to response_format json_object when no message contains "json".
  const auto prompt = render_batch_prompt(repo_templates(), "technical", 5, 1, 0.7, 100);
  ASSERT_TRUE(prompt);
  std::string all = prompt->system + prompt->user;
  std::transform(all.begin(), all.end(), all.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  EXPECT_NE(all.find("json"), std::string::npos);
}

TEST(PromptTemplates, TheExampleRecordInTheTemplateIsAValidRecord) {
  const PromptTemplates t = repo_templates();
  std::istringstream lines(t.system);
  std::string line;
  std::string example;
  while (std::getline(lines, line)) {
    if (line.rfind("{\"num_tasks\"", 0) == 0) {
      example = line;
    }
  }
  ASSERT_FALSE(example.empty()) << "no example record line in " << k_system_template_file;
  const auto parsed = parse_generated_records(example);
  ASSERT_EQ(parsed.records.size(), 1U)
      << (parsed.drops.examples.empty() ? "" : parsed.drops.examples[0]);
}

TEST(PromptTemplates, FeatureTableComesFromTheCoreRanges) {
  const std::string table = feature_table_text();
  EXPECT_NE(table.find("- num_tasks: whole number in [1, 500]; number of tasks in the plan\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("- total_duration_ms: number in [0, 1000000000];"), std::string::npos);
  EXPECT_EQ(static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n')),
            k_feature_count);
}

TEST(PromptTemplates, RenderingIsOnePassAndNeedsEveryValue) {
  const auto rendered =
      render_template("a {{seed}} b {{labels}}", {{"seed", "{{labels}}"}, {"labels", "L"}});
  ASSERT_TRUE(rendered);
  EXPECT_EQ(*rendered, "a {{labels}} b L");

  const auto missing = render_template("{{seed}}", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::config);
  EXPECT_FALSE(render_template("{{seed", {{"seed", "1"}}));
  EXPECT_EQ(*render_template("no placeholders } {", {}), "no placeholders } {");
}

TEST(PromptTemplates, UnknownOrMissingPlaceholdersAreConfigErrors) {
  PromptTemplates t{"{{feature_table}} {{batch_size}}", "{{seed}}", "test"};
  EXPECT_TRUE(check_templates(t));

  t.batch = "{{sed}}";
  auto typo = check_templates(t);
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().kind, ErrorKind::config);
  EXPECT_NE(typo.error().message.find("{{sed}}"), std::string::npos);

  t = {"{{feature_table}}", "Generate some records.", "test"};
  auto no_size = check_templates(t);
  ASSERT_FALSE(no_size);
  EXPECT_NE(no_size.error().message.find("batch_size"), std::string::npos);
}

TEST(PromptTemplates, LoadingNamesTheFileAndPromptsDir) {
  TempDir dir;
  auto missing = load_prompt_templates(dir.path());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::config);
  EXPECT_NE(missing.error().message.find("dataset_system.txt"), std::string::npos);
  EXPECT_NE(missing.error().message.find("PROMPTS_DIR"), std::string::npos);

  dir.write("dataset_system.txt", "{{feature_table}}");
  dir.write("dataset_batch.txt", "  \n");
  auto empty = load_prompt_templates(dir.path());
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

  dir.write("dataset_batch.txt", "Generate exactly {{batch_size}} records ({{oops}}).");
  auto unknown = load_prompt_templates(dir.path());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("{{oops}}"), std::string::npos);

  dir.write("dataset_batch.txt", "Generate exactly {{batch_size}} records.");
  auto ok = load_prompt_templates(dir.path());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->source, dir.path().string());
}

TEST(PromptHash, StableHexThatChangesWithEveryInput) {
  const PromptTemplates t = repo_templates();
  const PromptHashInputs base{"technical", "openai", "gpt-4o-mini", 0.7, 12};
  const std::string h = prompt_hash(t, base);
  EXPECT_EQ(h.size(), 64U);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(prompt_hash(t, base), h);

  auto changed = [&](auto mutate) {
    PromptHashInputs in = base;
    PromptTemplates tt = t;
    mutate(in, tt);
    return prompt_hash(tt, in);
  };
  EXPECT_NE(changed([](auto& in, auto&) { in.specialist_type = "business"; }), h);
  EXPECT_NE(changed([](auto& in, auto&) { in.provider = "anthropic"; }), h);
  EXPECT_NE(changed([](auto& in, auto&) { in.model = "gpt-4o"; }), h);
  EXPECT_NE(changed([](auto& in, auto&) { in.temperature = 0.2; }), h);
  EXPECT_NE(changed([](auto& in, auto&) { in.batch_size = 10; }), h);
  EXPECT_NE(changed([](auto&, auto& tt) { tt.system += " "; }), h);
  EXPECT_NE(changed([](auto&, auto& tt) { tt.batch += " "; }), h);
  // Moving text between the two templates is a different prompt.
  EXPECT_NE(changed([](auto&, auto& tt) {
              tt.batch = tt.system.substr(tt.system.size() - 1) + tt.batch;
              tt.system.pop_back();
            }),
            h);
}

} // namespace
} // namespace mm
