// Parsed MLflow values → port values, and search-filter literals.

#include "adapters/mlflow/mlflow_convert.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace mm {
namespace {

MlflowRun run_with(std::map<std::string, double> metrics, std::string status = "FINISHED") {
  MlflowRun run;
  run.run_id = "r1";
  run.experiment_id = "7";
  run.status = std::move(status);
  run.metrics = std::move(metrics);
  return run;
}

TEST(RatioMetric, BoundsAreInclusiveAndOutsideIsAbsent) {
  const MlflowRun run = run_with({{"zero", 0.0},
                                  {"one", 1.0},
                                  {"mid", 0.42},
                                  {"neg", -0.0001},
                                  {"over", 1.0001},
                                  {"inf", 1.7976931348623157e308},
                                  {"nan", std::numeric_limits<double>::quiet_NaN()}});
  EXPECT_EQ(ratio_metric(run, "zero"), 0.0);
  EXPECT_EQ(ratio_metric(run, "one"), 1.0);
  EXPECT_EQ(ratio_metric(run, "mid"), 0.42);
  for (const char* key : {"neg", "over", "inf", "nan", "missing"}) {
    EXPECT_EQ(ratio_metric(run, key), std::nullopt) << key;
  }
}

TEST(HighestVersion, NumericNotLexicographic) {
  std::vector<MlflowModelVersion> versions(3);
  versions[0].version = "9";
  versions[1].version = "10";
  versions[2].version = "2";
  ASSERT_NE(highest_version(versions), nullptr);
  EXPECT_EQ(highest_version(versions)->version, "10");
  EXPECT_EQ(highest_version({}), nullptr);
}

TEST(RunStatusNames, RoundTripWithThePortsToString) {
  for (const RunStatus s : {RunStatus::running, RunStatus::scheduled, RunStatus::finished,
                            RunStatus::failed, RunStatus::killed}) {
    EXPECT_EQ(run_status_from_mlflow(to_string(s)), s) << to_string(s);
  }
  for (const char* other : {"", "finished", "DONE", "FINISHED "}) {
    EXPECT_EQ(run_status_from_mlflow(other), std::nullopt) << other;
  }
}

TEST(RunStateOf, StatusMetricsAndTags) {
  MlflowRun run = run_with({{"precision", 0.8}, {"recall", 1.5}, {"f1_score", 0.7}}, "FAILED");
  run.tags = {{"model_monitor.trigger", "degradation"}, {"mlflow.runName", "x"}};
  auto state = run_state_of(run);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->run_id, "r1");
  EXPECT_EQ(state->status, RunStatus::failed);
  EXPECT_EQ(state->precision, 0.8);
  EXPECT_EQ(state->recall, std::nullopt); // out of [0, 1]
  EXPECT_EQ(state->f1_score, 0.7);
  EXPECT_EQ(state->accuracy, std::nullopt); // not logged
  EXPECT_EQ(state->tags, run.tags);
}

TEST(RunStateOf, UnknownStatusIsABadResponse) {
  auto state = run_state_of(run_with({}, "PAUSED"));
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().kind, ErrorKind::bad_response);
  EXPECT_NE(state.error().message.find("PAUSED"), std::string::npos);
}

TEST(VersionRefOf, CopiesAndDefaultsTheStage) {
  MlflowModelVersion v;
  v.name = "m";
  v.version = "3";
  v.run_id = "r";
  v.aliases = {"production"};
  const ModelVersionRef ref = version_ref_of(v);
  EXPECT_EQ(ref.model_name, "m");
  EXPECT_EQ(ref.version, "3");
  EXPECT_EQ(ref.run_id, "r");
  EXPECT_EQ(ref.current_stage, "None");
  EXPECT_EQ(ref.aliases, v.aliases);
  v.current_stage = "Production";
  EXPECT_EQ(version_ref_of(v).current_stage, "Production");
}

TEST(FilterLiteral, QuotesPlainValues) {
  auto f = versions_of_run_filter("technical-specialist", "97e6c51902524103a2f85a2951759739");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(*f, "name='technical-specialist' and run_id='97e6c51902524103a2f85a2951759739'");
  auto spaced = filter_literal("my model \"v\" %_", "x");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(*spaced, "'my model \"v\" %_'");
}

TEST(FilterLiteral, RefusesWhatCouldBreakOutOfTheLiteral) {
  for (const std::string& value :
       {std::string("a'b"), std::string("x' or name='y"), std::string("trailing\\"),
        std::string("a\nb"), std::string("a\0b", 3), std::string()}) {
    auto f = filter_literal(value, "registered model name");
    ASSERT_FALSE(f.ok()) << value;
    EXPECT_EQ(f.error().kind, ErrorKind::config);
    EXPECT_NE(f.error().message.find("registered model name"), std::string::npos);
  }
  auto run = versions_of_run_filter("m", "r'1");
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("run id"), std::string::npos);
}

} // namespace
} // namespace mm
