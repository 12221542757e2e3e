#pragma once
// Where the files that ship with the binary are (prompt templates, the training project), and
// the environment the training process gets.

#include "app/config.hpp"
#include "core/result.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace mm {

// PROMPTS_DIR when set; else the first of ./prompts, <binary>/../prompts, <binary>/../../prompts,
// /app/prompts that holds the templates.
Result<std::filesystem::path> resolve_prompts_dir(const std::string& configured);

// RETRAINING_MLFLOW_PROJECT_URI: a URI (git, https, ...) is returned as is; a relative path is
// resolved against the working directory, then the binary's ../ and ../../ (source tree builds),
// then /app; absolute in the result, because `mlflow run` changes directory.
std::string resolve_project_uri(const std::string& configured);

// The environment of `mlflow run`: MLFLOW_TRACKING_URI, the directory of MLFLOW_CLI first on
// PATH (`--env-manager local` runs the `python` found there), no URL banner on stdout.
std::map<std::string, std::string> training_environment(const Config& config);

} // namespace mm
