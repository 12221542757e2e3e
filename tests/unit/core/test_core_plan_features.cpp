#include "core/plan_features.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace mm {
namespace {

void set(std::array<double, k_feature_count>& f, std::string_view name, double v) {
  f[*feature_index(name)] = v;
}

// A consistent plan of 10 tasks and 15 dependencies.
std::array<double, k_feature_count> plausible() {
  std::array<double, k_feature_count> f{};
  set(f, "num_tasks", 10);
  set(f, "priority_score", 0.5);
  set(f, "total_duration_ms", 50000);
  set(f, "avg_duration_ms", 5000);
  set(f, "risk_score", 0.3);
  set(f, "complexity_score", 0.4);
  set(f, "domain_risk_weight", 0.2);
  set(f, "avg_task_complexity_factor", 0.5);
  set(f, "num_patterns_detected", 2);
  set(f, "num_anti_patterns_detected", 1);
  set(f, "avg_pattern_quality", 0.8);
  set(f, "total_anti_pattern_penalty", 0.5);
  set(f, "num_nodes", 10);
  set(f, "num_edges", 15);
  set(f, "density", 15.0 / 90.0);
  set(f, "avg_in_degree", 1.5);
  set(f, "max_in_degree", 3);
  set(f, "critical_path_length", 5);
  set(f, "max_parallelism", 3);
  set(f, "num_levels", 5);
  set(f, "avg_coupling", 0.3);
  set(f, "num_bottlenecks", 1);
  set(f, "graph_complexity_score", 0.4);
  set(f, "mean_norm", 1.2);
  set(f, "std_norm", 0.3);
  set(f, "avg_diversity", 0.6);
  return f;
}

TEST(PlanFeatures, TableCoversEveryFeatureInOrder) {
  const auto& r = feature_ranges();
  for (std::size_t i = 0; i < k_feature_count; ++i) {
    EXPECT_EQ(r[i].name, k_feature_names[i]);
    EXPECT_LE(r[i].min, r[i].max);
  }
}

TEST(PlanFeatures, APlausiblePlanPasses) {
  EXPECT_EQ(implausible_features(plausible()), std::nullopt);
}

TEST(PlanFeatures, RoundingWithinTenPercentPasses) {
  auto f = plausible();
  set(f, "density", 0.17);
  set(f, "avg_duration_ms", 5200);
  EXPECT_EQ(implausible_features(f), std::nullopt);
}

struct Bad {
  const char* feature;
  double value;
  const char* expect_in_message;
};

class PlanFeaturesRejects : public ::testing::TestWithParam<Bad> {};

TEST_P(PlanFeaturesRejects, WithAReasonNamingTheField) {
  auto f = plausible();
  set(f, GetParam().feature, GetParam().value);
  auto why = implausible_features(f);
  ASSERT_TRUE(why.has_value()) << GetParam().feature;
  EXPECT_NE(why->find(GetParam().expect_in_message), std::string::npos) << *why;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PlanFeaturesRejects,
    ::testing::Values(Bad{"risk_score", 1.5, "risk_score"}, Bad{"risk_score", -0.1, "risk_score"},
                      Bad{"num_tasks", 0, "num_tasks"}, Bad{"num_tasks", 2.5, "whole"},
                      Bad{"priority_score", std::numeric_limits<double>::quiet_NaN(), "finite"},
                      Bad{"mean_norm", std::numeric_limits<double>::infinity(), "finite"},
                      Bad{"num_nodes", 12, "num_tasks"},
                      Bad{"avg_duration_ms", 9000, "avg_duration"}, Bad{"num_edges", 95, "exceeds"},
                      Bad{"density", 0.5, "density"}, Bad{"avg_in_degree", 3.0, "avg_in_degree"},
                      Bad{"max_in_degree", 1, "max_in_degree"},
                      Bad{"critical_path_length", 11, "num_nodes"},
                      Bad{"num_bottlenecks", 11, "num_nodes"}),
    [](const auto& param_info) { return "case" + std::to_string(param_info.index); });

TEST(PlanFeatures, PenaltyWithoutAntiPatternsIsInconsistent) {
  auto f = plausible();
  set(f, "num_anti_patterns_detected", 0);
  EXPECT_TRUE(implausible_features(f).has_value());
  set(f, "total_anti_pattern_penalty", 0);
  EXPECT_FALSE(implausible_features(f).has_value());
}

TEST(PlanFeatures, SingleNodePlanHasZeroDensity) {
  auto f = plausible();
  set(f, "num_tasks", 1);
  set(f, "num_nodes", 1);
  set(f, "num_edges", 0);
  set(f, "density", 0);
  set(f, "avg_in_degree", 0);
  set(f, "max_in_degree", 0);
  set(f, "critical_path_length", 1);
  set(f, "max_parallelism", 1);
  set(f, "num_levels", 1);
  set(f, "num_bottlenecks", 0);
  set(f, "total_duration_ms", 5000);
  EXPECT_EQ(implausible_features(f), std::nullopt);
}

} // namespace
} // namespace mm

namespace mm {
namespace {

TrainingRow row_with_risk(double risk) {
  TrainingRow row;
  row.features = plausible();
  set(row.features, "risk_score", risk);
  return row;
}

TEST(ScreenGeneratedRows, KeepsPlausibleDistinctRowsInOrder) {
  auto out = screen_generated_rows({row_with_risk(0.1), row_with_risk(0.2)}, 5);
  ASSERT_EQ(out.kept.size(), 2U);
  EXPECT_EQ(out.kept[0].features, row_with_risk(0.1).features);
  EXPECT_EQ(out.kept[1].features, row_with_risk(0.2).features);
  EXPECT_EQ(out.implausible, 0);
  EXPECT_EQ(out.duplicate, 0);
  EXPECT_TRUE(out.examples.empty());
}

TEST(ScreenGeneratedRows, DropsAndCountsImplausibleRowsAndRepeats) {
  TrainingRow bad = row_with_risk(0.3);
  set(bad.features, "num_nodes", 12);
  TrainingRow repeat = row_with_risk(0.1);
  repeat.label = 2; // the same plan with another label is still the same features
  auto out = screen_generated_rows({row_with_risk(0.1), bad, repeat, row_with_risk(0.4)}, 5);
  ASSERT_EQ(out.kept.size(), 2U);
  EXPECT_EQ(out.kept[1].features, row_with_risk(0.4).features);
  EXPECT_EQ(out.implausible, 1);
  EXPECT_EQ(out.duplicate, 1);
  ASSERT_EQ(out.examples.size(), 2U);
  EXPECT_EQ(out.examples[0], "row 1: implausible: num_nodes=12 differs from num_tasks=10");
  EXPECT_EQ(out.examples[1], "row 2: duplicate of an earlier row's features");
}

TEST(ScreenGeneratedRows, AnImplausibleRowDoesNotMakeALaterEqualRowADuplicate) {
  TrainingRow bad = row_with_risk(1.5);
  auto out = screen_generated_rows({bad, bad}, 5);
  EXPECT_TRUE(out.kept.empty());
  EXPECT_EQ(out.implausible, 2);
  EXPECT_EQ(out.duplicate, 0);
}

TEST(ScreenGeneratedRows, KeepsAtMostMaxExamples) {
  std::vector<TrainingRow> rows(7, row_with_risk(-1));
  auto out = screen_generated_rows(rows, 3);
  EXPECT_EQ(out.implausible, 7);
  ASSERT_EQ(out.examples.size(), 3U);
  EXPECT_EQ(out.examples[2].rfind("row 2: implausible: risk_score=-1 outside [0, 1]", 0), 0U)
      << out.examples[2];
  EXPECT_TRUE(screen_generated_rows({}, 3).kept.empty());
}

TEST(GeneratedRowScreen, RemembersKeptRowsAcrossCallsAndSaysWhyItDrops) {
  GeneratedRowScreen screen; // one per generation, fed batch after batch
  EXPECT_EQ(screen.admit(row_with_risk(0.1).features), std::nullopt);
  EXPECT_EQ(screen.admit(row_with_risk(0.2).features), std::nullopt);
  auto repeat = screen.admit(row_with_risk(0.1).features); // a later batch's repeat
  ASSERT_TRUE(repeat.has_value());
  EXPECT_EQ(repeat->kind, GeneratedRowScreen::Drop::duplicate);
  EXPECT_EQ(repeat->why, "duplicate of an earlier row's features");
  auto bad = screen.admit(row_with_risk(2).features);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->kind, GeneratedRowScreen::Drop::implausible);
  EXPECT_EQ(bad->why.rfind("implausible: risk_score=2 outside [0, 1]", 0), 0U) << bad->why;
  // An implausible row is not remembered: the same again is implausible, not a duplicate.
  EXPECT_EQ(screen.admit(row_with_risk(2).features)->kind, GeneratedRowScreen::Drop::implausible);
  // A separate screen (another generation) starts empty.
  EXPECT_EQ(GeneratedRowScreen{}.admit(row_with_risk(0.1).features), std::nullopt);
}

} // namespace
} // namespace mm
