#include "adapters/llm/llm_dataset_generator.hpp"

#include "adapters/llm/generated_records.hpp"
#include "adapters/llm/llm_common.hpp"
#include "core/plan_features.hpp"
#include "core/specialist.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace mm {

namespace {

using Clock = std::chrono::steady_clock;

struct Batch {
  int index = 0; // 1-based, in the order batches were started
  int rows = 0;  // rows asked for
};

// The state the workers share, behind one mutex.
class GenerationRun {
public:
  GenerationRun(const LlmClientFactory& factory, const PromptTemplates& templates,
                const LlmGeneratorOptions& options, const GenerationRequest& request,
                SteadyTime deadline, std::uint64_t base_seed)
      : m_factory(factory), m_templates(templates), m_options(options), m_request(request),
        m_deadline(deadline), m_base_seed(base_seed) {
    const int needed = (request.num_samples + options.batch_size - 1) / options.batch_size;
    m_budget = std::max(1, needed * std::max(1, options.attempts_factor));
    m_report.requested = request.num_samples;
  }

  int budget() const noexcept { return m_budget; }

  void work() {
    try {
      auto client = m_factory(m_deadline);
      if (!client) {
        stop_with(std::move(client).error());
        return;
      }
      while (const auto batch = next_batch()) {
        run_batch(*client.value(), *batch);
      }
    } catch (const std::exception& e) {
      stop_with(Error::internal(std::string("dataset generation worker failed: ") + e.what()));
    }
  }

  Result<GenerationReport> finish(Clock::time_point started) {
    m_report.duration_s = std::chrono::duration<double>(Clock::now() - started).count();
    m_report.accepted = static_cast<int>(m_report.dataset.rows.size());
    m_report.timed_out = m_timed_out && m_report.accepted < m_request.num_samples;
    if (m_report.accepted > 0) {
      return std::move(m_report);
    }
    return why_nothing();
  }

private:
  std::optional<Batch> next_batch() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      const int accepted = static_cast<int>(m_report.dataset.rows.size());
      if (m_stop || accepted >= m_request.num_samples || m_issued >= m_budget) {
        return std::nullopt;
      }
      if (Clock::now() >= m_deadline) {
        m_timed_out = true;
        m_stop = true;
        m_changed.notify_all();
        return std::nullopt;
      }
      const int missing = m_request.num_samples - accepted - m_rows_in_flight;
      if (missing > 0) {
        const Batch batch{++m_issued, std::min(m_options.batch_size, missing)};
        m_rows_in_flight += batch.rows;
        return batch;
      }
      // The batches in flight ask for every missing row; wait for them in case they fall short.
      m_changed.wait_until(lock, m_deadline);
    }
  }

  void run_batch(LlmClient& client, const Batch& batch) {
    const int max_tokens = m_options.max_tokens > 0
                               ? m_options.max_tokens
                               : k_tokens_per_record * batch.rows + k_token_margin;
    auto prompt = render_batch_prompt(m_templates, m_request.specialist_type, batch.rows,
                                      m_base_seed + static_cast<std::uint64_t>(batch.index),
                                      m_options.temperature, max_tokens);
    if (!prompt) {
      end_batch(batch, std::move(prompt).error());
      return;
    }
    auto completion = client.complete(prompt.value());
    if (!completion) {
      end_batch(batch, std::move(completion).error());
      return;
    }
    // Parsing is pure and may take a while for a long answer: outside the lock.
    ParsedRecords parsed = parse_generated_records(completion->text);
    std::string note;
    if (is_truncated_finish(completion->finish_reason)) {
      note = fmt::format("batch {}: answer cut at the output token limit (finish reason '{}'); "
                         "{} complete records kept",
                         batch.index, printable_line(completion->finish_reason, 40),
                         parsed.records.size());
    }
    end_batch(batch, std::move(parsed), note);
  }

  void end_batch(const Batch& batch, Error error) {
    const std::lock_guard lock(m_mutex);
    m_rows_in_flight -= batch.rows;
    ++m_report.batches_failed;
    example(fmt::format("batch {} failed: {}", batch.index, error.message));
    if (error.kind == ErrorKind::config || error.kind == ErrorKind::internal) {
      // Every other batch would fail the same way.
      m_stop = true;
      if (!m_fatal) {
        m_fatal = error;
      }
    }
    if (Clock::now() >= m_deadline) {
      m_timed_out = true;
    }
    m_last_error = std::move(error);
    m_changed.notify_all();
  }

  void end_batch(const Batch& batch, ParsedRecords parsed, const std::string& note) {
    const auto now = std::chrono::system_clock::now();
    const std::lock_guard lock(m_mutex);
    m_rows_in_flight -= batch.rows;
    m_records_seen += static_cast<int>(parsed.records.size()) + parsed.drops.schema +
                      parsed.drops.label + parsed.drops.implausible;
    m_report.dropped_not_json += parsed.drops.not_json;
    m_report.dropped_schema += parsed.drops.schema;
    m_report.dropped_label += parsed.drops.label;
    m_report.dropped_implausible += parsed.drops.implausible;
    if (!note.empty()) {
      example(note);
    }
    for (const std::string& reason : parsed.drops.examples) {
      example(fmt::format("batch {}: {}", batch.index, reason));
    }
    for (const GeneratedRecord& record : parsed.records) {
      // The parser already refused implausible records; the screen also remembers every kept
      // row, so a record repeating one of another batch is dropped too.
      if (auto refusal = m_screen.admit(record.features)) {
        ++(refusal->kind == GeneratedRowScreen::Drop::duplicate ? m_report.dropped_duplicate
                                                                : m_report.dropped_implausible);
        continue;
      }
      m_report.dataset.rows.push_back({record.features, record.label, RowSource::llm, now});
    }
    m_changed.notify_all();
  }

  void stop_with(Error error) {
    const std::lock_guard lock(m_mutex);
    m_stop = true;
    if (!m_fatal) {
      m_fatal = std::move(error);
    }
    m_changed.notify_all();
  }

  // Under the lock.
  void example(std::string text) {
    if (m_report.examples_of_drops.size() < k_max_drop_examples) {
      m_report.examples_of_drops.push_back(printable_line(text, 300));
    }
  }

  Error why_nothing() const {
    const std::string what = "dataset generation for '" + m_request.specialist_type + "'";
    if (m_fatal) {
      return Error{m_fatal->kind, what + " stopped: " + m_fatal->message};
    }
    const std::string sent =
        fmt::format("{} batches sent, {} failed", m_issued, m_report.batches_failed);
    if (m_timed_out) {
      return Error::timeout(fmt::format(
          "{}: DATASET_GENERATION_TIMEOUT ({} s) passed before any row was accepted ({}){}", what,
          m_request.timeout.count(), sent,
          m_last_error ? "; last error: " + m_last_error->message : std::string()));
    }
    if (m_report.batches_failed == m_issued && m_last_error) {
      return Error{m_last_error->kind,
                   fmt::format("{}: every one of the {} batches failed; the last with: {}", what,
                               m_issued, m_last_error->message)};
    }
    std::string message = fmt::format(
        "{}: no usable row in the answers ({}; {} records read): {} answers or parts not JSON, "
        "{} records with wrong fields, {} with an unknown label, {} implausible, {} duplicates",
        what, sent, m_records_seen, m_report.dropped_not_json, m_report.dropped_schema,
        m_report.dropped_label, m_report.dropped_implausible, m_report.dropped_duplicate);
    if (!m_report.examples_of_drops.empty()) {
      message += "; e.g. " + m_report.examples_of_drops.front();
    }
    return Error::bad_response(message + "; check LLM_MODEL (a model that follows JSON "
                                         "instructions) and the prompt templates");
  }

  const LlmClientFactory& m_factory;
  const PromptTemplates& m_templates;
  const LlmGeneratorOptions& m_options;
  const GenerationRequest& m_request;
  const SteadyTime m_deadline;
  const std::uint64_t m_base_seed;
  int m_budget = 1;

  std::mutex m_mutex;
  std::condition_variable m_changed;
  GenerationReport m_report;
  GeneratedRowScreen m_screen; // under m_mutex
  int m_issued = 0;
  int m_rows_in_flight = 0;
  int m_records_seen = 0;
  bool m_stop = false;
  bool m_timed_out = false;
  std::optional<Error> m_fatal;
  std::optional<Error> m_last_error;
};

std::uint64_t random_seed() {
  std::random_device device;
  return (std::uint64_t{device()} << 32U) ^ std::uint64_t{device()};
}

Status check_request(const GenerationRequest& request, const LlmGeneratorOptions& options) {
  if (!is_valid_specialist_type(request.specialist_type)) {
    return Error::config("specialist type '" + printable_line(request.specialist_type, 64) +
                         "' is not valid");
  }
  if (request.num_samples < 1) {
    return Error::config("DATASET_NUM_SAMPLES must be at least 1, got " +
                         std::to_string(request.num_samples));
  }
  if (request.timeout.count() <= 0) {
    return Error::config("DATASET_GENERATION_TIMEOUT must be positive, got " +
                         std::to_string(request.timeout.count()));
  }
  if (options.batch_size < 1 || options.max_concurrency < 1) {
    return Error::config(fmt::format("LLM generator needs a batch size and LLM_MAX_CONCURRENCY of "
                                     "at least 1 (got {} and {})",
                                     options.batch_size, options.max_concurrency));
  }
  return ok_status();
}

} // namespace

LlmDatasetGenerator::LlmDatasetGenerator(LlmClientFactory factory, PromptTemplates templates,
                                         LlmGeneratorOptions options)
    : m_factory(std::move(factory)), m_templates(std::move(templates)),
      m_options(std::move(options)) {}

Result<GenerationReport> LlmDatasetGenerator::generate(const GenerationRequest& request) {
  if (auto checked = check_request(request, m_options); !checked) {
    return std::move(checked).error();
  }
  if (auto checked = check_templates(m_templates); !checked) {
    return std::move(checked).error();
  }
  const auto started = Clock::now();
  const SteadyTime deadline = started + request.timeout;
  GenerationRun run(m_factory, m_templates, m_options, request, deadline,
                    m_options.seed.value_or(random_seed()));
  {
    const int workers = std::min(m_options.max_concurrency, run.budget());
    std::vector<std::jthread> threads;
    threads.reserve(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i) {
      threads.emplace_back([&run] { run.work(); });
    }
  } // joined here
  auto report = run.finish(started);
  if (!report) {
    return report;
  }
  DatasetMetadata& metadata = report->dataset.metadata;
  metadata.specialist_type = request.specialist_type;
  metadata.provider = m_options.provider;
  metadata.model = m_options.model;
  metadata.temperature = m_options.temperature;
  metadata.prompt_hash =
      prompt_hash(m_templates, {request.specialist_type, m_options.provider, m_options.model,
                                m_options.temperature, m_options.batch_size});
  return report;
}

} // namespace mm
