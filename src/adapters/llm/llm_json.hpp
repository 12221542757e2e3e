#pragma once
// Reading provider answers with nlohmann::json without exceptions: members are looked up and
// type-checked before use. Private to mm_llm (nlohmann is linked privately).

#include "adapters/llm/llm_common.hpp"
#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace mm::llm_json {

using Json = nlohmann::json;

// The body as a JSON object, or bad_response naming the API.
inline Result<Json> parse_object(LlmApi api, std::string_view body) {
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Error::bad_response(std::string(to_string(api)) + " answer is not JSON (starts with '" +
                               printable_line(body.substr(0, 80), 80) + "')");
  }
  if (!doc.is_object()) {
    return Error::bad_response(std::string(to_string(api)) + " answer is not a JSON object");
  }
  return doc;
}

// The member if present and not null, else nullptr.
inline const Json* member(const Json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

inline std::string string_or(const Json& object, std::string_view key, std::string fallback = {}) {
  const Json* v = member(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : fallback;
}

inline long long count_or_zero(const Json& object, std::string_view key) {
  const Json* v = member(object, key);
  if (v != nullptr && v->is_number_integer()) {
    return v->get<long long>();
  }
  return 0;
}

} // namespace mm::llm_json
