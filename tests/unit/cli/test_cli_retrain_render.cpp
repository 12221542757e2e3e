#include "cli/retrain_render.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

RetrainOutcome promoted() {
  RetrainOutcome o;
  o.specialist_type = "behavior";
  o.decision = {RetrainVerdict::retrain, "degradation", "degraded (recall,f1_score)", {}};
  o.state = "promoted";
  o.dataset_path = "/data/behavior/20261124T100000Z.parquet";
  o.llm_rows = 400;
  o.feedback_rows = 94;
  o.run_id = "abc";
  o.run_status = "FINISHED";
  o.training_seconds = 8;
  PromotionDecision d;
  d.promote = true;
  d.decided_by = "all rules passed";
  d.candidate = {"abc", "", 0.92, 0.90, 0.90};
  d.baseline = ModelScores{"old", "2", 0.78, 0.62, 0.69};
  o.promotion = d;
  o.promoted_version = "3";
  o.notifications.emplace_back("slack", ok_status());
  o.notifications.emplace_back("email", Status(Error::unavailable("smtp down")));
  return o;
}

TEST(RetrainRender, TextTellsTheWholeStory) {
  const std::string s = render_retrain_text(promoted());
  for (const char* part :
       {"RETRAIN - behavior", "Decision: retrain (degraded (recall,f1_score))",
        "400 LLM rows + 94 feedback rows", "run abc FINISHED", "Promotion: PROMOTED",
        "F1 0.690 → 0.900", "production is now version 3", "Notification slack: sent",
        "Notification email: smtp down", "Result: promoted"}) {
    EXPECT_NE(s.find(part), std::string::npos) << part << "\n" << s;
  }
}

TEST(RetrainRender, JsonCarriesDecisionBothMetricSetsAndTheRule) {
  const auto j = retrain_json(promoted());
  EXPECT_EQ(j["result"], "promoted");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["promotion"]["promoted"], true);
  EXPECT_EQ(j["promotion"]["decided_by"], "all rules passed");
  EXPECT_DOUBLE_EQ(j["promotion"]["baseline"]["f1_score"].get<double>(), 0.69);
  EXPECT_DOUBLE_EQ(j["promotion"]["candidate"]["f1_score"].get<double>(), 0.90);
  EXPECT_EQ(j["notifications"]["slack"], "sent");
  EXPECT_EQ(j["notifications"]["email"], "smtp down");
}

TEST(RetrainRender, DryRunShowsThePlan) {
  RetrainOutcome o;
  o.specialist_type = "technical";
  o.dry_run = true;
  o.decision = {RetrainVerdict::retrain, "forced", "--force", {}};
  RetrainPlan p;
  p.dataset_path = "/d/t.parquet";
  p.llm_samples = 1000;
  p.feedback_rows_available = 12;
  p.training_command = {"mlflow", "run", "training/specialist"};
  p.promotion_rule = "promote if ...";
  p.notify = {"slack"};
  o.plan = p;
  const std::string s = render_retrain_text(o);
  EXPECT_NE(s.find("dry-run: nothing is written"), std::string::npos);
  EXPECT_NE(s.find("generate 1000 rows with the LLM"), std::string::npos);
  EXPECT_NE(s.find("train: mlflow run training/specialist"), std::string::npos);
  EXPECT_NE(s.find("Result: planned (dry-run)"), std::string::npos);
  EXPECT_EQ(retrain_json(o)["plan"]["llm_samples"], 1000);
}

} // namespace
} // namespace mm
