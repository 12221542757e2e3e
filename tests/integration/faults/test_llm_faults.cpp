// An LLM endpoint that accepts the connection and never answers (the fault proxy's blackhole as
// LLM_BASE_URL): the retrain fails at the dataset step within DATASET_GENERATION_TIMEOUT, starts
// no training, leaves no dataset file, and the failure is recorded, counted and notified.
#include "integration/faults/fault_fixture.hpp"

#include <fstream>

namespace mm::test {
namespace {

using namespace std::chrono;

class LlmFaults : public FaultTest {};

std::size_t lines_mentioning(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    n += line.find(what) != std::string::npos ? 1 : 0;
  }
  return n;
}

TEST_F(LlmFaults, LlmThatNeverAnswersFailsTheDatasetStepWithinTheTimeout) {
  production(0.78, 0.62, 0.69); // degraded
  feedback_with_opinions();
  auto llm = proxy_for(m_llm, FaultProxy::Protocol::http);
  llm->blackhole();
  Env env = retrain_env();
  env["LLM_BASE_URL"] = llm->http_url();
  env["DATASET_GENERATION_TIMEOUT"] = "3";
  const std::size_t slack_before = lines_mentioning(m_slack_record, m_type);
  auto r = run_mm(retrain_args(), env);
  EXPECT_EQ(r.exit_code(), 1) << r.all();
  Json j = json_of(r);
  EXPECT_EQ(j["result"], "failed");
  EXPECT_EQ(j["error"]["step"], "dataset_generation");
  EXPECT_EQ(j["error"]["kind"], "timeout");
  const std::string message = str(j["error"]["message"]);
  EXPECT_NE(message.find("DATASET_GENERATION_TIMEOUT (3 s) passed before any row was accepted"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(llm->address()), std::string::npos) << message;
  EXPECT_NE(str(j["error"]["what_to_do"]).find("raise DATASET_GENERATION_TIMEOUT"),
            std::string::npos);
  EXPECT_NE(r.process.err.find("\"event\":\"dataset_generation_timeout\""), std::string::npos)
      << r.process.err;
  EXPECT_GE(llm->request_count("POST /api/"), 1) << "the LLM was asked";
  EXPECT_GE(r.elapsed, seconds(3));
  EXPECT_LT(r.elapsed, seconds(20)) << "bounded by DATASET_GENERATION_TIMEOUT, not by the "
                                       "LLM client's own 300 s timeout";

  // No training, no dataset (not even a temporary file), production untouched.
  EXPECT_EQ(j["training"]["run_id"], "");
  EXPECT_EQ(runs_in_experiment(), 1U);
  EXPECT_TRUE(files_in_data_dir().empty());
  EXPECT_EQ(alias_version("production"), m_baseline_version);
  // Recorded, counted, notified.
  const auto records = ledger();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].state(), "failed");
  EXPECT_EQ(records[0].run_id(), "") << "failed before training: no cooldown";
  EXPECT_NE(records[0].error().find("DATASET_GENERATION_TIMEOUT"), std::string::npos);
  EXPECT_EQ(stored_counter("neural_hive_dataset_generation_errors_total", {}), 1.0);
  EXPECT_NE(pushed_series().find("neural_hive_dataset_generation_errors_total{instance=\"\",job=\""
                                 "model-performance-monitor\",specialist_type=\"" +
                                 m_type + "\"} 1"),
            std::string::npos)
      << pushed_series();
  EXPECT_EQ(j["notifications"]["slack"], "sent");
  EXPECT_EQ(j["notifications"]["email"], "sent");
  EXPECT_EQ(lines_mentioning(m_slack_record, m_type), slack_before + 1);
}

} // namespace
} // namespace mm::test
