// write_dataset: a Dataset as a Parquet file of the platform's schema (DESIGN §5).

#include "adapters/parquet/atomic_file.hpp"
#include "adapters/parquet/dataset_errors.hpp"
#include "adapters/parquet/dataset_schema.hpp"
#include "adapters/parquet/parquet_dataset.hpp"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <fmt/format.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <span>
#include <utility>

namespace mm {

namespace {

using Path = std::filesystem::path;

// The writer is the gate: a row the reader would refuse is a bug upstream (the generator and the
// feedback merge validate rows), so it is an internal error and nothing is written.
Status check_writable(const Dataset& dataset, const Path& path) {
  const auto refuse = [&](std::string problem) {
    return Error::internal(
        fmt::format("refusing to write dataset {}: {}", path.string(), std::move(problem)));
  };
  if (dataset.rows.empty()) {
    return refuse("it has no rows");
  }
  for (std::size_t r = 0; r < dataset.rows.size(); ++r) {
    const TrainingRow& row = dataset.rows[r];
    if (row.label < 0 || row.label > k_max_label) {
      return refuse(fmt::format("label {} at row {} is outside 0..{}", row.label, r, k_max_label));
    }
    for (std::size_t f = 0; f < k_feature_count; ++f) {
      if (!std::isfinite(row.features[f])) {
        return refuse(
            fmt::format("feature {} is {} at row {}", k_feature_names[f], row.features[f], r));
      }
    }
  }
  return ok_status();
}

// Builds one column with `builder`, appending fn(row) for every row.
template <typename Builder, typename Fn>
arrow::Result<std::shared_ptr<arrow::Array>> build_column(Builder builder, const Dataset& dataset,
                                                          Fn&& fn) {
  if (arrow::Status st = builder.Reserve(static_cast<std::int64_t>(dataset.rows.size()));
      !st.ok()) {
    return st;
  }
  for (const TrainingRow& row : dataset.rows) {
    if (arrow::Status st = builder.Append(fn(row)); !st.ok()) {
      return st;
    }
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Table>> to_table(const Dataset& dataset,
                                                      arrow::MemoryPool* pool) {
  const auto rows = static_cast<std::int64_t>(dataset.rows.size());
  std::shared_ptr<arrow::Schema> schema = parquet_io::dataset_schema(dataset.metadata, rows);
  arrow::ArrayVector columns;
  columns.reserve(static_cast<std::size_t>(schema->num_fields()));
  const auto add = [&](arrow::Result<std::shared_ptr<arrow::Array>> column) {
    if (!column.ok()) {
      return column.status();
    }
    columns.push_back(*std::move(column));
    return arrow::Status::OK();
  };

  for (std::size_t f = 0; f < k_feature_count; ++f) {
    ARROW_RETURN_NOT_OK(add(build_column(arrow::DoubleBuilder(pool), dataset,
                                         [f](const TrainingRow& r) { return r.features[f]; })));
  }
  ARROW_RETURN_NOT_OK(add(build_column(arrow::Int64Builder(pool), dataset,
                                       [](const TrainingRow& r) { return r.label; })));
  ARROW_RETURN_NOT_OK(
      add(build_column(arrow::StringBuilder(pool), dataset, [](const TrainingRow& r) {
        return std::string_view(to_string(r.source));
      })));
  // Truncated (floor) to the microsecond, the unit of the file (parquet_dataset.hpp).
  const auto micros = [](const TrainingRow& r) {
    return std::chrono::floor<std::chrono::microseconds>(r.created_at.time_since_epoch()).count();
  };
  ARROW_RETURN_NOT_OK(add(
      build_column(arrow::TimestampBuilder(schema->field(schema->num_fields() - 1)->type(), pool),
                   dataset, micros)));
  return arrow::Table::Make(std::move(schema), std::move(columns), rows);
}

// The whole file in memory first: a dataset is a few thousand rows (DATASET_NUM_SAMPLES plus
// FEEDBACK_MERGE_LIMIT), and a failed encoding then never touches the disk.
arrow::Result<std::shared_ptr<arrow::Buffer>> encode(const arrow::Table& table,
                                                     arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create(1 << 16, pool));
  // snappy: pyarrow's default, so files look like the ones the Python project writes itself.
  // Page checksums: read_dataset verifies them, so corruption inside the data is an error rather
  // than a wrong value (readers that do not check them, pandas by default, ignore them).
  // store_schema: keeps the exact Arrow types (the time zone "UTC"), as pyarrow does.
  const auto properties = parquet::WriterProperties::Builder()
                              .compression(parquet::Compression::SNAPPY)
                              ->enable_page_checksum()
                              ->build();
  const auto arrow_properties = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  ARROW_RETURN_NOT_OK(parquet::arrow::WriteTable(table, pool, sink, table.num_rows(), properties,
                                                 arrow_properties));
  return sink->Finish();
}

Status write_checked(const Path& path, const Dataset& dataset) {
  if (Status s = check_writable(dataset, path); !s) {
    return s;
  }
  // The system allocator, as on read (dataset_file.cpp).
  arrow::MemoryPool* pool = arrow::system_memory_pool();
  auto table = to_table(dataset, pool);
  if (!table.ok()) {
    return parquet_io::error_from_arrow(table.status(), ErrorKind::internal,
                                        "building the Arrow table of dataset " + path.string());
  }
  auto bytes = encode(**table, pool);
  if (!bytes.ok()) {
    return parquet_io::error_from_arrow(bytes.status(), ErrorKind::internal,
                                        "encoding dataset " + path.string() + " as Parquet");
  }
  const arrow::Buffer& buffer = **bytes;
  return parquet_io::write_file_atomically(
      path, std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(buffer.size())));
}

} // namespace

Status write_dataset(const std::filesystem::path& path, const Dataset& dataset) {
  try {
    return write_checked(path, dataset);
  } catch (const std::exception& e) {
    // Parquet's encoder throws parquet::ParquetException; std::bad_alloc is possible too.
    return Error::internal(
        fmt::format("writing dataset {}: {}", path.string(), parquet_io::one_line(e.what())));
  }
}

} // namespace mm
