// The environment of the secret-leak tests: stand-ins, the planted values, running the binary.
#include "integration/secrets/secrets_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>

namespace mm::test {

namespace fs = std::filesystem;
using namespace std::chrono;
using Json = nlohmann::json;

namespace {

std::int64_t now_ms() {
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += sep;
    }
    out += item;
  }
  return out;
}

} // namespace

std::string mongo_uri_with_credentials(const std::string& uri) {
  std::string out = with_userinfo(uri, k_mongo_user, k_mongo_password);
  const auto scheme_end = out.find("://");
  if (out.find('/', scheme_end + 3) == std::string::npos) {
    out += '/';
  }
  out += out.find('?') == std::string::npos ? "?" : "&";
  out += "authMechanism=PLAIN&authSource=%24external";
  return out;
}

std::string with_userinfo(const std::string& url, const std::string& user,
                          const std::string& password) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    ADD_FAILURE() << "not a URL: " << url;
    return url;
  }
  return url.substr(0, scheme_end + 3) + user + ":" + password + "@" + url.substr(scheme_end + 3);
}

std::vector<Secret> planted_secrets(const std::string& slack_webhook_url) {
  return {
      {"OPENAI_API_KEY", k_openai_key},
      {"ANTHROPIC_API_KEY", k_anthropic_key},
      {"SLACK_WEBHOOK_URL", slack_webhook_url},
      {"the path of SLACK_WEBHOOK_URL", k_slack_path},
      {"the token in SLACK_WEBHOOK_URL's path", "LEAKCANARYxyz"},
      {"SMTP_PASSWORD", k_smtp_password},
      {"the password in MONGODB_URI", k_mongo_password},
      {"user:password in MONGODB_URI", std::string(k_mongo_user) + ":" + k_mongo_password},
      {"the password in MLFLOW_TRACKING_URI", k_mlflow_uri_password},
      {"user:password in MLFLOW_TRACKING_URI",
       std::string(k_mlflow_user) + ":" + k_mlflow_uri_password},
      {"MLFLOW_TRACKING_PASSWORD", k_mlflow_password},
      {"MLFLOW_TRACKING_USERNAME:MLFLOW_TRACKING_PASSWORD",
       std::string(k_mlflow_basic_user) + ":" + k_mlflow_password},
      {"MLFLOW_TRACKING_TOKEN", k_mlflow_token},
      {"the password in PROMETHEUS_PUSHGATEWAY_URL", k_pushgateway_password},
      {"the password in LLM_BASE_URL", k_llm_url_password},
  };
}

void SecretsTest::SetUp() {
  MongoTest::SetUp();
  if (HasFatalFailure()) {
    return;
  }
  m_pushgateway = require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  m_dir = make_temp_dir();
  m_data_dir = m_dir / "data";
  fs::create_directories(m_data_dir);
  m_slack = std::make_unique<SlackStandin>(m_dir, k_slack_path);
  m_smtp = std::make_unique<SmtpSink>(
      m_dir, std::map<std::string, std::string>{{"SMTP_SINK_USER", k_smtp_user},
                                                {"SMTP_SINK_PASSWORD", k_smtp_password}});
  m_llm_port = free_local_port();
  m_llm_record = m_dir / "llm-requests.jsonl";
  m_llm = std::make_unique<ChildProcess>(
      std::vector<std::string>{
          venv_python(), std::string(MM_SOURCE_DIR) + "/scripts/llm_standin.py", "--host",
          "127.0.0.1", "--port", std::to_string(m_llm_port), "--record", m_llm_record.string(),
          "--openai-key", k_openai_key, "--anthropic-key", k_anthropic_key},
      std::map<std::string, std::string>{}, m_dir / "llm-standin.log");
  if (m_llm->wait_for_line(std::to_string(m_llm_port), 20s).empty()) {
    ADD_FAILURE() << "the LLM stand-in did not start; log: "
                  << read_file(m_dir / "llm-standin.log");
  }
}

std::string SecretsTest::start_echo_server() {
  m_echo = std::make_unique<ChildProcess>(
      std::vector<std::string>{
          venv_python(), std::string(MM_SOURCE_DIR) + "/tests/integration/secrets/echo_server.py",
          "--port", "0"},
      std::map<std::string, std::string>{}, m_dir / "echo-server.log");
  const std::string line = m_echo->wait_for_line("listening on ", 20s);
  const auto at = line.find("http://");
  if (at == std::string::npos) {
    ADD_FAILURE() << "the echo server did not start; log: " << read_file(m_dir / "echo-server.log");
    return "http://127.0.0.1:1";
  }
  return line.substr(at);
}

void SecretsTest::TearDown() {
  if (m_llm) {
    m_llm->stop();
  }
  if (m_echo) {
    m_echo->stop();
  }
  m_slack.reset();
  m_smtp.reset();
  // This test's groups only (the Pushgateway is shared).
  for (const auto& type : m_types) {
    (void)run_process(
        {"curl", "-sS", "--max-time", "10", "-X", "DELETE",
         m_pushgateway + "/metrics/job/model-performance-monitor/specialist_type/" + type});
  }
  if (!m_dir.empty()) {
    if (HasFailure() ||
        std::getenv("MM_SECRETS_KEEP") != nullptr) { // NOLINT(concurrency-mt-unsafe)
      std::cerr << "kept the test's files (stand-in records, spool, DATA_DIR) in " << m_dir << "\n";
    } else {
      std::error_code ec;
      fs::remove_all(m_dir, ec);
    }
  }
  MongoTest::TearDown();
}

std::vector<Secret> SecretsTest::secrets() const {
  return planted_secrets(m_slack ? m_slack->webhook_url() : std::string(k_slack_path));
}

Env SecretsTest::env(const Env& overrides) const {
  const fs::path python(venv_python());
  Env e = {
      {"MLFLOW_TRACKING_URI",
       with_userinfo(m_mlflow.tracking_uri(), k_mlflow_user, k_mlflow_uri_password)},
      {"MLFLOW_TRACKING_USERNAME", k_mlflow_basic_user},
      {"MLFLOW_TRACKING_PASSWORD", k_mlflow_password},
      {"MLFLOW_TRACKING_TOKEN", k_mlflow_token},
      {"MONGODB_URI", mongo_uri_with_credentials(uri())},
      {"MONGODB_DATABASE", database()},
      {"PROMETHEUS_PUSHGATEWAY_URL",
       with_userinfo(m_pushgateway, "pguser", k_pushgateway_password)},
      {"SPECIALIST_TYPES",
       m_types.empty() ? std::nullopt : std::optional<std::string>(m_types_list)},
      {"DATA_DIR", m_data_dir.string()},
      {"LLM_PROVIDER", "openai"},
      {"LLM_BASE_URL", "http://127.0.0.1:" + std::to_string(m_llm_port) + "/v1"},
      {"LLM_MODEL", "gpt-4o-mini"},
      {"OPENAI_API_KEY", k_openai_key},
      {"ANTHROPIC_API_KEY", k_anthropic_key},
      {"DATASET_NUM_SAMPLES", "600"},
      {"MLFLOW_CLI", (python.parent_path() / "mlflow").string()},
      {"RETRAINING_MLFLOW_PROJECT_URI", std::string(MM_SOURCE_DIR) + "/training/specialist"},
      {"PROMPTS_DIR", std::string(MM_SOURCE_DIR) + "/prompts"},
      {"NOTIFICATION_CHANNELS", "slack,email"},
      {"SLACK_WEBHOOK_URL", m_slack ? m_slack->webhook_url() : std::string()},
      {"SMTP_HOST", "127.0.0.1"},
      {"SMTP_PORT", std::to_string(m_smtp ? m_smtp->port() : 1)},
      {"SMTP_USER", k_smtp_user},
      {"SMTP_PASSWORD", k_smtp_password},
      {"EMAIL_RECIPIENTS", "ml-ops@example.com"},
      // A team's thresholds (as tests/integration/retrain): the candidate trained on a few hundred
      // stand-in rows is promoted whatever its draw.
      {"PRECISION_THRESHOLD", "0.5"},
      {"RECALL_THRESHOLD", "0.5"},
      {"F1_THRESHOLD", "0.5"},
      {"AGGREGATE_THRESHOLD", "0.5"},
      {"LOG_FORMAT", "json"},
      {"REPORT_LANG", std::nullopt},
      {"DATASET_GENERATOR_COMMAND", std::nullopt},
      {"MLFLOW_MODEL_NAME_TEMPLATE", std::nullopt},
      {"MODEL_PRODUCTION_ALIAS", std::nullopt},
      {"RETRAINING_COOLDOWN_HOURS", std::nullopt},
  };
  for (const auto& [k, v] : overrides) {
    e[k] = v;
  }
  return e;
}

ProcessResult SecretsTest::run(const std::string& label, const std::vector<std::string>& args,
                               const Env& overrides) {
  // Bounded: a hung binary fails the test (exit 124) instead of hanging it.
  std::vector<std::string> argv = {"timeout", "180", MM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const Env e = env(overrides);
  const std::string log_format = e.at("LOG_FORMAT").value_or("auto");
  const std::string what =
      "`model-monitor " + join(args, " ") + "` (" + label + ", LOG_FORMAT=" + log_format + ")";
  ProcessResult r = run_process(argv, e);
  add_output("stdout of " + what, r.out);
  add_output("stderr of " + what, r.err);
  EXPECT_NE(r.exit_code, 124) << what << " did not finish in 180 s";
  return r;
}

std::string SecretsTest::specialist(const std::string& prefix, double precision, double recall,
                                    double f1) {
  const std::string type = m_mlflow.unique_type(prefix + std::to_string(m_specialists++) + "x");
  const std::string model = type + "-specialist";
  const std::string exp = m_mlflow.get_or_create_experiment(model);
  const std::string run = m_mlflow.add_run(exp, now_ms() - 60000, "FINISHED",
                                           {{"precision", precision, 0},
                                            {"recall", recall, 0},
                                            {"f1_score", f1, 0},
                                            {"accuracy", f1, 0}});
  m_mlflow.create_registered_model(model);
  m_mlflow.set_alias(model, "production", m_mlflow.create_model_version(model, run));
  // Reviewers judge by the rule the LLM stand-in labels with (scripts/llm_standin.py), so
  // feedback rows agree with the generated ones (as tests/integration/retrain does).
  std::vector<FeedbackDoc> docs;
  for (int i = 0; i < 12; ++i) {
    docs.push_back(FeedbackDoc()
                       .specialist_type(type)
                       .rating(0.8)
                       .recommendation(i % 2 == 0 ? "approve" : "reject")
                       .submitted_at(system_clock::now() - hours(2)));
  }
  insert(docs);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const bool approve = i % 2 == 0;
    insert(OpinionDoc::of(docs[i])
               .feature("risk_score", approve ? 0.05 : 0.95)
               .feature("domain_risk_weight", approve ? 0.1 : 0.9)
               .feature("complexity_score", approve ? 0.1 : 0.9)
               .feature("num_anti_patterns_detected", approve ? 0 : 5)
               .feature("total_anti_pattern_penalty", approve ? 0 : 10));
  }
  m_types.push_back(type);
  m_types_list = join(m_types, ",");
  return type;
}

void SecretsTest::add_output(std::string where, std::string text) {
  m_outputs.push_back({std::move(where), std::move(text)});
}

Json SecretsTest::json_of(const ProcessResult& r) {
  try {
    return Json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
    return Json::object();
  }
}

} // namespace mm::test
