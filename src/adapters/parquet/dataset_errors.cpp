#include "adapters/parquet/dataset_errors.hpp"

#include <fmt/format.h>

#include <string>

namespace mm::parquet_io {

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (const char c : text) {
    // Control characters too: Thrift messages can carry the raw byte they choked on.
    if (c == ' ' || static_cast<unsigned char>(c) < 0x20 || c == '\x7f') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += c;
  }
  return out;
}

std::string arrow_message(const arrow::Status& status) {
  return one_line(status.message());
}

Error dataset_error(const std::filesystem::path& path, std::string_view problem) {
  return Error::bad_response(fmt::format("dataset {}: {}; regenerate the dataset, or fix the "
                                         "program that wrote it (DATASET_GENERATOR_COMMAND) "
                                         "to write the schema of DESIGN §5",
                                         path.string(), problem));
}

Error error_from_arrow(const arrow::Status& status, ErrorKind kind, std::string_view doing) {
  return Error{kind, fmt::format("{}: {}", doing, one_line(status.ToString()))};
}

} // namespace mm::parquet_io
