#include "adapters/llm/generated_records.hpp"

#include "adapters/llm/llm_common.hpp"
#include "core/plan_features.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <variant>

namespace mm {

namespace {

using Json = nlohmann::json;

constexpr std::string_view k_label_key = "label";
// Prose may hold '{' or '[' before the JSON (a template echo, a list marker): try a few starts.
constexpr int k_max_candidates = 64;

enum class DropKind { not_json, schema, label, implausible };

struct Drop {
  DropKind kind;
  std::string reason;
};

void count(RecordDrops& drops, const Drop& drop) {
  const char* prefix = "";
  switch (drop.kind) {
  case DropKind::not_json:
    ++drops.not_json;
    prefix = "not JSON: ";
    break;
  case DropKind::schema:
    ++drops.schema;
    prefix = "schema: ";
    break;
  case DropKind::label:
    ++drops.label;
    prefix = "label: ";
    break;
  case DropKind::implausible:
    ++drops.implausible;
    prefix = "implausible: ";
    break;
  }
  if (drops.examples.size() < k_max_drop_examples) {
    drops.examples.push_back(printable_line(prefix + drop.reason, 200));
  }
}

// A model-written key or value quoted in a reason: short and printable.
std::string model_text(std::string_view text) {
  return "'" + printable_line(text, 40) + "'";
}

std::variant<GeneratedRecord, Drop> validate_record(const Json& value) {
  if (!value.is_object()) {
    return Drop{DropKind::schema,
                std::string("a record is not a JSON object but ") + value.type_name()};
  }
  for (const auto& [key, unused] : value.items()) {
    (void)unused;
    if (key != k_label_key && !feature_index(key)) {
      return Drop{DropKind::schema, "unexpected field " + model_text(key)};
    }
  }
  GeneratedRecord record;
  for (std::size_t i = 0; i < k_feature_count; ++i) {
    const auto it = value.find(k_feature_names[i]);
    if (it == value.end()) {
      return Drop{DropKind::schema, "missing field '" + std::string(k_feature_names[i]) + "'"};
    }
    if (!it->is_number()) { // booleans and numeric strings are not numbers
      return Drop{DropKind::schema, "'" + std::string(k_feature_names[i]) + "' is a " +
                                        it->type_name() + ", not a number"};
    }
    record.features[i] = it->get<double>();
  }
  const auto label = value.find(k_label_key);
  if (label == value.end()) {
    return Drop{DropKind::schema, "missing field 'label'"};
  }
  if (!label->is_string()) {
    return Drop{DropKind::label, std::string("label is a ") + label->type_name() +
                                     ", not one of the words approve, reject, "
                                     "review_required, conditional"};
  }
  const auto code = label_from_word(label->get_ref<const std::string&>());
  if (!code) {
    return Drop{DropKind::label,
                "unknown label " + model_text(label->get_ref<const std::string&>())};
  }
  record.label = *code;
  if (auto why = implausible_features(record.features)) {
    return Drop{DropKind::implausible, std::move(*why)};
  }
  return record;
}

void take(ParsedRecords& out, const Json& value) {
  auto checked = validate_record(value);
  if (auto* record = std::get_if<GeneratedRecord>(&checked)) {
    out.records.push_back(*record);
  } else {
    count(out.drops, std::get<Drop>(checked));
  }
}

// Index one past the bracket closing the one at `open`, skipping strings; npos when the text ends
// first (a truncated answer).
std::size_t balanced_end(std::string_view text, std::size_t open) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        return i + 1;
      }
    }
  }
  return std::string_view::npos;
}

// The content of the first ``` fence (its language tag dropped), or the whole text.
std::string_view unfenced(std::string_view text) {
  const auto open = text.find("```");
  if (open == std::string_view::npos) {
    return text;
  }
  const auto line_end = text.find('\n', open);
  if (line_end == std::string_view::npos) {
    return text;
  }
  const auto close = text.find("```", line_end);
  return close == std::string_view::npos ? text.substr(line_end + 1)
                                         : text.substr(line_end + 1, close - line_end - 1);
}

struct Located {
  std::optional<Json> json; // the first complete, valid JSON object or array
  // Else where record-by-record salvage starts: an unfinished bracket (a truncated answer), or
  // the first bracketed text that is not valid JSON (one bad record, e.g. a number out of
  // double's range, must not cost the whole batch).
  std::size_t salvage_from = std::string_view::npos;
};

Located locate_json(std::string_view text) {
  std::size_t from = 0;
  std::size_t first_invalid = std::string_view::npos;
  for (int tries = 0; tries < k_max_candidates; ++tries) {
    const auto start = text.find_first_of("{[", from);
    if (start == std::string_view::npos) {
      break;
    }
    const auto end = balanced_end(text, start);
    if (end == std::string_view::npos) {
      // Everything after an unfinished bracket is inside it: later starts would only find
      // inner records, so the salvage starts here.
      return {std::nullopt, first_invalid != std::string_view::npos ? first_invalid : start};
    }
    Json doc = Json::parse(text.substr(start, end - start), nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() || (doc.is_array() && (doc.empty() || doc.front().is_object()))) {
      return {std::move(doc), std::string_view::npos};
    }
    // A bracketed aside in prose ("[1]", "{see below}") is skipped; broken JSON is remembered.
    if (doc.is_discarded() && first_invalid == std::string_view::npos) {
      first_invalid = start;
    }
    // Past its end, not start + 1: the brackets inside are its own elements (a record of an
    // array that failed to parse must not pass for the whole answer).
    from = end;
  }
  return {std::nullopt, first_invalid};
}

bool looks_like_record(const Json& object) {
  if (object.contains(k_label_key)) {
    return true;
  }
  return std::any_of(object.items().begin(), object.items().end(),
                     [](const auto& item) { return feature_index(item.key()).has_value(); });
}

void read_document(ParsedRecords& out, const Json& doc) {
  if (doc.is_array()) {
    for (const Json& element : doc) {
      take(out, element);
    }
    return;
  }
  const auto records = doc.find("records");
  if (records != doc.end() && records->is_array()) {
    for (const Json& element : *records) {
      take(out, element);
    }
    return;
  }
  if (looks_like_record(doc)) {
    take(out, doc);
    return;
  }
  std::string keys;
  for (const auto& item : doc.items()) {
    keys += (keys.empty() ? "" : ", ") + model_text(item.key());
    if (keys.size() > 80) {
      break;
    }
  }
  count(out.drops, {DropKind::schema, "the answer has no 'records' array (keys: " +
                                          (keys.empty() ? std::string("none") : keys) + ")"});
}

// Broken JSON (a truncated answer, a record that does not parse): each record of the array is
// read on its own; those that are complete and valid JSON are kept, the others counted.
void salvage(ParsedRecords& out, std::string_view text, std::size_t start) {
  std::size_t pos = start;
  if (text[start] == '{') {
    const auto key = text.find("\"records\"", start);
    const auto open = key == std::string_view::npos ? key : text.find('[', key);
    if (open == std::string_view::npos) {
      count(out.drops, {DropKind::not_json, "no complete JSON and no 'records' array in the "
                                            "answer (starts with " +
                                                model_text(text.substr(0, 40)) + ")"});
      return;
    }
    pos = open;
  }
  out.salvaged = true;
  ++pos; // past '['
  for (;;) {
    pos = text.find_first_not_of(" \t\r\n,", pos);
    if (pos == std::string_view::npos || text[pos] == ']') {
      return; // cut between records: nothing partial to count
    }
    if (text[pos] != '{') {
      count(out.drops, {DropKind::not_json, "unexpected " + model_text(text.substr(pos, 20)) +
                                                " in the records array"});
      return;
    }
    const auto end = balanced_end(text, pos);
    if (end == std::string_view::npos) {
      count(out.drops, {DropKind::not_json, "a record cut off by the end of the answer "
                                            "(output token limit?)"});
      return;
    }
    Json record = Json::parse(text.substr(pos, end - pos), nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded()) {
      count(out.drops, {DropKind::not_json, "a record that is not valid JSON"});
    } else {
      take(out, record);
    }
    pos = end;
  }
}

} // namespace

std::optional<std::int64_t> label_from_word(std::string_view word) {
  while (!word.empty() && std::isspace(static_cast<unsigned char>(word.front()))) {
    word.remove_prefix(1);
  }
  while (!word.empty() && std::isspace(static_cast<unsigned char>(word.back()))) {
    word.remove_suffix(1);
  }
  std::string norm;
  for (const char c : word) {
    norm += (c == ' ' || c == '-') ? '_'
                                   : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (norm == "reject") {
    return static_cast<std::int64_t>(Label::reject);
  }
  if (norm == "approve") {
    return static_cast<std::int64_t>(Label::approve);
  }
  if (norm == "review_required") {
    return static_cast<std::int64_t>(Label::review_required);
  }
  if (norm == "conditional") {
    return static_cast<std::int64_t>(Label::conditional);
  }
  return std::nullopt;
}

std::string_view label_word(std::int64_t label) noexcept {
  switch (label) {
  case static_cast<std::int64_t>(Label::reject):
    return "reject";
  case static_cast<std::int64_t>(Label::approve):
    return "approve";
  case static_cast<std::int64_t>(Label::review_required):
    return "review_required";
  case static_cast<std::int64_t>(Label::conditional):
    return "conditional";
  default:
    return "";
  }
}

ParsedRecords parse_generated_records(std::string_view text) {
  ParsedRecords out;
  try {
    const std::string_view body = unfenced(text);
    std::string_view where = body;
    Located found = locate_json(body);
    if (!found.json && found.salvage_from == std::string_view::npos && body.size() != text.size()) {
      where = text; // the fence held something else: look at the whole answer
      found = locate_json(text);
    }
    if (found.json) {
      read_document(out, *found.json);
    } else if (found.salvage_from != std::string_view::npos) {
      salvage(out, where, found.salvage_from);
    } else {
      count(out.drops, {DropKind::not_json, "no JSON object in the answer (starts with " +
                                                model_text(text.substr(0, 40)) + ")"});
    }
  } catch (const nlohmann::json::exception& e) {
    // Not expected (every access is checked), but model output must never end the run.
    count(out.drops, {DropKind::not_json, std::string("unreadable JSON: ") + e.what()});
  }
  return out;
}

} // namespace mm
