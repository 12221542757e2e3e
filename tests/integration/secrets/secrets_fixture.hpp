#pragma once
// The environment of the secret-leak tests (issue 5 item 9): the real model-monitor binary with a
// distinctive value planted in every secret it knows (k_* below, each containing
// k_canary_marker), run against the real services of scripts/services.sh (MLflow, FerretDB,
// the Pushgateway) and against stand-ins this fixture starts itself on free ports, because the
// shared ones are configured with the project's own fake keys and webhook path:
//   - scripts/slack_standin.py answering only on the planted webhook path;
//   - scripts/smtp_sink.py accepting only the planted SMTP user and password (so an email in its
//     spool proves the password was used);
//   - scripts/llm_standin.py accepting only the planted OpenAI / Anthropic keys (it records every
//     request with its headers: the test checks where the keys went).
// Every output is collected as an Output and grepped by find_leaks at the end of a test.
//
// MongoDB credentials: FerretDB v1.24.2 with its SQLite backend (scripts/services.sh) refuses
// SCRAM-SHA-1/256, libmongoc's default mechanism ("Unsupported authentication mechanism"), unless
// started with its new authentication, and accepts authMechanism=PLAIN without checking the
// password (FerretDB's handler/msg_saslstart.go: saslStartPlain only records user and password).
// So the runs that must succeed use mongodb://mmuser:<planted>@host/?authMechanism=PLAIN: the
// password really travels to the server, base64-encoded in saslStart, but nothing verifies it.
// The SCRAM rejection itself is one of the error paths checked.

#include "integration/notify/notify_fixture.hpp"
#include "integration/secrets/leak_scan.hpp"
#include "support/mlflow_fixture.hpp"
#include "support/mongo_fixture.hpp"
#include "support/process.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mm::test {

inline constexpr const char* k_openai_key = "sk-LEAKCANARY-openai-7f3a";
inline constexpr const char* k_anthropic_key = "sk-ant-LEAKCANARY-anthropic-2b9d";
inline constexpr const char* k_slack_path = "/services/T000/B000/LEAKCANARYxyz";
inline constexpr const char* k_smtp_user = "mmsmtp";
inline constexpr const char* k_smtp_password = "LEAKCANARY-smtp";
// Percent-encoded as a URI requires ('+' and '@'): the driver sees "LEAKCANARY-mongo+p@ss".
inline constexpr const char* k_mongo_user = "mmuser";
inline constexpr const char* k_mongo_password = "LEAKCANARY-mongo%2Bp%40ss";
// '!' percent-encoded: libcurl and Python's requests send "LEAKCANARY-mlflow!".
inline constexpr const char* k_mlflow_user = "mmuser";
inline constexpr const char* k_mlflow_uri_password = "LEAKCANARY-mlflow%21";
inline constexpr const char* k_mlflow_basic_user = "mmbasic";
inline constexpr const char* k_mlflow_password = "LEAKCANARY-basicpw-mlflow";
inline constexpr const char* k_mlflow_token = "LEAKCANARY-token-mlflow";
inline constexpr const char* k_pushgateway_password = "LEAKCANARY-pushgw";
inline constexpr const char* k_llm_url_password = "LEAKCANARY-llmurl";

using Env = std::map<std::string, std::optional<std::string>>;

// The planted MongoDB credentials in `uri`, with authMechanism=PLAIN&authSource=$external (the
// only mechanism the local FerretDB accepts, see above).
std::string mongo_uri_with_credentials(const std::string& uri);

// Every planted secret, each in the forms it is configured in (a password alone and inside its
// URI; the webhook's token, its path and its whole URL).
std::vector<Secret> planted_secrets(const std::string& slack_webhook_url);

// "http://host:1/x" + ("u", "p") → "http://u:p@host:1/x".
std::string with_userinfo(const std::string& url, const std::string& user,
                          const std::string& password);

class SecretsTest : public MongoTest {
protected:
  void SetUp() override;
  void TearDown() override;

  std::vector<Secret> secrets() const; // planted_secrets() with this test's webhook URL

  // The environment of a run: every secret planted, every service reachable (MLflow, FerretDB
  // with PLAIN credentials, the Pushgateway with basic-auth credentials the Pushgateway
  // ignores, this fixture's stand-ins), LOG_FORMAT=json; `overrides` on top.
  Env env(const Env& overrides = {}) const;

  // Runs the binary (bounded by `timeout 180`), keeps its stdout and stderr as outputs.
  ProcessResult run(const std::string& label, const std::vector<std::string>& args,
                    const Env& overrides = {});

  // A specialist in production (alias on version 1 of a FINISHED run with these metrics) with
  // 12 feedback documents and the opinions they rate (as tests/integration/retrain does).
  std::string specialist(const std::string& prefix, double precision, double recall, double f1);

  // tests/integration/secrets/echo_server.py on a free port: refuses every request with 401,
  // quoting the Authorization and x-api-key headers and the path in its error body. Returns
  // http://127.0.0.1:PORT.
  std::string start_echo_server();

  // Outputs kept outside the process: the services' state and the stand-ins' records.
  void collect_mlflow_run(const std::string& run_id);
  void collect_registered_model(const std::string& name);
  void collect_mongo_state();
  void collect_pushgateway();
  void collect_data_dir(bool must_have_files = true);
  void collect_notifications();

  // The LLM stand-in's record: the key of each provider arrived only in its header, and at
  // least `min_openai` / `min_anthropic` requests were made with it.
  void expect_llm_keys_only_in_headers(std::size_t min_openai, std::size_t min_anthropic);

  // The grep: no form of any secret in any output kept so far.
  void expect_no_leaks();

  void add_output(std::string where, std::string text);
  static nlohmann::json json_of(const ProcessResult& r);

  const std::string& types_list() const { return m_types_list; }
  const std::filesystem::path& data_dir() const { return m_data_dir; }
  SlackStandin& slack() { return *m_slack; }

  MlflowFixture m_mlflow;
  std::string m_pushgateway; // as the services expose it, no credentials
  std::string m_venv;
  std::filesystem::path m_dir;
  std::filesystem::path m_data_dir;
  std::unique_ptr<SlackStandin> m_slack;
  std::unique_ptr<SmtpSink> m_smtp;
  std::unique_ptr<ChildProcess> m_llm;
  std::unique_ptr<ChildProcess> m_echo;
  int m_llm_port = 0;
  std::filesystem::path m_llm_record;
  std::vector<std::string> m_types;
  std::string m_types_list;
  std::vector<Output> m_outputs;
  int m_specialists = 0;

private:
  std::string get(const std::string& url);
  void collect_artifacts(const std::string& label, const std::string& artifact_uri, int depth);
};

} // namespace mm::test
