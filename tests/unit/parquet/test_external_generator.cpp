// DATASET_GENERATOR_COMMAND: a team's own generator, here a shell command that uses the venv's
// pandas/pyarrow (as a real team generator would) to write the Parquet file.
#include "adapters/parquet/external_generator.hpp"
#include "core/plan_features.hpp"
#include "parquet_test_support.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

using namespace parquet_test;

std::string python() {
  return MM_PYTHON;
}

// A command that writes make_fixtures.py's files into `dir` and copies `fixture` to
// MM_DATASET_OUTPUT, checking the variables it was given on the way.
std::string copy_fixture_command(const TempDir& dir, const std::string& fixture) {
  return shell_quote(python()) + " " + shell_quote(test_script("make_fixtures.py").string()) + " " +
         shell_quote(dir.path().string()) + " && cp " +
         shell_quote((dir.path() / fixture).string()) +
         " \"$MM_DATASET_OUTPUT\" && test \"$MM_SPECIALIST_TYPE\" = technical" +
         " && test \"$MM_DATASET_NUM_SAMPLES\" = 5";
}

TEST(ExternalGenerator, ReadsWhatTheCommandWroteAndScreensItsRowsLikeTheLlms) {
  TempDir dir;
  ExternalCommandGenerator gen(copy_fixture_command(dir, "generated_mixed.parquet"),
                               dir.path() / "scratch");
  auto r = gen.generate({"technical", 5, std::chrono::seconds(120)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  // Rows 0, 1 and 4 are kept; 2 repeats 0; 3 has num_nodes 12 for 10 tasks.
  EXPECT_EQ(r->requested, 5);
  EXPECT_EQ(r->accepted, 3);
  EXPECT_EQ(r->dropped_duplicate, 1);
  EXPECT_EQ(r->dropped_implausible, 1);
  ASSERT_EQ(r->dataset.rows.size(), 3U);
  const std::size_t risk = *feature_index("risk_score");
  EXPECT_DOUBLE_EQ(r->dataset.rows[0].features[risk], 0.1);
  EXPECT_DOUBLE_EQ(r->dataset.rows[1].features[risk], 0.2);
  EXPECT_DOUBLE_EQ(r->dataset.rows[2].features[risk], 0.5);
  EXPECT_EQ(r->dataset.rows[2].label, 1);
  EXPECT_EQ(r->dataset.metadata.specialist_type, "technical");
  EXPECT_EQ(r->dataset.metadata.provider, "external");
  for (const auto& row : r->dataset.rows) {
    EXPECT_EQ(row.source, RowSource::llm);
  }
  ASSERT_GE(r->examples_of_drops.size(), 2U);
  EXPECT_EQ(r->examples_of_drops[0], "row 2: duplicate of an earlier row's features");
  EXPECT_EQ(r->examples_of_drops[1], "row 3: implausible: num_nodes=12 differs from num_tasks=10");
}

TEST(ExternalGenerator, AFileWithoutAPlausibleRowIsRefusedNamingWhy) {
  TempDir dir;
  // pandas_good.parquet is a valid file whose rows are no plans (num_tasks 0.25, ...).
  ExternalCommandGenerator gen(copy_fixture_command(dir, "pandas_good.parquet"),
                               dir.path() / "scratch");
  auto r = gen.generate({"technical", 5, std::chrono::seconds(120)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("DATASET_GENERATOR_COMMAND wrote no usable row at "
                                   "MM_DATASET_OUTPUT"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("of 5 rows, 5 are implausible plans and 0 duplicates; e.g. "
                                   "row 0: implausible: num_tasks=0.25 "),
            std::string::npos)
      << r.error().message;
}

TEST(ExternalGenerator, FailingCommandIsABadResponseWithItsLog) {
  TempDir dir;
  ExternalCommandGenerator gen("echo broken generator >&2; exit 7", dir.path());
  auto r = gen.generate({"technical", 5, std::chrono::seconds(30)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("exit status 7"), std::string::npos) << r.error().message;
}

TEST(ExternalGenerator, GarbageOutputIsRejected) {
  TempDir dir;
  ExternalCommandGenerator gen("echo not parquet > \"$MM_DATASET_OUTPUT\"", dir.path());
  auto r = gen.generate({"technical", 5, std::chrono::seconds(30)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("MM_DATASET_OUTPUT"), std::string::npos);
}

TEST(ExternalGenerator, TimeoutKillsTheCommand) {
  TempDir dir;
  ExternalCommandGenerator gen("sleep 30", dir.path());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = gen.generate({"technical", 5, std::chrono::seconds(1)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

} // namespace
} // namespace mm
