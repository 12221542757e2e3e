// Interoperability with the Python side (DESIGN §5): files written by pyarrow/pandas, as the
// training project and a DATASET_GENERATOR_COMMAND write them, are read (or refused, naming the
// problem); files we write are read back by pyarrow and pandas. Needs the venv's python
// (MM_PYTHON), which the build itself needs for Arrow.

#include "adapters/parquet/parquet_dataset.hpp"
#include "parquet_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace mm {
namespace {

using parquet_test::run_python;
using parquet_test::TempDir;
using parquet_test::test_script;

// The files of make_fixtures.py, generated once for the suite.
class PyarrowFiles : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_dir = std::make_unique<TempDir>();
    const auto log = *s_dir / "make_fixtures.log";
    s_status = run_python({test_script("make_fixtures.py").string(), s_dir->path().string()}, log);
    s_log = parquet_test::read_text(log);
  }
  static void TearDownTestSuite() { s_dir.reset(); }

  void SetUp() override {
    ASSERT_EQ(s_status, 0) << "make_fixtures.py failed (run scripts/setup.sh?):\n" << s_log;
  }

  static std::filesystem::path fixture(const std::string& name) { return *s_dir / name; }

  static inline std::unique_ptr<TempDir> s_dir;
  static inline int s_status = -1;
  static inline std::string s_log;
};

// Values of make_fixtures.py: row r, feature f = r * 100 + f + 0.25; created_at
// 2026-01-02T03:04:05.123456789Z + r s (nanoseconds, as pandas writes them).
void expect_fixture_rows(const Dataset& d) {
  const std::array<std::int64_t, 5> labels{0, 1, 2, 3, 1};
  const std::array<RowSource, 5> sources{RowSource::llm, RowSource::feedback, RowSource::llm,
                                         RowSource::llm, RowSource::feedback};
  ASSERT_EQ(d.rows.size(), 5U);
  for (std::size_t r = 0; r < 5; ++r) {
    SCOPED_TRACE("row " + std::to_string(r));
    for (std::size_t f = 0; f < k_feature_count; ++f) {
      EXPECT_EQ(d.rows[r].features[f], static_cast<double>(r * 100 + f) + 0.25) << f;
    }
    EXPECT_EQ(d.rows[r].label, labels[r]);
    EXPECT_EQ(d.rows[r].source, sources[r]);
    EXPECT_EQ(d.rows[r].created_at, parquet_test::base_time() +
                                        std::chrono::seconds{static_cast<std::int64_t>(r)} +
                                        std::chrono::nanoseconds{123456789});
  }
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

TEST_F(PyarrowFiles, ReadsAFileWrittenByPandasAndPyarrow) {
  auto read = read_dataset(fixture("pandas_good.parquet"));
  ASSERT_TRUE(read) << read.error().message;
  expect_fixture_rows(read->dataset);
  EXPECT_EQ(read->dataset.metadata.specialist_type, "technical");
  EXPECT_EQ(read->dataset.metadata.provider, "external");
  EXPECT_EQ(read->dataset.metadata.model, "team-generator");
  EXPECT_EQ(read->dataset.metadata.prompt_hash, "0123abcd");
  EXPECT_EQ(read->dataset.metadata.temperature, 0.7);
  EXPECT_TRUE(read->warnings.empty()) << read->warnings.front();
}

TEST_F(PyarrowFiles, LooseButUsableFileIsReadWithWarnings) {
  auto read = read_dataset(fixture("pandas_loose.parquet"));
  ASSERT_TRUE(read) << read.error().message;
  expect_fixture_rows(read->dataset); // categorical source decoded, naive time taken as UTC
  const auto& w = read->warnings;
  EXPECT_TRUE(any_contains(w, "unknown column 'plan_id' (string) ignored"));
  EXPECT_TRUE(any_contains(w, "unknown column '__index_level_0__' (int64) ignored"));
  EXPECT_TRUE(any_contains(w, "column 'created_at' has no time zone; taken as UTC"));
  EXPECT_TRUE(any_contains(w, "metadata lacks specialist_type, provider, model, prompt_hash, "
                              "schema_version, temperature, row_count"));
  EXPECT_EQ(read->dataset.metadata.specialist_type, "");
}

TEST_F(PyarrowFiles, InspectSummarisesAFileWrittenByPyarrow) {
  auto summary = inspect_dataset(fixture("pandas_good.parquet"));
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->row_count, 5);
  EXPECT_EQ(summary->label_counts, (std::array<std::int64_t, 4>{1, 2, 1, 1}));
  EXPECT_EQ(summary->schema_version, "1.0.0");
  EXPECT_EQ(summary->metadata.model, "team-generator");
}

// Inspect reads labels, not features: cheap, and documented as such.
TEST_F(PyarrowFiles, InspectDoesNotLookAtFeatureValues) {
  EXPECT_TRUE(inspect_dataset(fixture("nan_feature.parquet")));
  EXPECT_FALSE(read_dataset(fixture("nan_feature.parquet")));
}

struct Refused {
  const char* file;
  const char* says;
  bool inspect_refuses; // inspect checks schema, metadata and labels, not feature values
};

// Names the case in gtest's output instead of dumping the struct's bytes.
void PrintTo(const Refused& r, std::ostream* os) {
  *os << r.file;
}

class PyarrowRefused : public PyarrowFiles, public ::testing::WithParamInterface<Refused> {};

TEST_P(PyarrowRefused, NamesTheProblemAndWhatToDo) {
  const auto path = fixture(GetParam().file);
  auto read = read_dataset(path);
  ASSERT_FALSE(read);
  const Error& e = read.error();
  EXPECT_EQ(e.kind, ErrorKind::bad_response);
  EXPECT_NE(e.message.find(path.string()), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(GetParam().says), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("DATASET_GENERATOR_COMMAND"), std::string::npos) << e.message;

  auto inspected = inspect_dataset(path);
  EXPECT_EQ(!inspected, GetParam().inspect_refuses);
  if (!inspected) {
    EXPECT_EQ(inspected.error().message, e.message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PyarrowRefused,
    ::testing::Values(
        Refused{"missing_column.parquet", "required column 'density' is missing", true},
        Refused{"int_feature.parquet",
                "column 'num_tasks' has type int64, expected double (float64)", true},
        Refused{"string_feature.parquet",
                "column 'risk_score' has type string, expected double (float64)", true},
        Refused{"float_label.parquet", "column 'label' has type double, expected int64", true},
        Refused{"string_created_at.parquet",
                "column 'created_at' has type string, expected timestamp (UTC)", true},
        Refused{"null_feature.parquet", "column 'avg_coupling' is null at row 2", false},
        Refused{"nan_feature.parquet",
                "column 'avg_coupling' is nan at row 3; features must be finite", false},
        Refused{"inf_feature.parquet", "column 'avg_coupling' is inf at row 1", false},
        Refused{"null_label.parquet", "column 'label' is null at row 2", true},
        Refused{"label_7.parquet", "label 7 at row 2; labels are 0 reject, 1 approve", true},
        Refused{"label_negative.parquet", "label -1 at row 1", true},
        Refused{"bad_source.parquet", "source 'human' at row 1; expected llm or feedback", false},
        Refused{"zero_rows.parquet", "the file has no rows", true},
        Refused{"wrong_row_count.parquet", "metadata row_count '99' but the file has 5 rows", true},
        Refused{"schema_v2.parquet", "schema_version 2.0.0 is not compatible with 1.0.0", true},
        Refused{"bad_temperature.parquet", "metadata temperature 'warm' is not a number", true}),
    [](const auto& param_info) {
      std::string name = param_info.param.file;
      return name.substr(0, name.find('.'));
    });

// The other direction: the Python training project reads what retrain writes.
TEST_F(PyarrowFiles, PyarrowAndPandasReadWhatWeWrite) {
  TempDir dir;
  const auto path = dir / "technical.parquet";
  ASSERT_TRUE(write_dataset(path, parquet_test::sample_dataset(4)));
  const auto log = dir / "check_written.log";
  EXPECT_EQ(run_python({test_script("check_written.py").string(), path.string()}, log), 0)
      << parquet_test::read_text(log);
}

} // namespace
} // namespace mm
