// Outputs kept outside the model-monitor process, for the grep of secrets_fixture.hpp: MLflow
// (runs, artifacts, logged models, registered models), MongoDB, the Pushgateway, DATA_DIR, the
// notifications and the LLM stand-in's record.
#include "integration/secrets/secrets_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>

namespace mm::test {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr std::size_t k_max_artifact_bytes = 8U * 1024U * 1024U;
constexpr std::string_view k_artifacts_scheme = "mlflow-artifacts:/";

// Parquet file and schema metadata, and every string column, as JSON (the venv's pyarrow: an
// implementation independent of the Arrow C++ the binary writes with).
constexpr const char* k_parquet_dump = R"py(
import json, sys
import pyarrow as pa, pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
md = f.metadata
out = {
    "created_by": md.created_by,
    "file_metadata": {k.decode("utf-8", "replace"): v.decode("utf-8", "replace")
                      for k, v in (md.metadata or {}).items()},
    "schema": str(f.schema_arrow),
}
table = f.read()
out["strings"] = {name: sorted(set(map(str, table.column(name).to_pylist())))
                  for name in table.column_names
                  if pa.types.is_string(table.schema.field(name).type)
                  or pa.types.is_large_string(table.schema.field(name).type)}
print(json.dumps(out))
)py";

std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += item;
    out += '\n';
  }
  return out;
}

} // namespace

std::string SecretsTest::get(const std::string& url) {
  ProcessResult r = run_process({"curl", "-sS", "-f", "--max-time", "30", url});
  EXPECT_EQ(r.exit_code, 0) << "GET " << url << ": " << r.err;
  return r.out;
}

void SecretsTest::collect_artifacts(const std::string& label, const std::string& artifact_uri,
                                    int depth) {
  // services.sh serves artifacts through the tracking server (--serve-artifacts): the run's
  // artifact_uri is mlflow-artifacts:/<path>, listed and downloaded over
  // /api/2.0/mlflow-artifacts/artifacts.
  if (!artifact_uri.starts_with(k_artifacts_scheme)) {
    ADD_FAILURE() << label << ": artifact URI " << artifact_uri
                  << " is not served by the tracking server (mlflow-artifacts:/)";
    return;
  }
  std::string path = artifact_uri.substr(k_artifacts_scheme.size());
  while (path.starts_with('/')) {
    path.erase(0, 1);
  }
  const std::string base = m_mlflow.tracking_uri() + "/api/2.0/mlflow-artifacts/artifacts";
  const std::string listing = get(base + "?path=" + path);
  add_output(label + ": listing of " + path, listing);
  Json files;
  try {
    files = Json::parse(listing).value("files", Json::array());
  } catch (const std::exception& e) {
    ADD_FAILURE() << label << ": listing of " << path << " is not JSON: " << e.what();
    return;
  }
  for (const auto& f : files) {
    std::string name = f.value("path", "");
    if (name.starts_with(path + "/")) {
      name.erase(0, path.size() + 1);
    }
    const std::string child = path + "/" + name;
    if (f.value("is_dir", false)) {
      if (depth < 8) {
        collect_artifacts(label, std::string(k_artifacts_scheme) + child, depth + 1);
      }
      continue;
    }
    const auto size = f.contains("file_size") ? f["file_size"].get<std::int64_t>() : 0;
    if (size > static_cast<std::int64_t>(k_max_artifact_bytes)) {
      add_output(label + ": artifact " + child + " (too large to read; name only)", child);
      continue;
    }
    add_output(label + ": artifact " + child, get(base + "/" + child));
  }
}

void SecretsTest::collect_mlflow_run(const std::string& run_id) {
  const Json run = m_mlflow.get_run(run_id);
  add_output("MLflow run " + run_id + " (runs/get: info, tags, params, metrics, inputs)",
             run.dump());
  collect_artifacts("MLflow run " + run_id, run["info"]["artifact_uri"].get<std::string>(), 0);
  // MLflow 3 keeps a logged model (log_model) apart from its run, with its own artifacts.
  const std::string experiment = run["info"]["experiment_id"];
  const RawResponse models =
      m_mlflow.call("POST", "logged-models/search",
                    Json{{"experiment_ids", {experiment}}, {"max_results", 100}}.dump());
  ASSERT_EQ(models.status, 200) << models.body;
  for (const auto& model : Json::parse(models.body).value("models", Json::array())) {
    const Json& info = model["info"];
    if (info.value("source_run_id", "") != run_id) {
      continue;
    }
    const std::string id = info.value("model_id", "");
    add_output("MLflow logged model " + id + " of run " + run_id, model.dump());
    collect_artifacts("MLflow logged model " + id, info.value("artifact_uri", ""), 0);
  }
}

void SecretsTest::collect_registered_model(const std::string& name) {
  add_output("MLflow registered model " + name + " (registered-models/get)",
             m_mlflow.call_ok("GET", "registered-models/get?name=" + name).dump());
  add_output(
      "MLflow versions of " + name + " (model-versions/search: tags, description, source)",
      m_mlflow.call_ok("GET", "model-versions/search?filter=name%3D%27" + name + "%27").dump());
}

void SecretsTest::collect_mongo_state() {
  const std::vector<std::string> docs = find_json(k_state_collection);
  EXPECT_FALSE(docs.empty()) << "nothing in " << database() << "." << k_state_collection;
  add_output("MongoDB " + database() + "." + k_state_collection + " (every document)",
             join_lines(docs));
}

void SecretsTest::collect_pushgateway() {
  const std::string metrics = get(m_pushgateway + "/metrics");
  for (const auto& type : m_types) {
    EXPECT_NE(metrics.find("specialist_type=\"" + type + "\""), std::string::npos)
        << "nothing pushed for " << type;
  }
  add_output("Pushgateway /metrics", metrics);
}

void SecretsTest::collect_data_dir(bool must_have_files) {
  std::error_code ec;
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(m_data_dir, ec)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    ++files;
    add_output("DATA_DIR file " + entry.path().string(), read_file(entry.path()));
    if (entry.path().extension() == ".parquet") {
      const ProcessResult r =
          run_process({venv_python(), "-c", k_parquet_dump, entry.path().string()});
      EXPECT_EQ(r.exit_code, 0) << "pyarrow could not read " << entry.path() << ": " << r.err;
      add_output("Parquet metadata and string columns of " + entry.path().string(), r.out);
    }
  }
  EXPECT_TRUE(files > 0 || !must_have_files) << "nothing written under DATA_DIR " << m_data_dir;
}

void SecretsTest::collect_notifications() {
  std::size_t i = 0;
  for (const Json& request : m_slack->records()) {
    ++i;
    // The stand-in's record of the path it was posted to is the webhook itself, not an output;
    // that it is the planted one proves the secret webhook was really used.
    EXPECT_EQ(request.value("path", ""), k_slack_path);
    add_output("Slack message #" + std::to_string(i) + " (body)", request.value("body", ""));
    add_output("Slack message #" + std::to_string(i) + " (request headers)",
               request["headers"].dump());
  }
  for (const fs::path& eml : m_smtp->messages()) {
    // Stored only after AUTH with the planted password (SMTP_SINK_PASSWORD).
    const std::string text = read_file(eml);
    EXPECT_NE(text.find(std::string("X-Auth-User: ") + k_smtp_user), std::string::npos) << text;
    add_output("email " + eml.filename().string() + " (as the SMTP server stored it)", text);
    // Decoded too (RFC 2047 subject, quoted-printable body): a soft line break could cut a
    // secret in two in the stored form.
    add_output("email " + eml.filename().string() + " (decoded by Python's email package)",
               parse_email(eml).dump());
  }
}

void SecretsTest::expect_llm_keys_only_in_headers(std::size_t min_openai,
                                                  std::size_t min_anthropic) {
  std::size_t openai = 0;
  std::size_t anthropic = 0;
  std::istringstream lines(read_file(m_llm_record));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) {
      continue;
    }
    Json request = Json::parse(line);
    Json headers = Json::object();
    for (const auto& [name, value] : request["headers"].items()) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "authorization") {
        EXPECT_EQ(value, std::string("Bearer ") + k_openai_key);
        ++openai;
      } else if (lower == "x-api-key") {
        EXPECT_EQ(value, k_anthropic_key);
        ++anthropic;
      } else {
        headers[name] = value;
      }
    }
    request["headers"] = headers;
    // What the LLM provider received besides its key header: a leak there goes to a third party.
    add_output("LLM request #" + std::to_string(request.value("n", 0)) + " " +
                   request.value("path", "") + " (all but its key header)",
               request.dump());
  }
  EXPECT_GE(openai, min_openai) << "requests that carried OPENAI_API_KEY";
  EXPECT_GE(anthropic, min_anthropic) << "requests that carried ANTHROPIC_API_KEY";
}

void SecretsTest::expect_no_leaks() {
  std::size_t bytes = 0;
  for (const auto& o : m_outputs) {
    bytes += o.text.size();
  }
  std::cout << "[ secrets  ] scanned " << m_outputs.size() << " outputs, " << bytes
            << " bytes, for " << secrets().size() << " planted secrets\n";
  RecordProperty("outputs_scanned", static_cast<int>(m_outputs.size()));
  // Every output as scanned, for whoever reads a failure (the directory is kept then, or with
  // MM_SECRETS_KEEP=1): outputs/index.txt names them.
  const fs::path dump = m_dir / "outputs";
  fs::create_directories(dump);
  std::ofstream index(dump / "index.txt");
  for (std::size_t i = 0; i < m_outputs.size(); ++i) {
    const std::string file = std::to_string(i) + ".out";
    std::ofstream(dump / file, std::ios::binary) << m_outputs[i].text;
    index << file << "\t" << m_outputs[i].text.size() << "\t" << m_outputs[i].where << "\n";
  }
  const std::vector<Leak> leaks = find_leaks(secrets(), m_outputs);
  std::vector<Leak> shown(leaks.begin(),
                          leaks.begin() +
                              static_cast<std::ptrdiff_t>(std::min<std::size_t>(leaks.size(), 40)));
  EXPECT_TRUE(leaks.empty()) << leaks.size() << " leak(s):\n" << describe(shown);
}
} // namespace mm::test
