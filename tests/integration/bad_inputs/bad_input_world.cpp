#include "integration/bad_inputs/bad_input_world.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>

namespace mm::test {

namespace {

namespace fs = std::filesystem;

std::unique_ptr<FakeMlflow> g_mlflow;
std::unique_ptr<FakeOllama> g_ollama;

// Longer than any case needs (the trainings take tens of seconds): a hang fails the case with
// exit code 124 instead of stalling the suite.
constexpr const char* k_binary_timeout_s = "240";

} // namespace

void BadInputWorld::SetUpTestSuite() {
  g_mlflow = std::make_unique<FakeMlflow>();
  g_ollama = std::make_unique<FakeOllama>();
}

void BadInputWorld::TearDownTestSuite() {
  g_ollama.reset();
  g_mlflow.reset();
}

void BadInputWorld::SetUp() {
  MongoTest::SetUp();
  mlflow().reset();
  ollama().reset();
  const std::string name = "mm-badin-" + database();
  m_data_dir = fs::temp_directory_path() / name;
  m_marker = fs::temp_directory_path() / (name + ".injected");
  fs::remove_all(m_data_dir);
  fs::remove(m_marker);
  fs::create_directories(m_data_dir);
}

void BadInputWorld::TearDown() {
  EXPECT_FALSE(fs::exists(m_marker)) << "a command from an answer was executed: " << m_marker;
  fs::remove(m_marker);
  if (!HasFailure()) {
    fs::remove_all(m_data_dir);
  } else {
    std::cerr << "kept DATA_DIR " << m_data_dir << "\n";
  }
  MongoTest::TearDown();
}

FakeMlflow& BadInputWorld::mlflow() {
  return *g_mlflow;
}

FakeOllama& BadInputWorld::ollama() {
  return *g_ollama;
}

std::string BadInputWorld::venv() {
  if (const char* v = std::getenv("MM_VENV"); v != nullptr && *v != '\0') { // NOLINT
    return v;
  }
  const char* home = std::getenv("HOME"); // NOLINT: as scripts/env.sh
  return std::string(home != nullptr ? home : "/root") + "/.local/share/model-monitor/venv";
}

ProcessResult BadInputWorld::run(std::vector<std::string> args, const EnvOverrides& extra) {
  const std::string source = MM_SOURCE_DIR;
  EnvOverrides env = {
      {"MLFLOW_TRACKING_URI", mlflow().url()},
      {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"},
      {"MONGODB_URI", uri()},
      {"MONGODB_DATABASE", database()},
      {"PROMETHEUS_PUSHGATEWAY_URL", std::nullopt},
      {"LOG_FORMAT", "json"},
      {"REPORT_LANG", "en"},
      {"SPECIALIST_TYPES", std::nullopt},
      {"DATA_DIR", m_data_dir.string()},
      {"NOTIFICATION_CHANNELS", ""},
      {"SLACK_WEBHOOK_URL", std::nullopt},
      {"SMTP_HOST", std::nullopt},
      {"SMTP_PORT", std::nullopt},
      {"EMAIL_RECIPIENTS", std::nullopt},
      {"LLM_PROVIDER", "local"},
      {"LLM_BASE_URL", ollama().url()},
      {"LLM_MODEL", "llama3"},
      {"LLM_MAX_CONCURRENCY", "1"},
      {"OPENAI_API_KEY", std::nullopt},
      {"ANTHROPIC_API_KEY", std::nullopt},
      {"DATASET_NUM_SAMPLES", "12"},
      {"DATASET_GENERATION_TIMEOUT", "60"},
      {"DATASET_GENERATOR_COMMAND", std::nullopt},
      {"PROMPTS_DIR", source + "/prompts"},
      {"MLFLOW_CLI", venv() + "/bin/mlflow"},
      {"RETRAINING_MLFLOW_PROJECT_URI", source + "/training/specialist"},
      {"RETRAINING_COOLDOWN_HOURS", std::nullopt},
  };
  for (const auto& [k, v] : extra) {
    env[k] = v;
  }
  std::vector<std::string> argv = {"timeout", "-k", "5", k_binary_timeout_s, MM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env);
}

ProcessResult BadInputWorld::check(const EnvOverrides& extra, std::vector<std::string> more) {
  std::vector<std::string> args = {"check", "--specialist-type", k_type};
  args.insert(args.end(), more.begin(), more.end());
  return run(args, extra);
}

ProcessResult BadInputWorld::retrain(std::vector<std::string> more, const EnvOverrides& extra) {
  std::vector<std::string> args = {"retrain", "--specialist-type", k_type, "--force"};
  args.insert(args.end(), more.begin(), more.end());
  return run(args, extra);
}

void BadInputWorld::write_dataset(const std::string& kind, const fs::path& path) {
  fs::create_directories(path.parent_path());
  const ProcessResult r =
      run_process({venv() + "/bin/python",
                   std::string(MM_SOURCE_DIR) + "/tests/integration/bad_inputs/write_dataset.py",
                   kind, path.string()});
  ASSERT_EQ(r.exit_code, 0) << "writing a '" << kind << "' dataset failed:\n" << r.out << r.err;
}

const std::vector<BadInputCase>& bad_input_cases() {
  static const std::vector<BadInputCase> all = [] {
    std::vector<BadInputCase> out;
    for (auto part : {environment_cases, flag_and_type_cases, mlflow_cases, feedback_cases,
                      llm_cases, parquet_cases}) {
      auto cases = part();
      out.insert(out.end(), std::make_move_iterator(cases.begin()),
                 std::make_move_iterator(cases.end()));
    }
    return out;
  }();
  return all;
}

} // namespace mm::test
