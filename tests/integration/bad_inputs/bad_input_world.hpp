#pragma once
// The bad-input table (docs/bad-inputs.md) as data: each case gives the real model-monitor
// binary one bad input and names the exact message (or its fixed fragment) the user must see
// and the exit code (DESIGN §1). The table's rows and this list are cross-checked by
// test_bad_inputs_doc.cpp, so the figures in the document are the suite's own count.
//
// World: a per-test database in the real FerretDB (tests/support/mongo_fixture.hpp), stand-ins
// of MLflow and Ollama that answer with one defect on purpose (fake_services.hpp), a DATA_DIR of
// the test's own, and the venv's pyarrow to write Parquet files. Cases that need the real MLflow
// server (a metric stored by MLflow itself, a training) use tests/support/mlflow_fixture.hpp.

#include "integration/bad_inputs/fake_services.hpp"
#include "support/mongo_fixture.hpp"
#include "support/process.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm::test {

class BadInputWorld;

struct BadInputCase {
  std::string id;       // snake_case, unique; the test is All/BadInput.Case/<id>
  std::string category; // one of k_categories
  std::string input;    // what is wrong, as written in the table (Markdown)
  std::string message;  // appears verbatim in stdout or stderr
  int exit_code = 0;
  // Runs the binary with the bad input; may add expectations of its own (nothing executed,
  // nothing lost...).
  std::function<ProcessResult(BadInputWorld&)> run;
};

// In the table's order.
inline const std::vector<std::string> k_categories = {
    "environment",       "flag",       "specialist type", "MLflow response",
    "feedback document", "LLM output", "Parquet"};

// Every case, in the table's order (one function per category, in bad_input_cases_*.cpp).
const std::vector<BadInputCase>& bad_input_cases();
std::vector<BadInputCase> environment_cases();
std::vector<BadInputCase> flag_and_type_cases();
std::vector<BadInputCase> mlflow_cases();
std::vector<BadInputCase> feedback_cases();
std::vector<BadInputCase> llm_cases();
std::vector<BadInputCase> parquet_cases();
// The feedback row that shares llm_cases()'s real training.
BadInputCase feedback_merge_case();

using EnvOverrides = std::map<std::string, std::optional<std::string>>;

class BadInputWorld : public MongoTest {
public:
  // The specialist every stand-in answers for.
  static constexpr const char* k_type = "badinput";

  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  // model-monitor <args> with the world's environment (stand-ins, the test's database and
  // DATA_DIR, no push, no notification, English, JSON logs) plus `extra`.
  ProcessResult run(std::vector<std::string> args, const EnvOverrides& extra = {});
  // check --specialist-type badinput --output-format json <more>
  ProcessResult check(const EnvOverrides& extra = {}, std::vector<std::string> more = {});
  // retrain --specialist-type badinput --force --output-format json <more>
  ProcessResult retrain(std::vector<std::string> more = {}, const EnvOverrides& extra = {});

  FakeMlflow& mlflow();
  FakeOllama& ollama();
  const std::filesystem::path& data_dir() const { return m_data_dir; }
  std::filesystem::path dataset_dir() const { return m_data_dir / k_type; }
  // A file no test creates: a hostile answer that tried to run a command would create it.
  const std::filesystem::path& marker() const { return m_marker; }
  // tests/integration/bad_inputs/write_dataset.py KIND PATH with the venv's pyarrow.
  void write_dataset(const std::string& kind, const std::filesystem::path& path);
  static std::string venv();

  using MongoTest::count;
  using MongoTest::database;
  using MongoTest::insert;
  using MongoTest::insert_json;
  using MongoTest::try_insert_json;
  using MongoTest::uri;

private:
  std::filesystem::path m_data_dir;
  std::filesystem::path m_marker;
};

} // namespace mm::test
