#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mm {

// A specialist type matches [a-z][a-z0-9_-]{0,62} (DESIGN §1): it ends up in URLs, MongoDB
// filters, Prometheus labels and file names, so anything else is rejected before any I/O.
bool is_valid_specialist_type(std::string_view type) noexcept;

// "{type}-specialist" (DESIGN §3).
std::string experiment_name_for(std::string_view type);

// Applies MLFLOW_MODEL_NAME_TEMPLATE: every "{type}" is replaced by the type.
std::string model_name_for(std::string_view name_template, std::string_view type);

// The inverse, for discovery: the type a registered model name was made from, if it matches the
// template and the type is valid ("technical-evaluator" with "{type}-evaluator" → "technical").
std::optional<std::string> type_from_model_name(std::string_view name_template,
                                                std::string_view model_name);

} // namespace mm
