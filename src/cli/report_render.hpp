#pragma once
// Renders check outcomes: the spec's text layout (pt-BR or English) and the JSON report with the
// platform's existing keys (DESIGN §1). Pure: string in, string out.

#include "core/recommendations.hpp"
#include "pipeline/check_pipeline.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mm {

std::string render_text(const CheckOutcome& outcome, Lang lang);
std::string render_text_summary(const std::vector<CheckOutcome>& outcomes, Lang lang);

nlohmann::json report_json(const CheckOutcome& outcome, Lang lang);
// One specialist: its object. Several ("all"): {"reports": [...], "summary": {...}}.
std::string render_json(const std::vector<CheckOutcome>& outcomes, Lang lang, bool single);

} // namespace mm
