// The real model-monitor binary against the real services started by scripts/services.sh:
// MLflow (tracking + registry), FerretDB (MongoDB wire protocol) and the Pushgateway.
// State is set up directly through MLflow's REST API and libmongoc (tests/support), never
// through the code under test. Every test uses its own names and database.
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
namespace {

using namespace std::chrono;
using Json = nlohmann::json;

std::int64_t now_ms() {
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<MetricPoint> metrics(double p, double r, double f1, double acc = 0.8) {
  return {{"precision", p, 0}, {"recall", r, 0}, {"f1_score", f1, 0}, {"accuracy", acc, 0}};
}

class CheckE2E : public MongoTest {
protected:
  void SetUp() override {
    MongoTest::SetUp();
    m_pushgateway = require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  }

  // A specialist with a registered model whose `production` alias points at a run.
  std::string specialist_with_alias(double p, double r, double f1) {
    // unique_type() is unique per fixture; a counter keeps several specialists per test apart.
    const std::string type = m_mlflow.unique_type("e2e" + std::to_string(m_count++) + "x");
    const std::string exp = m_mlflow.get_or_create_experiment(type + "-specialist");
    const std::string run = m_mlflow.add_run(exp, now_ms() - 60000, "FINISHED", metrics(p, r, f1));
    m_mlflow.create_registered_model(type + "-specialist");
    const std::string v = m_mlflow.create_model_version(type + "-specialist", run);
    m_mlflow.set_alias(type + "-specialist", "production", v);
    return type;
  }

  void feedback(const std::string& type, const std::vector<double>& ratings,
                system_clock::duration age = hours(24)) {
    std::vector<FeedbackDoc> docs;
    for (double r : ratings) {
      docs.push_back(
          FeedbackDoc().specialist_type(type).rating(r).submitted_at(system_clock::now() - age));
    }
    insert(docs);
  }

  std::map<std::string, std::optional<std::string>> env() const {
    return {{"MLFLOW_TRACKING_URI", m_mlflow.tracking_uri()},
            {"MONGODB_URI", uri()},
            {"MONGODB_DATABASE", database()},
            {"PROMETHEUS_PUSHGATEWAY_URL", std::nullopt},
            {"LOG_FORMAT", "json"},
            {"REPORT_LANG", std::nullopt},
            {"SPECIALIST_TYPES", std::nullopt}};
  }

  ProcessResult run(const std::vector<std::string>& args,
                    std::map<std::string, std::optional<std::string>> extra = {}) const {
    auto e = env();
    for (auto& [k, v] : extra) {
      e[k] = v;
    }
    std::vector<std::string> argv = {MM_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
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

  MlflowFixture m_mlflow;
  std::string m_pushgateway;
  int m_count = 0;
};

TEST_F(CheckE2E, HealthyProductionAliasExitsZeroWithEveryJsonField) {
  const std::string type = specialist_with_alias(0.86, 0.82, 0.84);
  // FEEDBACK_MIN_COUNT (10) ratings, so the feedback term counts.
  feedback(type, {0.9, 0.8, 0.7, 0.5, 0.2, 0.9, 0.8, 0.7, 0.5, 0.2});
  auto r = run({"check", "--specialist-type", type, "--output-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_EQ(j["specialist_type"], type);
  EXPECT_EQ(j["is_degraded"], false);
  EXPECT_EQ(j["mlflow_metrics"]["source"], "alias");
  EXPECT_EQ(j["mlflow_metrics"]["model_version"], "1");
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["precision"].get<double>(), 0.86);
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["f1_score"].get<double>(), 0.84);
  EXPECT_EQ(j["feedback_stats"]["total_count"], 10);
  EXPECT_EQ(j["feedback_stats"]["positive_count"], 6);
  EXPECT_EQ(j["feedback_stats"]["negative_count"], 2);
  EXPECT_EQ(j["feedback_stats"]["neutral_count"], 2);
  EXPECT_EQ(j["feedback_stats"]["used_in_aggregate"], true);
  EXPECT_NEAR(j["feedback_stats"]["avg_rating"].get<double>(), 0.62, 1e-9);
  EXPECT_NEAR(j["aggregate_score"].get<double>(), 0.7 * 0.84 + 0.3 * 0.62, 1e-9);
}

TEST_F(CheckE2E, DegradedRecallExitsOneWithReasonAndRecommendation) {
  const std::string type = specialist_with_alias(0.80, 0.55, 0.65);
  feedback(type, {0.8, 0.8});
  auto r = run({"check", "--specialist-type", type, "--lang", "en"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("PERFORMANCE REPORT - " + type), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Status: ⚠️ DEGRADED"), std::string::npos);
  EXPECT_NE(r.out.find("Recall 0.550 < 0.70"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("model-monitor retrain --specialist-type " + type), std::string::npos);
}

TEST_F(CheckE2E, PortugueseTextReportIsTheDefault) {
  const std::string type = specialist_with_alias(0.86, 0.82, 0.84);
  feedback(type, {0.9});
  auto r = run({"check", "--specialist-type", type});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("RELATÓRIO DE PERFORMANCE - " + type), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Recomendações:"), std::string::npos);
}

TEST_F(CheckE2E, LegacyProductionStageIsUsedWithoutAlias) {
  const std::string type = m_mlflow.unique_type("stage");
  const std::string exp = m_mlflow.get_or_create_experiment(type + "-specialist");
  const std::string prod =
      m_mlflow.add_run(exp, now_ms() - 90000, "FINISHED", metrics(0.91, 0.90, 0.905));
  // A newer, worse run that is not in production must not be picked.
  m_mlflow.add_run(exp, now_ms() - 1000, "FINISHED", metrics(0.5, 0.5, 0.5));
  m_mlflow.create_registered_model(type + "-specialist");
  const std::string v = m_mlflow.create_model_version(type + "-specialist", prod);
  ASSERT_TRUE(m_mlflow.transition_stage(type + "-specialist", v, "Production"))
      << "this MLflow no longer supports legacy stages";
  auto r = run({"check", "--specialist-type", type, "--output-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_EQ(j["mlflow_metrics"]["source"], "legacy_stage");
  EXPECT_EQ(j["mlflow_metrics"]["run_id"], prod);
}

TEST_F(CheckE2E, LatestFinishedRunWithoutRegisteredModel) {
  const std::string type = m_mlflow.unique_type("latest");
  const std::string exp = m_mlflow.get_or_create_experiment(type + "-specialist");
  m_mlflow.add_run(exp, now_ms() - 300000, "FINISHED", metrics(0.5, 0.5, 0.5));
  const std::string newest_finished =
      m_mlflow.add_run(exp, now_ms() - 200000, "FINISHED", metrics(0.88, 0.87, 0.875));
  m_mlflow.add_run(exp, now_ms() - 100000, "FAILED", metrics(0.1, 0.1, 0.1));
  auto r = run({"check", "--specialist-type", type, "--output-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_EQ(j["mlflow_metrics"]["source"], "latest_run");
  EXPECT_EQ(j["mlflow_metrics"]["run_id"], newest_finished);
  EXPECT_TRUE(j["mlflow_metrics"]["model_version"].is_null());
}

TEST_F(CheckE2E, MissingExperimentExitsThreeNamingItAndTheServer) {
  const std::string type = m_mlflow.unique_type("ghost");
  auto r = run({"check", "--specialist-type", type});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find(type + "-specialist"), std::string::npos) << all;
  EXPECT_NE(all.find(m_mlflow.tracking_uri()), std::string::npos) << all;
}

TEST_F(CheckE2E, NoFeedbackIsUnknownAndNeverDegradation) {
  const std::string type = specialist_with_alias(0.86, 0.82, 0.84);
  auto r = run({"check", "--specialist-type", type, "--output-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_TRUE(j["feedback_stats"]["avg_rating"].is_null());
  EXPECT_EQ(j["aggregate_basis"], "f1_only");
  EXPECT_DOUBLE_EQ(j["aggregate_score"].get<double>(), 0.84);
  EXPECT_EQ(j["is_degraded"], false);
}

TEST_F(CheckE2E, FeedbackWindowBoundaries) {
  const std::string type = specialist_with_alias(0.86, 0.82, 0.84);
  feedback(type, {0.9}, hours(24 * 29));      // inside
  feedback(type, {0.0, 0.0}, hours(24 * 31)); // outside: would make it degraded
  feedback(type, {0.0}, -hours(24));          // future-dated: outside
  auto r = run({"check", "--specialist-type", type, "--output-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_EQ(j["feedback_stats"]["total_count"], 1);
  EXPECT_NEAR(j["feedback_stats"]["avg_rating"].get<double>(), 0.9, 1e-9);
  // A shorter window excludes the 29-day-old rating too.
  auto r7 = run({"check", "--specialist-type", type, "--output-format", "json"},
                {{"FEEDBACK_WINDOW_DAYS", "7"}});
  EXPECT_EQ(json_of(r7)["feedback_stats"]["total_count"], 0);
}

TEST_F(CheckE2E, TooFewRatingsNeverDegradeNorArePushedAsTheAverage) {
  // Three unhappy ratings on a healthy model: noise, not a degradation (FEEDBACK_MIN_COUNT 10).
  const std::string type = specialist_with_alias(0.86, 0.82, 0.84);
  feedback(type, {0.0, 0.0, 0.1});
  auto r = run({"check", "--specialist-type", type, "--output-format", "json", "--export-metrics",
                m_pushgateway});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_EQ(j["is_degraded"], false);
  EXPECT_EQ(j["aggregate_basis"], "f1_only");
  EXPECT_NEAR(j["aggregate_score"].get<double>(), 0.84, 1e-9);
  EXPECT_EQ(j["feedback_stats"]["total_count"], 3);
  EXPECT_EQ(j["feedback_stats"]["used_in_aggregate"], false);
  EXPECT_NE(j["data_gaps"].dump().find("too_few_feedback_ratings"), std::string::npos)
      << j["data_gaps"].dump();
  auto scraped = run_process({"curl", "-fsS", m_pushgateway + "/metrics"});
  ASSERT_EQ(scraped.exit_code, 0) << scraped.err;
  const std::string labels =
      "{instance=\"\",job=\"model-performance-monitor\",specialist_type=\"" + type + "\"}";
  EXPECT_EQ(scraped.out.find("neural_hive_feedback_avg_rating" + labels), std::string::npos);
  EXPECT_NE(scraped.out.find("neural_hive_feedback_count_current" + labels + " 3"),
            std::string::npos);

  // FEEDBACK_MIN_COUNT=3: the same three ratings count, and breach the feedback threshold.
  auto counted = run({"check", "--specialist-type", type, "--output-format", "json"},
                     {{"FEEDBACK_MIN_COUNT", "3"}});
  EXPECT_EQ(counted.exit_code, 1) << counted.out << counted.err;
  EXPECT_EQ(json_of(counted)["feedback_stats"]["used_in_aggregate"], true);
}

TEST_F(CheckE2E, ExportedMetricsAreInThePushgatewayAndPassPromtool) {
  const std::string type = specialist_with_alias(0.80, 0.60, 0.69);
  feedback(type, std::vector<double>(10, 0.7));
  auto r = run({"check", "--specialist-type", type, "--export-metrics", m_pushgateway});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto scraped = run_process({"curl", "-fsS", m_pushgateway + "/metrics"});
  ASSERT_EQ(scraped.exit_code, 0) << scraped.err;
  std::string ours;
  std::istringstream in(scraped.out);
  for (std::string line; std::getline(in, line);) {
    if (line.find("specialist_type=\"" + type + "\"") != std::string::npos) {
      ours += line + "\n";
    }
  }
  for (const char* name :
       {"neural_hive_model_performance_score", "neural_hive_model_degradation_detected",
        "neural_hive_mlflow_model_precision", "neural_hive_mlflow_model_recall",
        "neural_hive_mlflow_model_f1", "neural_hive_feedback_avg_rating",
        "neural_hive_feedback_count_current",
        "neural_hive_monitor_last_success_timestamp_seconds"}) {
    EXPECT_NE(ours.find(std::string(name) + "{"), std::string::npos) << name << "\n" << ours;
  }
  EXPECT_NE(ours.find("neural_hive_model_degradation_detected{instance=\"\",job=\"model-"
                      "performance-monitor\",specialist_type=\"" +
                      type + "\"} 1"),
            std::string::npos)
      << ours;
  // promtool lints the exposition of our families as the Pushgateway serves them.
  std::string with_meta;
  std::istringstream all(scraped.out);
  for (std::string line; std::getline(all, line);) {
    if (line.find("neural_hive_") != std::string::npos) {
      with_meta += line + "\n";
    }
  }
  const auto file = std::filesystem::temp_directory_path() / (type + ".prom");
  std::ofstream(file) << with_meta;
  auto lint = run_process({"sh", "-c", "promtool check metrics < " + file.string()});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  std::filesystem::remove(file);
}

TEST_F(CheckE2E, UnreachableMlflowExitsThreeNamingTheMaskedUrl) {
  auto r = run({"check", "--specialist-type", "technical"},
               {{"MLFLOW_TRACKING_URI",
                 "http://admin:hunter2@127.0.0.1:" + std::to_string(closed_local_port())},
                {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("127.0.0.1:"), std::string::npos) << all;
  EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;
}

TEST_F(CheckE2E, MlflowConnectionErrorsAreCountedAcrossRunsAndPushed) {
  const std::string type = m_mlflow.unique_type("down");
  const std::map<std::string, std::optional<std::string>> down = {
      {"MLFLOW_TRACKING_URI", "http://127.0.0.1:" + std::to_string(closed_local_port())},
      {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"}};
  for (int i = 0; i < 2; ++i) {
    auto r = run({"check", "--specialist-type", type, "--export-metrics", m_pushgateway}, down);
    EXPECT_EQ(r.exit_code, 3) << r.err;
  }
  auto scraped = run_process({"curl", "-fsS", m_pushgateway + "/metrics"});
  EXPECT_NE(scraped.out.find("neural_hive_mlflow_connection_errors_total{instance=\"\",job=\"model-"
                             "performance-monitor\",specialist_type=\"" +
                             type + "\"} 2"),
            std::string::npos)
      << "the counter is cumulative across invocations (its truth is model_monitor_state)";
}

TEST_F(CheckE2E, UnreachableMongoStillReportsMlflowAndExitsThree) {
  const std::string type = specialist_with_alias(0.86, 0.82, 0.84);
  const std::string bad_uri =
      "mongodb://root:s3cr3t@127.0.0.1:" + std::to_string(closed_local_port()) +
      "/?serverSelectionTimeoutMS=1000";
  auto r = run({"check", "--specialist-type", type, "--output-format", "json"},
               {{"MONGODB_URI", bad_uri}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_EQ(all.find("s3cr3t"), std::string::npos) << all;
  EXPECT_NE(all.find("127.0.0.1:"), std::string::npos) << all;
  Json j = json_of(r);
  EXPECT_EQ(j["feedback_stats"]["available"], false);
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["precision"].get<double>(), 0.86);
}

TEST_F(CheckE2E, UnreachablePushgatewayExitsThreeButPrintsTheReport) {
  const std::string type = specialist_with_alias(0.86, 0.82, 0.84);
  auto r = run({"check", "--specialist-type", type, "--export-metrics",
                "http://127.0.0.1:" + std::to_string(closed_local_port())});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("RELATÓRIO DE PERFORMANCE"), std::string::npos);
  EXPECT_NE((r.out + r.err).find("Pushgateway"), std::string::npos);
}

TEST_F(CheckE2E, InvalidEnvironmentValueExitsTwoNamingTheVariable) {
  auto r = run({"check", "--specialist-type", "technical"}, {{"RECALL_THRESHOLD", "1.7"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("RECALL_THRESHOLD"), std::string::npos) << r.err;
  auto bad_type = run({"check", "--specialist-type", "../etc/passwd"});
  EXPECT_EQ(bad_type.exit_code, 2);
  auto bad_flag = run({"check", "--specialist-type", "x", "--output-format", "yaml"});
  EXPECT_EQ(bad_flag.exit_code, 2);
}

TEST_F(CheckE2E, AllChecksEverySpecialistEvenWhenOneFails) {
  const std::string healthy = specialist_with_alias(0.86, 0.82, 0.84);
  const std::string degraded = specialist_with_alias(0.86, 0.50, 0.62);
  const std::string ghost = m_mlflow.unique_type("ghost");
  auto r = run({"check", "--specialist-type", "all", "--output-format", "json"},
               {{"SPECIALIST_TYPES", healthy + "," + ghost + "," + degraded}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  Json j = json_of(r);
  ASSERT_EQ(j["reports"].size(), 3U);
  EXPECT_EQ(j["reports"][0]["status"], "ok");
  EXPECT_EQ(j["reports"][1]["status"], "error");
  EXPECT_EQ(j["reports"][2]["status"], "degraded");
  EXPECT_EQ(j["summary"]["exit_code"], 3);
  auto text = run({"check", "--specialist-type", "all", "--lang", "en"},
                  {{"SPECIALIST_TYPES", healthy + "," + degraded}});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("SUMMARY"), std::string::npos);
}

TEST_F(CheckE2E, AllReportsWhatEachSpecialistAloneReports) {
  // `all` reads MLflow for the fleet with a few searches and the feedback with grouped
  // aggregations; each report must be the one `check --specialist-type T` gives, whatever path
  // the specialist takes (alias, legacy stage, latest run, an unfinished run, no experiment).
  const std::string alias = specialist_with_alias(0.86, 0.82, 0.84);
  const std::string degraded = specialist_with_alias(0.86, 0.50, 0.62);
  const std::string stage = m_mlflow.unique_type("stage");
  const std::string stage_exp = m_mlflow.get_or_create_experiment(stage + "-specialist");
  const std::string staged =
      m_mlflow.add_run(stage_exp, now_ms() - 90000, "FINISHED", metrics(0.91, 0.90, 0.905));
  m_mlflow.create_registered_model(stage + "-specialist");
  ASSERT_TRUE(m_mlflow.transition_stage(
      stage + "-specialist", m_mlflow.create_model_version(stage + "-specialist", staged),
      "Production"));
  const std::string latest = m_mlflow.unique_type("latest");
  m_mlflow.add_run(m_mlflow.get_or_create_experiment(latest + "-specialist"), now_ms() - 1000,
                   "FINISHED", metrics(0.88, 0.87, 0.875));
  const std::string running = m_mlflow.unique_type("running");
  const std::string running_run =
      m_mlflow.add_run(m_mlflow.get_or_create_experiment(running + "-specialist"), now_ms() - 1000,
                       "RUNNING", metrics(0.9, 0.9, 0.9));
  m_mlflow.create_registered_model(running + "-specialist");
  m_mlflow.set_alias(running + "-specialist", "production",
                     m_mlflow.create_model_version(running + "-specialist", running_run));
  const std::string ghost = m_mlflow.unique_type("ghost");
  feedback(alias, {0.9, 0.8, 0.7, 0.5, 0.2});
  feedback(degraded, {0.1, 0.2});
  feedback(stage, {0.6, 0.4, 0.39});
  feedback(latest, {1.0});

  const std::vector<std::string> types = {alias, degraded, stage, latest, running, ghost};
  std::string list;
  for (const auto& t : types) {
    list += (list.empty() ? "" : ",") + t;
  }
  auto all = run({"check", "--specialist-type", "all", "--output-format", "json"},
                 {{"SPECIALIST_TYPES", list}});
  EXPECT_EQ(all.exit_code, 3) << all.out << all.err;
  Json reports = json_of(all)["reports"];
  ASSERT_EQ(reports.size(), types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    auto one = run({"check", "--specialist-type", types[i], "--output-format", "json"});
    Json expected = json_of(one);
    Json got = reports[i];
    expected.erase("timestamp");
    got.erase("timestamp");
    EXPECT_EQ(got, expected) << types[i];
  }
  EXPECT_EQ(reports[2]["mlflow_metrics"]["source"], "legacy_stage");
  EXPECT_EQ(reports[3]["mlflow_metrics"]["source"], "latest_run");
  EXPECT_EQ(reports[4]["status"], "error");
}

TEST_F(CheckE2E, PrintConfigMasksSecrets) {
  auto r = run({"check", "--print-config"},
               {{"MONGODB_URI", "mongodb://admin:topsecret@db:27017/"},
                {"OPENAI_API_KEY", "sk-abcdef"},
                {"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T1/B2/C3"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("MONGODB_URI=mongodb://***:***@db:27017/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OPENAI_API_KEY=***"), std::string::npos);
  for (const char* secret : {"topsecret", "sk-abcdef", "T1/B2/C3"}) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << secret;
  }
}

} // namespace
} // namespace mm::test
