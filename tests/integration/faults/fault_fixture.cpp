#include "integration/faults/fault_fixture.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace mm::test {

namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

std::int64_t now_ms() {
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<MetricPoint> metrics(double p, double r, double f1) {
  return {{"precision", p, 0}, {"recall", r, 0}, {"f1_score", f1, 0}, {"accuracy", f1, 0}};
}

std::string text_field(const Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::string str(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::pair<std::string, int> host_and_port(const std::string& uri) {
  std::string rest = uri;
  if (const auto scheme = rest.find("://"); scheme != std::string::npos) {
    rest = rest.substr(scheme + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?,"));
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    rest = rest.substr(at + 1);
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    return {rest, uri.starts_with("https") ? 443 : uri.starts_with("mongodb") ? 27017 : 80};
  }
  return {rest.substr(0, colon), std::stoi(rest.substr(colon + 1))};
}

std::string LedgerRecord::state() const {
  return text_field(doc, "state");
}

std::string LedgerRecord::run_id() const {
  return text_field(doc, "run_id");
}

std::string LedgerRecord::error() const {
  return text_field(doc, "error");
}

bool LedgerRecord::finished() const {
  const auto it = doc.find("finished_at");
  return it != doc.end() && !it->is_null();
}

void FaultTest::SetUp() {
  MongoTest::SetUp();
  m_pushgateway = require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  m_llm = require_service_env("MM_LLM_STANDIN_URL");
  m_slack = require_service_env("SLACK_WEBHOOK_URL");
  m_slack_record = require_service_env("MM_SLACK_RECORD");
  m_smtp_host = require_service_env("SMTP_HOST");
  m_smtp_port = require_service_env("SMTP_PORT");
  m_venv = require_service_env("MM_VENV");
  m_type = m_mlflow.unique_type("flt");
  m_data_dir = fs::temp_directory_path() / ("mm-faults-" + m_type);
  fs::create_directories(m_data_dir);
}

void FaultTest::TearDown() {
  if (!HasFailure()) {
    fs::remove_all(m_data_dir);
  } else {
    std::cerr << "kept for inspection: DATA_DIR " << m_data_dir << ", database " << database()
              << ", specialist " << m_type << "\n";
  }
  MongoTest::TearDown();
}

void FaultTest::production(double precision, double recall, double f1) {
  m_experiment = m_mlflow.get_or_create_experiment(m_type + "-specialist");
  m_baseline_run =
      m_mlflow.add_run(m_experiment, now_ms() - 60000, "FINISHED", metrics(precision, recall, f1));
  m_mlflow.create_registered_model(m_type + "-specialist");
  m_baseline_version = m_mlflow.create_model_version(m_type + "-specialist", m_baseline_run);
  m_mlflow.set_alias(m_type + "-specialist", "production", m_baseline_version);
}

void FaultTest::feedback(int n, double rating) {
  std::vector<FeedbackDoc> docs;
  for (int i = 0; i < n; ++i) {
    docs.push_back(FeedbackDoc().specialist_type(m_type).rating(rating).submitted_at(
        system_clock::now() - hours(2)));
  }
  insert(docs);
}

void FaultTest::feedback_with_opinions() {
  // Reviewers judge by the rule the LLM stand-in labels with (scripts/llm_standin.py), so these
  // rows agree with the generated ones (see tests/integration/retrain/test_retrain_e2e.cpp).
  std::vector<FeedbackDoc> docs;
  for (int i = 0; i < 12; ++i) {
    docs.push_back(FeedbackDoc()
                       .specialist_type(m_type)
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
}

Env FaultTest::check_env() const {
  return {{"MLFLOW_TRACKING_URI", m_mlflow.tracking_uri()},
          {"MONGODB_URI", uri()},
          {"MONGODB_DATABASE", database()},
          {"PROMETHEUS_PUSHGATEWAY_URL", std::nullopt},
          {"LOG_FORMAT", "json"},
          {"REPORT_LANG", std::nullopt},
          {"SPECIALIST_TYPES", std::nullopt},
          {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", std::nullopt},
          {"MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", std::nullopt},
          {"MLFLOW_HTTP_REQUEST_TIMEOUT", std::nullopt}};
}

Env FaultTest::retrain_env() const {
  Env e = check_env();
  const Env more = {
      {"PROMETHEUS_PUSHGATEWAY_URL", m_pushgateway},
      {"DATA_DIR", m_data_dir.string()},
      {"LLM_PROVIDER", "local"},
      {"LLM_BASE_URL", m_llm},
      {"LLM_MODEL", "llama3"},
      {"DATASET_NUM_SAMPLES", "20"},
      {"DATASET_GENERATION_TIMEOUT", std::nullopt},
      {"DATASET_GENERATOR_COMMAND", std::nullopt},
      {"MLFLOW_CLI", m_venv + "/bin/mlflow"},
      {"RETRAINING_MLFLOW_PROJECT_URI", std::string(MM_SOURCE_DIR) + "/training/specialist"},
      {"PROMPTS_DIR", std::string(MM_SOURCE_DIR) + "/prompts"},
      {"NOTIFICATION_CHANNELS", "slack,email"},
      {"SLACK_WEBHOOK_URL", m_slack},
      {"SMTP_HOST", m_smtp_host},
      {"SMTP_PORT", m_smtp_port},
      {"SMTP_USER", std::nullopt},
      {"SMTP_PASSWORD", std::nullopt},
      {"EMAIL_RECIPIENTS", "ml-ops@example.com"},
      {"RETRAINING_COOLDOWN_HOURS", std::nullopt},
      {"TRAINING_TIMEOUT", std::nullopt},
  };
  for (const auto& [k, v] : more) {
    e[k] = v;
  }
  return e;
}

TimedResult FaultTest::run_mm(const std::vector<std::string>& args, const Env& env,
                              std::chrono::seconds limit) const {
  // timeout(1): SIGTERM at the limit (model-monitor then kills a training tree and marks its run
  // KILLED), SIGKILL 10 s later; exit status 124 says the limit was hit.
  std::vector<std::string> argv = {"timeout", "-k", "10", std::to_string(limit.count()), MM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = steady_clock::now();
  TimedResult r{run_process(argv, env), {}};
  r.elapsed = duration_cast<milliseconds>(steady_clock::now() - t0);
  if (std::getenv("MM_FAULTS_SHOW") != nullptr) { // NOLINT(concurrency-mt-unsafe)
    std::cerr << "---- model-monitor";
    for (const auto& a : args) {
      std::cerr << " " << a;
    }
    std::cerr << "\n---- exit " << r.exit_code() << " after " << r.elapsed.count()
              << " ms\n---- stdout:\n"
              << r.process.out << "---- stderr:\n"
              << r.process.err << "----\n";
  }
  EXPECT_NE(r.exit_code(), 124) << "model-monitor did not finish within " << limit.count()
                                << " s\nstdout:\n"
                                << r.process.out << "\nstderr:\n"
                                << r.process.err;
  return r;
}

Json FaultTest::json_of(const TimedResult& r) {
  try {
    return Json::parse(r.process.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\nstdout:\n"
                  << r.process.out << "\nstderr:\n"
                  << r.process.err;
    return Json::object();
  }
}

std::vector<std::string> FaultTest::retrain_args(std::vector<std::string> flags) const {
  std::vector<std::string> args = {"retrain", "--specialist-type", m_type, "--output-format",
                                   "json"};
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

std::vector<LedgerRecord> FaultTest::ledger() {
  std::vector<LedgerRecord> out;
  const Json filter = {{"kind", "retrain"}, {"specialist_type", m_type}};
  for (const auto& text : find_json(k_state_collection, filter.dump())) {
    out.push_back({Json::parse(text)});
  }
  return out;
}

double FaultTest::stored_counter(const std::string& name,
                                 const std::map<std::string, std::string>& labels) {
  const Json filter = {{"kind", "counter"}, {"specialist_type", m_type}, {"name", name}};
  double total = 0.0;
  for (const auto& text : find_json(k_state_collection, filter.dump())) {
    const Json doc = Json::parse(text);
    const Json doc_labels = doc.value("labels", Json::object());
    bool match = doc_labels.size() == labels.size();
    for (const auto& [k, v] : labels) {
      match = match && doc_labels.contains(k) && doc_labels[k] == v;
    }
    if (match && doc.contains("value") && doc["value"].is_number()) {
      total += doc["value"].get<double>();
    }
  }
  return total;
}

std::string FaultTest::pushed_series() const {
  auto scraped = run_process({"curl", "-fsS", "--max-time", "10", m_pushgateway + "/metrics"});
  EXPECT_EQ(scraped.exit_code, 0) << scraped.err;
  std::string ours;
  std::istringstream in(scraped.out);
  for (std::string line; std::getline(in, line);) {
    if (line.find("specialist_type=\"" + m_type + "\"") != std::string::npos) {
      ours += line + "\n";
    }
  }
  return ours;
}

std::size_t FaultTest::runs_in_experiment() {
  return run_statuses().size();
}

std::vector<std::string> FaultTest::run_statuses() {
  std::vector<std::string> out;
  if (m_experiment.empty()) {
    ADD_FAILURE() << "no experiment: call production() first";
    return out;
  }
  auto j = m_mlflow.call_ok("POST", "runs/search",
                            Json{{"experiment_ids", {m_experiment}}, {"max_results", 1000}});
  for (const auto& run : j.value("runs", Json::array())) {
    out.push_back(run["info"]["status"].get<std::string>());
    m_mlflow.adopt_run(run["info"]["run_id"].get<std::string>());
  }
  return out;
}

std::optional<std::string> FaultTest::alias_version(const std::string& alias) {
  auto r =
      m_mlflow.call("GET", "registered-models/alias?name=" + m_type + "-specialist&alias=" + alias);
  if (r.status != 200) {
    return std::nullopt;
  }
  return Json::parse(r.body)["model_version"]["version"].get<std::string>();
}

std::vector<fs::path> FaultTest::files_in_data_dir() const {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(m_data_dir, ec)) {
    if (!e.is_directory()) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<FaultProxy> FaultTest::proxy_for(const std::string& url, FaultProxy::Protocol p) {
  const auto [host, port] = host_and_port(url);
  return std::make_unique<FaultProxy>(host, port, p);
}

} // namespace mm::test
