#include "core/specialist.hpp"

namespace mm {

namespace {
constexpr std::string_view k_placeholder = "{type}";
}

bool is_valid_specialist_type(std::string_view type) noexcept {
  if (type.empty() || type.size() > 63) {
    return false;
  }
  if (type[0] < 'a' || type[0] > 'z') {
    return false;
  }
  for (char c : type.substr(1)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string experiment_name_for(std::string_view type) {
  return std::string(type) + "-specialist";
}

std::string model_name_for(std::string_view name_template, std::string_view type) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t at = name_template.find(k_placeholder, pos);
    if (at == std::string_view::npos) {
      out.append(name_template.substr(pos));
      return out;
    }
    out.append(name_template.substr(pos, at - pos)).append(type);
    pos = at + k_placeholder.size();
  }
}

std::optional<std::string> type_from_model_name(std::string_view name_template,
                                                std::string_view model_name) {
  const size_t at = name_template.find(k_placeholder);
  if (at == std::string_view::npos ||
      name_template.find(k_placeholder, at + k_placeholder.size()) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view prefix = name_template.substr(0, at);
  const std::string_view suffix = name_template.substr(at + k_placeholder.size());
  if (model_name.size() <= prefix.size() + suffix.size() || !model_name.starts_with(prefix) ||
      !model_name.ends_with(suffix)) {
    return std::nullopt;
  }
  std::string type(
      model_name.substr(prefix.size(), model_name.size() - prefix.size() - suffix.size()));
  if (!is_valid_specialist_type(type)) {
    return std::nullopt;
  }
  return type;
}

} // namespace mm
