#include "adapters/parquet/atomic_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace mm::parquet_io {

namespace {

// Owns a file descriptor; close() reports its error because on NFS a failed close can be the
// only sign that the data never reached the server.
class UniqueFd {
public:
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }

  int get() const noexcept { return m_fd; }
  bool valid() const noexcept { return m_fd >= 0; }

  // 0 on success, errno otherwise.
  int close() noexcept {
    const int fd = m_fd;
    m_fd = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

private:
  int m_fd;
};

// Removes the temporary file unless the rename consumed it.
class TemporaryFileGuard {
public:
  explicit TemporaryFileGuard(std::filesystem::path path) : m_path(std::move(path)) {}
  TemporaryFileGuard(const TemporaryFileGuard&) = delete;
  TemporaryFileGuard& operator=(const TemporaryFileGuard&) = delete;
  ~TemporaryFileGuard() {
    if (m_armed) {
      std::error_code ignored; // cleaning up after an error already reported
      std::filesystem::remove(m_path, ignored);
    }
  }
  void disarm() noexcept { m_armed = false; }

private:
  std::filesystem::path m_path;
  bool m_armed = true;
};

Error error_from_errno(int err, std::string_view doing, const std::filesystem::path& path) {
  const std::string what =
      fmt::format("cannot {} {}: {}", doing, path.string(), std::strerror(err));
  switch (err) {
  case ENOENT:
  case ENOTDIR:
    return Error::not_found(fmt::format("{}; the directory must exist (check DATA_DIR)", what));
  case EACCES:
  case EPERM:
  case EROFS:
    return Error::config(fmt::format("{}; check that DATA_DIR is writable by this user", what));
  default:
    return Error::unavailable(
        fmt::format("{}; check free space and the health of the volume", what));
  }
}

Status write_all(int fd, std::span<const std::uint8_t> bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return error_from_errno(errno, "write", path);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return ok_status();
}

// The file's data is already durable; a lost rename only means the previous state survives (with
// a complete .tmp beside it). Some file systems refuse fsync on directories (EINVAL), so this is
// best effort rather than an error after the new file is in place.
void sync_directory(const std::filesystem::path& dir) {
  const UniqueFd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.valid()) {
    ::fsync(fd.get());
  }
}

} // namespace

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  return tmp;
}

Status write_file_atomically(const std::filesystem::path& path,
                             std::span<const std::uint8_t> bytes) {
  const std::filesystem::path tmp = temporary_path_for(path);
  // O_TRUNC, not O_EXCL: a .tmp left by a crash must not block every later write.
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return error_from_errno(errno, "create", tmp);
  }
  TemporaryFileGuard guard(tmp);

  if (Status written = write_all(fd.get(), bytes, tmp); !written) {
    return written;
  }
  if (::fsync(fd.get()) != 0) {
    return error_from_errno(errno, "fsync", tmp);
  }
  if (const int err = fd.close(); err != 0) {
    return error_from_errno(err, "close", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return error_from_errno(errno, "rename to " + path.string() + " from", tmp);
  }
  guard.disarm();
  sync_directory(path.parent_path());
  return ok_status();
}

} // namespace mm::parquet_io
