#include "cli/retrain_render.hpp"

#include <fmt/format.h>

namespace mm {

namespace {

constexpr const char* k_rule = "============================================================";

std::string opt(const std::optional<double>& v, int digits = 3) {
  return v ? fmt::format("{:.{}f}", *v, digits) : std::string("none");
}

nlohmann::json opt_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string final_status(const RetrainOutcome& o) {
  if (o.check_error && !o.report) {
    return "error";
  }
  if (o.decision.verdict != RetrainVerdict::retrain) {
    return to_string(o.decision.verdict);
  }
  if (o.dry_run) {
    return "planned (dry-run)";
  }
  return o.state;
}

} // namespace

std::string render_retrain_text(const RetrainOutcome& o) {
  std::string s = fmt::format("{}\nRETRAIN - {}{}\n{}\n", k_rule, o.specialist_type,
                              o.dry_run ? " (dry-run: nothing is written)" : "", k_rule);
  if (o.report) {
    s += fmt::format("Check: aggregate {:.3f}, {}\n", o.report->aggregate_score,
                     o.report->is_degraded ? "degraded" : "healthy");
  }
  if (o.check_error) {
    s += fmt::format("Check error: {}\n", o.check_error->message);
  }
  s += fmt::format("Decision: {} ({})", to_string(o.decision.verdict), o.decision.explanation);
  s += o.decision.verdict == RetrainVerdict::retrain
           ? fmt::format(", trigger {}\n", o.decision.trigger)
           : std::string("\n");
  for (const auto& r : o.resumed) {
    s += fmt::format(
        "Resumed {} (left at '{}' by a model-monitor that died): {}{}{}\n", r.id, r.from_state,
        r.state == r.from_state ? "left open" : r.state,
        r.promoted_version.empty() ? "" : ", production is now version " + r.promoted_version,
        r.note.empty() ? "" : " — " + r.note);
  }
  if (o.plan) {
    const RetrainPlan& p = *o.plan;
    s += "Plan:\n";
    if (!p.reused_dataset.empty()) {
      s += fmt::format("  - reuse the LLM rows of {}\n", p.reused_dataset);
    } else if (p.llm_samples > 0) {
      s += fmt::format("  - generate {} rows with the LLM\n", p.llm_samples);
    } else {
      s += "  - no existing dataset to reuse: the retrain would fail\n";
    }
    s += fmt::format("  - merge {} feedback rows\n", p.feedback_rows_available);
    s += fmt::format("  - write {}\n", p.dataset_path);
    std::string cmd;
    for (const auto& a : p.training_command) {
      cmd += (cmd.empty() ? "" : " ") + a;
    }
    s += fmt::format("  - train: {}\n", cmd);
    s += fmt::format("  - {}\n", p.promotion_rule);
    std::string channels;
    for (const auto& c : p.notify) {
      channels += (channels.empty() ? "" : ", ") + c;
    }
    s += fmt::format("  - notify: {}\n", channels.empty() ? "nobody" : channels);
    s += fmt::format("  - remove {} old dataset(s)\n", p.would_remove.size());
  }
  if (!o.dataset_path.empty()) {
    s += fmt::format("Dataset: {} ({} LLM rows + {} feedback rows)\n", o.dataset_path, o.llm_rows,
                     o.feedback_rows);
  }
  if (o.generation) {
    const GenerationReport& g = *o.generation;
    s += fmt::format("  generated {}/{} rows; dropped: {} not JSON, {} schema, {} label, {} "
                     "implausible, {} duplicate; {} failed batches{}\n",
                     g.accepted, g.requested, g.dropped_not_json, g.dropped_schema, g.dropped_label,
                     g.dropped_implausible, g.dropped_duplicate, g.batches_failed,
                     g.timed_out ? "; stopped by DATASET_GENERATION_TIMEOUT" : "");
  }
  if (!o.run_id.empty()) {
    s += fmt::format("Training: run {} {} after {:.0f} s\n", o.run_id, o.run_status,
                     o.training_seconds);
  }
  if (o.promotion) {
    const PromotionDecision& d = *o.promotion;
    s += fmt::format("Promotion: {} — {}\n", d.promote ? "PROMOTED" : "not promoted", d.decided_by);
    s += fmt::format("  F1 {} → {}, precision {} → {}, recall {} → {}\n",
                     d.baseline ? opt(d.baseline->f1_score) : "none", opt(d.candidate.f1_score),
                     d.baseline ? opt(d.baseline->precision) : "none", opt(d.candidate.precision),
                     d.baseline ? opt(d.baseline->recall) : "none", opt(d.candidate.recall));
    if (!o.promoted_version.empty()) {
      s += fmt::format("  production is now version {}\n", o.promoted_version);
    }
  }
  if (o.error) {
    s += fmt::format("FAILED at {}: {}\n  what to do: {}\n", o.failed_step, o.error->message,
                     o.what_to_do);
  }
  for (const auto& [channel, status] : o.notifications) {
    s += fmt::format("Notification {}: {}\n", channel, status ? "sent" : status.error().message);
  }
  if (!o.removed_datasets.empty()) {
    s += fmt::format("Cleanup: removed {} dataset(s) older than the retention\n",
                     o.removed_datasets.size());
  }
  s += fmt::format("Result: {}\n", final_status(o));
  return s;
}

std::string render_retrain_summary(const std::vector<RetrainOutcome>& outcomes) {
  std::string s = fmt::format("{}\nSUMMARY\n{}\n", k_rule, k_rule);
  for (const auto& o : outcomes) {
    s += fmt::format("  {:<24} {}\n", o.specialist_type, final_status(o));
  }
  return s;
}

nlohmann::json retrain_json(const RetrainOutcome& o) {
  nlohmann::json j;
  j["specialist_type"] = o.specialist_type;
  j["dry_run"] = o.dry_run;
  j["result"] = final_status(o);
  j["exit_code"] = o.exit_code();
  j["decision"] = {{"verdict", to_string(o.decision.verdict)},
                   {"trigger", o.decision.trigger},
                   {"explanation", o.decision.explanation}};
  j["check"] = o.report ? nlohmann::json{{"aggregate_score", o.report->aggregate_score},
                                         {"is_degraded", o.report->is_degraded},
                                         {"run_id", o.report->mlflow.run_id},
                                         {"model_version", o.report->mlflow.model_version}}
                        : nlohmann::json(nullptr);
  j["check_error"] = o.check_error ? nlohmann::json(o.check_error->message) : nullptr;
  j["lease_holder"] =
      o.lease_holder.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.lease_holder);
  nlohmann::json resumed = nlohmann::json::array();
  for (const auto& r : o.resumed) {
    resumed.push_back({{"id", r.id},
                       {"from_state", r.from_state},
                       {"state", r.state},
                       {"run_id", r.run_id},
                       {"promoted_version", r.promoted_version},
                       {"note", r.note}});
  }
  j["resumed"] = resumed;
  if (o.plan) {
    j["plan"] = {{"dataset_path", o.plan->dataset_path},
                 {"llm_samples", o.plan->llm_samples},
                 {"reused_dataset", o.plan->reused_dataset},
                 {"feedback_rows_available", o.plan->feedback_rows_available},
                 {"training_command", o.plan->training_command},
                 {"promotion_rule", o.plan->promotion_rule},
                 {"notify", o.plan->notify},
                 {"would_remove", o.plan->would_remove}};
  }
  j["state"] = o.state;
  j["dataset"] = {
      {"path", o.dataset_path}, {"llm_rows", o.llm_rows}, {"feedback_rows", o.feedback_rows}};
  if (o.generation) {
    const GenerationReport& g = *o.generation;
    j["dataset"]["generation"] = {{"requested", g.requested},
                                  {"accepted", g.accepted},
                                  {"dropped_not_json", g.dropped_not_json},
                                  {"dropped_schema", g.dropped_schema},
                                  {"dropped_label", g.dropped_label},
                                  {"dropped_implausible", g.dropped_implausible},
                                  {"dropped_duplicate", g.dropped_duplicate},
                                  {"batches_failed", g.batches_failed},
                                  {"timed_out", g.timed_out},
                                  {"duration_s", g.duration_s}};
  }
  j["training"] = {{"run_id", o.run_id}, {"status", o.run_status}, {"seconds", o.training_seconds}};
  if (o.promotion) {
    const PromotionDecision& d = *o.promotion;
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : d.checks) {
      checks.push_back(
          {{"rule", c.rule}, {"value", c.value}, {"bound", c.bound}, {"passed", c.passed}});
    }
    j["promotion"] = {
        {"promoted", d.promote},
        {"decided_by", d.decided_by},
        {"checks", checks},
        {"candidate",
         {{"run_id", d.candidate.run_id},
          {"precision", opt_json(d.candidate.precision)},
          {"recall", opt_json(d.candidate.recall)},
          {"f1_score", opt_json(d.candidate.f1_score)}}},
        {"baseline", d.baseline ? nlohmann::json{{"run_id", d.baseline->run_id},
                                                 {"model_version", d.baseline->model_version},
                                                 {"precision", opt_json(d.baseline->precision)},
                                                 {"recall", opt_json(d.baseline->recall)},
                                                 {"f1_score", opt_json(d.baseline->f1_score)}}
                                : nlohmann::json(nullptr)},
        {"promoted_version", o.promoted_version}};
  }
  j["error"] = o.error ? nlohmann::json{{"step", o.failed_step},
                                        {"kind", to_string(o.error->kind)},
                                        {"message", o.error->message},
                                        {"what_to_do", o.what_to_do}}
                       : nlohmann::json(nullptr);
  nlohmann::json notes = nlohmann::json::object();
  for (const auto& [channel, status] : o.notifications) {
    notes[channel] = status ? nlohmann::json("sent") : nlohmann::json(status.error().message);
  }
  j["notifications"] = notes;
  j["removed_datasets"] = o.removed_datasets;
  j["duration_s"] = o.duration_s;
  return j;
}

// Invalid UTF-8 in quoted messages becomes U+FFFD, as in render_json (report_render.cpp).
std::string render_retrain_json(const std::vector<RetrainOutcome>& outcomes, bool single) {
  if (single && outcomes.size() == 1) {
    return retrain_json(outcomes.front())
        .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  nlohmann::json all = nlohmann::json::array();
  int worst = 0;
  for (const auto& o : outcomes) {
    all.push_back(retrain_json(o));
    worst = std::max(worst, o.exit_code());
  }
  return nlohmann::json{{"retrains", all},
                        {"summary", {{"total", outcomes.size()}, {"exit_code", worst}}}}
      .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace mm
