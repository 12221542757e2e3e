#pragma once
// DatasetGenerator that runs a team's own generator (DATASET_GENERATOR_COMMAND) instead of the
// built-in LLM one (DESIGN §5). The command runs through /bin/sh with our environment plus:
//   MM_DATASET_OUTPUT        the Parquet file it must write (DESIGN §5 schema)
//   MM_SPECIALIST_TYPE       the specialist
//   MM_DATASET_NUM_SAMPLES   rows wanted
// It gets DATASET_GENERATION_TIMEOUT; past it, its process group is killed. Its output is read
// and validated like ours: the file as a whole (schema, row count, label set; refused whole),
// then each row as the LLM's records are (implausible plans and duplicates dropped and counted,
// core/plan_features.hpp). A file without a usable row is an error.

#include "adapters/parquet/parquet_dataset.hpp"
#include "ports/dataset_generator.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace mm {

class ExternalCommandGenerator : public DatasetGenerator {
public:
  using Reader = std::function<Result<DatasetReadReport>(const std::filesystem::path&)>;

  // scratch_dir: where the command's output goes before it is merged. reader: how that output
  // is read and validated; by default read_dataset() from the Parquet module (parquet_module.hpp),
  // loaded on the first generate().
  ExternalCommandGenerator(std::string command, std::filesystem::path scratch_dir,
                           Reader reader = {});

  Result<GenerationReport> generate(const GenerationRequest& request) override;

private:
  std::string m_command;
  std::filesystem::path m_scratch_dir;
  Reader m_reader;
};

} // namespace mm
