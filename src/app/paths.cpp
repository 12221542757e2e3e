#include "app/paths.hpp"

#include <array>
#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

namespace mm {

namespace {

std::filesystem::path binary_dir() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) {
    return std::filesystem::current_path();
  }
  return std::filesystem::path(std::string(buf.data(), static_cast<size_t>(n))).parent_path();
}

} // namespace

Result<std::filesystem::path> resolve_prompts_dir(const std::string& configured) {
  std::error_code ec;
  if (!configured.empty()) {
    if (!std::filesystem::is_directory(configured, ec)) {
      return Error::config(fmt::format("PROMPTS_DIR='{}' is not a directory", configured));
    }
    return std::filesystem::path(configured);
  }
  const std::filesystem::path bin = binary_dir();
  for (const auto& candidate :
       {std::filesystem::current_path(ec) / "prompts", bin / ".." / "prompts",
        bin / ".." / ".." / "prompts", std::filesystem::path("/app/prompts")}) {
    if (std::filesystem::is_regular_file(candidate / "dataset_system.txt", ec)) {
      return std::filesystem::weakly_canonical(candidate, ec);
    }
  }
  return Error::config("cannot find the prompt templates (prompts/dataset_system.txt): set "
                       "PROMPTS_DIR to the repository's prompts/ folder");
}

std::string resolve_project_uri(const std::string& configured) {
  if (configured.find("://") != std::string::npos || configured.starts_with("git@")) {
    return configured;
  }
  std::error_code ec;
  const std::filesystem::path p(configured);
  if (p.is_absolute()) {
    return configured;
  }
  const std::filesystem::path bin = binary_dir();
  for (const auto& base : {std::filesystem::current_path(ec), bin / "..", bin / ".." / "..",
                           std::filesystem::path("/app")}) {
    if (std::filesystem::is_regular_file(base / p / "MLproject", ec)) {
      return std::filesystem::weakly_canonical(base / p, ec).string();
    }
  }
  return std::filesystem::absolute(p, ec).string();
}

std::map<std::string, std::string> training_environment(const Config& config) {
  std::map<std::string, std::string> env = {
      {"MLFLOW_TRACKING_URI", config.mlflow_tracking_uri},
      {"MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true"},
  };
  const std::filesystem::path cli(config.mlflow_cli);
  if (cli.has_parent_path()) {
    const char* path = std::getenv("PATH"); // NOLINT(concurrency-mt-unsafe): read at start-up
    env["PATH"] = cli.parent_path().string() + (path != nullptr ? std::string(":") + path : "");
  }
  return env;
}

} // namespace mm
