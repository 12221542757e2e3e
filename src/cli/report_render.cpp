#include "cli/report_render.hpp"

#include "core/time_format.hpp"

#include <fmt/format.h>

namespace mm {

namespace {

constexpr const char* k_rule = "============================================================";

struct Words {
  const char* title;
  const char* aggregate;
  const char* status;
  const char* ok;
  const char* degraded;
  const char* error;
  const char* reasons;
  const char* model;
  const char* source_alias;
  const char* source_stage;
  const char* source_latest;
  const char* feedback;
  const char* average;
  const char* unknown;
  const char* unavailable;
  const char* total;
  const char* positive;
  const char* negative;
  const char* neutral;
  const char* invalid;
  const char* undated;
  const char* window;
  const char* days;
  const char* f1_only;
  const char* f1_only_too_few;
  const char* recommendations;
  const char* not_logged;
  const char* derived;
  const char* summary;
  const char* push_failed;
};

const Words& words(Lang lang) {
  static const Words pt{"RELATÓRIO DE PERFORMANCE",
                        "Score Agregado",
                        "Status",
                        "✅ OK",
                        "⚠️ DEGRADADO",
                        "❌ ERRO",
                        "Motivos de Degradação",
                        "Modelo",
                        "alias",
                        "stage legado Production",
                        "sem modelo em produção: run FINISHED mais recente",
                        "Feedback Stats",
                        "Média",
                        "desconhecida (sem feedback na janela)",
                        "indisponível",
                        "Total",
                        "Positivo",
                        "Negativo",
                        "Neutro",
                        "Inválidos (ignorados)",
                        "Sem data em submitted_at (fora de qualquer janela)",
                        "Janela",
                        "dias",
                        "apenas F1, sem feedback",
                        "apenas F1, avaliações insuficientes",
                        "Recomendações",
                        "não registrado",
                        "calculado de precision e recall",
                        "RESUMO",
                        "Falha ao exportar métricas"};
  static const Words en{"PERFORMANCE REPORT",
                        "Aggregate Score",
                        "Status",
                        "✅ OK",
                        "⚠️ DEGRADED",
                        "❌ ERROR",
                        "Degradation Reasons",
                        "Model",
                        "alias",
                        "legacy stage Production",
                        "no production model: most recent FINISHED run",
                        "Feedback Stats",
                        "Average",
                        "unknown (no feedback in the window)",
                        "unavailable",
                        "Total",
                        "Positive",
                        "Negative",
                        "Neutral",
                        "Invalid (ignored)",
                        "Undated submitted_at (outside every window)",
                        "Window",
                        "days",
                        "F1 only, no feedback",
                        "F1 only, too few ratings",
                        "Recommendations",
                        "not logged",
                        "derived from precision and recall",
                        "SUMMARY",
                        "Metrics export failed"};
  return lang == Lang::en ? en : pt;
}

std::string metric_line(const char* label, const std::optional<double>& v, const Words& w) {
  if (v) {
    return fmt::format("  - {}: {:.3f}\n", label, *v);
  }
  return fmt::format("  - {}: {}\n", label, w.not_logged);
}

const char* status_word(const CheckOutcome& o, const Words& w) {
  if (!o.report) {
    return w.error;
  }
  return o.report->is_degraded ? w.degraded : w.ok;
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json error_json(const std::optional<Error>& e) {
  if (!e) {
    return nullptr;
  }
  return {{"kind", to_string(e->kind)}, {"message", e->message}};
}

} // namespace

std::string render_text(const CheckOutcome& o, Lang lang) {
  const Words& w = words(lang);
  std::string s;
  s += fmt::format("{}\n{} - {}\n{}\n\n", k_rule, w.title, o.specialist_type, k_rule);
  if (!o.report) {
    s += fmt::format("{}: {}\n", w.status, w.error);
    if (o.error) {
      s += fmt::format("  - {}\n", o.error->message);
    }
    return s;
  }
  const PerformanceReport& r = *o.report;
  s += fmt::format("Timestamp: {}\n", format_iso8601_utc(r.timestamp));
  s += fmt::format("{}: {:.3f}", w.aggregate, r.aggregate_score);
  if (r.aggregate_basis == AggregateBasis::f1_only) {
    s += fmt::format(" ({})",
                     r.has_gap(DataGap::too_few_feedback_ratings) ? w.f1_only_too_few : w.f1_only);
  }
  s += fmt::format("\n{}: {}\n", w.status, status_word(o, w));

  if (!r.reasons.empty()) {
    s += fmt::format("\n{}:\n", w.reasons);
    for (const auto& d : r.reasons) {
      s += fmt::format("  - {}\n", describe_reason(d, lang));
    }
  }

  s += "\nMLflow Metrics:\n";
  s += metric_line("Precision", r.mlflow.precision, w);
  s += metric_line("Recall", r.mlflow.recall, w);
  if (r.mlflow.f1_score) {
    s += fmt::format("  - F1 Score: {:.3f}\n", *r.mlflow.f1_score);
  } else {
    s += fmt::format("  - F1 Score: {:.3f} ({})\n", r.f1_used, w.derived);
  }
  s += metric_line("Accuracy", r.mlflow.accuracy, w);
  s += fmt::format("  - Run ID: {}\n", r.mlflow.run_id);
  switch (r.mlflow.source) {
  case RunSource::alias:
    s += fmt::format("  - {}: {} v{} ({})\n", w.model, r.mlflow.model_name, r.mlflow.model_version,
                     w.source_alias);
    break;
  case RunSource::legacy_stage:
    s += fmt::format("  - {}: {} v{} ({})\n", w.model, r.mlflow.model_name, r.mlflow.model_version,
                     w.source_stage);
    break;
  case RunSource::latest_run:
    s += fmt::format("  - {}: {}\n", w.model, w.source_latest);
    break;
  }

  s += fmt::format("\n{}:\n", w.feedback);
  const auto avg = r.feedback_available ? r.feedback.avg_rating() : std::nullopt;
  if (!r.feedback_available) {
    s += fmt::format("  - {}: {}\n", w.average, w.unavailable);
  } else {
    if (avg) {
      s += fmt::format("  - {}: {:.2f}\n", w.average, *avg);
    } else {
      s += fmt::format("  - {}: {}\n", w.average, w.unknown);
    }
    s += fmt::format("  - {}: {}\n", w.total, r.feedback.total_count);
    s += fmt::format("  - {}: {}\n", w.positive, r.feedback.positive_count);
    s += fmt::format("  - {}: {}\n", w.negative, r.feedback.negative_count);
    s += fmt::format("  - {}: {}\n", w.neutral, r.feedback.neutral_count);
    if (r.feedback.invalid_count > 0) {
      s += fmt::format("  - {}: {}\n", w.invalid, r.feedback.invalid_count);
    }
    if (r.feedback.undated_count.value_or(0) > 0) {
      s += fmt::format("  - {}: {}\n", w.undated, *r.feedback.undated_count);
    }
    s += fmt::format("  - {}: {} {}\n", w.window, r.feedback.window_days, w.days);
  }

  s += fmt::format("\n{}:\n", w.recommendations);
  for (const auto& rec : recommendations(r, lang)) {
    s += fmt::format("  - {}\n", rec);
  }
  if (o.error) {
    s += fmt::format("\n{}: {}\n", w.error, o.error->message);
  }
  if (o.push_error) {
    s += fmt::format("\n{}: {}\n", w.push_failed, o.push_error->message);
  }
  return s;
}

std::string render_text_summary(const std::vector<CheckOutcome>& outcomes, Lang lang) {
  const Words& w = words(lang);
  std::string s = fmt::format("{}\n{}\n{}\n", k_rule, w.summary, k_rule);
  int ok = 0;
  int degraded = 0;
  int failed = 0;
  for (const auto& o : outcomes) {
    std::string score = o.report ? fmt::format("{:.3f}", o.report->aggregate_score) : "-";
    std::string status = status_word(o, w);
    if (o.report && (o.error || o.push_error)) {
      status += fmt::format(" / {}", w.error);
    }
    s += fmt::format("  {:<24} {:>6}  {}\n", o.specialist_type, score, status);
    if (o.error || o.push_error) {
      ++failed;
    } else if (o.report && o.report->is_degraded) {
      ++degraded;
    } else {
      ++ok;
    }
  }
  s += fmt::format("\n  OK: {}  {}: {}  {}: {}\n", ok, lang == Lang::en ? "degraded" : "degradados",
                   degraded, lang == Lang::en ? "errors" : "erros", failed);
  return s;
}

nlohmann::json report_json(const CheckOutcome& o, Lang lang) {
  nlohmann::json j;
  j["specialist_type"] = o.specialist_type;
  j["exit_code"] = o.exit_code();
  j["error"] = error_json(o.error);
  j["push_error"] = error_json(o.push_error);
  if (!o.report) {
    j["status"] = "error";
    return j;
  }
  const PerformanceReport& r = *o.report;
  j["status"] = r.is_degraded ? "degraded" : "ok";
  j["timestamp"] = format_iso8601_utc(r.timestamp);
  j["aggregate_score"] = r.aggregate_score;
  j["aggregate_basis"] =
      r.aggregate_basis == AggregateBasis::f1_only ? "f1_only" : "f1_and_feedback";
  j["is_degraded"] = r.is_degraded;

  nlohmann::json reasons = nlohmann::json::array();
  nlohmann::json details = nlohmann::json::array();
  for (const auto& d : r.reasons) {
    reasons.push_back(describe_reason(d, lang));
    details.push_back(
        {{"metric", to_string(d.metric)}, {"value", d.value}, {"threshold", d.threshold}});
  }
  j["degradation_reasons"] = reasons;
  j["degradation_details"] = details;
  j["recommendations"] = recommendations(r, lang);

  j["mlflow_metrics"] = {
      {"precision", optional_number(r.mlflow.precision)},
      {"recall", optional_number(r.mlflow.recall)},
      {"f1_score", r.f1_used},
      {"f1_score_logged", r.mlflow.f1_score.has_value()},
      {"accuracy", optional_number(r.mlflow.accuracy)},
      {"run_id", r.mlflow.run_id},
      {"experiment_id", r.mlflow.experiment_id},
      {"source", to_string(r.mlflow.source)},
      {"model_name",
       r.mlflow.model_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.mlflow.model_name)},
      {"model_version", r.mlflow.model_version.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(r.mlflow.model_version)},
  };
  const auto avg = r.feedback_available ? r.feedback.avg_rating() : std::nullopt;
  j["feedback_stats"] = {
      {"avg_rating", optional_number(avg)},
      {"total_count", r.feedback.total_count},
      {"positive_count", r.feedback.positive_count},
      {"negative_count", r.feedback.negative_count},
      {"neutral_count", r.feedback.neutral_count},
      {"invalid_count", r.feedback.invalid_count},
      {"window_days", r.feedback.window_days},
      {"available", r.feedback_available},
      {"used_in_aggregate", r.feedback_avg_used.has_value()},
      {"undated_count", r.feedback.undated_count ? nlohmann::json(*r.feedback.undated_count)
                                                 : nlohmann::json(nullptr)},
  };
  j["thresholds"] = {
      {"precision", r.thresholds.precision},
      {"recall", r.thresholds.recall},
      {"f1_score", r.thresholds.f1},
      {"feedback_avg", r.thresholds.feedback_avg},
      {"feedback_min_count", r.thresholds.feedback_min_count},
      {"aggregate_score", r.thresholds.aggregate},
  };
  nlohmann::json gaps = nlohmann::json::array();
  for (DataGap g : r.data_gaps) {
    gaps.push_back(to_string(g));
  }
  j["data_gaps"] = gaps;
  return j;
}

// Error messages quote what services sent, cut at a byte count: invalid UTF-8 in them becomes
// U+FFFD rather than an exception (exit 4 without a report; tests/fuzz found it).
std::string render_json(const std::vector<CheckOutcome>& outcomes, Lang lang, bool single) {
  if (single && outcomes.size() == 1) {
    return report_json(outcomes.front(), lang)
        .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  nlohmann::json reports = nlohmann::json::array();
  int ok = 0;
  int degraded = 0;
  int failed = 0;
  int worst = 0;
  for (const auto& o : outcomes) {
    reports.push_back(report_json(o, lang));
    worst = std::max(worst, o.exit_code());
    if (o.error || o.push_error) {
      ++failed;
    } else if (o.report && o.report->is_degraded) {
      ++degraded;
    } else {
      ++ok;
    }
  }
  nlohmann::json j;
  j["reports"] = reports;
  j["summary"] = {{"total", outcomes.size()},
                  {"ok", ok},
                  {"degraded", degraded},
                  {"errors", failed},
                  {"exit_code", worst}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace mm
