#include "adapters/llm/llm_dataset_generator.hpp"
#include "unit/llm/llm_test_records.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <regex>
#include <thread>

namespace mm {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

PromptTemplates repo_templates() {
  auto loaded = load_prompt_templates(std::filesystem::path(MM_SOURCE_DIR) / "prompts");
  EXPECT_TRUE(loaded);
  return loaded ? loaded.value() : PromptTemplates{};
}

struct Ask {
  int rows = 0;
  std::uint64_t seed = 0;
  int max_tokens = 0;
};

// An LlmClient whose answers a test scripts, reading the batch size and seed from the prompt
// as a model would; it counts calls and how many run at once.
class FakeModel {
public:
  using Answer = std::function<Result<LlmCompletion>(const Ask&)>;

  explicit FakeModel(Answer answer) : m_answer(std::move(answer)) {}

  LlmClientFactory factory() {
    return [this](std::optional<SteadyTime> deadline) -> Result<std::unique_ptr<LlmClient>> {
      {
        const std::lock_guard lock(m_mutex);
        m_deadlines.push_back(deadline);
      }
      return std::unique_ptr<LlmClient>(std::make_unique<Client>(*this));
    };
  }

  int calls() const { return m_calls; }
  int max_active() const { return m_max_active; }
  std::vector<Ask> asks() const {
    const std::lock_guard lock(m_mutex);
    return m_asks;
  }
  std::vector<std::optional<SteadyTime>> deadlines() const {
    const std::lock_guard lock(m_mutex);
    return m_deadlines;
  }

private:
  class Client final : public LlmClient {
  public:
    explicit Client(FakeModel& model) : m_model(model) {}
    Result<LlmCompletion> complete(const LlmPrompt& prompt) override {
      return m_model.call(prompt);
    }

  private:
    FakeModel& m_model;
  };

  Result<LlmCompletion> call(const LlmPrompt& prompt) {
    static const std::regex k_rows("Generate exactly (\\d+) new records");
    static const std::regex k_seed("Variety seed: (\\d+)");
    std::smatch rows;
    std::smatch seed;
    Ask ask;
    if (std::regex_search(prompt.user, rows, k_rows)) {
      ask.rows = std::stoi(rows[1]);
    }
    if (std::regex_search(prompt.user, seed, k_seed)) {
      ask.seed = std::stoull(seed[1]);
    }
    ask.max_tokens = prompt.max_tokens;
    {
      const std::lock_guard lock(m_mutex);
      m_asks.push_back(ask);
    }
    ++m_calls;
    const int active = ++m_active;
    int seen = m_max_active.load();
    while (active > seen && !m_max_active.compare_exchange_weak(seen, active)) {
    }
    auto answer = m_answer(ask);
    --m_active;
    return answer;
  }

  Answer m_answer;
  mutable std::mutex m_mutex;
  std::vector<Ask> m_asks;
  std::vector<std::optional<SteadyTime>> m_deadlines;
  std::atomic<int> m_calls{0};
  std::atomic<int> m_active{0};
  std::atomic<int> m_max_active{0};
};

LlmCompletion text(std::string t, std::string finish = "stop") {
  LlmCompletion c;
  c.text = std::move(t);
  c.finish_reason = std::move(finish);
  c.model = "fake";
  return c;
}

constexpr std::uint64_t k_seed = 1000;

LlmGeneratorOptions options(int batch, int concurrency) {
  LlmGeneratorOptions o;
  o.provider = "openai";
  o.model = "gpt-4o-mini";
  o.temperature = 0.7;
  o.batch_size = batch;
  o.max_concurrency = concurrency;
  o.seed = k_seed;
  return o;
}

GenerationRequest request(int samples, std::chrono::seconds timeout = 60s) {
  return {"technical", samples, timeout};
}

// Distinct records per batch: the seed picks the variants.
Result<LlmCompletion> unique_rows(const Ask& ask) {
  std::this_thread::sleep_for(20ms); // long enough for the workers to overlap
  return text(test::records_answer(ask.rows, static_cast<int>(ask.seed) * 100));
}

TEST(LlmDatasetGenerator, ReachesTheTargetWithBoundedConcurrencyAndProvenance) {
  FakeModel model(unique_rows);
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(12, 3));
  const auto before = std::chrono::system_clock::now();
  const auto report = generator.generate(request(50));
  const auto after = std::chrono::system_clock::now();
  ASSERT_TRUE(report) << report.error().message;

  EXPECT_EQ(report->requested, 50);
  EXPECT_EQ(report->accepted, 50);
  ASSERT_EQ(report->dataset.rows.size(), 50U);
  EXPECT_EQ(model.calls(), 5); // 12 + 12 + 12 + 12 + 2: only missing rows are asked for
  EXPECT_LE(model.max_active(), 3);
  EXPECT_GE(model.max_active(), 2);
  EXPECT_EQ(model.deadlines().size(), 3U); // one client per worker
  EXPECT_EQ(report->batches_failed, 0);
  EXPECT_EQ(report->dropped_not_json + report->dropped_schema + report->dropped_label +
                report->dropped_implausible + report->dropped_duplicate,
            0);
  EXPECT_FALSE(report->timed_out);
  EXPECT_GT(report->duration_s, 0.0);

  for (const TrainingRow& row : report->dataset.rows) {
    EXPECT_EQ(row.source, RowSource::llm);
    EXPECT_EQ(row.label, 1); // "approve"
    EXPECT_GE(row.created_at, before);
    EXPECT_LE(row.created_at, after);
  }
  const DatasetMetadata& m = report->dataset.metadata;
  EXPECT_EQ(m.specialist_type, "technical");
  EXPECT_EQ(m.provider, "openai");
  EXPECT_EQ(m.model, "gpt-4o-mini");
  EXPECT_DOUBLE_EQ(m.temperature, 0.7);
  EXPECT_EQ(m.prompt_hash,
            prompt_hash(repo_templates(), {"technical", "openai", "gpt-4o-mini", 0.7, 12}));

  // Seeds differ per batch; output limits follow the rows asked.
  std::set<std::uint64_t> seeds;
  for (const Ask& ask : model.asks()) {
    seeds.insert(ask.seed);
    EXPECT_EQ(ask.max_tokens, k_tokens_per_record * ask.rows + k_token_margin);
  }
  EXPECT_EQ(seeds.size(), 5U);
}

TEST(LlmDatasetGenerator, DuplicatesAcrossBatchesAreDroppedAndReplaced) {
  // Batches 2 and 3 repeat batch 1 exactly.
  FakeModel model([](const Ask& ask) -> Result<LlmCompletion> {
    const int batch = static_cast<int>(ask.seed - k_seed);
    return text(test::records_answer(ask.rows, batch <= 3 ? 0 : batch * 100));
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 1));
  const auto report = generator.generate(request(30));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->accepted, 30);
  EXPECT_EQ(report->dropped_duplicate, 20);
  EXPECT_EQ(model.calls(), 5);
}

TEST(LlmDatasetGenerator, TheAttemptBudgetEndsAModelThatKeepsFailingRecords) {
  // Every record at an even position has an unknown label.
  FakeModel model([](const Ask& ask) -> Result<LlmCompletion> {
    Json records = Json::array();
    for (int i = 0; i < ask.rows; ++i) {
      records.push_back(test::plan_record(static_cast<int>(ask.seed) * 100 + i,
                                          i % 2 == 0 ? "maybe" : "approve"));
    }
    return text(Json{{"records", records}}.dump());
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 1));
  const auto report = generator.generate(request(20));
  ASSERT_TRUE(report) << report.error().message;
  // Budget: 3 × 2 batches. Asked 10, 10, 10, 5, 3, 2 → usable 5, 5, 5, 2, 1, 1.
  EXPECT_EQ(model.calls(), 6);
  EXPECT_EQ(report->accepted, 19);
  EXPECT_EQ(report->dropped_label, 21);
  EXPECT_FALSE(report->timed_out);
  ASSERT_FALSE(report->examples_of_drops.empty());
  EXPECT_NE(report->examples_of_drops[0].find("unknown label 'maybe'"), std::string::npos);
}

TEST(LlmDatasetGenerator, ValidRowsBeyondTheTargetAreKept) {
  FakeModel model([](const Ask& ask) -> Result<LlmCompletion> {
    return text(test::records_answer(ask.rows + 2, 0));
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 1));
  const auto report = generator.generate(request(10));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->accepted, 12);
  EXPECT_EQ(model.calls(), 1);
}

TEST(LlmDatasetGenerator, AConfigErrorStopsEveryWorkerAndIsReturned) {
  FakeModel model([](const Ask&) -> Result<LlmCompletion> {
    std::this_thread::sleep_for(10ms);
    return Error::config("POST https://api.openai.com/v1/chat/completions: OpenAI answered HTTP "
                         "401 invalid_request_error (invalid_api_key); check OPENAI_API_KEY");
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 4));
  const auto report = generator.generate(request(1000));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::config);
  EXPECT_NE(report.error().message.find("check OPENAI_API_KEY"), std::string::npos);
  EXPECT_NE(report.error().message.find("'technical'"), std::string::npos);
  EXPECT_LE(model.calls(), 4); // no worker starts another batch after the first 401
}

TEST(LlmDatasetGenerator, EveryBatchFailingIsAnErrorOfThatKind) {
  FakeModel model([](const Ask&) -> Result<LlmCompletion> {
    return Error::unavailable("POST http://ollama:11434/api/chat: HTTP 503 (after 4 attempts)");
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 2));
  const auto report = generator.generate(request(20));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::unavailable);
  EXPECT_NE(report.error().message.find("every one of the 6 batches failed"), std::string::npos)
      << report.error().message;
  EXPECT_EQ(model.calls(), 6);
}

TEST(LlmDatasetGenerator, SomeBatchesFailingStillGivesADataset) {
  FakeModel model([](const Ask& ask) -> Result<LlmCompletion> {
    if ((ask.seed - k_seed) % 2 == 1) {
      return Error::bad_response("the model refused: no");
    }
    return text(test::records_answer(ask.rows, static_cast<int>(ask.seed) * 100));
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 1));
  const auto report = generator.generate(request(30));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->accepted, 30);
  EXPECT_EQ(report->batches_failed, 3);
  EXPECT_NE(report->examples_of_drops.at(0).find("batch 1 failed: the model refused"),
            std::string::npos);
}

TEST(LlmDatasetGenerator, NothingUsableIsABadResponseSayingWhy) {
  FakeModel model([](const Ask&) -> Result<LlmCompletion> {
    return text("I'm sorry, I can only describe plans in words.");
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 2));
  const auto report = generator.generate(request(20));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::bad_response);
  EXPECT_NE(report.error().message.find("6 answers or parts not JSON"), std::string::npos)
      << report.error().message;
}

TEST(LlmDatasetGenerator, TruncatedAnswersAreSalvagedAndSaidSo) {
  FakeModel model([](const Ask& ask) -> Result<LlmCompletion> {
    // Cut inside the last record: "}]}" closes the answer, 30 bytes reach into the record.
    const std::string full = test::records_answer(ask.rows, static_cast<int>(ask.seed) * 100);
    return text(full.substr(0, full.size() - 30), "length");
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(8, 1));
  const auto report = generator.generate(request(8));
  ASSERT_TRUE(report) << report.error().message;
  // Asked 8, 1, 1 (budget 3): kept 7, 0, 0; each answer's last record is cut.
  EXPECT_EQ(model.calls(), 3);
  EXPECT_EQ(report->accepted, 7);
  EXPECT_EQ(report->dropped_not_json, 3);
  EXPECT_NE(report->examples_of_drops.at(0).find("output token limit"), std::string::npos);
}

TEST(LlmDatasetGenerator, TheDeadlineStopsGenerationWithWhatWasAccepted) {
  FakeModel model([](const Ask& ask) -> Result<LlmCompletion> {
    std::this_thread::sleep_for(300ms);
    return text(test::records_answer(ask.rows, static_cast<int>(ask.seed) * 100));
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 2));
  const auto started = std::chrono::steady_clock::now();
  const auto report = generator.generate(request(1000, 1s));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->timed_out);
  EXPECT_GT(report->accepted, 0);
  EXPECT_LT(report->accepted, 1000);
  EXPECT_LT(took, 2s);
  for (const auto& deadline : model.deadlines()) {
    ASSERT_TRUE(deadline.has_value()); // the clients are told, to cut their own waits
    EXPECT_LE(*deadline, started + 1s + 50ms);
  }
}

TEST(LlmDatasetGenerator, TheDeadlineWithNothingAcceptedIsATimeout) {
  FakeModel model([](const Ask&) -> Result<LlmCompletion> {
    std::this_thread::sleep_for(1100ms);
    return Error::timeout("POST http://o/api/chat: no answer in time");
  });
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 2));
  const auto report = generator.generate(request(100, 1s));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::timeout);
  EXPECT_NE(report.error().message.find("DATASET_GENERATION_TIMEOUT (1 s)"), std::string::npos)
      << report.error().message;
}

TEST(LlmDatasetGenerator, AFactoryErrorIsReturned) {
  LlmClientFactory factory = [](std::optional<SteadyTime>) -> Result<std::unique_ptr<LlmClient>> {
    return Error::config("ANTHROPIC_API_KEY is not set; the Anthropic API requires it");
  };
  LlmDatasetGenerator generator(factory, repo_templates(), options(10, 3));
  const auto report = generator.generate(request(10));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::config);
  EXPECT_NE(report.error().message.find("ANTHROPIC_API_KEY"), std::string::npos);
}

TEST(LlmDatasetGenerator, InvalidRequestsAreConfigErrorsBeforeAnyCall) {
  FakeModel model(unique_rows);
  LlmDatasetGenerator generator(model.factory(), repo_templates(), options(10, 1));
  for (const GenerationRequest& bad :
       {GenerationRequest{"technical", 0, 60s}, GenerationRequest{"Bad Type", 10, 60s},
        GenerationRequest{"../etc", 10, 60s}, GenerationRequest{"technical", 10, 0s}}) {
    const auto report = generator.generate(bad);
    ASSERT_FALSE(report) << bad.specialist_type;
    EXPECT_EQ(report.error().kind, ErrorKind::config);
  }
  EXPECT_EQ(model.calls(), 0);

  LlmDatasetGenerator broken(model.factory(), PromptTemplates{"{{nope}}", "x", "t"},
                             options(10, 1));
  EXPECT_FALSE(broken.generate(request(10)));
  EXPECT_EQ(model.calls(), 0);
}

TEST(LlmDatasetGenerator, AFixedMaxTokensIsUsedAsIs) {
  FakeModel model(unique_rows);
  LlmGeneratorOptions o = options(10, 1);
  o.max_tokens = 777;
  LlmDatasetGenerator generator(model.factory(), repo_templates(), o);
  ASSERT_TRUE(generator.generate(request(10)));
  ASSERT_EQ(model.asks().size(), 1U);
  EXPECT_EQ(model.asks()[0].max_tokens, 777);
}

} // namespace
} // namespace mm
