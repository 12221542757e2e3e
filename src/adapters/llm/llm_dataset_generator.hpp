#pragma once
// DatasetGenerator that asks an LLM for labelled plan records (DESIGN §5), in batches sent by a
// bounded number of workers, until DATASET_NUM_SAMPLES rows are accepted, a budget of requests
// is spent, or DATASET_GENERATION_TIMEOUT passes.
//
// - Each worker thread owns one LlmClient from the factory (LlmClient is not thread-safe).
// - A batch asks only for the rows still missing (rows accepted and rows asked by batches in
//   flight count), so workers do not overshoot; a batch that brings fewer usable rows leaves
//   rows missing and a later batch asks for them. The budget is attempts_factor × the batches
//   the target needs: a model that keeps writing unusable records cannot loop forever.
// - Every record goes through parse_generated_records (drops counted by reason) and then an
//   exact-duplicate check across all batches (dropped_duplicate).
// - The deadline: no batch starts after it; the clients get it too (make_llm_client's deadline),
//   so a request in flight is cut at it instead of running its own timeouts and retries out.
//   The report then says timed_out, with whatever was accepted.
// - A config error (bad key, unknown model: HTTP 401/404/400) stops every worker at once:
//   no other batch can succeed.
// - An error only when no row at all was accepted; it says why (every batch failed and how,
//   every record was invalid and why, the deadline, the configuration).
//
// The rows may exceed num_samples by what a model writes beyond the count a batch asked for:
// valid rows are kept rather than silently discarded.

#include "adapters/llm/llm_transport.hpp"
#include "adapters/llm/prompt_templates.hpp"
#include "ports/dataset_generator.hpp"
#include "ports/llm_client.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mm {

// Builds one client bounded by the generation deadline; called once per worker thread.
using LlmClientFactory =
    std::function<Result<std::unique_ptr<LlmClient>>(std::optional<SteadyTime> deadline)>;

// An upper bound of the output tokens one record takes: 26 "name": value pairs and a label are
// ~200 tokens in the tokenizers of GPT-4o, Claude and Llama; 300 leaves room for spacing.
inline constexpr int k_tokens_per_record = 300;
inline constexpr int k_token_margin = 400;

struct LlmGeneratorOptions {
  std::string provider; // LLM_PROVIDER, for the dataset metadata
  std::string model;    // LLM_MODEL, for the dataset metadata
  double temperature = 0.7;
  // 12 records ≈ 4000 output tokens: fits the smallest output limit among the supported models
  // (4096: Claude 3 Haiku, and llama2's whole context), so a batch is not cut by max_tokens.
  int batch_size = 12;
  int max_concurrency = 4; // LLM_MAX_CONCURRENCY
  int max_tokens = 0;      // per request; 0: k_tokens_per_record × rows asked + k_token_margin
  int attempts_factor = 3;
  // Base of the per-batch seeds written into the prompt; nullopt: a random one per run.
  std::optional<std::uint64_t> seed;
};

class LlmDatasetGenerator final : public DatasetGenerator {
public:
  LlmDatasetGenerator(LlmClientFactory factory, PromptTemplates templates,
                      LlmGeneratorOptions options);

  Result<GenerationReport> generate(const GenerationRequest& request) override;

private:
  LlmClientFactory m_factory;
  PromptTemplates m_templates;
  LlmGeneratorOptions m_options;
};

} // namespace mm
