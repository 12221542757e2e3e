#include "adapters/parquet/parquet_module.hpp"

#include "adapters/parquet/parquet_module_abi.hpp"

#include <array>
#include <dlfcn.h>
#include <fmt/format.h>
#include <mutex>
#include <unistd.h>

namespace mm {

namespace {

std::filesystem::path binary_dir() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) {
    return {};
  }
  return std::filesystem::path(std::string(buf.data(), static_cast<std::size_t>(n))).parent_path();
}

std::string last_dl_error() {
  const char* e = ::dlerror();
  return e != nullptr ? std::string(e) : std::string("unknown error");
}

constexpr const char* k_what_to_do =
    "install it from the same build as the binary (scripts/build.sh builds both; the image has "
    "it in /app/lib/model-monitor)";

} // namespace

std::vector<std::filesystem::path>
parquet_module_candidates(const std::filesystem::path& binary_dir) {
  return {binary_dir / k_parquet_module_file,
          (binary_dir / ".." / "lib" / "model-monitor" / k_parquet_module_file).lexically_normal()};
}

Result<const ParquetModuleV1*> load_parquet_module_from(const std::filesystem::path& file) {
  // RTLD_LOCAL: the module's symbols (its own copy of mm_core) never interpose on ours.
  // RTLD_NOW: a missing libarrow symbol fails here, with dlerror's message, not mid-retrain.
  ::dlerror();
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return Error::config(fmt::format(
        "cannot load the Parquet module {} (needed to write and read training datasets): {}; "
        "if a libarrow/libparquet library is missing, the Python venv with pyarrow that the "
        "module was built against is not there (scripts/setup.sh creates it), otherwise {}",
        file.string(), last_dl_error(), k_what_to_do));
  }
  ::dlerror();
  void* symbol = ::dlsym(handle, k_parquet_module_entry);
  if (symbol == nullptr) {
    return Error::config(fmt::format("{} is not a model-monitor Parquet module (no {}: {}); {}",
                                     file.string(), k_parquet_module_entry, last_dl_error(),
                                     k_what_to_do));
  }
  // POSIX guarantees that a dlsym result converts to a function pointer.
  const auto entry = reinterpret_cast<const ParquetModuleV1* (*)() noexcept>(symbol);
  const ParquetModuleV1* module = entry();
  if (module == nullptr || module->abi_version != k_parquet_module_abi_version ||
      module->fingerprint != k_parquet_module_fingerprint) {
    return Error::config(
        fmt::format("the Parquet module {} comes from another build than this binary (interface {} "
                    "fingerprint {:016x}, expected {} {:016x}); {}",
                    file.string(), module != nullptr ? module->abi_version : 0U,
                    module != nullptr ? module->fingerprint : 0U, k_parquet_module_abi_version,
                    k_parquet_module_fingerprint, k_what_to_do));
  }
  if (module->make_store == nullptr || module->read_dataset == nullptr) {
    return Error::internal(fmt::format("the Parquet module {} has an empty entry", file.string()));
  }
  return module;
}

Result<const ParquetModuleV1*> load_parquet_module() {
  static std::mutex mutex;
  static const ParquetModuleV1* loaded = nullptr;
  const std::lock_guard lock(mutex);
  if (loaded != nullptr) {
    return loaded;
  }
  const std::vector<std::filesystem::path> candidates = parquet_module_candidates(binary_dir());
  std::string looked;
  for (const auto& file : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
      auto module = load_parquet_module_from(file);
      if (module) {
        loaded = *module;
      }
      return module;
    }
    looked += (looked.empty() ? "" : ", ") + file.string();
  }
  return Error::config(fmt::format("the Parquet module {} (needed to write and read training "
                                   "datasets) is not installed: looked for {}; {}",
                                   k_parquet_module_file, looked, k_what_to_do));
}

Result<std::unique_ptr<DatasetStore>>
make_parquet_dataset_store(const std::filesystem::path& data_dir,
                           std::function<void(const std::string&)> on_warning) {
  auto module = load_parquet_module();
  if (!module) {
    return std::move(module).error();
  }
  return (*module)->make_store(data_dir, std::move(on_warning));
}

Result<DatasetReadReport> read_dataset_with_module(const std::filesystem::path& path) {
  auto module = load_parquet_module();
  if (!module) {
    return std::move(module).error();
  }
  return (*module)->read_dataset(path);
}

} // namespace mm
