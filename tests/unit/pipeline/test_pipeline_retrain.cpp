// The retrain pipeline's decisions and ordering with in-memory ports (plain structs, no I/O).
// The real adapters (MLflow, `mlflow run`, FerretDB, Parquet, Slack/SMTP) are exercised end to
// end by tests/integration/retrain.
#include "pipeline/retrain_pipeline.hpp"
#include "retrain_fakes.hpp"

#include <gtest/gtest.h>

#include <map>

namespace mm {
namespace {

using namespace test_retrain;

TEST_F(RetrainTest, HealthyDoesNothingButPushesTheGroup) {
  tracker.metrics = production(0.9, 0.9, 0.9);
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::healthy);
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_EQ(generator.calls, 0);
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_TRUE(registry.writes.empty());
  EXPECT_EQ(state.writes, 0);
  EXPECT_TRUE(slack.sent.empty());
  EXPECT_EQ(sink.pushes, 1);
}

TEST_F(RetrainTest, DegradedBetterCandidateIsPromotedKeepingTheOldVersionForRollback) {
  auto out = run();
  EXPECT_EQ(out.state, "promoted") << (out.error ? out.error->message : "");
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_EQ(generator.calls, 1);
  EXPECT_EQ(out.llm_rows, 3);
  EXPECT_EQ(out.feedback_rows, 2);
  EXPECT_EQ(datasets.writes.front(), "write /data/x/now.parquet");
  EXPECT_EQ(launcher.launch_args.parameters.at("dataset_path"), "/data/x/now.parquet");
  EXPECT_EQ(launcher.launch_args.run_id, "new");
  EXPECT_TRUE(wrote("alias previous-production=3"));
  EXPECT_TRUE(wrote("alias production=4"));
  // previous-production is written before production moves.
  auto pos = [&](const std::string& w) {
    return std::find(registry.writes.begin(), registry.writes.end(), w) - registry.writes.begin();
  };
  EXPECT_LT(pos("alias previous-production=3"), pos("alias production=4"));
  EXPECT_TRUE(wrote("tag model_monitor.promotion=promoted"));
  EXPECT_FALSE(wrote("stage Production=4")) << "alias registries are not staged";
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_EQ(slack.sent[0].kind, RetrainNotification::Kind::success);
  EXPECT_TRUE(slack.sent[0].promoted);
  EXPECT_DOUBLE_EQ(*slack.sent[0].f1_before, 0.69);
  EXPECT_DOUBLE_EQ(*slack.sent[0].f1_after, 0.82);
  EXPECT_EQ(email.sent.size(), 1U);
  ASSERT_FALSE(state.saved.empty());
  EXPECT_EQ(state.saved.back().state, "promoted");
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_triggered_total|reason=degradation|"
                                  "status=success"],
            1.0);
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_success_total|improved=true"], 1.0);
  ASSERT_TRUE(out.report_after) << "the new production model is checked again after promotion";
}

TEST_F(RetrainTest, WorseCandidateIsNotPromoted) {
  registry.final_state.f1_score = 0.70; // better than 0.69 but not by 0.02
  auto out = run();
  EXPECT_EQ(out.state, "rejected");
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_FALSE(wrote("alias production=4"));
  EXPECT_TRUE(wrote("tag model_monitor.promotion=rejected"));
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_FALSE(slack.sent[0].promoted);
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_success_total|improved=false"], 1.0);
}

TEST_F(RetrainTest, LegacyStageRegistryIsAlsoTransitioned) {
  MlflowMetrics m = production(0.80, 0.60, 0.69);
  m.source = RunSource::legacy_stage;
  tracker.metrics = m;
  registry.aliases.clear();
  auto out = run();
  EXPECT_EQ(out.state, "promoted");
  EXPECT_TRUE(wrote("alias previous-production=3"));
  EXPECT_TRUE(wrote("stage Production=4"));
}

TEST_F(RetrainTest, LatestRunIsNeverABaseline) {
  MlflowMetrics m = production(0.80, 0.60, 0.69);
  m.source = RunSource::latest_run;
  m.model_version.clear();
  tracker.metrics = m;
  registry.aliases.clear();
  registry.run_version.reset();
  auto out = run();
  EXPECT_EQ(out.state, "promoted");
  ASSERT_TRUE(out.promotion);
  EXPECT_FALSE(out.promotion->baseline.has_value());
  EXPECT_TRUE(wrote("register")) << "the run registered no version: we register it";
  EXPECT_TRUE(wrote("alias production=9"));
  EXPECT_FALSE(wrote("alias previous-production=9"));
}

TEST_F(RetrainTest, FailedTrainingNotifiesFailureAndPromotesNothing) {
  registry.final_state.status = RunStatus::failed;
  launcher.code = 1;
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_EQ(out.failed_step, "training");
  EXPECT_EQ(out.exit_code(), 1);
  EXPECT_FALSE(wrote("alias production=4"));
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_EQ(slack.sent[0].kind, RetrainNotification::Kind::failure);
  EXPECT_EQ(slack.sent[0].failed_step, "training");
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_triggered_total|reason=degradation|"
                                  "status=failed"],
            1.0);
}

TEST_F(RetrainTest, ProcessGoneButRunStillRunningIsClosedAsFailed) {
  registry.final_state.status = RunStatus::running;
  launcher.polls = 0;
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_TRUE(wrote("terminate FAILED")) << "no orphaned RUNNING run";
}

TEST_F(RetrainTest, TimeoutKillsTheTreeAndMarksTheRunFailed) {
  registry.final_state.status = RunStatus::running;
  launcher.polls = 1000000;
  settings.training_timeout = std::chrono::seconds(0);
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::timeout);
  EXPECT_TRUE(launcher.last->killed);
  EXPECT_TRUE(wrote("terminate FAILED"));
  EXPECT_TRUE(wrote("tag model_monitor.failure=training_timeout"));
  EXPECT_EQ(out.exit_code(), 1);
}

TEST_F(RetrainTest, SigtermDuringTrainingKillsTheTreeAndMarksTheRunKilled) {
  registry.final_state.status = RunStatus::running;
  launcher.polls = 1000000;
  stop_after_polls = 2;
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_TRUE(launcher.last->killed);
  EXPECT_TRUE(wrote("terminate KILLED")) << "never an orphaned RUNNING run";
  EXPECT_TRUE(wrote("tag model_monitor.failure=interrupted"));
  EXPECT_EQ(out.exit_code(), 1);
}

TEST_F(RetrainTest, CooldownSkipsAutomaticRetrainButForceOverrides) {
  state.last = k_now - std::chrono::hours(3);
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::cooldown);
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_EQ(launcher.launches, 0);
  settings.force = true;
  auto forced = run();
  EXPECT_EQ(forced.decision.verdict, RetrainVerdict::retrain);
  EXPECT_EQ(forced.decision.trigger, "forced");
  EXPECT_EQ(launcher.launches, 1);
}

TEST_F(RetrainTest, DryRunWritesNothingAnywhere) {
  settings.dry_run = true;
  datasets.files = {{"/data/x/20200101T000000Z.parquet", k_now - std::chrono::hours(24 * 400)},
                    {"/data/x/20260101T000000Z.parquet", k_now - std::chrono::hours(24 * 200)}};
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::retrain);
  ASSERT_TRUE(out.plan);
  EXPECT_EQ(out.plan->dataset_path, "/data/x/now.parquet");
  EXPECT_EQ(out.plan->llm_samples, 1000);
  EXPECT_EQ(out.plan->feedback_rows_available, 2);
  EXPECT_EQ(out.plan->would_remove.size(), 1U);
  EXPECT_NE(out.plan->promotion_rule.find("0.7100"), std::string::npos) << out.plan->promotion_rule;
  EXPECT_TRUE(registry.writes.empty());
  EXPECT_EQ(state.writes, 0);
  EXPECT_TRUE(datasets.writes.empty());
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(generator.calls, 0);
  EXPECT_TRUE(slack.sent.empty());
  EXPECT_EQ(sink.pushes, 0);
  EXPECT_EQ(out.exit_code(), 0);
}

TEST_F(RetrainTest, OneChannelFailingDoesNotStopTheOther) {
  slack.fail = Error::unavailable("slack down");
  auto out = run();
  EXPECT_EQ(out.state, "promoted");
  EXPECT_EQ(email.sent.size(), 1U);
  ASSERT_EQ(out.notifications.size(), 2U);
  EXPECT_FALSE(out.notifications[0].second.ok());
  EXPECT_TRUE(out.notifications[1].second.ok());
  EXPECT_EQ(out.exit_code(), 0) << "a notification failure does not fail the retrain";
}

TEST_F(RetrainTest, OnlyConfiguredChannelsAreUsed) {
  settings.notification_channels = {"email"};
  (void)run();
  EXPECT_TRUE(slack.sent.empty());
  EXPECT_EQ(email.sent.size(), 1U);
}

TEST_F(RetrainTest, GenerationFailureIsCountedAndNotified) {
  generator.fail = Error::timeout("LLM too slow");
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_EQ(out.failed_step, "dataset_generation");
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(state.counters_by_key["neural_hive_dataset_generation_errors_total"], 1.0);
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_NE(slack.sent[0].what_to_do.find("DATASET_GENERATION_TIMEOUT"), std::string::npos);
}

TEST_F(RetrainTest, IncompleteDataNeverRetrainsEvenForced) {
  feedback.stats = Error::unavailable("MongoDB down");
  settings.force = true;
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::incomplete_data);
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(out.exit_code(), 3);
}

TEST_F(RetrainTest, MlflowConnectionFailureIsCountedButNotInADryRun) {
  tracker.metrics = Error::unavailable("MLflow down at http://h");
  auto out = run();
  EXPECT_EQ(out.exit_code(), 3);
  EXPECT_EQ(state.counters_by_key["neural_hive_mlflow_connection_errors_total"], 1.0);
  EXPECT_EQ(sink.pushes, 1);
  settings.dry_run = true;
  (void)run();
  EXPECT_EQ(state.counters_by_key["neural_hive_mlflow_connection_errors_total"], 1.0)
      << "a dry run writes nothing";
}

TEST_F(RetrainTest, MissingModelIsADataSourceErrorNotARetrain) {
  tracker.metrics = Error::not_found("experiment 'x-specialist' not found");
  auto out = run();
  EXPECT_EQ(out.exit_code(), 3);
  EXPECT_EQ(launcher.launches, 0);
}

TEST_F(RetrainTest, SkipGenerationReusesTheNewestDatasetsLlmRows) {
  settings.skip_dataset_generation = true;
  datasets.files = {{"/data/x/20260101T000000Z.parquet", k_now - std::chrono::hours(48)}};
  auto out = run();
  EXPECT_EQ(generator.calls, 0);
  EXPECT_EQ(out.state, "promoted") << (out.error ? out.error->message : "");
  settings.skip_dataset_generation = true;
  datasets.files.clear();
  auto none = run();
  EXPECT_EQ(none.state, "failed");
  EXPECT_EQ(none.failed_step, "dataset_generation");
}

// MongoDB lost after the decision: the cumulative counters cannot be read back, so the push is
// a POST of the gauges only; the counters pushed by earlier runs stay as they were.
struct CountersUnreadableState : FakeState {
  Result<std::vector<Counter>> counters(const std::string&) override {
    return Error::unavailable("MongoDB at mongodb://h:27017 unreachable");
  }
};

struct SplitSink : MetricsSink {
  std::vector<MetricFamily> put;
  std::vector<MetricFamily> posted;
  Status push_group(const std::string&, const std::vector<MetricFamily>& f) override {
    put = f;
    return ok_status();
  }
  Status add_to_group(const std::string&, const std::vector<MetricFamily>& f) override {
    posted = f;
    return ok_status();
  }
};

TEST_F(RetrainTest, UnreadableCountersAreLeftAsPushedNotErasedOrZeroed) {
  tracker.metrics = production(0.9, 0.9, 0.9);
  CountersUnreadableState unreadable;
  state_override = &unreadable;
  SplitSink split;
  RetrainPorts ports{tracker, feedback, rows, registry, unreadable, datasets, launcher, nullptr,
                     &split,  {},       {},   {},       {},         {},       {}};
  ports.clock = [] { return k_now; };
  ports.sleep = [](std::chrono::milliseconds) {};
  RetrainPipeline p(std::move(ports), settings);
  auto out = p.retrain("x");
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::healthy);
  EXPECT_TRUE(split.put.empty()) << "a PUT would drop the counters from the group";
  ASSERT_FALSE(split.posted.empty());
  for (const auto& f : split.posted) {
    EXPECT_EQ(f.name.find("_total"), std::string::npos) << f.name << " pushed without its value";
  }
}

} // namespace
} // namespace mm
