// read_dataset and inspect_dataset: decoding and validating the columns of a dataset file.

#include "adapters/parquet/dataset_errors.hpp"
#include "adapters/parquet/dataset_file.hpp"
#include "adapters/parquet/parquet_dataset.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <utility>

namespace mm {

using parquet_io::dataset_error;

namespace {

using Path = std::filesystem::path;

// Calls fn(array, index_in_chunk, row) for every row of a column whose chunks are ArrayType,
// refusing nulls (every required column is non-null, DESIGN §5).
template <typename ArrayType, typename Fn>
Status for_each_row(const arrow::ChunkedArray& column, std::string_view name, const Path& path,
                    Fn&& fn) {
  std::int64_t row = 0;
  for (const std::shared_ptr<arrow::Array>& chunk : column.chunks()) {
    const auto& array = static_cast<const ArrayType&>(*chunk);
    for (std::int64_t i = 0; i < array.length(); ++i, ++row) {
      if (array.IsNull(i)) {
        return dataset_error(path, fmt::format("column '{}' is null at row {}", name, row));
      }
      if (Status s = fn(array, i, row); !s) {
        return s;
      }
    }
  }
  return ok_status();
}

Result<std::shared_ptr<arrow::ChunkedArray>> column_of_length(parquet_io::OpenDatasetFile& file,
                                                              int index, std::string_view name,
                                                              std::int64_t length,
                                                              const Path& path) {
  auto column = parquet_io::read_column(*file.reader, index, name, path);
  if (column && (*column)->length() != length) {
    return dataset_error(path, fmt::format("column '{}' has {} rows, the file {}", name,
                                           (*column)->length(), length));
  }
  return column;
}

Status check_label(std::int64_t label, std::int64_t row, const Path& path) {
  if (label < 0 || label > k_max_label) {
    return dataset_error(path, fmt::format("label {} at row {}; labels are 0 reject, 1 approve, "
                                           "2 review_required, 3 conditional",
                                           label, row));
  }
  return ok_status();
}

// The text of row i of a string, large_string or dictionary-of-string chunk (types already
// checked by check_schema).
std::string_view string_at(const arrow::Array& chunk, std::int64_t i) {
  switch (chunk.type_id()) {
  case arrow::Type::STRING:
    return static_cast<const arrow::StringArray&>(chunk).GetView(i);
  case arrow::Type::LARGE_STRING:
    return static_cast<const arrow::LargeStringArray&>(chunk).GetView(i);
  default: {
    const auto& dict = static_cast<const arrow::DictionaryArray&>(chunk);
    return static_cast<const arrow::StringArray&>(*dict.dictionary())
        .GetView(dict.GetValueIndex(i));
  }
  }
}

// A timestamp of any unit as a TimePoint, refusing values outside what the clock can hold
// (int64 nanoseconds: years 1677..2262) rather than overflowing.
Result<TimePoint> to_time_point(std::int64_t value, arrow::TimeUnit::type unit, std::int64_t row,
                                const Path& path) {
  std::int64_t ns_per_unit = 1;
  switch (unit) {
  case arrow::TimeUnit::SECOND:
    ns_per_unit = 1'000'000'000;
    break;
  case arrow::TimeUnit::MILLI:
    ns_per_unit = 1'000'000;
    break;
  case arrow::TimeUnit::MICRO:
    ns_per_unit = 1'000;
    break;
  case arrow::TimeUnit::NANO:
    break;
  }
  const std::int64_t limit = std::numeric_limits<std::int64_t>::max() / ns_per_unit;
  if (value > limit || value < -limit) {
    return dataset_error(path, fmt::format("created_at at row {} is out of range", row));
  }
  const std::chrono::nanoseconds since_epoch{value * ns_per_unit};
  return TimePoint{std::chrono::duration_cast<TimePoint::duration>(since_epoch)};
}

Status read_features(parquet_io::OpenDatasetFile& file, std::vector<TrainingRow>& rows,
                     const Path& path) {
  const auto length = static_cast<std::int64_t>(rows.size());
  for (std::size_t f = 0; f < k_feature_count; ++f) {
    const std::string_view name = k_feature_names[f];
    auto column = column_of_length(file, file.layout.features[f], name, length, path);
    if (!column) {
      return std::move(column).error();
    }
    Status s = for_each_row<arrow::DoubleArray>(
        **column, name, path, [&](const arrow::DoubleArray& a, std::int64_t i, std::int64_t row) {
          const double v = a.Value(i);
          if (!std::isfinite(v)) {
            return Status{dataset_error(
                path,
                fmt::format("column '{}' is {} at row {}; features must be finite", name, v, row))};
          }
          rows[static_cast<std::size_t>(row)].features[f] = v;
          return ok_status();
        });
    if (!s) {
      return s;
    }
  }
  return ok_status();
}

// Read first: sizes `rows` from the decoded column, not from the footer's claim, so a corrupt
// footer cannot make us allocate for rows that are not there.
Status read_labels(parquet_io::OpenDatasetFile& file, std::vector<TrainingRow>& rows,
                   const Path& path) {
  auto column = column_of_length(file, file.layout.label, "label", file.num_rows, path);
  if (!column) {
    return std::move(column).error();
  }
  rows.resize(static_cast<std::size_t>((*column)->length()));
  return for_each_row<arrow::Int64Array>(
      **column, "label", path, [&](const arrow::Int64Array& a, std::int64_t i, std::int64_t row) {
        rows[static_cast<std::size_t>(row)].label = a.Value(i);
        return check_label(a.Value(i), row, path);
      });
}

Status read_provenance(parquet_io::OpenDatasetFile& file, std::vector<TrainingRow>& rows,
                       const Path& path) {
  const auto length = static_cast<std::int64_t>(rows.size());
  auto source = column_of_length(file, file.layout.source, "source", length, path);
  if (!source) {
    return std::move(source).error();
  }
  Status s = for_each_row<arrow::Array>(
      **source, "source", path, [&](const arrow::Array& a, std::int64_t i, std::int64_t row) {
        const std::string_view text = string_at(a, i);
        auto& out = rows[static_cast<std::size_t>(row)].source;
        if (text == to_string(RowSource::llm)) {
          out = RowSource::llm;
        } else if (text == to_string(RowSource::feedback)) {
          out = RowSource::feedback;
        } else {
          return Status{dataset_error(
              path, fmt::format("source '{}' at row {}; expected llm or feedback", text, row))};
        }
        return ok_status();
      });
  if (!s) {
    return s;
  }

  auto created = column_of_length(file, file.layout.created_at, "created_at", length, path);
  if (!created) {
    return std::move(created).error();
  }
  const auto unit = static_cast<const arrow::TimestampType&>(*(*created)->type()).unit();
  return for_each_row<arrow::TimestampArray>(
      **created, "created_at", path,
      [&](const arrow::TimestampArray& a, std::int64_t i, std::int64_t row) {
        Result<TimePoint> t = to_time_point(a.Value(i), unit, row, path);
        if (!t) {
          return Status{std::move(t).error()};
        }
        rows[static_cast<std::size_t>(row)].created_at = *t;
        return ok_status();
      });
}

Result<DatasetReadReport> read_validated(const Path& path) {
  auto file = parquet_io::open_dataset_file(path);
  if (!file) {
    return std::move(file).error();
  }
  DatasetReadReport report;
  report.dataset.metadata = file->provenance.metadata;
  for (auto step : {read_labels, read_features, read_provenance}) {
    if (Status s = step(*file, report.dataset.rows, path); !s) {
      return std::move(s).error();
    }
  }
  report.warnings = std::move(file->warnings);
  return report;
}

Result<DatasetSummary> inspect_validated(const Path& path) {
  auto file = parquet_io::open_dataset_file(path);
  if (!file) {
    return std::move(file).error();
  }
  DatasetSummary summary;
  summary.row_count = file->num_rows;
  auto labels = column_of_length(*file, file->layout.label, "label", file->num_rows, path);
  if (!labels) {
    return std::move(labels).error();
  }
  Status s = for_each_row<arrow::Int64Array>(
      **labels, "label", path, [&](const arrow::Int64Array& a, std::int64_t i, std::int64_t row) {
        Status ok = check_label(a.Value(i), row, path);
        if (ok) {
          ++summary.label_counts[static_cast<std::size_t>(a.Value(i))];
        }
        return ok;
      });
  if (!s) {
    return std::move(s).error();
  }
  summary.metadata = std::move(file->provenance.metadata);
  summary.schema_version = std::move(file->provenance.schema_version);
  summary.warnings = std::move(file->warnings);
  return summary;
}

// Parquet's lower layers throw (parquet::ParquetException, std::bad_alloc on a corrupt footer
// that claims huge sizes); at this boundary every such failure is about the file.
template <typename T> Result<T> file_boundary(const Path& path, Result<T> (*body)(const Path&)) {
  try {
    return body(path);
  } catch (const std::exception& e) {
    return dataset_error(path, fmt::format("unreadable ({})", parquet_io::one_line(e.what())));
  }
}

} // namespace

Result<DatasetReadReport> read_dataset(const std::filesystem::path& path) {
  return file_boundary<DatasetReadReport>(path, read_validated);
}

Result<DatasetSummary> inspect_dataset(const std::filesystem::path& path) {
  return file_boundary<DatasetSummary>(path, inspect_validated);
}

} // namespace mm
