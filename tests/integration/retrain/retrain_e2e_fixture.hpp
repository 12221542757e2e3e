#pragma once
// The fixture of the `model-monitor retrain` end-to-end tests: a specialist in production on
// the real MLflow server, its feedback in FerretDB, and the environment that points the real
// binary at every local service (scripts/services.sh).
#include "support/mlflow_fixture.hpp"
#include "support/mongo_fixture.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mm::test {

using namespace std::chrono;
using Json = nlohmann::json;
namespace fs = std::filesystem;

inline std::int64_t now_ms() {
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline std::vector<MetricPoint> metrics(double p, double r, double f1) {
  return {{"precision", p, 0}, {"recall", r, 0}, {"f1_score", f1, 0}, {"accuracy", f1, 0}};
}

inline std::size_t line_count(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
  }
  return n;
}

inline std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return out;
  }
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RetrainE2E : public MongoTest {
protected:
  void SetUp() override {
    MongoTest::SetUp();
    m_pushgateway = require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
    m_llm = require_service_env("MM_LLM_STANDIN_URL");
    m_slack = require_service_env("SLACK_WEBHOOK_URL");
    m_slack_record = require_service_env("MM_SLACK_RECORD");
    m_smtp_host = require_service_env("SMTP_HOST");
    m_smtp_port = require_service_env("SMTP_PORT");
    m_spool = require_service_env("MM_SMTP_SPOOL");
    m_venv = require_service_env("MM_VENV");
    m_type = m_mlflow.unique_type("rt");
    m_data_dir = fs::temp_directory_path() / ("mm-retrain-" + m_type);
    fs::create_directories(m_data_dir);
  }
  void TearDown() override {
    if (!HasFailure()) {
      fs::remove_all(m_data_dir);
    }
    MongoTest::TearDown();
  }

  // The specialist in production: alias `production` on version 1 of a run with these metrics.
  void production(double p, double r, double f1) {
    m_experiment = m_mlflow.get_or_create_experiment(m_type + "-specialist");
    m_baseline_run =
        m_mlflow.add_run(m_experiment, now_ms() - 60000, "FINISHED", metrics(p, r, f1));
    m_mlflow.create_registered_model(m_type + "-specialist");
    m_baseline_version = m_mlflow.create_model_version(m_type + "-specialist", m_baseline_run);
    m_mlflow.set_alias(m_type + "-specialist", "production", m_baseline_version);
    // A little real feedback (below the training project's 50-row threshold for a
    // feedback-only evaluation set, so the evaluation is a stratified split).
    // Reviewers judge by the same rule the LLM stand-in labels with (scripts/llm_standin.py:
    // risk, domain weight, complexity and anti-patterns), so the feedback rows agree with the
    // generated ones: clearly safe plans approved, clearly risky ones rejected.
    std::vector<FeedbackDoc> docs;
    for (int i = 0; i < 12; ++i) {
      docs.push_back(FeedbackDoc()
                         .specialist_type(m_type)
                         .rating(0.8)
                         .recommendation(i % 2 == 0 ? "approve" : "reject")
                         .submitted_at(system_clock::now() - hours(2)));
    }
    insert(docs);
    for (size_t i = 0; i < docs.size(); ++i) {
      const bool approve = i % 2 == 0;
      insert(OpinionDoc::of(docs[i])
                 .feature("risk_score", approve ? 0.05 : 0.95)
                 .feature("domain_risk_weight", approve ? 0.1 : 0.9)
                 .feature("complexity_score", approve ? 0.1 : 0.9)
                 .feature("num_anti_patterns_detected", approve ? 0 : 5)
                 .feature("total_anti_pattern_penalty", approve ? 0 : 10));
    }
  }

  std::map<std::string, std::optional<std::string>> env() const {
    return {{"MLFLOW_TRACKING_URI", m_mlflow.tracking_uri()},
            {"MONGODB_URI", uri()},
            {"MONGODB_DATABASE", database()},
            {"PROMETHEUS_PUSHGATEWAY_URL", m_pushgateway},
            {"DATA_DIR", m_data_dir.string()},
            {"LLM_PROVIDER", "local"},
            {"LLM_BASE_URL", m_llm},
            {"LLM_MODEL", "llama3"},
            {"DATASET_NUM_SAMPLES", "600"},
            {"MLFLOW_CLI", m_venv + "/bin/mlflow"},
            {"RETRAINING_MLFLOW_PROJECT_URI", std::string(MM_SOURCE_DIR) + "/training/specialist"},
            {"PROMPTS_DIR", std::string(MM_SOURCE_DIR) + "/prompts"},
            {"NOTIFICATION_CHANNELS", "slack,email"},
            {"SLACK_WEBHOOK_URL", m_slack},
            {"SMTP_HOST", m_smtp_host},
            {"SMTP_PORT", m_smtp_port},
            {"EMAIL_RECIPIENTS", "ml-ops@example.com"},
            {"LOG_FORMAT", "json"},
            {"SPECIALIST_TYPES", std::nullopt}};
  }

  ProcessResult retrain(const std::vector<std::string>& flags,
                        std::map<std::string, std::optional<std::string>> extra = {}) const {
    auto e = env();
    for (auto& [k, v] : extra) {
      e[k] = v;
    }
    std::vector<std::string> argv = {MM_BINARY, "retrain",         "--specialist-type",
                                     m_type,    "--output-format", "json"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return run_process(argv, e);
  }

  static Json json_of(const ProcessResult& r) {
    try {
      return Json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << e.what() << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
      return Json::object();
    }
  }

  std::optional<std::string> alias_version(const std::string& alias) {
    auto r = m_mlflow.call("GET",
                           "registered-models/alias?name=" + m_type + "-specialist&alias=" + alias);
    if (r.status != 200) {
      return std::nullopt;
    }
    return Json::parse(r.body)["model_version"]["version"].get<std::string>();
  }

  std::size_t runs_in_experiment() {
    auto j = m_mlflow.call_ok("POST", "runs/search",
                              Json{{"experiment_ids", {m_experiment}}, {"max_results", 1000}});
    return j.contains("runs") ? j["runs"].size() : 0;
  }

  std::string last_slack_body() {
    std::ifstream in(m_slack_record);
    std::string line;
    std::string last;
    while (std::getline(in, line)) {
      if (line.find(m_type) != std::string::npos) {
        last = line;
      }
    }
    return last.empty() ? "" : Json::parse(last)["body"].get<std::string>();
  }

  std::string email_about_type() {
    for (const auto& f : files_in(m_spool)) {
      const std::string text = slurp(f);
      if (text.find(m_type) != std::string::npos) {
        return text;
      }
    }
    return "";
  }

  MlflowFixture m_mlflow;
  std::string m_pushgateway, m_llm, m_slack, m_slack_record, m_smtp_host, m_smtp_port, m_spool,
      m_venv, m_type, m_experiment, m_baseline_run, m_baseline_version;
  fs::path m_data_dir;
};

} // namespace mm::test
