#pragma once
// mm_parquet's errors: Arrow's Status becomes mm::Error here, at the module boundary, and a
// refused file always says which file, what is wrong and what to do (DESIGN §7).
// Internal to mm_parquet (includes Arrow).

#include "core/result.hpp"

#include <arrow/status.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace mm::parquet_io {

// A file we cannot use (bad_response): corrupt, not Parquet, wrong schema, invalid values.
Error dataset_error(const std::filesystem::path& path, std::string_view problem);

// `text` with every run of whitespace or control characters made one space, none at either end.
std::string one_line(std::string_view text);

// Arrow's message on one line (it ends with, and may contain, newlines; logs are one JSON object
// per line, DESIGN §7).
std::string arrow_message(const arrow::Status& status);

// An Arrow failure that is not about the file's content: "{doing}: {Arrow's code and message}".
Error error_from_arrow(const arrow::Status& status, ErrorKind kind, std::string_view doing);

} // namespace mm::parquet_io
