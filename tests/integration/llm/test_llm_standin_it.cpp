// The LLM clients and the dataset generator against scripts/llm_standin.py, which answers with
// each API's documented shapes (also broken ones) and records every request it receives.

#include "adapters/llm/generated_records.hpp"
#include "adapters/llm/llm_client_factory.hpp"
#include "adapters/llm/llm_dataset_generator.hpp"
#include "core/plan_features.hpp"
#include "integration/llm/standin_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace mm {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using test::LlmStandin;
using test::rows_asked;

constexpr const char* k_model = "model-x";
constexpr int k_samples = 60;
constexpr int k_batch = 12;
constexpr int k_budget = 3 * (k_samples / k_batch); // attempts_factor × batches needed
constexpr const char* k_injection_marker = "/tmp/model-monitor-llm-standin-injection-marker";

// Fast retries: the stand-in's faults are immediate. 5 s attempts fit 12 times in the 60 s the
// generations get, so the deadline never trims the 2 retries (llm_transport.hpp).
HttpOptions test_http() {
  HttpOptions o;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 5000;
  o.max_retries = 2;
  o.backoff_factor = 0.0;
  o.backoff_jitter = 0.0;
  o.max_backoff_ms = 1000;
  return o;
}

std::optional<std::string> header(const Json& request, std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [key, value] : request.at("headers").items()) {
    std::string k = key;
    std::transform(k.begin(), k.end(), k.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (k == name) {
      return value.get<std::string>();
    }
  }
  return std::nullopt;
}

int sum_rows(const std::vector<Json>& requests, int (*per_batch)(int)) {
  int total = 0;
  for (const Json& r : requests) {
    total += per_batch(rows_asked(r));
  }
  return total;
}
int half_down(int n) {
  return n / 2;
}
int half_up(int n) {
  return (n + 1) / 2;
}
int all(int n) {
  return n;
}

class LlmProviderIt : public ::testing::TestWithParam<std::string> {
protected:
  const std::string& provider() const { return GetParam(); }

  std::string base_url() const {
    return provider() == "openai" ? m_standin.root_url() + "/v1" : m_standin.root_url();
  }
  std::string key() const {
    if (provider() == "openai") {
      return test::k_standin_openai_key;
    }
    return provider() == "anthropic" ? test::k_standin_anthropic_key : "";
  }
  std::string api_path() const {
    if (provider() == "openai") {
      return "/v1/chat/completions";
    }
    return provider() == "anthropic" ? "/v1/messages" : "/api/chat";
  }

  LlmClientFactory factory(std::string model = k_model, std::optional<std::string> api_key = {}) {
    return [this, model, api_key](std::optional<SteadyTime> deadline) {
      return make_llm_client(provider(), base_url(), model, api_key.value_or(key()), test_http(),
                             deadline);
    };
  }

  Result<GenerationReport> generate(std::chrono::seconds timeout = 60s, std::string model = k_model,
                                    std::optional<std::string> api_key = {}) {
    auto templates = load_prompt_templates(std::filesystem::path(MM_SOURCE_DIR) / "prompts");
    EXPECT_TRUE(templates);
    LlmGeneratorOptions options;
    options.provider = provider();
    options.model = model;
    options.temperature = 0.7;
    options.batch_size = k_batch;
    options.max_concurrency = 3;
    options.seed = 1;
    LlmDatasetGenerator generator(factory(model, std::move(api_key)), templates.value(), options);
    return generator.generate({"technical", k_samples, timeout});
  }

  LlmStandin m_standin;
};

TEST_P(LlmProviderIt, RequestShapeAsRecordedAndAnswerParsed) {
  ASSERT_GT(m_standin.port(), 0);
  auto client = make_llm_client(provider(), base_url(), k_model, key(), test_http());
  ASSERT_TRUE(client) << client.error().message;
  LlmPrompt prompt;
  prompt.system = "Answer with one JSON object.";
  prompt.user = "Generate exactly 2 new records for the \"technical\" specialist. Variety seed: 5.";
  prompt.temperature = 0.3;
  prompt.max_tokens = 900;
  const auto completion = (*client)->complete(prompt);
  ASSERT_TRUE(completion) << completion.error().message;
  EXPECT_EQ(completion->model, k_model);
  EXPECT_GT(completion->input_tokens, 0);
  EXPECT_GT(completion->output_tokens, 0);
  EXPECT_FALSE(is_truncated_finish(completion->finish_reason));
  const auto records = parse_generated_records(completion->text);
  EXPECT_EQ(records.records.size(), 2U);

  const auto requests = m_standin.requests();
  ASSERT_EQ(requests.size(), 1U);
  const Json& r = requests[0];
  EXPECT_EQ(r["method"], "POST");
  EXPECT_EQ(r["path"], api_path());
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  const Json& body = r["body"];
  ASSERT_TRUE(body.is_object()) << r.dump();
  EXPECT_EQ(body["model"], k_model);

  if (provider() == "local") {
    EXPECT_EQ(header(r, "Authorization"), std::nullopt);
    EXPECT_EQ(body["stream"], false);
    EXPECT_EQ(body["format"], "json");
    EXPECT_DOUBLE_EQ(body["options"]["temperature"].get<double>(), 0.3);
    EXPECT_EQ(body["options"]["num_predict"], 900);
    EXPECT_EQ(body["messages"][0], (Json{{"role", "system"}, {"content", prompt.system}}));
    EXPECT_EQ(body["messages"][1], (Json{{"role", "user"}, {"content", prompt.user}}));
  } else if (provider() == "openai") {
    EXPECT_EQ(header(r, "Authorization"), std::string("Bearer ") + test::k_standin_openai_key);
    EXPECT_EQ(header(r, "x-api-key"), std::nullopt);
    EXPECT_EQ(body["response_format"], (Json{{"type", "json_object"}}));
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.3);
    EXPECT_EQ(body["max_tokens"], 900); // not api.openai.com: the widely supported field
    EXPECT_EQ(body["stream"], false);
    EXPECT_EQ(body["messages"][0], (Json{{"role", "system"}, {"content", prompt.system}}));
    EXPECT_EQ(body["messages"][1], (Json{{"role", "user"}, {"content", prompt.user}}));
  } else {
    EXPECT_EQ(header(r, "x-api-key"), test::k_standin_anthropic_key);
    EXPECT_EQ(header(r, "anthropic-version"), "2023-06-01");
    EXPECT_EQ(header(r, "Authorization"), std::nullopt);
    EXPECT_EQ(body["system"], prompt.system);
    EXPECT_EQ(body["messages"], (Json::array({{{"role", "user"}, {"content", prompt.user}}})));
    EXPECT_EQ(body["max_tokens"], 900);
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.3);
  }
}

TEST_P(LlmProviderIt, NormalGenerationReachesTheTarget) {
  ASSERT_GT(m_standin.port(), 0);
  const auto report = generate();
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->accepted, k_samples);
  EXPECT_EQ(report->dropped_not_json + report->dropped_schema + report->dropped_label +
                report->dropped_implausible + report->dropped_duplicate + report->batches_failed,
            0);
  const auto requests = m_standin.requests();
  EXPECT_EQ(requests.size(), static_cast<std::size_t>(k_samples / k_batch));
  EXPECT_EQ(sum_rows(requests, all), k_samples);
  std::set<std::int64_t> labels;
  for (const TrainingRow& row : report->dataset.rows) {
    labels.insert(row.label);
    EXPECT_EQ(implausible_features(row.features), std::nullopt);
  }
  EXPECT_GE(labels.size(), 3U); // the stand-in's labels follow risk: a learnable mix
  EXPECT_EQ(report->dataset.metadata.provider, provider());
  EXPECT_EQ(report->dataset.metadata.model, k_model);
  EXPECT_EQ(report->dataset.metadata.prompt_hash.size(), 64U);
}

TEST_P(LlmProviderIt, TruncatedAnswersKeepTheirCompleteRecords) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("truncated");
  const auto report = generate();
  ASSERT_TRUE(report) << report.error().message;
  const auto requests = m_standin.requests();
  // The stand-in cuts each answer in record N/2: N/2 kept, the cut one counted.
  EXPECT_EQ(report->accepted, sum_rows(requests, half_down));
  EXPECT_EQ(report->dropped_not_json, static_cast<int>(requests.size()));
  EXPECT_EQ(report->batches_failed, 0);
  EXPECT_NE(report->examples_of_drops.at(0).find("output token limit"), std::string::npos);
}

TEST_P(LlmProviderIt, WrongLabelsAreDroppedAndCounted) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("wrong_labels");
  const auto report = generate();
  ASSERT_TRUE(report) << report.error().message;
  const auto requests = m_standin.requests();
  EXPECT_EQ(report->dropped_label, sum_rows(requests, half_up));
  EXPECT_EQ(report->accepted, sum_rows(requests, half_down));
  EXPECT_EQ(report->dropped_schema + report->dropped_not_json, 0);
}

TEST_P(LlmProviderIt, WrongFieldsAreDroppedAndCounted) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("wrong_fields");
  const auto report = generate();
  ASSERT_TRUE(report) << report.error().message;
  const auto requests = m_standin.requests();
  EXPECT_EQ(report->dropped_schema, sum_rows(requests, half_up));
  EXPECT_EQ(report->accepted, sum_rows(requests, half_down));
}

TEST_P(LlmProviderIt, ImplausiblePlansAreDroppedAndCounted) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("implausible");
  const auto report = generate();
  ASSERT_TRUE(report) << report.error().message;
  const auto requests = m_standin.requests();
  EXPECT_EQ(report->dropped_implausible, sum_rows(requests, half_up));
  EXPECT_EQ(report->accepted, sum_rows(requests, half_down));
}

TEST_P(LlmProviderIt, PromptInjectionIsOnlyData) {
  ASSERT_GT(m_standin.port(), 0);
  std::filesystem::remove(k_injection_marker);
  m_standin.set_mode("prompt_injection");
  const auto report = generate();
  ASSERT_TRUE(report) << report.error().message;
  const auto requests = m_standin.requests();
  EXPECT_EQ(report->dropped_label + report->dropped_schema, sum_rows(requests, half_up));
  EXPECT_GT(report->dropped_label, 0);
  EXPECT_GT(report->dropped_schema, 0);
  EXPECT_EQ(report->accepted, sum_rows(requests, half_down));
  EXPECT_FALSE(std::filesystem::exists(k_injection_marker)); // nothing the model wrote ran
  for (const TrainingRow& row : report->dataset.rows) {
    EXPECT_EQ(implausible_features(row.features), std::nullopt);
  }
}

TEST_P(LlmProviderIt, DuplicatesAreDroppedUntilTheBudgetIsSpent) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("duplicates");
  const auto report = generate();
  ASSERT_TRUE(report) << report.error().message;
  const auto requests = m_standin.requests();
  // The stand-in repeats the same 6 records (seed ignored, second half repeating the first).
  EXPECT_EQ(requests.size(), static_cast<std::size_t>(k_budget));
  EXPECT_EQ(report->accepted, 6);
  EXPECT_EQ(report->dropped_duplicate, sum_rows(requests, all) - 6);
  EXPECT_FALSE(report->timed_out);
}

TEST_P(LlmProviderIt, NotJsonEverywhereIsAnErrorSayingSo) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("not_json");
  const auto report = generate();
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::bad_response);
  EXPECT_NE(report.error().message.find(std::to_string(k_budget) + " answers or parts not JSON"),
            std::string::npos)
      << report.error().message;
  EXPECT_EQ(m_standin.requests().size(), static_cast<std::size_t>(k_budget));
}

TEST_P(LlmProviderIt, RefusalsAndEmptyAnswersAreErrors) {
  ASSERT_GT(m_standin.port(), 0);
  for (const char* mode : {"refusal", "empty"}) {
    m_standin.set_mode(mode);
    const auto report = generate();
    ASSERT_FALSE(report) << mode;
    EXPECT_EQ(report.error().kind, ErrorKind::bad_response) << report.error().message;
  }
}

TEST_P(LlmProviderIt, TransientFailuresAreRetried) {
  ASSERT_GT(m_standin.port(), 0);
  // http_500 and http_429 are retried by HttpClient; "overloaded" is Anthropic's 529 (retried by
  // AnthropicClient) or a 503 for the others.
  for (const char* mode : {"http_500", "http_429", "overloaded"}) {
    const std::size_t before = m_standin.requests().size();
    m_standin.set_mode(mode, 2);
    const auto report = generate();
    ASSERT_TRUE(report) << mode << ": " << report.error().message;
    EXPECT_EQ(report->accepted, k_samples) << mode;
    EXPECT_EQ(report->batches_failed, 0) << mode;
    EXPECT_EQ(m_standin.requests().size() - before,
              static_cast<std::size_t>(k_samples / k_batch + 2))
        << mode;
  }
}

TEST_P(LlmProviderIt, PersistentServerErrorsFailEveryBatch) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode(provider() == "anthropic" ? "overloaded" : "http_500");
  const auto report = generate();
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::unavailable);
  EXPECT_NE(report.error().message.find("every one of the " + std::to_string(k_budget)),
            std::string::npos)
      << report.error().message;
  EXPECT_NE(report.error().message.find("3 attempts"), std::string::npos) << report.error().message;
  // 1 + max_retries attempts per batch.
  EXPECT_EQ(m_standin.requests().size(), static_cast<std::size_t>(3 * k_budget));
}

TEST_P(LlmProviderIt, AnUnknownModelIsAConfigErrorThatStopsGeneration) {
  ASSERT_GT(m_standin.port(), 0);
  const auto report = generate(60s, "missing-model");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::config);
  EXPECT_NE(report.error().message.find("LLM_MODEL"), std::string::npos) << report.error().message;
  EXPECT_LE(m_standin.requests().size(), 3U); // at most the requests already in flight
}

TEST_P(LlmProviderIt, TheDeadlineCutsSlowAnswersAndKeepsWhatWasAccepted) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("normal", 2, "slow", 30.0); // 2 answers, then 30 s each
  const auto started = std::chrono::steady_clock::now();
  const auto report = generate(2s);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->timed_out);
  EXPECT_EQ(report->accepted, 2 * k_batch);
  EXPECT_LT(took, 4s);
}

TEST_P(LlmProviderIt, TheDeadlineWithNothingAcceptedIsATimeoutError) {
  ASSERT_GT(m_standin.port(), 0);
  m_standin.set_mode("slow", std::nullopt, "normal", 30.0);
  const auto started = std::chrono::steady_clock::now();
  const auto report = generate(2s);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::timeout);
  EXPECT_NE(report.error().message.find("DATASET_GENERATION_TIMEOUT"), std::string::npos);
  EXPECT_LT(took, 4s);
  EXPECT_LE(m_standin.requests().size(), 3U); // no new batch after the deadline
}

INSTANTIATE_TEST_SUITE_P(Providers, LlmProviderIt,
                         ::testing::Values("local", "openai", "anthropic"),
                         [](const auto& param_info) { return param_info.param; });

class LlmAuthIt : public ::testing::Test {
protected:
  LlmStandin m_standin;
};

TEST_F(LlmAuthIt, OpenAiRejectsAWrongKeyAsAConfigErrorWithoutLeakingIt) {
  ASSERT_GT(m_standin.port(), 0);
  const std::string wrong = "sk-wrong-key-1234567890";
  auto client =
      make_llm_client("openai", m_standin.root_url() + "/v1", k_model, wrong, test_http());
  ASSERT_TRUE(client);
  const auto answer =
      (*client)->complete(LlmPrompt{"JSON", "Generate exactly 1 new records", 0.7, 100});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::config);
  EXPECT_NE(answer.error().message.find("check OPENAI_API_KEY"), std::string::npos);
  EXPECT_NE(answer.error().message.find("invalid_api_key"), std::string::npos);
  EXPECT_EQ(answer.error().message.find(wrong), std::string::npos) << answer.error().message;
  EXPECT_EQ(m_standin.requests().size(), 1U); // a 401 is never retried
}

TEST_F(LlmAuthIt, AnthropicRejectsAWrongKeyAsAConfigError) {
  ASSERT_GT(m_standin.port(), 0);
  auto client =
      make_llm_client("anthropic", m_standin.root_url(), k_model, "sk-ant-wrong", test_http());
  ASSERT_TRUE(client);
  const auto answer =
      (*client)->complete(LlmPrompt{"JSON", "Generate exactly 1 new records", 0.7, 100});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::config);
  EXPECT_NE(answer.error().message.find("authentication_error: invalid x-api-key"),
            std::string::npos)
      << answer.error().message;
  EXPECT_NE(answer.error().message.find("check ANTHROPIC_API_KEY"), std::string::npos);
  EXPECT_EQ(answer.error().message.find("sk-ant-wrong"), std::string::npos);
}

TEST_F(LlmAuthIt, OpenAiCompatibleServerWithoutKeyGetsNoBearerAndTheDocumented401) {
  ASSERT_GT(m_standin.port(), 0);
  auto client = make_llm_client("openai", m_standin.root_url() + "/v1", k_model, "", test_http());
  ASSERT_TRUE(client);
  const auto answer =
      (*client)->complete(LlmPrompt{"JSON", "Generate exactly 1 new records", 0.7, 100});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::config);
  EXPECT_NE(answer.error().message.find("You didn't provide an API key"), std::string::npos);
  const auto requests = m_standin.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(header(requests[0], "Authorization"), std::nullopt);
}

} // namespace
} // namespace mm
