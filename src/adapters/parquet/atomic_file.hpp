#pragma once
// Replaces a file so that readers and crashes only ever see the old or the new content.
// Internal to mm_parquet (plain POSIX; no Arrow here).

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <span>

namespace mm::parquet_io {

// Writes `bytes` to `<path>.tmp` (same directory, so rename(2) is atomic), fsyncs it, renames it
// over `path`, then fsyncs the directory so the rename itself survives a power loss. On any
// failure the temporary file is removed and `path` is untouched.
// Errors: not_found (directory missing), config (permission denied, read-only file system),
// unavailable (disk full, I/O error).
Status write_file_atomically(const std::filesystem::path& path,
                             std::span<const std::uint8_t> bytes);

// `<path>.tmp`: the name write_file_atomically writes to first.
std::filesystem::path temporary_path_for(const std::filesystem::path& path);

} // namespace mm::parquet_io
