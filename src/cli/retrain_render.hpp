#pragma once
// Renders retrain outcomes: a readable summary per specialist (English) and JSON. Pure.

#include "pipeline/retrain_pipeline.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mm {

std::string render_retrain_text(const RetrainOutcome& outcome);
std::string render_retrain_summary(const std::vector<RetrainOutcome>& outcomes);
nlohmann::json retrain_json(const RetrainOutcome& outcome);
std::string render_retrain_json(const std::vector<RetrainOutcome>& outcomes, bool single);

} // namespace mm
