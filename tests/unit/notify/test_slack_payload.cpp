#include "adapters/slack/slack_payload.hpp"
#include "unit/notify/notification_samples.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace mm {
namespace {

using nlohmann::json;

json parse(const RetrainNotification& n, std::string_view channel = "#ml-alerts") {
  return json::parse(slack_payload(n, channel));
}

// Every "text" of every block, concatenated: for "contains" checks.
std::string all_text(const json& payload) {
  std::string out = payload.value("text", "") + "\n";
  for (const auto& block : payload.at("blocks")) {
    if (block.contains("text")) {
      out += block["text"].at("text").get<std::string>() + "\n";
    }
    for (const auto& f : block.value("fields", json::array())) {
      out += f.at("text").get<std::string>() + "\n";
    }
    for (const auto& e : block.value("elements", json::array())) {
      out += e.at("text").get<std::string>() + "\n";
    }
  }
  return out;
}

TEST(SlackEscape, EscapesTheThreeControlCharactersOnly) {
  // https://api.slack.com/reference/surfaces/formatting#escaping
  EXPECT_EQ(slack_escape("a & b < c > d"), "a &amp; b &lt; c &gt; d");
  EXPECT_EQ(slack_escape("<!channel> <https://evil.example|click>"),
            "&lt;!channel&gt; &lt;https://evil.example|click&gt;");
  EXPECT_EQ(slack_escape("*bold* _it_ `code` ção"), "*bold* _it_ `code` ção");
  EXPECT_EQ(slack_escape("&amp;"), "&amp;amp;");
}

TEST(SlackPayload, SuccessHasFallbackHeaderFieldsDecisionLinkAndContext) {
  const json p = parse(test::promoted_sample());
  ASSERT_TRUE(p.is_object());
  EXPECT_EQ(p.at("channel"), "#ml-alerts");
  EXPECT_EQ(p.at("text"), "[model-monitor] technical: retrain succeeded, model promoted "
                          "(F1 0.7000 \u2192 0.8300, +0.1300), run 4f1c2a9be0d84c7f");

  const json& blocks = p.at("blocks");
  ASSERT_EQ(blocks.size(), 5U);
  const json header = json::parse(R"j({"type":"header","text":{"type":"plain_text",
      "text":":white_check_mark: Retrain succeeded: technical (promoted)","emoji":true}})j");
  EXPECT_EQ(blocks[0], header);

  EXPECT_EQ(blocks[1].at("type"), "section");
  const json expected_fields = json::parse(R"j([
      {"type":"mrkdwn","text":"*Specialist*\ntechnical"},
      {"type":"mrkdwn","text":"*Run ID*\n`4f1c2a9be0d84c7f`"},
      {"type":"mrkdwn","text":"*Promoted*\nyes"},
      {"type":"mrkdwn","text":"*F1 before \u2192 after*\n0.7000 \u2192 0.8300 (+0.1300)"},
      {"type":"mrkdwn","text":"*Model version*\n7"}])j");
  EXPECT_EQ(blocks[1].at("fields"), expected_fields);

  EXPECT_EQ(blocks[2].at("text").at("text"),
            "*Decision rule*\nf1 0.8300 &gt;= baseline 0.7000 + 0.02; precision and recall "
            "within 0.01 of baseline");
  EXPECT_EQ(blocks[3].at("text").at("text"),
            "<http://mlflow.mlflow:5000/#/experiments/3/runs/4f1c2a9be0d84c7f|Open the run in "
            "MLflow>");
  const json context = json::parse(R"j({"type":"context","elements":[{"type":"mrkdwn",
      "text":"model-monitor \u00b7 2026-05-09T07:35:25Z \u00b7 trigger: degradation"}]})j");
  EXPECT_EQ(blocks[4], context);
}

TEST(SlackPayload, NotPromotedAndNoBaseline) {
  RetrainNotification n = test::promoted_sample();
  n.promoted = false;
  n.f1_before.reset();
  n.model_version.clear();
  n.mlflow_url.clear();
  const json p = parse(n);
  EXPECT_EQ(p.at("text"), "[model-monitor] technical: retrain succeeded, model not promoted "
                          "(F1 0.8300, no baseline), run 4f1c2a9be0d84c7f");
  const json& blocks = p.at("blocks");
  ASSERT_EQ(blocks.size(), 4U); // header, fields, decision, context
  EXPECT_EQ(blocks[0].at("text").at("text"),
            ":information_source: Retrain succeeded: technical (not promoted)");
  const json& fields = blocks[1].at("fields");
  ASSERT_EQ(fields.size(), 4U);
  EXPECT_EQ(fields[2].at("text"), "*Promoted*\nno");
  EXPECT_EQ(fields[3].at("text"), "*F1 before \u2192 after*\n0.8300 (no production baseline)");
}

TEST(SlackPayload, NegativeDeltaKeepsItsSign) {
  RetrainNotification n = test::promoted_sample();
  n.promoted = false;
  n.f1_after = 0.65;
  const json fields = parse(n).at("blocks")[1].at("fields");
  EXPECT_EQ(fields[3].at("text"), "*F1 before \u2192 after*\n0.7000 \u2192 0.6500 (-0.0500)");
}

TEST(SlackPayload, FailureHasStepErrorAndWhatToDo) {
  const json p = parse(test::failure_sample());
  EXPECT_EQ(p.at("text"), "[model-monitor] technical: retrain FAILED at training: MLflow run "
                          "9a8b7c6d ended FAILED after 312 s");
  const json& blocks = p.at("blocks");
  ASSERT_EQ(blocks.size(), 5U); // header, fields, error, what to do, context
  EXPECT_EQ(blocks[0].at("text").at("text"), ":rotating_light: Retrain FAILED: technical");
  const json expected_fields = json::parse(R"j([
      {"type":"mrkdwn","text":"*Specialist*\ntechnical"},
      {"type":"mrkdwn","text":"*Failed step*\ntraining"},
      {"type":"mrkdwn","text":"*Run ID*\n`9a8b7c6d`"}])j");
  EXPECT_EQ(blocks[1].at("fields"), expected_fields);
  EXPECT_EQ(blocks[2].at("text").at("text"),
            "*Error*\nMLflow run 9a8b7c6d ended FAILED after 312 s");
  EXPECT_EQ(blocks[3].at("text").at("text"),
            "*What to do*\nOpen the run's logs in MLflow, fix the training project, rerun with "
            "--force");
  EXPECT_EQ(blocks[4].at("elements")[0].at("text"),
            "model-monitor \u00b7 2026-05-09T07:35:25Z \u00b7 trigger: forced");
}

TEST(SlackPayload, FailureWithoutDetailsStillSaysWhatToDo) {
  RetrainNotification n = test::failure_sample();
  n.error.clear();
  n.what_to_do.clear();
  n.failed_step.clear();
  n.run_id.clear();
  const json blocks = parse(n).at("blocks");
  EXPECT_EQ(blocks[1].at("fields").size(), 2U);
  EXPECT_EQ(blocks[1].at("fields")[1].at("text"), "*Failed step*\nunknown");
  EXPECT_EQ(blocks[2].at("text").at("text"), "*Error*\n(no error message)");
  EXPECT_NE(blocks[3].at("text").at("text").get<std::string>().find("--force"), std::string::npos);
}

TEST(SlackPayload, UntrustedTextCannotMentionOrLink) {
  RetrainNotification n = test::failure_sample();
  n.error = "boom <!channel> <https://evil.example|details> & more";
  n.what_to_do = "<@U123> fix it";
  n.failed_step = "<!here>";
  const std::string text = all_text(parse(n));
  EXPECT_EQ(text.find("<!"), std::string::npos) << text;
  EXPECT_EQ(text.find("<https://evil"), std::string::npos) << text;
  EXPECT_EQ(text.find("<@"), std::string::npos) << text;
  EXPECT_NE(text.find("boom &lt;!channel&gt; &lt;https://evil.example|details&gt; &amp; more"),
            std::string::npos)
      << text;
}

TEST(SlackPayload, AnMlflowUrlWithDelimitersIsNotALink) {
  RetrainNotification n = test::promoted_sample();
  n.mlflow_url = "http://x/|<!channel>";
  EXPECT_EQ(parse(n).at("blocks")[3].at("text").at("text"), "http://x/|&lt;!channel&gt;");
}

TEST(SlackPayload, ChannelOmittedWhenEmpty) {
  EXPECT_FALSE(parse(test::promoted_sample(), "").contains("channel"));
}

TEST(SlackPayload, LongTextIsCutToBlockKitLimitsOnACharacterBoundary) {
  RetrainNotification n = test::failure_sample();
  std::string error;
  for (int i = 0; i < 2000; ++i) {
    error += "é&"; // 2 + 1 bytes, & escapes to 5
  }
  n.error = error;
  n.decision = error;
  n.specialist_type = std::string(200, 'x');
  const json p = parse(n); // parse() fails on a cut UTF-8 sequence
  const json& blocks = p.at("blocks");
  EXPECT_LE(blocks[0].at("text").at("text").get<std::string>().size(), k_slack_header_max);
  for (const auto& f : blocks[1].at("fields")) {
    EXPECT_LE(f.at("text").get<std::string>().size(), k_slack_field_text_max);
  }
  const std::string error_text = blocks[2].at("text").at("text");
  EXPECT_LE(error_text.size(), k_slack_section_text_max);
  EXPECT_TRUE(error_text.ends_with("&amp;\u2026") || error_text.ends_with("\u00e9\u2026"))
      << error_text.substr(error_text.size() - 20);
  EXPECT_LE(p.at("text").get<std::string>().size(), k_slack_section_text_max);
}

TEST(SlackPayload, InvalidUtf8IsReplacedNotThrown) {
  RetrainNotification n = test::failure_sample();
  n.error = "bad \xC3 byte and \xFF";
  std::string payload;
  ASSERT_NO_THROW(payload = slack_payload(n, "#c"));
  const json p = json::parse(payload);
  EXPECT_EQ(p.at("blocks")[2].at("text").at("text"), "*Error*\nbad \uFFFD byte and \uFFFD");
}

} // namespace
} // namespace mm
