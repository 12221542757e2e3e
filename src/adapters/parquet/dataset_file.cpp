#include "adapters/parquet/dataset_file.hpp"

#include "adapters/parquet/dataset_errors.hpp"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <fmt/format.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include <system_error>
#include <utility>

namespace mm::parquet_io {

namespace {

// Checked before Arrow so that the common cases get plain answers: Arrow would report a missing
// file as an IOError and an empty one as a footer problem.
Status check_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Error::not_found(fmt::format("dataset {} does not exist; generate it (retrain without "
                                        "--skip-dataset-generation) or check DATA_DIR",
                                        path.string()));
  }
  if (ec) {
    return Error::unavailable(
        fmt::format("cannot stat dataset {}: {}; check DATA_DIR", path.string(), ec.message()));
  }
  if (status.type() != std::filesystem::file_type::regular) {
    return dataset_error(path, "not a regular file");
  }
  if (std::filesystem::file_size(path, ec) == 0 && !ec) {
    return dataset_error(path, "the file is empty (0 bytes), as a writer that crashed leaves it");
  }
  return ok_status();
}

} // namespace

Result<OpenDatasetFile> open_dataset_file(const std::filesystem::path& path) {
  if (Status s = check_file(path); !s) {
    return std::move(s).error();
  }
  // The system allocator rather than the wheel's jemalloc: datasets are small, and sanitizer
  // builds (MM_SANITIZE) then see every allocation.
  arrow::MemoryPool* pool = arrow::system_memory_pool();
  auto file = arrow::io::ReadableFile::Open(path.string(), pool);
  if (!file.ok()) {
    return error_from_arrow(
        file.status(), ErrorKind::unavailable,
        fmt::format("cannot open dataset {} (check permissions of DATA_DIR)", path.string()));
  }
  // Page checksums (CRC32) are verified where the writer stored them, as write_dataset does: a
  // flipped bit in the data then fails the read instead of becoming a wrong feature value.
  // Files without checksums (pyarrow's default) are read as before.
  parquet::ReaderProperties properties(pool);
  properties.set_page_checksum_verification(true);
  parquet::arrow::FileReaderBuilder builder;
  if (arrow::Status st = builder.Open(*std::move(file), properties); !st.ok()) {
    return dataset_error(path, fmt::format("not a readable Parquet file ({})", arrow_message(st)));
  }
  auto reader = builder.memory_pool(pool)->Build();
  if (!reader.ok()) {
    return dataset_error(
        path, fmt::format("not a readable Parquet file ({})", arrow_message(reader.status())));
  }

  OpenDatasetFile out;
  out.reader = *std::move(reader);
  std::shared_ptr<arrow::Schema> schema;
  if (auto st = out.reader->GetSchema(&schema); !st.ok()) {
    return dataset_error(path, fmt::format("unreadable schema ({})", arrow_message(st)));
  }
  Result<ColumnLayout> layout = check_schema(*schema, path, out.warnings);
  if (!layout) {
    return std::move(layout).error();
  }
  out.layout = *layout;

  const std::shared_ptr<parquet::FileMetaData> meta = out.reader->parquet_reader()->metadata();
  out.num_rows = meta->num_rows();
  Result<FileProvenance> provenance =
      parse_metadata(meta->key_value_metadata().get(), out.num_rows, path, out.warnings);
  if (!provenance) {
    return std::move(provenance).error();
  }
  out.provenance = std::move(*provenance);
  if (out.num_rows <= 0) {
    return dataset_error(path, "the file has no rows");
  }
  return out;
}

Result<std::shared_ptr<arrow::ChunkedArray>> read_column(parquet::arrow::FileReader& reader,
                                                         int index, std::string_view name,
                                                         const std::filesystem::path& path) {
  std::shared_ptr<arrow::ChunkedArray> column;
  if (auto st = reader.ReadColumn(index, &column); !st.ok()) {
    // Truncated or corrupt pages surface here, past a footer that looked fine.
    return dataset_error(path,
                         fmt::format("column '{}' cannot be read ({})", name, arrow_message(st)));
  }
  return column;
}

} // namespace mm::parquet_io
