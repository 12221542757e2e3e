#include "cli/report_render.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mm {
namespace {

// The spec's sample: precision 0.812, recall 0.743, F1 0.776, feedback 0.68 over 245 ratings.
CheckOutcome spec_sample() {
  MlflowMetrics m;
  m.precision = 0.812;
  m.recall = 0.743;
  m.f1_score = 0.776;
  m.accuracy = 0.80;
  m.run_id = "abc123def456";
  m.source = RunSource::alias;
  m.model_name = "technical-specialist";
  m.model_version = "3";
  FeedbackStats f;
  f.total_count = 245;
  f.rating_sum = 0.68 * 245;
  f.positive_count = 180;
  f.negative_count = 65;
  CheckOutcome o;
  o.specialist_type = "technical";
  o.report =
      evaluate_performance("technical", TimePoint(std::chrono::seconds(1763893800)), m, f, {});
  return o;
}

CheckOutcome degraded_sample() {
  CheckOutcome o = spec_sample();
  MlflowMetrics m = o.report->mlflow;
  m.recall = 0.55;
  m.f1_score = 0.65;
  o.report = evaluate_performance("technical", o.report->timestamp, m, o.report->feedback, {});
  return o;
}

TEST(RenderText, ReproducesTheSpecLayoutInPortuguese) {
  const std::string s = render_text(spec_sample(), Lang::pt_br);
  const char* expected_lines[] = {
      "============================================================\n"
      "RELATÓRIO DE PERFORMANCE - technical\n"
      "============================================================\n\n"
      "Timestamp: 2025-11-23T10:30:00Z\n",
      "Status: ✅ OK\n\nMLflow Metrics:\n  - Precision: 0.812\n  - Recall: 0.743\n"
      "  - F1 Score: 0.776\n",
      "  - Run ID: abc123def456\n",
      "Feedback Stats:\n  - Média: 0.68\n  - Total: 245\n  - Positivo: 180\n  - Negativo: 65\n",
      "Recomendações:\n  - Performance dentro dos thresholds esperados\n"
      "  - Continuar monitoramento regular\n",
  };
  for (const char* line : expected_lines) {
    EXPECT_NE(s.find(line), std::string::npos) << "missing:\n" << line << "\nin:\n" << s;
  }
  // 0.7·0.776 + 0.3·0.68 = 0.7472
  EXPECT_NE(s.find("Score Agregado: 0.747\n"), std::string::npos) << s;
}

TEST(RenderText, English) {
  const std::string s = render_text(spec_sample(), Lang::en);
  EXPECT_NE(s.find("PERFORMANCE REPORT - technical"), std::string::npos);
  EXPECT_NE(s.find("Aggregate Score: 0.747"), std::string::npos);
  EXPECT_NE(s.find("  - Average: 0.68\n"), std::string::npos);
  EXPECT_NE(s.find("  - Positive: 180\n"), std::string::npos);
  EXPECT_NE(s.find("Recommendations:\n  - Performance within the expected thresholds"),
            std::string::npos);
  EXPECT_EQ(s.find("Recomendações"), std::string::npos);
}

TEST(RenderText, DegradedListsEachReasonAndSpecificRecommendations) {
  const std::string pt = render_text(degraded_sample(), Lang::pt_br);
  EXPECT_NE(pt.find("Status: ⚠️ DEGRADADO"), std::string::npos) << pt;
  EXPECT_NE(pt.find("Motivos de Degradação:\n  - Recall 0.550 < 0.70\n  - F1 Score 0.650 < 0.72\n"),
            std::string::npos)
      << pt;
  EXPECT_NE(pt.find("Recall 0.550 abaixo de 0.70"), std::string::npos) << pt;
  EXPECT_NE(pt.find("model-monitor retrain --specialist-type technical"), std::string::npos);
  EXPECT_EQ(pt.find("Performance dentro dos thresholds"), std::string::npos);
  const std::string en = render_text(degraded_sample(), Lang::en);
  EXPECT_NE(en.find("Status: ⚠️ DEGRADED"), std::string::npos);
  EXPECT_NE(en.find("Recall 0.550 below 0.70"), std::string::npos) << en;
}

TEST(RenderText, NoFeedbackSaysUnknownNotZero) {
  CheckOutcome o = spec_sample();
  o.report =
      evaluate_performance("technical", o.report->timestamp, o.report->mlflow, FeedbackStats{}, {});
  const std::string s = render_text(o, Lang::pt_br);
  EXPECT_NE(s.find("Média: desconhecida (sem feedback na janela)"), std::string::npos) << s;
  EXPECT_NE(s.find("Score Agregado: 0.776 (apenas F1, sem feedback)"), std::string::npos) << s;
  EXPECT_NE(s.find("Sem feedback nos últimos 30 dias"), std::string::npos) << s;
}

TEST(RenderText, ErrorOutcomeShowsTheMessage) {
  CheckOutcome o;
  o.specialist_type = "ghost";
  o.error = Error::not_found("experiment 'ghost-specialist' not found at http://127.0.0.1:1");
  const std::string s = render_text(o, Lang::en);
  EXPECT_NE(s.find("Status: ❌ ERROR"), std::string::npos);
  EXPECT_NE(s.find("experiment 'ghost-specialist' not found"), std::string::npos);
  EXPECT_EQ(o.exit_code(), 3);
}

TEST(RenderJson, KeepsThePlatformKeysAndAddsOurs) {
  const nlohmann::json j = report_json(spec_sample(), Lang::pt_br);
  EXPECT_EQ(j["specialist_type"], "technical");
  EXPECT_NEAR(j["aggregate_score"].get<double>(), 0.7472, 1e-9);
  EXPECT_EQ(j["is_degraded"], false);
  EXPECT_TRUE(j["degradation_reasons"].is_array());
  EXPECT_TRUE(j["recommendations"].is_array());
  EXPECT_EQ(j["timestamp"], "2025-11-23T10:30:00Z");
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["precision"].get<double>(), 0.812);
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["recall"].get<double>(), 0.743);
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["f1_score"].get<double>(), 0.776);
  EXPECT_EQ(j["mlflow_metrics"]["run_id"], "abc123def456");
  EXPECT_NEAR(j["feedback_stats"]["avg_rating"].get<double>(), 0.68, 1e-12);
  EXPECT_EQ(j["feedback_stats"]["total_count"], 245);
  EXPECT_EQ(j["feedback_stats"]["positive_count"], 180);
  EXPECT_EQ(j["feedback_stats"]["negative_count"], 65);
  // ours
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["accuracy"].get<double>(), 0.80);
  EXPECT_EQ(j["feedback_stats"]["neutral_count"], 0);
  EXPECT_EQ(j["feedback_stats"]["window_days"], 30);
  EXPECT_EQ(j["mlflow_metrics"]["source"], "alias");
  EXPECT_EQ(j["mlflow_metrics"]["model_version"], "3");
  EXPECT_DOUBLE_EQ(j["thresholds"]["precision"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["thresholds"]["aggregate_score"].get<double>(), 0.65);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_TRUE(j["data_gaps"].is_array());
}

TEST(RenderJson, DegradedReasonsAreStringsWithDetails) {
  const nlohmann::json j = report_json(degraded_sample(), Lang::en);
  EXPECT_EQ(j["is_degraded"], true);
  ASSERT_EQ(j["degradation_reasons"].size(), 2U);
  EXPECT_EQ(j["degradation_reasons"][0], "Recall 0.550 < 0.70");
  EXPECT_EQ(j["degradation_details"][0]["metric"], "recall");
  EXPECT_DOUBLE_EQ(j["degradation_details"][0]["threshold"].get<double>(), 0.70);
  EXPECT_EQ(j["exit_code"], 1);
}

TEST(RenderJson, UnknownFeedbackIsNull) {
  CheckOutcome o = spec_sample();
  o.report =
      evaluate_performance("technical", o.report->timestamp, o.report->mlflow, FeedbackStats{}, {});
  const nlohmann::json j = report_json(o, Lang::en);
  EXPECT_TRUE(j["feedback_stats"]["avg_rating"].is_null());
  EXPECT_EQ(j["aggregate_basis"], "f1_only");
}

CheckOutcome undated_sample() {
  CheckOutcome o = spec_sample();
  FeedbackStats empty;
  empty.undated_count = 7;
  o.report = evaluate_performance("technical", o.report->timestamp, o.report->mlflow, empty, {});
  return o;
}

TEST(RenderText, UndatedFeedbackIsCountedAndExplainedInBothLanguages) {
  const std::string pt = render_text(undated_sample(), Lang::pt_br);
  EXPECT_NE(pt.find("  - Sem data em submitted_at (fora de qualquer janela): 7\n"),
            std::string::npos)
      << pt;
  EXPECT_NE(pt.find("7 documento(s) de feedback de 'technical' têm submitted_at ausente ou que "
                    "não é uma data"),
            std::string::npos)
      << pt;
  const std::string en = render_text(undated_sample(), Lang::en);
  EXPECT_NE(en.find("  - Undated submitted_at (outside every window): 7\n"), std::string::npos)
      << en;
  EXPECT_NE(en.find("7 feedback document(s) of 'technical' have a submitted_at that is missing "
                    "or not a date (e.g. an ISO string): no window holds them"),
            std::string::npos)
      << en;
  // Nothing undated, or not read: no line.
  EXPECT_EQ(render_text(spec_sample(), Lang::en).find("Undated"), std::string::npos);
}

TEST(RenderText, TooFewRatingsAreShownAndExplainedButNotUsed) {
  CheckOutcome o = spec_sample();
  FeedbackStats few;
  few.total_count = 3;
  few.rating_sum = 0.3;
  few.negative_count = 3;
  o.report = evaluate_performance("technical", o.report->timestamp, o.report->mlflow, few, {});
  const std::string en = render_text(o, Lang::en);
  EXPECT_NE(en.find("Aggregate Score: 0.776 (F1 only, too few ratings)\n"), std::string::npos)
      << en;
  EXPECT_NE(en.find("  - Average: 0.10\n"), std::string::npos) << en;
  EXPECT_NE(en.find("Only 3 rating(s) in the last 30 days, fewer than FEEDBACK_MIN_COUNT 10: too "
                    "few to judge"),
            std::string::npos)
      << en;
  const std::string pt = render_text(o, Lang::pt_br);
  EXPECT_NE(pt.find("(apenas F1, avaliações insuficientes)"), std::string::npos) << pt;
  EXPECT_NE(pt.find("Apenas 3 avaliação(ões) nos últimos 30 dias"), std::string::npos) << pt;
  const nlohmann::json j = report_json(o, Lang::en);
  EXPECT_NEAR(j["feedback_stats"]["avg_rating"].get<double>(), 0.1, 1e-12);
  EXPECT_EQ(j["feedback_stats"]["used_in_aggregate"], false);
  EXPECT_EQ(j["thresholds"]["feedback_min_count"], 10);
  EXPECT_EQ(j["aggregate_basis"], "f1_only");
  EXPECT_EQ(report_json(spec_sample(), Lang::en)["feedback_stats"]["used_in_aggregate"], true);
}

TEST(RenderJson, UndatedCountIsANumberWhenReadElseNull) {
  const nlohmann::json j = report_json(undated_sample(), Lang::en);
  EXPECT_EQ(j["feedback_stats"]["undated_count"], 7);
  const auto& gaps = j["data_gaps"];
  EXPECT_NE(std::find(gaps.begin(), gaps.end(), "undated_feedback_documents"), gaps.end())
      << gaps.dump();
  EXPECT_TRUE(report_json(spec_sample(), Lang::en)["feedback_stats"]["undated_count"].is_null());
}

TEST(RenderJson, AllHasReportsAndSummaryWithWorstExitCode) {
  CheckOutcome err;
  err.specialist_type = "ghost";
  err.error = Error::unavailable("down");
  const std::string s = render_json({spec_sample(), degraded_sample(), err}, Lang::en, false);
  const auto j = nlohmann::json::parse(s);
  ASSERT_EQ(j["reports"].size(), 3U);
  EXPECT_EQ(j["summary"]["ok"], 1);
  EXPECT_EQ(j["summary"]["degraded"], 1);
  EXPECT_EQ(j["summary"]["errors"], 1);
  EXPECT_EQ(j["summary"]["exit_code"], 3);
}

TEST(RenderSummary, OneLinePerSpecialist) {
  const std::string s = render_text_summary({spec_sample(), degraded_sample()}, Lang::en);
  EXPECT_NE(s.find("SUMMARY"), std::string::npos);
  EXPECT_NE(s.find("OK: 1  degraded: 1  errors: 0"), std::string::npos) << s;
}

} // namespace
} // namespace mm
