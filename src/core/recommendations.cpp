#include "core/recommendations.hpp"

#include <fmt/format.h>

namespace mm {

namespace {

const char* metric_label(Metric m, Lang lang) {
  const bool pt = lang == Lang::pt_br;
  switch (m) {
  case Metric::precision:
    return "Precision";
  case Metric::recall:
    return "Recall";
  case Metric::f1_score:
    return "F1 Score";
  case Metric::feedback_avg:
    return pt ? "Média de feedback" : "Feedback average";
  case Metric::aggregate:
    return pt ? "Score agregado" : "Aggregate score";
  }
  return "";
}

std::string for_reason(const PerformanceReport& r, const DegradationReason& d, Lang lang) {
  const bool pt = lang == Lang::pt_br;
  const std::string& t = r.specialist_type;
  switch (d.metric) {
  case Metric::precision:
    return pt ? fmt::format("Precision {:.3f} abaixo de {:.2f}: o modelo aprova/rejeita com "
                            "muitos falsos positivos; revisar os exemplos rotulados e o limiar de "
                            "decisão, e retreinar (model-monitor retrain --specialist-type {})",
                            d.value, d.threshold, t)
              : fmt::format("Precision {:.3f} below {:.2f}: too many false positives; review the "
                            "labelled examples and the decision threshold, then retrain "
                            "(model-monitor retrain --specialist-type {})",
                            d.value, d.threshold, t);
  case Metric::recall:
    return pt ? fmt::format("Recall {:.3f} abaixo de {:.2f}: o modelo deixa passar casos; "
                            "aumentar exemplos das classes sub-representadas no próximo dataset",
                            d.value, d.threshold)
              : fmt::format("Recall {:.3f} below {:.2f}: the model misses cases; add examples "
                            "of under-represented classes to the next dataset",
                            d.value, d.threshold);
  case Metric::f1_score:
    return pt ? fmt::format("F1 {:.3f} abaixo de {:.2f}: retreinamento recomendado "
                            "(model-monitor retrain --specialist-type {})",
                            d.value, d.threshold, t)
              : fmt::format("F1 {:.3f} below {:.2f}: retraining recommended "
                            "(model-monitor retrain --specialist-type {})",
                            d.value, d.threshold, t);
  case Metric::feedback_avg:
    return pt ? fmt::format("Média de feedback {:.2f} abaixo de {:.2f}: analisar os {} feedbacks "
                            "negativos dos últimos {} dias antes de retreinar; as métricas offline "
                            "podem não refletir o uso real",
                            d.value, d.threshold, r.feedback.negative_count, r.feedback.window_days)
              : fmt::format("Feedback average {:.2f} below {:.2f}: read the {} negative "
                            "ratings of the last {} days before retraining; offline metrics may "
                            "not reflect real use",
                            d.value, d.threshold, r.feedback.negative_count,
                            r.feedback.window_days);
  case Metric::aggregate:
    return pt ? fmt::format("Score agregado {:.3f} abaixo de {:.2f}: degradação geral; agendar "
                            "retreinamento e acompanhar o dashboard Continuous Learning",
                            d.value, d.threshold)
              : fmt::format("Aggregate score {:.3f} below {:.2f}: overall degradation; schedule "
                            "a retrain and watch the Continuous Learning dashboard",
                            d.value, d.threshold);
  }
  return "";
}

} // namespace

std::string describe_reason(const DegradationReason& reason, Lang lang) {
  const int digits = reason.metric == Metric::feedback_avg ? 2 : 3;
  return fmt::format("{} {:.{}f} < {:.2f}", metric_label(reason.metric, lang), reason.value, digits,
                     reason.threshold);
}

std::string describe_gap(const PerformanceReport& r, DataGap gap, Lang lang) {
  const bool pt = lang == Lang::pt_br;
  switch (gap) {
  case DataGap::no_feedback_in_window:
    return pt ? fmt::format("Sem feedback nos últimos {} dias: score agregado calculado só com "
                            "F1 e threshold de feedback não avaliado; incentivar avaliações "
                            "humanas",
                            r.feedback.window_days)
              : fmt::format("No feedback in the last {} days: aggregate computed from F1 alone "
                            "and the feedback threshold not evaluated; encourage human ratings",
                            r.feedback.window_days);
  case DataGap::too_few_feedback_ratings:
    return pt ? fmt::format("Apenas {} avaliação(ões) nos últimos {} dias, menos que "
                            "FEEDBACK_MIN_COUNT {}: poucas para julgar; score agregado calculado "
                            "só com F1 e threshold de feedback não avaliado",
                            r.feedback.total_count, r.feedback.window_days,
                            r.thresholds.feedback_min_count)
              : fmt::format("Only {} rating(s) in the last {} days, fewer than FEEDBACK_MIN_COUNT "
                            "{}: too few to judge; aggregate computed from F1 alone and the "
                            "feedback threshold not evaluated",
                            r.feedback.total_count, r.feedback.window_days,
                            r.thresholds.feedback_min_count);
  case DataGap::precision_missing:
    return pt ? fmt::format("O run {} não registrou 'precision': threshold não avaliado; "
                            "registrar a métrica no treinamento",
                            r.mlflow.run_id)
              : fmt::format("Run {} logged no 'precision': threshold not evaluated; log the "
                            "metric in training",
                            r.mlflow.run_id);
  case DataGap::recall_missing:
    return pt ? fmt::format("O run {} não registrou 'recall': threshold não avaliado; "
                            "registrar a métrica no treinamento",
                            r.mlflow.run_id)
              : fmt::format("Run {} logged no 'recall': threshold not evaluated; log the metric "
                            "in training",
                            r.mlflow.run_id);
  case DataGap::f1_derived:
    return pt ? fmt::format("O run {} não registrou 'f1_score': F1 calculado de precision e "
                            "recall",
                            r.mlflow.run_id)
              : fmt::format("Run {} logged no 'f1_score': F1 derived from precision and recall",
                            r.mlflow.run_id);
  case DataGap::accuracy_missing:
    return pt ? fmt::format("O run {} não registrou 'accuracy'", r.mlflow.run_id)
              : fmt::format("Run {} logged no 'accuracy'", r.mlflow.run_id);
  case DataGap::invalid_feedback_documents:
    return pt ? fmt::format("{} documento(s) de feedback com human_rating inválido foram "
                            "ignorados; corrigir a origem desses documentos",
                            r.feedback.invalid_count)
              : fmt::format("{} feedback document(s) with an invalid human_rating were ignored; "
                            "fix their producer",
                            r.feedback.invalid_count);
  case DataGap::undated_feedback_documents:
    return pt ? fmt::format("{} documento(s) de feedback de '{}' têm submitted_at ausente ou que "
                            "não é uma data (p. ex. texto ISO): nenhuma janela os inclui e o "
                            "feedback parece ausente; gravar submitted_at como data BSON (UTC)",
                            *r.feedback.undated_count, r.specialist_type)
              : fmt::format("{} feedback document(s) of '{}' have a submitted_at that is missing "
                            "or not a date (e.g. an ISO string): no window holds them, so the "
                            "feedback looks absent; write submitted_at as a BSON date (UTC)",
                            *r.feedback.undated_count, r.specialist_type);
  case DataGap::feedback_unavailable:
    return pt ? "Feedback indisponível (MongoDB inacessível): score agregado calculado só com F1; "
                "nenhum retreinamento deve ser decidido com dados incompletos"
              : "Feedback unavailable (MongoDB unreachable): aggregate computed from F1 alone; no "
                "retrain should be decided on incomplete data";
  }
  return "";
}

std::vector<std::string> recommendations(const PerformanceReport& r, Lang lang) {
  const bool pt = lang == Lang::pt_br;
  std::vector<std::string> out;
  for (const auto& d : r.reasons) {
    out.push_back(for_reason(r, d, lang));
  }
  for (DataGap g : r.data_gaps) {
    // Missing accuracy is informational; it is listed in the report, not as something to do.
    if (g == DataGap::accuracy_missing) {
      continue;
    }
    out.push_back(describe_gap(r, g, lang));
  }
  if (r.reasons.empty()) {
    out.emplace_back(pt ? "Performance dentro dos thresholds esperados"
                        : "Performance within the expected thresholds");
    out.emplace_back(pt ? "Continuar monitoramento regular" : "Keep monitoring regularly");
  }
  return out;
}

} // namespace mm
