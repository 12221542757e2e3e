// Datasets on disk (DESIGN §5): `retrain --skip-dataset-generation` reads the newest file of
// DATA_DIR/{type}/, and a DATASET_GENERATOR_COMMAND's output is read the same way. A missing,
// empty, corrupt or wrongly shaped file fails the retrain at dataset_generation (exit 1), naming
// the file and the problem, before any training.
#include "integration/bad_inputs/bad_input_world.hpp"

#include <fstream>

namespace mm::test {

namespace {

namespace fs = std::filesystem;

// A dataset name of ours (UTC timestamp), so --skip-dataset-generation considers it.
constexpr const char* k_file = "20260101T000000Z.parquet";

constexpr const char* k_fix_hint =
    "; regenerate the dataset, or fix the program that wrote it (DATASET_GENERATOR_COMMAND) to "
    "write the schema of DESIGN §5";

BadInputCase reuse_case(std::string id, std::string input, std::string message,
                        std::function<void(BadInputWorld&, const fs::path&)> prepare) {
  BadInputCase c;
  c.id = std::move(id);
  c.category = "Parquet";
  c.input = std::move(input);
  c.message = std::move(message);
  c.exit_code = 1;
  c.run = [prepare = std::move(prepare)](BadInputWorld& w) {
    prepare(w, w.dataset_dir() / k_file);
    auto r = w.retrain({"--skip-dataset-generation"});
    EXPECT_NE(r.out.find("FAILED at dataset_generation: "), std::string::npos) << r.out;
    EXPECT_EQ(w.ollama().requests(), 0);
    return r;
  };
  return c;
}

BadInputCase pyarrow_case(std::string id, std::string input, std::string problem,
                          std::string kind) {
  return reuse_case(std::move(id), std::move(input), k_file + (": " + problem) + k_fix_hint,
                    [kind](BadInputWorld& w, const fs::path& p) { w.write_dataset(kind, p); });
}

BadInputCase generator_case(std::string id, std::string command, std::string message) {
  BadInputCase c;
  c.id = std::move(id);
  c.category = "Parquet";
  c.input = "`DATASET_GENERATOR_COMMAND='" + command + "'`";
  c.message = std::move(message);
  c.exit_code = 1;
  c.run = [command](BadInputWorld& w) {
    auto r = w.retrain({}, {{"DATASET_GENERATOR_COMMAND", command}});
    EXPECT_NE(r.out.find("FAILED at dataset_generation: DATASET_GENERATOR_COMMAND "),
              std::string::npos)
        << r.out;
    return r;
  };
  return c;
}

} // namespace

std::vector<BadInputCase> parquet_cases() {
  return {
      reuse_case("parquet_missing",
                 "`--skip-dataset-generation` and no dataset in `DATA_DIR/{type}/`",
                 "FAILED at dataset_generation: --skip-dataset-generation: no existing dataset for "
                 "'badinput'",
                 [](BadInputWorld&, const fs::path&) {}),
      reuse_case("parquet_misnamed",
                 "only `DATA_DIR/{type}/dataset.parquet` (not a timestamped name: ignored; see the "
                 "note)",
                 "FAILED at dataset_generation: --skip-dataset-generation: no existing dataset for "
                 "'badinput'",
                 [](BadInputWorld& w, const fs::path& p) {
                   w.write_dataset("valid", p.parent_path() / "dataset.parquet");
                 }),
      reuse_case("parquet_empty", "a 0-byte file (a writer that crashed)",
                 std::string(k_file) +
                     ": the file is empty (0 bytes), as a writer that crashed leaves it" +
                     k_fix_hint,
                 [](BadInputWorld&, const fs::path& p) {
                   fs::create_directories(p.parent_path());
                   std::ofstream(p).flush();
                 }),
      reuse_case("parquet_corrupt", "4 kB of random bytes",
                 std::string(k_file) +
                     ": not a readable Parquet file (Parquet magic bytes not found in footer. "
                     "Either the file is corrupted or this is not a parquet file.)" +
                     k_fix_hint,
                 [](BadInputWorld&, const fs::path& p) {
                   fs::create_directories(p.parent_path());
                   std::ofstream out(p, std::ios::binary);
                   std::uint32_t x = 2463534242U; // xorshift: the same bytes every run
                   for (int i = 0; i < 4096; ++i) {
                     x ^= x << 13U;
                     x ^= x >> 17U;
                     x ^= x << 5U;
                     out.put(static_cast<char>(x & 0xffU));
                   }
                 }),
      pyarrow_case("parquet_truncated", "a valid file cut to half its size",
                   "not a readable Parquet file (Parquet magic bytes not found in footer. Either "
                   "the file is corrupted or this is not a parquet file.)",
                   "truncated"),
      pyarrow_case("parquet_wrong_schema",
                   "a Parquet file of other columns (`plan_id`, `verdict`, `score`)",
                   "required column 'num_tasks' is missing", "wrong_schema"),
      pyarrow_case("parquet_label_as_text", "`label` written as text (`approve`)",
                   "column 'label' has type string, expected int64", "label_as_text"),
      pyarrow_case("parquet_label_out_of_range", "`label` 7 in the first row",
                   "label 7 at row 0; labels are 0 reject, 1 approve, 2 review_required, 3 "
                   "conditional",
                   "label_out_of_range"),
      pyarrow_case("parquet_nan_feature", "`risk_score` NaN in the first row",
                   "column 'risk_score' is nan at row 0; features must be finite", "nan_feature"),
      pyarrow_case("parquet_no_rows", "the right schema and no rows", "the file has no rows",
                   "no_rows"),
      generator_case("generator_writes_nothing", "true",
                     "DATASET_GENERATOR_COMMAND exited 0 but wrote nothing at MM_DATASET_OUTPUT ("),
      generator_case("generator_fails", "echo quota exceeded >&2; exit 7",
                     "DATASET_GENERATOR_COMMAND failed (exit status 7); its output is in "),
      generator_case("generator_writes_garbage", "echo oops > \"$MM_DATASET_OUTPUT\"",
                     "not a readable Parquet file (Parquet file size is 5 bytes, smaller than the "
                     "minimum file footer (8 bytes))"),
  };
}

} // namespace mm::test
