// `model-monitor retrain` end to end: the real binary against the real MLflow server (runs,
// registry), a real `mlflow run` of the reference training project (scikit-learn), FerretDB,
// the Pushgateway and the SMTP server of scripts/services.sh; only Slack and the LLM are
// stand-ins (scripts/slack_standin.py, scripts/llm_standin.py: the APIs' documented shapes).
// State is prepared and inspected directly (MLflow REST, libmongoc, files), never through the
// code under test.
#include "retrain_e2e_fixture.hpp"

namespace mm::test {
namespace {

TEST_F(RetrainE2E, DegradedSpecialistIsRetrainedForRealAndTheBetterModelPromoted) {
  production(0.45, 0.40, 0.42); // degraded even against the 0.5 thresholds used below
  // Old datasets: the one past DATASET_RETENTION_DAYS goes, the recent one stays.
  fs::create_directories(m_data_dir / m_type);
  std::ofstream(m_data_dir / m_type / "20200101T000000Z.parquet") << "old";
  const auto recent = system_clock::now() - hours(24 * 3);
  const std::time_t tt = system_clock::to_time_t(recent);
  char name[32];
  std::strftime(name, sizeof name, "%Y%m%dT%H%M%SZ.parquet", std::gmtime(&tt));
  std::ofstream(m_data_dir / m_type / name) << "recent";

  // Thresholds at 0.5 (a team's choice): the candidate trained on a few hundred stand-in rows
  // scores ~0.73-0.9 from run to run, so the default 0.75 precision threshold would make this
  // test depend on the draw. The rejection paths are covered by WorseCandidateIsNotPromoted.
  auto r = retrain({}, {{"PRECISION_THRESHOLD", "0.5"},
                        {"RECALL_THRESHOLD", "0.5"},
                        {"F1_THRESHOLD", "0.5"},
                        {"AGGREGATE_THRESHOLD", "0.5"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_EQ(j["decision"]["verdict"], "retrain");
  EXPECT_EQ(j["result"], "promoted") << j.dump(2);
  EXPECT_GE(j["dataset"]["llm_rows"].get<int>(), 600);
  EXPECT_EQ(j["dataset"]["feedback_rows"], 12);
  const std::string run_id = j["training"]["run_id"];
  m_mlflow.adopt_run(run_id);

  // MLflow: the run finished with metrics and our tags; production moved to its version and
  // the old version stays reachable for rollback.
  Json run = m_mlflow.get_run(run_id);
  EXPECT_EQ(run["info"]["status"], "FINISHED");
  std::map<std::string, std::string> tags;
  for (const auto& t : run["data"]["tags"]) {
    tags[t["key"]] = t["value"];
  }
  EXPECT_EQ(tags["model_monitor.trigger"], "degradation");
  EXPECT_EQ(tags["model_monitor.promotion"], "promoted");
  EXPECT_EQ(tags["model_monitor.baseline_run_id"], m_baseline_run);
  EXPECT_FALSE(tags["model_monitor.dataset_path"].empty());
  const auto prod = alias_version("production");
  ASSERT_TRUE(prod);
  EXPECT_NE(*prod, m_baseline_version);
  EXPECT_EQ(m_mlflow.get_model_version(m_type + "-specialist", *prod)["run_id"], run_id);
  EXPECT_EQ(alias_version("previous-production"), m_baseline_version);

  // Dataset on disk, the old one cleaned up, the recent one kept.
  EXPECT_TRUE(fs::exists(j["dataset"]["path"].get<std::string>()));
  EXPECT_FALSE(fs::exists(m_data_dir / m_type / "20200101T000000Z.parquet"));
  EXPECT_TRUE(fs::exists(m_data_dir / m_type / name));

  // Notifications as received: Slack payload (text + blocks) and the email by the SMTP server.
  const std::string slack = last_slack_body();
  ASSERT_FALSE(slack.empty()) << "no Slack payload mentions " << m_type;
  Json payload = Json::parse(slack);
  EXPECT_NE(payload["text"].get<std::string>().find("promoted"), std::string::npos);
  EXPECT_TRUE(payload["blocks"].is_array());
  EXPECT_NE(slack.find(run_id), std::string::npos);
  const std::string email = email_about_type();
  ASSERT_FALSE(email.empty()) << "no email about " << m_type << " in " << m_spool;
  EXPECT_NE(email.find("ml-ops@example.com"), std::string::npos);
  EXPECT_NE(email.find("Subject:"), std::string::npos);

  // Cumulative retrain metrics in the specialist's group.
  auto scraped = run_process({"curl", "-fsS", m_pushgateway + "/metrics"});
  EXPECT_NE(scraped.out.find("neural_hive_auto_retrain_triggered_total{instance=\"\",job=\"model-"
                             "performance-monitor\",reason=\"degradation\",specialist_type=\"" +
                             m_type + "\",status=\"success\"} 1"),
            std::string::npos);
  EXPECT_NE(scraped.out.find("neural_hive_auto_retrain_success_total{improved=\"true\",instance="
                             "\"\",job=\"model-performance-monitor\",specialist_type=\"" +
                             m_type + "\"} 1"),
            std::string::npos);
}

TEST_F(RetrainE2E, WorseCandidateIsNotPromoted) {
  production(0.99, 0.99, 0.99); // no candidate beats this by 0.02
  auto r = retrain({"--force"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  m_mlflow.adopt_run(j["training"]["run_id"]);
  EXPECT_EQ(j["decision"]["trigger"], "forced");
  EXPECT_EQ(j["result"], "rejected") << j.dump(2);
  EXPECT_EQ(j["promotion"]["promoted"], false);
  EXPECT_DOUBLE_EQ(j["promotion"]["baseline"]["f1_score"].get<double>(), 0.99);
  EXPECT_EQ(alias_version("production"), m_baseline_version);
  EXPECT_FALSE(alias_version("previous-production"));
  Json run = m_mlflow.get_run(j["training"]["run_id"]);
  bool tagged = false;
  for (const auto& t : run["data"]["tags"]) {
    tagged |= t["key"] == "model_monitor.promotion" && t["value"] == "rejected";
  }
  EXPECT_TRUE(tagged);
}

TEST_F(RetrainE2E, FailingTrainingNotifiesFailureAndPromotesNothing) {
  production(0.78, 0.62, 0.69);
  auto r = retrain({}, {{"RETRAINING_MLFLOW_PROJECT_URI",
                         std::string(MM_SOURCE_DIR) + "/tests/data/failing_project"}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json j = json_of(r);
  m_mlflow.adopt_run(j["training"]["run_id"]);
  EXPECT_EQ(j["result"], "failed");
  EXPECT_EQ(j["error"]["step"], "training");
  EXPECT_EQ(m_mlflow.get_run(j["training"]["run_id"])["info"]["status"], "FAILED");
  EXPECT_EQ(alias_version("production"), m_baseline_version);
  const std::string slack = last_slack_body();
  EXPECT_NE(slack.find("FAILED"), std::string::npos) << slack;
  EXPECT_NE(slack.find("training"), std::string::npos);
}

TEST_F(RetrainE2E, TrainingTimeoutKillsTheRunAndMarksItFailed) {
  production(0.78, 0.62, 0.69);
  const auto t0 = steady_clock::now();
  auto r = retrain({}, {{"RETRAINING_MLFLOW_PROJECT_URI",
                         std::string(MM_SOURCE_DIR) + "/tests/data/slow_project"},
                        {"TRAINING_TIMEOUT", "4"}});
  EXPECT_LT(steady_clock::now() - t0, seconds(90));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json j = json_of(r);
  m_mlflow.adopt_run(j["training"]["run_id"]);
  EXPECT_EQ(j["error"]["kind"], "timeout");
  Json run = m_mlflow.get_run(j["training"]["run_id"]);
  EXPECT_EQ(run["info"]["status"], "FAILED") << "never an orphaned RUNNING run";
  bool tagged = false;
  for (const auto& t : run["data"]["tags"]) {
    tagged |= t["key"] == "model_monitor.failure" && t["value"] == "training_timeout";
  }
  EXPECT_TRUE(tagged);
  EXPECT_NE(r.err.find("training_timeout"), std::string::npos);
}

TEST_F(RetrainE2E, SigtermDuringTrainingMarksTheRunKilledNotRunning) {
  production(0.78, 0.62, 0.69);
  auto e = env();
  e["RETRAINING_MLFLOW_PROJECT_URI"] = std::string(MM_SOURCE_DIR) + "/tests/data/slow_project";
  e["TRAINING_TIMEOUT"] = "600";
  // As a Job's deadline or a node drain does: SIGTERM to the binary while it trains.
  const std::string script = std::string("\"$0\" retrain --specialist-type ") + m_type +
                             " --output-format json & pid=$!; sleep 8; kill -TERM $pid; wait $pid";
  auto r = run_process({"sh", "-c", script, MM_BINARY}, e);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json j = json_of(r);
  const std::string run_id = j["training"]["run_id"];
  m_mlflow.adopt_run(run_id);
  EXPECT_EQ(m_mlflow.get_run(run_id)["info"]["status"], "KILLED");
  EXPECT_NE(r.err.find("training_interrupted"), std::string::npos) << r.err;
}

TEST_F(RetrainE2E, CooldownIsHonouredAcrossInvocations) {
  production(0.78, 0.62, 0.69);
  const std::string failing = std::string(MM_SOURCE_DIR) + "/tests/data/failing_project";
  auto first = retrain({}, {{"RETRAINING_MLFLOW_PROJECT_URI", failing}});
  Json j = json_of(first);
  m_mlflow.adopt_run(j["training"]["run_id"]);
  ASSERT_EQ(j["decision"]["verdict"], "retrain");
  const std::size_t runs = runs_in_experiment();
  auto second = retrain({}, {{"RETRAINING_MLFLOW_PROJECT_URI", failing}});
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(json_of(second)["decision"]["verdict"], "cooldown");
  EXPECT_EQ(runs_in_experiment(), runs) << "no training started inside the cooldown";
  // A zero cooldown lets the next automatic run go.
  auto third = retrain({"--dry-run"}, {{"RETRAINING_COOLDOWN_HOURS", "0"}});
  EXPECT_EQ(json_of(third)["decision"]["verdict"], "retrain");
}

TEST_F(RetrainE2E, DryRunWritesNothingAnywhere) {
  production(0.78, 0.62, 0.69);
  fs::create_directories(m_data_dir / m_type);
  std::ofstream(m_data_dir / m_type / "20200101T000000Z.parquet") << "old";
  auto snapshot = [&] {
    std::ostringstream s;
    s << "runs=" << runs_in_experiment() << " prod=" << alias_version("production").value_or("-")
      << " prev=" << alias_version("previous-production").value_or("-")
      << " state=" << count_in("model_monitor_state") << " feedback=" << count("{}")
      << " slack=" << line_count(m_slack_record) << " mails=" << files_in(m_spool).size()
      << " files=" << files_in(m_data_dir).size();
    auto scraped = run_process({"curl", "-fsS", m_pushgateway + "/metrics"});
    s << " pushed="
      << (scraped.out.find("specialist_type=\"" + m_type + "\"") != std::string::npos);
    return s.str();
  };
  const std::string before = snapshot();
  auto r = retrain({"--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  EXPECT_EQ(j["decision"]["verdict"], "retrain");
  EXPECT_EQ(j["plan"]["llm_samples"], 600);
  EXPECT_EQ(j["plan"]["feedback_rows_available"], 12);
  EXPECT_EQ(j["plan"]["would_remove"].size(), 0U) << "the only dataset is the newest: kept";
  EXPECT_EQ(snapshot(), before);
}

} // namespace
} // namespace mm::test
