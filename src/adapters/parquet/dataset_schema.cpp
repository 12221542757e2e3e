#include "adapters/parquet/dataset_schema.hpp"

#include "adapters/parquet/dataset_errors.hpp"
#include "adapters/parquet/parquet_dataset.hpp"

#include <arrow/api.h>
#include <arrow/util/key_value_metadata.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

namespace mm::parquet_io {

namespace {

std::shared_ptr<arrow::DataType> created_at_type() {
  return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
}

// The one column named `name`, or an error naming it: a duplicated name is as ambiguous to
// pandas as to us, so it is refused rather than resolved by position.
Result<int> find_column(const arrow::Schema& schema, std::string_view name,
                        const std::filesystem::path& path) {
  const std::vector<int> found = schema.GetAllFieldIndices(std::string(name));
  if (found.empty()) {
    return dataset_error(path, fmt::format("required column '{}' is missing", name));
  }
  if (found.size() > 1) {
    return dataset_error(path, fmt::format("column '{}' appears {} times", name, found.size()));
  }
  return found.front();
}

Error wrong_type(const std::filesystem::path& path, std::string_view name,
                 const arrow::DataType& found, std::string_view expected) {
  return dataset_error(
      path, fmt::format("column '{}' has type {}, expected {}", name, found.ToString(), expected));
}

bool is_string_like(const arrow::DataType& type) {
  switch (type.id()) {
  case arrow::Type::STRING:
  case arrow::Type::LARGE_STRING:
    return true;
  case arrow::Type::DICTIONARY: {
    const auto& dict = static_cast<const arrow::DictionaryType&>(type);
    return dict.value_type()->id() == arrow::Type::STRING;
  }
  default:
    return false;
  }
}

// A metadata value, or nullopt when the key is absent.
std::optional<std::string> lookup(const arrow::KeyValueMetadata* kv, std::string_view key) {
  if (kv == nullptr) {
    return std::nullopt;
  }
  const int i = kv->FindKey(std::string(key));
  if (i < 0) {
    return std::nullopt;
  }
  return kv->value(i);
}

} // namespace

std::shared_ptr<arrow::Schema> dataset_schema(const DatasetMetadata& metadata,
                                              std::int64_t row_count) {
  // Non-nullable fields are written as Parquet REQUIRED columns: the file itself says there are
  // no nulls, which pandas and pyarrow honour.
  arrow::FieldVector fields;
  fields.reserve(k_feature_count + 3);
  for (const std::string_view name : k_feature_names) {
    fields.push_back(arrow::field(std::string(name), arrow::float64(), false));
  }
  fields.push_back(arrow::field(std::string(k_label_column), arrow::int64(), false));
  fields.push_back(arrow::field(std::string(k_source_column), arrow::utf8(), false));
  fields.push_back(arrow::field(std::string(k_created_at_column), created_at_type(), false));

  // fmt's "{}" of a double is the shortest text that parses back to the same value.
  auto kv = arrow::key_value_metadata(
      {std::string(k_key_specialist_type), std::string(k_key_provider), std::string(k_key_model),
       std::string(k_key_prompt_hash), std::string(k_key_temperature),
       std::string(k_key_schema_version), std::string(k_key_row_count)},
      {metadata.specialist_type, metadata.provider, metadata.model, metadata.prompt_hash,
       fmt::format("{}", metadata.temperature), std::string(k_dataset_schema_version),
       fmt::format("{}", row_count)});
  return arrow::schema(std::move(fields), std::move(kv));
}

Result<ColumnLayout> check_schema(const arrow::Schema& schema, const std::filesystem::path& path,
                                  std::vector<std::string>& warnings) {
  ColumnLayout layout;
  std::vector<bool> known(static_cast<std::size_t>(schema.num_fields()), false);
  const auto require = [&](std::string_view name, int& index) -> Status {
    Result<int> found = find_column(schema, name, path);
    if (!found) {
      return std::move(found).error();
    }
    index = *found;
    known[static_cast<std::size_t>(index)] = true;
    return ok_status();
  };

  for (std::size_t f = 0; f < k_feature_count; ++f) {
    if (Status s = require(k_feature_names[f], layout.features[f]); !s) {
      return std::move(s).error();
    }
    const arrow::DataType& type = *schema.field(layout.features[f])->type();
    if (type.id() != arrow::Type::DOUBLE) {
      return wrong_type(path, k_feature_names[f], type, "double (float64)");
    }
  }
  if (Status s = require(k_label_column, layout.label); !s) {
    return std::move(s).error();
  }
  if (const auto& type = *schema.field(layout.label)->type(); type.id() != arrow::Type::INT64) {
    return wrong_type(path, k_label_column, type, "int64");
  }
  if (Status s = require(k_source_column, layout.source); !s) {
    return std::move(s).error();
  }
  if (const auto& type = *schema.field(layout.source)->type(); !is_string_like(type)) {
    return wrong_type(path, k_source_column, type, "string");
  }
  if (Status s = require(k_created_at_column, layout.created_at); !s) {
    return std::move(s).error();
  }
  const auto& created = *schema.field(layout.created_at)->type();
  if (created.id() != arrow::Type::TIMESTAMP) {
    return wrong_type(path, k_created_at_column, created, "timestamp (UTC)");
  }
  // Arrow stores instants as UTC whatever the zone annotation; only a naive time is ambiguous.
  if (static_cast<const arrow::TimestampType&>(created).timezone().empty()) {
    warnings.push_back(
        fmt::format("column '{}' has no time zone; taken as UTC", k_created_at_column));
  }

  for (int i = 0; i < schema.num_fields(); ++i) {
    if (!known[static_cast<std::size_t>(i)]) {
      warnings.push_back(fmt::format("unknown column '{}' ({}) ignored", schema.field(i)->name(),
                                     schema.field(i)->type()->ToString()));
    }
  }
  return layout;
}

Result<FileProvenance> parse_metadata(const arrow::KeyValueMetadata* kv, std::int64_t num_rows,
                                      const std::filesystem::path& path,
                                      std::vector<std::string>& warnings) {
  FileProvenance out;
  std::vector<std::string_view> missing;
  const auto text = [&](std::string_view key, std::string& into) {
    if (auto v = lookup(kv, key)) {
      into = std::move(*v);
    } else {
      missing.push_back(key);
    }
  };
  text(k_key_specialist_type, out.metadata.specialist_type);
  text(k_key_provider, out.metadata.provider);
  text(k_key_model, out.metadata.model);
  text(k_key_prompt_hash, out.metadata.prompt_hash);
  text(k_key_schema_version, out.schema_version);

  if (auto v = lookup(kv, k_key_temperature)) {
    double t = 0.0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), t);
    if (ec != std::errc{} || end != v->data() + v->size() || !std::isfinite(t)) {
      return dataset_error(path, fmt::format("metadata temperature '{}' is not a number", *v));
    }
    out.metadata.temperature = t;
  } else {
    missing.push_back(k_key_temperature);
  }

  // row_count guards against a file cut and re-footered, or rows lost by a rewriting tool.
  if (auto v = lookup(kv, k_key_row_count)) {
    std::int64_t n = -1;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || end != v->data() + v->size() || n != num_rows) {
      return dataset_error(
          path, fmt::format("metadata row_count '{}' but the file has {} rows", *v, num_rows));
    }
  } else {
    missing.push_back(k_key_row_count);
  }

  if (!out.schema_version.empty()) {
    const std::string_view ours = k_dataset_schema_version;
    const std::string_view theirs = out.schema_version;
    if (theirs.substr(0, theirs.find('.')) != ours.substr(0, ours.find('.'))) {
      return dataset_error(
          path, fmt::format("schema_version {} is not compatible with {}", theirs, ours));
    }
  }
  if (!missing.empty()) {
    warnings.push_back(
        fmt::format("metadata lacks {} (provenance unknown)", fmt::join(missing, ", ")));
  }
  return out;
}

} // namespace mm::parquet_io
