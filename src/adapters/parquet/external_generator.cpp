#include "adapters/parquet/external_generator.hpp"

#include "adapters/parquet/parquet_module.hpp"
#include "adapters/process/spawn.hpp"
#include "core/plan_features.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mm {

ExternalCommandGenerator::ExternalCommandGenerator(std::string command,
                                                   std::filesystem::path scratch_dir, Reader reader)
    : m_command(std::move(command)), m_scratch_dir(std::move(scratch_dir)),
      m_reader(reader ? std::move(reader) : Reader(&read_dataset_with_module)) {}

Result<GenerationReport> ExternalCommandGenerator::generate(const GenerationRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  std::filesystem::create_directories(m_scratch_dir, ec);
  const std::filesystem::path output =
      m_scratch_dir / fmt::format("external-{}-{}.parquet", request.specialist_type, ::getpid());
  std::filesystem::remove(output, ec);
  const std::filesystem::path log = std::filesystem::path(output).replace_extension(".log");

  const process::Spawned child = process::spawn_in_own_group(
      {{"/bin/sh", "-c", m_command},
       process::environment_with({{"MM_DATASET_OUTPUT", output.string()},
                                  {"MM_SPECIALIST_TYPE", request.specialist_type},
                                  {"MM_DATASET_NUM_SAMPLES", std::to_string(request.num_samples)}}),
       log});
  if (child.error != 0) {
    return Error::config(
        fmt::format("cannot run DATASET_GENERATOR_COMMAND: {}", std::strerror(child.error)));
  }
  const pid_t pid = child.pid;
  const auto deadline = started + request.timeout;
  int status = 0;
  bool timed_out = false;
  while (true) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (timed_out) {
    return Error::timeout(fmt::format(
        "DATASET_GENERATOR_COMMAND did not finish within DATASET_GENERATION_TIMEOUT={} s and was "
        "killed; its output is in {}",
        request.timeout.count(), log.string()));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error::bad_response(fmt::format(
        "DATASET_GENERATOR_COMMAND failed (exit status {}); its output is in {}",
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), log.string()));
  }
  if (!std::filesystem::exists(output, ec)) {
    return Error::bad_response(fmt::format(
        "DATASET_GENERATOR_COMMAND exited 0 but wrote nothing at MM_DATASET_OUTPUT ({}): it must "
        "write a Parquet file of the DESIGN §5 schema there; its output is in {}",
        output.string(), log.string()));
  }
  Result<DatasetReadReport> read = m_reader(output);
  if (!read && read.error().kind == ErrorKind::config) {
    return std::move(read).error(); // the Parquet module is missing: not the command's fault
  }
  if (!read) {
    return Error::bad_response(fmt::format("DATASET_GENERATOR_COMMAND wrote no valid dataset at "
                                           "MM_DATASET_OUTPUT: {}",
                                           read.error().message));
  }
  const std::size_t rows_read = read->dataset.rows.size();
  ScreenedRows screened = screen_generated_rows(std::move(read->dataset.rows), k_max_drop_examples);
  if (screened.kept.empty()) {
    // The file stays where it is, for the team to look at.
    return Error::bad_response(fmt::format(
        "DATASET_GENERATOR_COMMAND wrote no usable row at MM_DATASET_OUTPUT ({}): of {} rows, {} "
        "are implausible plans and {} duplicates; e.g. {}. Rows must be plans as the platform "
        "logs them (ranges and relations of the 26 features: src/core/plan_features.cpp)",
        output.string(), rows_read, screened.implausible, screened.duplicate,
        screened.examples.empty() ? std::string("-") : screened.examples.front()));
  }
  GenerationReport report;
  report.dataset.metadata = std::move(read->dataset.metadata);
  report.dataset.rows = std::move(screened.kept);
  report.dataset.metadata.specialist_type = request.specialist_type;
  if (report.dataset.metadata.provider.empty()) {
    report.dataset.metadata.provider = "external";
  }
  for (auto& row : report.dataset.rows) {
    row.source = RowSource::llm; // generated rows, whatever produced them
  }
  report.requested = request.num_samples;
  report.accepted = static_cast<int>(report.dataset.rows.size());
  report.dropped_implausible = screened.implausible;
  report.dropped_duplicate = screened.duplicate;
  report.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // The drops first, then what the reader noticed (an extra column, a naive timestamp...).
  report.examples_of_drops = std::move(screened.examples);
  for (std::string& warning : read->warnings) {
    if (report.examples_of_drops.size() >= k_max_drop_examples) {
      break;
    }
    report.examples_of_drops.push_back(std::move(warning));
  }
  std::filesystem::remove(output, ec);
  return report;
}

} // namespace mm
